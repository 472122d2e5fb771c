// Shrinks requirement photos on the phone before they are sent: longest side at most 1600 px and
// at most 400 KB, as a JPEG drawn on a canvas (which also leaves the camera's EXIF and GPS
// behind). A 4 MB camera photo becomes ~250 KB: faster on a weak signal, cheaper on a data plan.
// The server checks and re-encodes whatever arrives, so a phone where this fails still works.
(function () {
  "use strict";
  const LONGEST_SIDE = 1600;
  const TARGET_BYTES = 400 * 1024;
  const QUALITIES = [0.85, 0.75, 0.65, 0.55];
  let pending = 0;

  function kilobytes(bytes) {
    return Math.max(1, Math.round(bytes / 1024)).toLocaleString("id-ID") + " KB";
  }

  function toBlob(canvas, quality) {
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  }

  async function shrink(file) {
    if (!file.type.startsWith("image/")) return file; // a PDF goes as it is
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    let scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
    try {
      for (let round = 0; round < 4; round += 1, scale *= 0.75) {
        const canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        const context = canvas.getContext("2d");
        context.fillStyle = "#fff"; // a transparent PNG becomes paper, not black
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        for (const quality of QUALITIES) {
          const blob = await toBlob(canvas, quality);
          if (blob && blob.size <= TARGET_BYTES) {
            const name = (file.name || "foto").replace(/\.[^.]*$/, "") + ".jpg";
            return new File([blob], name, { type: "image/jpeg", lastModified: Date.now() });
          }
        }
      }
    } finally {
      bitmap.close();
    }
    throw new Error("still too large");
  }

  function setBusy(form, busy) {
    const buttons = form ? form.querySelectorAll("button[type=submit]") : [];
    for (const button of buttons) button.disabled = busy;
  }

  document.addEventListener("change", async (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("input[type=file][data-shrink]")) {
      return;
    }
    const note = input.nextElementSibling && input.nextElementSibling.matches("output")
      ? input.nextElementSibling : null;
    const files = Array.from(input.files || []);
    if (!files.length) {
      if (note) note.textContent = "";
      return;
    }
    pending += 1;
    setBusy(input.form, true);
    if (note) note.textContent = "Memperkecil foto…";
    try {
      const before = files.reduce((sum, f) => sum + f.size, 0);
      const shrunk = [];
      for (const file of files) shrunk.push(await shrink(file));
      const transfer = new DataTransfer();
      for (const file of shrunk) transfer.items.add(file);
      input.files = transfer.files; // no change event: this does not run again
      const after = shrunk.reduce((sum, f) => sum + f.size, 0);
      if (note) note.textContent = "Siap dikirim: " + kilobytes(after) + " (semula " + kilobytes(before) + ").";
      input.dataset.shrunk = String(after);
    } catch (error) {
      if (note) note.textContent = "Foto tidak dapat diperkecil di ponsel ini; dikirim apa adanya.";
    } finally {
      pending -= 1;
      if (!pending) setBusy(input.form, false);
    }
  });
})();
