// Sodamolek push handlers, loaded by sw.js with importScripts("/sw-push.js").
// The push payload carries no personal data: {request_id, code, status, url}. The Indonesian
// title and text are built here from the status; a click opens (or focuses) /lacak/<code>.
(function () {
  "use strict";

  const TEXTS = {
    incomplete: {
      title: "Permohonan perlu dilengkapi",
      body: "Ada persyaratan yang perlu Anda lengkapi. Ketuk untuk melihat rinciannya.",
    },
    rejected: {
      title: "Permohonan ditolak",
      body: "Permohonan Anda tidak dapat diproses. Ketuk untuk melihat alasannya.",
    },
    ready: {
      title: "Surat siap diambil",
      body: "Surat Anda sudah selesai dan dapat diambil di kantor kelurahan.",
    },
    revoked: {
      title: "Surat dicabut",
      body: "Surat Anda dicabut dan tidak berlaku lagi. Ketuk untuk melihat alasannya.",
    },
  };
  const FALLBACK = {
    title: "Status permohonan berubah",
    body: "Ketuk untuk melihat status terbaru permohonan Anda.",
  };
  // Tracking codes are Crockford base32 with dashes; anything else is not put in a URL.
  const CODE_PATTERN = /^[0-9A-Za-z-]{4,40}$/;

  function readPayload(data) {
    if (!data) return {};
    try {
      const value = data.json();
      return value && typeof value === "object" ? value : {};
    } catch (error) {
      return {};
    }
  }

  function trackingUrl(code) {
    const path = CODE_PATTERN.test(code || "") ? "/lacak/" + encodeURIComponent(code) : "/lacak";
    return new URL(path, self.location.origin).href;
  }

  // Staff alerts: {alert, count, url}; no personal data, the words are here.
  const STAFF = {
    sign: (n) => ({ title: n + " surat menunggu tanda tangan", body: "Buka meja tanda tangan." }),
    countersign: (n) => ({
      title: n + " surat menunggu tanda tangan camat",
      body: "Buka meja tanda tangan camat.",
    }),
    returned: () => ({
      title: "Permohonan dikembalikan lurah",
      body: "Ketuk untuk melihat alasannya dan memeriksa lagi.",
    }),
    applied: (n) => ({
      title: "Permohonan baru dari warga",
      body: n + " permohonan menunggu pemeriksaan di antrian.",
    }),
  };
  const STAFF_PAGE = /^\/(tanda-tangan|tanda-tangan-camat|permohonan|permohonan\/\d+)$/;

  function staffAlert(payload) {
    const count = Number.isInteger(payload.count) && payload.count >= 0 ? payload.count : "Ada";
    const text = STAFF[payload.alert](count);
    const url = STAFF_PAGE.test(payload.url || "") ? payload.url : "/";
    return self.registration.showNotification(text.title, {
      body: text.body,
      lang: "id",
      icon: "/static/icons/icon-192.png",
      badge: "/static/icons/badge-72.png",
      tag: "sodamolek-staff-" + payload.alert, // a newer count replaces the older one
      renotify: true,
      data: { url: new URL(url, self.location.origin).href, status: "" },
    });
  }

  self.addEventListener("push", (event) => {
    const payload = readPayload(event.data);
    if (Object.prototype.hasOwnProperty.call(STAFF, payload.alert)) {
      event.waitUntil(staffAlert(payload));
      return;
    }
    const text = TEXTS[payload.status] || FALLBACK;
    const code = typeof payload.code === "string" ? payload.code : "";
    const body = CODE_PATTERN.test(code) ? text.body + " Kode lacak: " + code + "." : text.body;
    event.waitUntil(
      self.registration.showNotification(text.title, {
        body: body,
        lang: "id",
        icon: "/static/icons/icon-192.png", // Android shows no SVG
        badge: "/static/icons/badge-72.png", // monochrome: the status bar uses its alpha only
        // One notification per request: a newer status replaces the older one.
        tag: code ? "sodamolek-" + code : "sodamolek",
        renotify: true,
        requireInteraction: payload.status === "ready",
        data: { url: trackingUrl(code), status: payload.status || "" },
      })
    );
  });

  // The push service replaced this browser's subscription (expired, keys rotated): subscribe
  // again if the browser did not, and tell the server, which moves every request the old one
  // followed. Without this a phone silently stops hearing about its requests.
  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  async function renewSubscription(event) {
    const old = event.oldSubscription;
    if (!old) return; // nothing to move from: the page subscribes again on its next visit
    let fresh = event.newSubscription;
    if (!fresh) {
      let key = old.options && old.options.applicationServerKey;
      if (!key) {
        const answer = await fetch("/langganan-push/kunci", { cache: "no-store" });
        key = keyBytes((await answer.text()).trim());
      }
      fresh = await self.registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key,
      });
    }
    await fetch("/langganan-push/ganti", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ old_endpoint: old.endpoint, subscription: fresh.toJSON() }),
    });
  }

  self.addEventListener("pushsubscriptionchange", (event) => {
    event.waitUntil(renewSubscription(event).catch(() => {}));
  });

  self.addEventListener("notificationclick", (event) => {
    event.notification.close();
    const data = event.notification.data || {};
    // Only a page of this site: the URL was built above from the code, never taken as is.
    const target = new URL(data.url || "/lacak", self.location.origin);
    if (target.origin !== self.location.origin) return;
    event.waitUntil(
      self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
        for (const client of windows) {
          if (new URL(client.url).pathname === target.pathname && "focus" in client) {
            return client.focus();
          }
        }
        return self.clients.openWindow(target.href);
      })
    );
  });
})();
