// Staff alerts on this device (home page of an operator, lurah or camat): the same Web Push as
// the residents', turned on and off per device. The words of each alert are in sw-push.js.
(function () {
  "use strict";
  const box = document.getElementById("notifikasi-petugas");
  if (!box) return;
  const status = document.getElementById("notifikasi-petugas-status");
  const onButton = document.getElementById("petugas-aktifkan");
  const offButton = document.getElementById("petugas-matikan");
  const WORDS = {
    unsupported: "Peramban ini tidak dapat menerima notifikasi.",
    denied: "Notifikasi diblokir untuk situs ini. Izinkan Notifikasi di pengaturan situs, lalu " +
      "muat ulang halaman.",
    notGranted: "Izin notifikasi tidak diberikan.",
    failed: "Notifikasi tidak dapat diaktifkan di perangkat ini sekarang. Coba lagi nanti.",
    offline: "Tidak dapat menghubungi server. Periksa koneksi lalu coba lagi.",
    on: "Notifikasi petugas aktif di perangkat ini.",
    off: "Notifikasi petugas belum aktif di perangkat ini.",
  };
  function say(text) { status.textContent = text; }
  function show(state) {
    onButton.hidden = state !== "off";
    offButton.hidden = state !== "on";
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
        headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (error) {
      throw new Error(WORDS.offline);
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.detail || WORDS.failed);
    return answer;
  }
  async function subscription() {
    return (await navigator.serviceWorker.ready).pushManager.getSubscription();
  }
  async function refresh() {
    if (Notification.permission === "denied") {
      show("none");
      say(WORDS.denied);
      return;
    }
    const current = await subscription();
    const on = current ? (await post("/akun/notifikasi/cek", { endpoint: current.endpoint })).on
      : false;
    show(on ? "on" : "off");
    say(on ? WORDS.on : WORDS.off);
  }
  onButton.addEventListener("click", async () => {
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
            userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.vapidKey),
          });
        } catch (error) {
          throw new Error(WORDS.failed);
        }
      }
      await post("/akun/notifikasi", current.toJSON());
      show("on");
      say(WORDS.on);
    } catch (error) {
      say(error.message || WORDS.failed);
    }
  });
  offButton.addEventListener("click", async () => {
    try {
      const current = await subscription();
      if (current) await post("/akun/notifikasi/berhenti", { endpoint: current.endpoint });
      show("off");
      say(WORDS.off);
    } catch (error) {
      say(error.message || WORDS.failed);
    }
  });
  window.sodamolekRegisterWorker().then(refresh).catch(() => {
    show("none");
    say(WORDS.unsupported);
  });
})();
