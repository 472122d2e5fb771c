// /permohonan/antrean-perangkat: the outbox of this device, drawn from IndexedDB (the data lives
// on the device, the server sends only the page around it).
(function () {
  "use strict";
  const Outbox = window.SodamolekOutbox;
  const list = document.getElementById("daftar-perangkat");
  if (!Outbox || !list) return;
  const letterNames = JSON.parse(list.dataset.letterNames || "{}");
  const me = list.dataset.operator || "";
  const FIELD_LABELS = {
    "applicant.nik": "NIK", "applicant.kk": "Nomor KK", "applicant.name": "Nama",
    "applicant.birth_place": "Tempat lahir", "applicant.birth_date": "Tanggal lahir",
    "applicant.sex": "Jenis kelamin", "applicant.address": "Alamat", "applicant.rt": "RT",
    "applicant.rw": "RW", "applicant.phone": "Nomor HP", requirements_checked: "Persyaratan",
    notes: "Catatan", letter_type: "Jenis surat", client_request_id: "Kunci permohonan",
  };

  const when = new Intl.DateTimeFormat("id-ID", {
    day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZone: "Asia/Makassar",
  });
  // "29 November 2026 14.05 WITA", as the server writes dates.
  function waktu(ms) {
    const p = Object.fromEntries(when.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return `${p.day} ${p.month} ${p.year} ${p.hour}.${p.minute} WITA`;
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function fieldLabel(field) {
    if (FIELD_LABELS[field]) return FIELD_LABELS[field];
    return field.replace(/^data\./, "").replace(/_/g, " ");
  }

  function entryCard(entry) {
    const action = entry.state === "action";
    const foreign = entry.operator && entry.operator !== me;
    const label = action ? "Perlu tindakan" : foreign ? `Menunggu ${entry.operator} masuk` : "Menunggu dikirim";
    const card = el("li", { class: "card outbox-entry", "data-state": entry.state, "data-id": entry.id });
    card.append(
      el("h2", {}, el("span", { text: entry.applicant_name || "(tanpa nama)" }), " ",
        el("span", { class: `status ${action ? "status-rejected" : "status-incomplete"}`, text: label })),
      el("p", { class: "small muted", text:
        `${letterNames[entry.letter_type] || entry.letter_type} · disimpan ${waktu(entry.created_at)}` +
        ` · kunci ${String(entry.client_request_id).slice(0, 8)}` }),
    );
    if (action && entry.problem) {
      const problem = el("div", { class: "error outbox-problem" },
        el("p", { text: entry.problem.detail }));
      const errors = Object.entries(entry.problem.errors || {});
      if (errors.length) {
        problem.append(el("ul", {}, ...errors.map(([field, message]) =>
          el("li", { text: `${fieldLabel(field)}: ${message}` }))));
      }
      if (entry.problem.status === 409) {
        problem.append(el("p", { text: "Kunci ini sudah dipakai di server untuk permohonan lain. " +
          "Periksa Antrian lebih dulu; bila diperbaiki dan dikirim, permohonan ini mendapat kunci baru." }));
      }
      card.append(problem);
    } else if (entry.last_error) {
      card.append(el("p", { class: "small muted", text:
        `${entry.last_error} Percobaan: ${entry.attempts}.` }));
    }
    const actions = el("p", { class: "actions" });
    if (action && foreign) {
      // Fixed and sent by someone else, it would go out under their name: it stays its typist's.
      actions.append(el("span", { class: "small muted",
        text: `Hanya ${entry.operator} yang dapat memperbaikinya. ` }));
    } else if (action) {
      actions.append(el("a", {
        class: "button", text: "Perbaiki",
        href: `/permohonan/baru/${encodeURIComponent(entry.letter_type)}?ubah=${encodeURIComponent(entry.id)}`,
      }));
    }
    actions.append(el("button", { type: "button", class: "button danger", "data-buang": entry.id,
      text: "Buang" }));
    card.append(actions);
    return card;
  }

  let drawn = "";
  async function draw() {
    const entries = await Outbox.all();
    const login = (await Outbox.getMeta("auth")) === "login";
    const sent = await Outbox.sent();
    // Redraw only what changed: a list rebuilt under the operator's finger loses the tap.
    const state = JSON.stringify([entries, login, sent]);
    if (state === drawn) return;
    drawn = state;
    document.getElementById("antrean-sesi").hidden =
      !(login && entries.some((e) => e.state === "waiting"));
    list.replaceChildren(entries.length
      ? el("ul", { class: "outbox-list" }, ...entries.map(entryCard))
      : el("p", { class: "card", text: "Tidak ada permohonan yang menunggu di perangkat ini." }));

    const sentList = document.getElementById("baru-terkirim");
    sentList.replaceChildren(sent.length
      ? el("ul", { class: "outbox-sent" }, ...sent.map((row) => el("li", {},
          el("a", { href: `/permohonan/${row.request_id}/tanda-terima`, text: row.tracking_code }),
          ` · ${row.applicant_name} · ${letterNames[row.letter_type] || row.letter_type}` +
          ` · terkirim ${waktu(row.sent_at)}`)))
      : el("p", { class: "small muted", text: "Belum ada." }));
  }

  list.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-buang]");
    if (!button) return;
    const entry = await Outbox.get(button.dataset.buang);
    if (!entry) return draw();
    const sure = window.confirm(
      `Buang permohonan atas nama ${entry.applicant_name || "(tanpa nama)"} dari perangkat? ` +
      "Bila belum sampai di server, isinya hilang.");
    if (!sure) return;
    await Outbox.remove(entry.id);
    Outbox.notify();
    if (window.SodamolekApp) window.SodamolekApp.drawBadge();
    draw();
  });

  document.getElementById("kirim-sekarang").addEventListener("click", () => {
    if (window.SodamolekApp) window.SodamolekApp.tellWorker({ type: "replay", reason: "manual" });
  });
  document.addEventListener("outbox:changed", () => {
    draw();
    askReadiness();
  });

  // Persistent storage: asked by app.js on every page; shown here.
  const storage = document.getElementById("penyimpanan");
  if (navigator.storage && navigator.storage.persisted) {
    navigator.storage.persist().then((granted) => {
      storage.dataset.persisted = granted ? "1" : "0";
      storage.textContent = granted
        ? "Penyimpanan tetap: diizinkan. Browser tidak akan menghapus antrean ini saat ruang penyimpanan menipis."
        : "Penyimpanan tetap: belum diizinkan. Bila ruang penyimpanan perangkat penuh, browser bisa " +
          "menghapus antrean ini; pasang aplikasi ke layar utama dan kirim antrean sesegera mungkin.";
    });
  } else {
    storage.textContent = "Penyimpanan tetap: tidak didukung browser ini.";
  }

  // Is this tablet ready to work with no network? Ask the service worker what it has kept.
  const ready = document.getElementById("kesiapan-luring");
  function askReadiness() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then((registration) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => {
        const s = event.data;
        ready.dataset.cached = String(s.cached);
        ready.dataset.total = String(s.total);
        ready.dataset.version = s.version;
        ready.textContent = s.cached === s.total
          ? `Siap dipakai tanpa jaringan: ${s.cached} dari ${s.total} halaman tersimpan.`
          : `Baru ${s.cached} dari ${s.total} halaman tersimpan untuk dipakai tanpa jaringan.`;
      };
      registration.active.postMessage({ type: "status" }, [channel.port2]);
    });
  }
  askReadiness();
  draw();
})();
