// The resident's pages: the Web Push card of a tracking page (one phone can follow several
// requests), the offline banner, and on /lacak the requests this phone has kept.
// No inline script (CSP): everything the page needs comes from data- attributes.
(function () {
  "use strict";
  // Every resident page registers the resident's worker (/sw-warga.js, scope /lacak).
  const registered = window.sodamolekRegisterWorker();
  registered.catch(() => {});
  const PAGES_CACHE = "sodamolek-warga-lacak";

  function showStaleness() {
    const banner = document.getElementById("offline");
    if (banner) banner.hidden = navigator.onLine;
  }
  window.addEventListener("online", showStaleness);
  window.addEventListener("offline", showStaleness);
  showStaleness();

  // /lacak: links to the tracking pages kept on this phone (they open with no network too).
  const saved = document.getElementById("tersimpan");
  if (saved && "caches" in window) {
    caches.open(PAGES_CACHE).then((cache) => cache.keys()).then((requests) => {
      const codes = requests.map((r) => new URL(r.url).pathname.split("/")[2])
        .filter((code) => code && /^KPG-[0-9A-Z-]+$/.test(code));
      if (!codes.length) return;
      const list = saved.querySelector("ul");
      for (const code of codes.sort()) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = "/lacak/" + code;
        link.textContent = code;
        item.append(link);
        list.append(item);
      }
      saved.hidden = false;
    }).catch(() => {});
  }

  const page = document.querySelector(".tracking");
  const box = document.getElementById("notifikasi");
  if (!page || !box) return;
  const code = page.dataset.code;
  const csrf = page.dataset.csrf;
  const status = document.getElementById("notifikasi-status");
  const onButton = document.getElementById("aktifkan-notifikasi");
  const offButton = document.getElementById("matikan-notifikasi");
  const WORDS = {
    unsupported: "Peramban ini tidak dapat menerima notifikasi. Simpan kode lacak di atas, " +
      "atau minta kantor kelurahan mengabari lewat WhatsApp.",
    ios: "Di iPhone/iPad, notifikasi hanya bisa lewat aplikasi: ketuk tombol Bagikan lalu " +
      "“Tambahkan ke Layar Utama”, buka Lacak Surat dari layar utama, lalu aktifkan di sini.",
    denied: "Notifikasi diblokir untuk situs ini. Buka pengaturan situs di peramban, izinkan " +
      "Notifikasi, lalu muat ulang halaman ini.",
    notGranted: "Izin notifikasi tidak diberikan. Ketuk lagi “Aktifkan notifikasi” dan pilih Izinkan.",
    failed: "Notifikasi tidak dapat diaktifkan di perangkat ini sekarang. Periksa koneksi " +
      "internet lalu coba lagi.",
    offline: "Tidak dapat menghubungi server. Periksa koneksi internet lalu coba lagi.",
    on: "Notifikasi aktif: ponsel ini dikabari bila permohonan ini berubah.",
    off: "Ketuk untuk dikabari di ponsel ini bila surat siap atau ada yang perlu dilengkapi.",
    offDone: "Notifikasi untuk permohonan ini dimatikan. Anda bisa mengaktifkannya lagi kapan saja.",
    busy: "Sebentar…",
  };

  function say(text) { status.textContent = text; }
  function show(state) {
    // The buttons share one slot and the text keeps its lines: the card never changes size.
    onButton.hidden = state !== "off";
    offButton.hidden = state !== "on";
    onButton.disabled = offButton.disabled = false;
  }

  const standalone = window.matchMedia("(display-mode: standalone)").matches ||
    navigator.standalone === true;
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  if (ios && !standalone) {
    show("none");
    say(WORDS.ios);
    return;
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) ||
      !("Notification" in window)) {
    show("none");
    say(WORDS.unsupported);
    return;
  }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  async function post(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (error) {
      throw new Error(WORDS.offline);
    }
    const answer = await response.json().catch(() => ({}));
    // The server's words are Indonesian; anything else becomes ours.
    if (!response.ok) throw new Error(answer.detail || WORDS.failed);
    return answer;
  }

  async function subscription() {
    const registration = await navigator.serviceWorker.ready;
    return registration.pushManager.getSubscription();
  }

  async function refresh() {
    if (Notification.permission === "denied") {
      show("none");
      say(WORDS.denied);
      return;
    }
    const current = await subscription();
    if (!current) {
      show("off");
      say(WORDS.off);
      return;
    }
    const answer = await post(`/lacak/${code}/langganan/cek`, { endpoint: current.endpoint });
    show(answer.following ? "on" : "off");
    say(answer.following ? WORDS.on : WORDS.off);
  }

  onButton.addEventListener("click", async () => {
    onButton.disabled = true;
    say(WORDS.busy);
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        show(permission === "denied" ? "none" : "off");
        say(permission === "denied" ? WORDS.denied : WORDS.notGranted);
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      let current = await registration.pushManager.getSubscription();
      if (!current) {
        try {
          current = await registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(box.dataset.vapidKey),
          });
        } catch (error) {
          throw new Error(WORDS.failed); // the browser's own words are English
        }
      }
      await post(`/lacak/${code}/langganan`, current.toJSON());
      show("on");
      say(WORDS.on);
    } catch (error) {
      show("off");
      say(error.message || WORDS.failed);
    }
  });

  offButton.addEventListener("click", async () => {
    offButton.disabled = true;
    say(WORDS.busy);
    try {
      const current = await subscription();
      if (current) {
        const answer = await post(`/lacak/${code}/berhenti`, { endpoint: current.endpoint });
        // The last request this phone followed: the browser's subscription goes too.
        if (answer.remaining === 0) await current.unsubscribe();
      }
      show("off");
      say(WORDS.offDone);
    } catch (error) {
      show("on");
      say(error.message || WORDS.failed);
    }
  });

  registered.then(() => refresh()).catch(() => {
    show("none");
    say(WORDS.unsupported);
  });
})();
