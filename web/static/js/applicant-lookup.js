// The NIK check in the applicant block (new request, correction): the registry's answer never
// takes away what the operator typed. The server answers a status element only
// (people/_lookup_result.html, swapped over #cek-nik-hasil), so no input is replaced while
// someone types in it. Here its values fill the inputs that are still empty; an input that holds
// something else is listed, and replaced only when the operator says so.
(function () {
  "use strict";
  const FIELDS = [
    "applicant_kk",
    "applicant_name",
    "applicant_birth_place",
    "applicant_birth_date",
    "applicant_sex",
    "applicant_address",
    "applicant_rt",
    "applicant_rw",
    "applicant_religion",
    "applicant_occupation",
    "applicant_marital_status",
    "applicant_citizenship",
  ];

  function theForm() {
    return document.querySelector("form.request-form, form.correction-form");
  }

  function digits(text) {
    return String(text || "").replace(/\D/g, "");
  }

  function same(a, b) {
    const norm = (v) => String(v || "").replace(/\s+/g, " ").trim().toLowerCase();
    return norm(a) === norm(b);
  }

  function labelOf(input) {
    const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    return label ? label.textContent.trim() : input.name;
  }

  function shown(input, value) {
    if (input.tagName === "SELECT") {
      const option = [...input.options].find((o) => o.value === value);
      return option ? option.textContent.trim() : value;
    }
    return value;
  }

  // An input filled from the registry remembers the NIK it came from until the operator edits
  // it: a later answer for another NIK may then replace (or clear) it, since it describes
  // somebody else; what the operator typed is never cleared.
  function fill(input, value, nik) {
    input.value = value;
    input.dataset.fromRegistry = nik;
  }
  function edited(event) {
    const input = event.target;
    if (input && input.dataset && input.dataset.fromRegistry) delete input.dataset.fromRegistry;
  }
  document.addEventListener("input", edited);
  document.addEventListener("change", edited);

  function apply(result) {
    const form = theForm();
    if (!form || !form.contains(result)) return;
    const nikInput = form.elements.namedItem("applicant_nik");
    const nik = result.dataset.nik || "";
    // An answer that arrives after the NIK was changed is about someone else: ignore it.
    if (nikInput && digits(nikInput.value) !== digits(nik)) {
      result.replaceChildren();
      return;
    }
    if (nikInput) nikInput.setAttribute("aria-invalid", String(result.dataset.status === "invalid"));
    const values = result.dataset.values ? JSON.parse(result.dataset.values) : null;
    const conflicts = [];
    for (const name of FIELDS) {
      const input = form.elements.namedItem(name);
      if (!input) continue;
      const fromOther = Boolean(input.dataset.fromRegistry) && input.dataset.fromRegistry !== nik;
      if (!values) {
        if (fromOther) {
          input.value = "";
          delete input.dataset.fromRegistry;
        }
        continue;
      }
      const wanted = values[name] || "";
      const empty = !input.value.trim();
      // An empty input the operator is in waits until they leave it: filled now, what they
      // type next would be appended to the registry's value.
      if (empty && input === document.activeElement) whenLeft(input, wanted, nik, result);
      else if (empty || fromOther) fill(input, wanted, nik);
      else if (!same(input.value, wanted)) conflicts.push({ input, wanted });
    }
    const verified = form.querySelector('input[name="applicant_verified"]');
    if (verified) verified.value = values ? "1" : "0";
    if (conflicts.length) askToReplace(result, conflicts, nik);
  }

  // Judged as the others were once the operator leaves the input (filled if still empty, listed
  // if it differs), when the NIK is still the one the answer is about.
  function whenLeft(input, wanted, nik, result) {
    input.addEventListener("blur", () => {
      const nikInput = theForm() && theForm().elements.namedItem("applicant_nik");
      if (!result.isConnected || (nikInput && digits(nikInput.value) !== digits(nik))) return;
      if (!input.value.trim()) fill(input, wanted, nik);
      else if (!same(input.value, wanted)) askToReplace(result, [{ input, wanted }], nik);
    }, { once: true });
  }

  function askToReplace(result, conflicts, nik) {
    const box = document.createElement("div");
    box.className = "warning lookup-conflicts";
    box.setAttribute("role", "alert");
    const intro = document.createElement("p");
    intro.textContent = "Isian berikut berbeda dengan data kependudukan dan tidak diubah:";
    const list = document.createElement("ul");
    for (const { input, wanted } of conflicts) {
      const item = document.createElement("li");
      item.textContent = `${labelOf(input)}: isian "${shown(input, input.value)}", ` +
        `data kependudukan "${shown(input, wanted)}"`;
      list.appendChild(item);
    }
    const replace = document.createElement("button");
    replace.type = "button";
    replace.className = "button";
    replace.textContent = "Ganti dengan data kependudukan";
    replace.addEventListener("click", () => {
      for (const { input, wanted } of conflicts) fill(input, wanted, nik);
      box.remove();
    });
    const keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button secondary-dark";
    keep.textContent = "Biarkan isian saya";
    keep.addEventListener("click", () => box.remove());
    box.append(intro, list, replace, keep);
    result.appendChild(box);
  }

  document.addEventListener("htmx:load", (event) => {
    const element = event.detail && event.detail.elt;
    if (element && element.id === "cek-nik-hasil") apply(element);
  });

  // ---- No network: type the applicant by hand, unverified ----
  function nikOffline() {
    const form = theForm();
    const result = document.getElementById("cek-nik-hasil");
    if (result) {
      const note = document.createElement("p");
      note.id = "applicant_note";
      note.className = "warning";
      note.setAttribute("role", "status");
      note.textContent = "Tidak ada jaringan: data kependudukan tidak dapat diperiksa. Isi data " +
        "pemohon secara manual. Permohonan ditandai belum terverifikasi; NIK diperiksa lagi " +
        "saat permohonan dikirim.";
      result.replaceChildren(note);
    }
    const verified = form && form.querySelector('input[name="applicant_verified"]');
    if (verified) verified.value = "0";
  }

  function isNikCheck(event) {
    const path = (event.detail && event.detail.pathInfo && event.detail.pathInfo.requestPath) || "";
    return path.startsWith("/penduduk/cek-nik");
  }

  // The service worker answers an unreachable lookup with 204 + HX-Trigger: nik-offline; with
  // no worker, htmx reports a send error or a timeout.
  document.addEventListener("DOMContentLoaded", () => {
    document.body.addEventListener("nik-offline", nikOffline);
    document.body.addEventListener("htmx:sendError", (e) => isNikCheck(e) && nikOffline());
    document.body.addEventListener("htmx:timeout", (e) => isNikCheck(e) && nikOffline());
  });
})();
