// The new-request form: a fresh client_request_id on every load and the fix of an outbox entry.
// The NIK check (and typing the applicant by hand offline) is js/applicant-lookup.js.
(function () {
  "use strict";
  const form = document.querySelector("form.request-form");
  if (!form) return;
  const Outbox = window.SodamolekOutbox;
  const idInput = form.elements.namedItem("client_request_id");

  // A request's identity is made when its form is opened. The server writes one into the page,
  // but a page opened from the service worker's cache would carry the same one every time, so
  // script always makes a new one (the server's value is only for browsers without script).
  function newId() {
    if (idInput && window.crypto && crypto.randomUUID) idInput.value = crypto.randomUUID();
  }

  // ---- Fixing an outbox entry: /permohonan/baru/<jenis>?ubah=<entry id> ----
  const editing = new URLSearchParams(location.search).get("ubah");
  const me = document.body.dataset.operator || "";
  if (editing && Outbox) {
    // Only its typist fixes an entry: sent by someone else it would go out under their name.
    Outbox.get(editing).then((entry) =>
      entry && (!entry.operator || entry.operator === me) ? prefill(entry) : newId()
    );
  } else {
    newId();
  }

  function prefill(entry) {
    const values = new Map();
    for (const [name, value] of entry.fields) {
      if (!values.has(name)) values.set(name, []);
      values.get(name).push(value);
    }
    for (const element of form.elements) {
      const name = element.name;
      if (!name || name.startsWith("_") || name === "client_request_id") continue;
      const given = values.get(name) || [];
      if (element.type === "checkbox") element.checked = given.includes(element.value);
      else if (given.length) element.value = given[0];
    }
    const problem = entry.problem || {};
    // Same id after a 422: the server wrote nothing under it, and a replay of the old content
    // still in flight somewhere is refused the same way. After a 409 the id is already taken
    // by other content on the server, so the fixed request goes under a new one.
    if (problem.status === 422) idInput.value = entry.client_request_id;
    else newId();
    const marker = document.createElement("input");
    marker.type = "hidden";
    marker.name = "_outbox_entry";
    marker.value = entry.id;
    form.appendChild(marker);

    const notice = document.createElement("div");
    notice.className = "warning";
    notice.setAttribute("role", "alert");
    const title = document.createElement("p");
    title.textContent = "Memperbaiki permohonan yang tersimpan di perangkat. Kata server: " +
      (problem.detail || "belum ada jawaban.");
    notice.appendChild(title);
    if (problem.status === 409) {
      const conflict = document.createElement("p");
      conflict.textContent = "Server sudah memiliki permohonan lain dengan kunci yang sama. " +
        "Periksa dulu Antrian (cari nama atau NIK) agar tidak tercatat dua kali; bila dikirim, " +
        "permohonan ini mendapat kunci baru.";
      notice.appendChild(conflict);
    }
    form.parentNode.insertBefore(notice, form);
    for (const [field, message] of Object.entries(problem.errors || {})) {
      showFieldError(field, message);
    }
  }

  // ---- Nobody signed in on this device: the shell does not keep requests ----
  // The service worker refuses to keep a request with no operator signed in on the device (after
  // a logout), or for a cached form of another operator: it answers 204 + HX-Trigger
  // outbox-refused, nothing is swapped and what was typed stays on the screen.
  function refusalText(detail) {
    if (detail && detail.reason === "other") {
      return `Formulir ini atas nama ${detail.owner}, sedangkan yang masuk di perangkat ini ` +
        `${detail.signed_in}. Permohonan tidak disimpan di perangkat. Buka formulir baru saat ` +
        "ada jaringan; isian Anda tetap di layar.";
    }
    return "Tidak ada petugas yang masuk di perangkat ini, jadi permohonan tanpa jaringan tidak " +
      "dapat disimpan. Masuk dulu saat ada jaringan, lalu kirim lagi; isian Anda tetap di layar.";
  }

  function showRefusal(detail) {
    let banner = document.getElementById("tanpa-petugas");
    if (!banner) {
      banner = document.createElement("p");
      banner.id = "tanpa-petugas";
      banner.className = "error";
      banner.setAttribute("role", "alert");
      form.parentNode.insertBefore(banner, form);
    }
    banner.textContent = refusalText(detail);
  }

  document.body.addEventListener("outbox-refused", (event) => showRefusal(event.detail));

  // Opened with no network (a cached copy) after a logout: say so before anything is typed.
  if (Outbox && navigator.onLine === false) {
    Outbox.getMeta("operator").then((operator) => {
      if (!operator) showRefusal({ reason: "signed-out" });
    });
  }

  function showFieldError(field, message) {
    const name = field.startsWith("applicant.") ? "applicant_" + field.slice(10) : field;
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input || input.type === "hidden") return;
    const note = document.createElement("p");
    note.className = "field-error";
    note.textContent = message;
    const anchor = input.closest(".inline") || input;
    anchor.after(note);
  }
})();
