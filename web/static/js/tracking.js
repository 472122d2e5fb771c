// The resident's tracking page: Web Push opt-in, and the last status seen when offline.
// No inline script (CSP): everything the page needs comes from data- attributes.
(function () {
  "use strict";
  // Every resident page registers the worker: it keeps the last status for offline use and
  // shows the push notifications.
  const ready = window.sodamolekRegisterWorker();
  ready.catch(() => {});
  const page = document.querySelector(".tracking");
  if (!page) return;
  const code = page.dataset.code;
  const csrf = page.dataset.csrf;
  const box = document.getElementById("notifikasi");
  const status = document.getElementById("notifikasi-status");
  const onButton = document.getElementById("aktifkan-notifikasi");
  const offButton = document.getElementById("matikan-notifikasi");

  // Offline: the service worker served the copy it kept; say so, and from when.
  function showStaleness() {
    const banner = document.getElementById("offline");
    if (banner) banner.hidden = navigator.onLine;
  }
  window.addEventListener("online", showStaleness);
  window.addEventListener("offline", showStaleness);
  showStaleness();

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !box) return;
  box.hidden = false;

  function say(text) { status.textContent = text; }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.detail || "Gagal menghubungi server.");
    return answer;
  }

  async function refresh() {
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    onButton.hidden = Boolean(subscription);
    offButton.hidden = !subscription;
    if (Notification.permission === "denied") {
      say("Notifikasi diblokir di peramban ini. Izinkan notifikasi di pengaturan situs.");
      onButton.hidden = true;
    }
  }

  onButton.addEventListener("click", async () => {
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("Izin notifikasi tidak diberikan.");
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.dataset.vapidKey),
      });
      const answer = await post(`/lacak/${code}/langganan`, subscription.toJSON());
      say(answer.detail);
    } catch (error) {
      say(error.message || "Notifikasi tidak dapat diaktifkan.");
    }
    refresh();
  });

  offButton.addEventListener("click", async () => {
    try {
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await post(`/lacak/${code}/berhenti`, { endpoint: subscription.endpoint });
      }
      say("Notifikasi untuk permohonan ini dimatikan.");
    } catch (error) {
      say(error.message || "Notifikasi tidak dapat dimatikan.");
    }
    refresh();
  });

  ready.then(refresh).catch(() => {
    box.hidden = true;
  });
})();
