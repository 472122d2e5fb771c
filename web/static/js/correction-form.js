// The correction form (/permohonan/{id}/ubah) is sent online only (a correction must meet the
// version it was made on): with no network nothing is swapped, what was typed stays, and this
// says so instead of leaving the operator to wonder.
(function () {
  "use strict";
  // On the document: a re-rendered form (bad input) is a new element.
  const isCorrection = (event) => {
    const element = event.detail && event.detail.elt;
    return element instanceof Element && element.matches("form.correction-form");
  };

  function unsent(event) {
    const form = event.detail.elt;
    let note = document.getElementById("koreksi-tidak-terkirim");
    if (!note) {
      note = document.createElement("p");
      note.id = "koreksi-tidak-terkirim";
      note.className = "warning";
      note.setAttribute("role", "alert");
      form.parentNode.insertBefore(note, form);
    }
    note.textContent = "Tidak ada jaringan: perubahan belum tersimpan. Isian Anda tetap di " +
      "layar; tekan Simpan perubahan lagi saat jaringan kembali.";
  }

  document.addEventListener("htmx:sendError", (event) => isCorrection(event) && unsent(event));
  document.addEventListener("htmx:timeout", (event) => isCorrection(event) && unsent(event));
})();
