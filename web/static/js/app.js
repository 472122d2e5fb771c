// Operator app behaviour that needs script. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";
  const Outbox = window.SodamolekOutbox; // only on the pages of operators and lurah
  const REPLAY_EVERY_MS = 20000;

  function tellWorker(message) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then((registration) => {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  window.addEventListener("load", () => {
    window.sodamolekRegisterWorker().catch(() => {
      // The app works without the worker, only not offline.
    });
  });

  // Print buttons (no inline onclick: the CSP forbids it).
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });

  // The queue page's copy kept for offline use has no list: it loads it when there is network.
  function loadWhenOnline() {
    const list = document.querySelector("[data-load-when-online]");
    if (!list || !navigator.onLine || !window.htmx) return;
    // The cached copy is one for every address: the tab comes from this one's ?status=….
    const tab = list.querySelector('input[name="status"]');
    if (tab) tab.value = new URLSearchParams(location.search).get("status") || "";
    window.htmx.trigger(list, "muat");
  }
  document.addEventListener("DOMContentLoaded", loadWhenOnline);
  window.addEventListener("online", loadWhenOnline);

  if (!Outbox) return;

  // Logout: the device forgets its operator before the form goes (the service worker does the
  // same when it sees the POST; this covers a page it does not control yet). Without this, the
  // cached forms would still take requests in her name with no network.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("action") !== "/keluar") return;
    if (form.dataset.forgotten) return;
    event.preventDefault();
    const go = () => {
      form.dataset.forgotten = "1";
      form.submit();
    };
    tellWorker({ type: "logout" });
    const limit = new Promise((resolve) => setTimeout(resolve, 1500));
    Promise.race([Outbox.setMeta("operator", null), limit]).then(go, go);
  });

  // ---- The badge in the menu: how many wait on this device, how many need action ----
  function show(id, text) {
    const element = document.getElementById(id);
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  async function drawBadge() {
    const counts = await Outbox.counts();
    const login = (await Outbox.getMeta("auth")) === "login";
    show("antrean-menunggu", counts.waiting ? `${counts.waiting} menunggu` : "");
    show("antrean-tindakan", counts.action ? `${counts.action} perlu tindakan` : "");
    const loginBadge = document.getElementById("antrean-masuk");
    if (loginBadge) loginBadge.hidden = !(login && counts.waiting);
    document.dispatchEvent(new CustomEvent("outbox:changed"));
  }

  // A fresh CSRF token from the worker (it fetched /sesi): a page opened from the cache may
  // carry an old one in hx-headers and in its forms.
  function useToken(token) {
    if (!token) return;
    const body = document.body;
    try {
      const headers = JSON.parse(body.getAttribute("hx-headers") || "{}");
      headers["X-CSRFToken"] = token;
      body.setAttribute("hx-headers", JSON.stringify(headers));
    } catch (error) {
      // Leave a malformed attribute alone.
    }
    document.querySelectorAll('input[name="_csrf_token"]').forEach((input) => {
      input.value = token;
    });
  }

  // A replay sends many changes a second: draw at most every 250 ms.
  let pending = null;
  function drawSoon() {
    if (!pending) {
      pending = setTimeout(() => {
        pending = null;
        drawBadge();
      }, 250);
    }
  }

  if (typeof BroadcastChannel !== "undefined") {
    new BroadcastChannel(Outbox.CHANNEL).onmessage = (event) => {
      if (event.data && event.data.type === "csrf") useToken(event.data.token);
      else drawSoon();
    };
  }
  window.SodamolekApp = { drawBadge, tellWorker };

  drawBadge();
  // Replay triggers: this page load, the network coming back, a timer while the page is open.
  tellWorker({ type: "hello", operator: document.body.dataset.operator || "" });
  window.addEventListener("online", () => tellWorker({ type: "replay", reason: "online" }));
  setInterval(() => tellWorker({ type: "replay", reason: "timer" }), REPLAY_EVERY_MS);

  // Persistent storage keeps the browser from clearing the outbox when the tablet runs short of
  // space. Chromium grants it without asking once the site is used or installed.
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then((already) => already || navigator.storage.persist());
  }
})();
