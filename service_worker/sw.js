// Sodamolek service worker: the operator app keeps working with no network.
//
// App shell: static files cache-first under their content-hashed URLs; the shell pages
// (BUILD.pages) network-first with the last good copy as fallback; every other page network-only
// with the offline page as fallback. One cache per version; a new version fills its own cache,
// takes over at once (skipWaiting + clients.claim) and deletes the older caches.
//
// Outbox: a new request (POST /permohonan) that cannot reach the server is kept in IndexedDB
// (js/outbox-db.js) and answered at once with 202 "Tersimpan di perangkat". It is replayed to
// POST /api/v1/permohonan with its client_request_id as Idempotency-Key, one replay at a time,
// on `sync`, when a page says it is online, on every page load and on a timer. Only a 2xx
// ("created" or "already have it") deletes an entry; another 4xx makes it "perlu tindakan" with
// the server's words; network errors and 5xx are retried with exponential back-off.
//
// The operator signed in on this device (IndexedDB meta "operator") is what the outbox takes
// requests for: learnt from /sesi, forgotten at logout (POST /keluar passes through here, and the
// page clears it too) and when the server says nobody is signed in. With nobody signed in, or a
// cached form of another operator, the shell refuses to keep a request (the form stays as typed).
// A logout made with no network is finished on the server at the next chance ("logout_pending").
//
// The server writes the line before this file: self.SODAMOLEK_BUILD = {version, static, pages,
// offline, scripts, css} (sodamolek/web/offline.py).
"use strict";

const BUILD = self.SODAMOLEK_BUILD;
const VERSION = BUILD.version;
const CACHE_PREFIX = "sodamolek-shell-";
const CACHE = CACHE_PREFIX + VERSION;
const QUEUE_PAGE = "/permohonan"; // cached as its shell only: never its list of requests
const SHELL_HEADER = "X-Sodamolek-Shell";
const NAVIGATION_TIMEOUT_MS = 8000; // then the cached page, rather than a blank tablet
const POST_TIMEOUT_MS = 10000; // under htmx's 15 s: the form is kept on the device instead
const REPLAY_TIMEOUT_MS = 15000;

importScripts(BUILD.scripts.idb, BUILD.scripts.outbox);
const Outbox = self.SodamolekOutbox;

// The pure rules (service_worker/logic.js, served at /sw-logic.js; tested with node --test).
importScripts("/sw-logic.js");
const {
  apiBody,
  backoffDelay,
  escapeHtml,
  isTrackingPage,
  keepRefusal,
  replayOutcome,
  retryDelay,
  usableShellPage,
} = self.SodamolekSwLogic;

// Web Push: the push and notificationclick handlers (service_worker/push.js, served at
// /sw-push.js). Nothing below depends on them.
importScripts("/sw-push.js");

// The resident's tracking pages: network first, and the last copy seen when offline (the page
// then says from when). Its own cache, outside the versioned shell caches, so a new release
// does not take a resident's last status away.
const TRACKING_CACHE = "sodamolek-lacak-v1";

async function trackingPage(request) {
  const cache = await caches.open(TRACKING_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    return (await cache.match(request)) || (await caches.match(BUILD.offline)) || Response.error();
  }
}

// ------------------------------------------------------------------------------------------------
// Install, activate: the versioned shell cache

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(
        [...BUILD.static, BUILD.offline].map((url) => new Request(url, { cache: "no-cache" }))
      );
      await warmShell();
      await carryOverPages(cache);
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // Only our old caches go; the outbox is in IndexedDB and is not touched.
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
      replay("activate");
    })()
  );
});

// This version's cache, or null once a newer version has deleted it (an old worker can still be
// finishing a fetch: it must not bring its cache back).
async function ownCache() {
  return (await caches.has(CACHE)) ? caches.open(CACHE) : null;
}

async function fetchShellPage(path) {
  return fetch(path, {
    headers: { [SHELL_HEADER]: "1" },
    credentials: "same-origin",
    cache: "no-store",
  });
}

// Fill in the shell pages missing from this version's cache. They need a logged-in operator,
// so this runs at install and again whenever a page loads (a "hello" message).
let warming = null;
function warmShell() {
  if (!warming) {
    warming = (async () => {
      const cache = await ownCache();
      if (!cache) return;
      const missing = [];
      for (const path of BUILD.pages) if (!(await cache.match(path))) missing.push(path);
      // Nobody logged in: the pages would only redirect to /masuk.
      if (!missing.length || !(await session().catch(() => null))) return;
      await Promise.all(
        missing.map(async (path) => {
          try {
            const response = await fetchShellPage(path);
            if (usableShellPage(response)) await cache.put(path, response);
          } catch (error) {
            // No network: the next page load tries again.
          }
        })
      );
    })().finally(() => {
      warming = null;
      Outbox.notify({ type: "shell" });
    });
  }
  return warming;
}

// A version installed while nobody is logged in cannot fetch the pages: keep the previous
// version's copies so the tablet still works offline; online visits refresh them.
async function carryOverPages(cache) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(CACHE_PREFIX) || name === CACHE) continue;
    const old = await caches.open(name);
    for (const path of BUILD.pages) {
      if (await cache.match(path)) continue;
      const copy = await old.match(path);
      if (copy) await cache.put(path, copy);
    }
  }
}

async function shellStatus() {
  const cache = await ownCache();
  let cached = 0;
  if (cache) for (const path of BUILD.pages) if (await cache.match(path)) cached += 1;
  return { version: VERSION, cached, total: BUILD.pages.length };
}

// Another operator on this tablet: the cached pages carry the previous one's name (and the
// form says whose outbox entry it makes), so they are fetched again for the new one.
async function shellFor(operator) {
  if (!operator) return;
  const previous = await Outbox.getMeta("shell_operator");
  if (previous === operator) return;
  const cache = await ownCache();
  if (previous && cache) for (const path of BUILD.pages) await cache.delete(path);
  await Outbox.setMeta("shell_operator", operator);
}

// ------------------------------------------------------------------------------------------------
// Fetch

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST") {
    if (url.pathname === "/permohonan") event.respondWith(submitRequest(request));
    else if (url.pathname === "/penduduk/cek-nik") event.respondWith(checkNik(request));
    else if (url.pathname === "/keluar") event.respondWith(logout(request));
    return;
  }
  if (request.method !== "GET") return;
  if (isTrackingPage(url.pathname)) event.respondWith(trackingPage(request));
  else if (url.pathname.startsWith("/static/")) event.respondWith(cacheFirst(request, url));
  else if (url.pathname === "/manifest.webmanifest") event.respondWith(networkOrCache(request));
  else if (request.mode === "navigate") event.respondWith(navigate(event, url));
});

function fetchWithTimeout(input, init, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  return fetch(input, { ...init, signal: controller.signal }).finally(() => clearTimeout(timer));
}

// A navigation request cannot be re-made with a signal (the browser refuses a RequestInit with
// mode "navigate"), so its timeout is a race.
function navigationFetch(request, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
    fetch(request).then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

async function cacheFirst(request, url) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && url.searchParams.has("v")) {
    const cache = await ownCache();
    if (cache) await cache.put(request, response.clone());
  }
  return response;
}

async function networkOrCache(request) {
  try {
    return await fetch(request);
  } catch (error) {
    return (await caches.match(request)) || Response.error();
  }
}

async function navigate(event, url) {
  const path = url.pathname;
  const shell = BUILD.pages.includes(path);
  // A logout made offline is finished before anything else is shown as that operator.
  await finishLogout().catch(() => {});
  try {
    const response = await navigationFetch(event.request, NAVIGATION_TIMEOUT_MS);
    if (shell && path !== QUEUE_PAGE && usableShellPage(response)) {
      const copy = response.clone();
      event.waitUntil(ownCache().then((cache) => cache && cache.put(path, copy)));
    }
    return response;
  } catch (error) {
    // Keyed by path: /permohonan/baru/domisili?ubah=… opens the cached form too.
    const cached = shell ? await caches.match(path) : null;
    return cached || (await caches.match(BUILD.offline)) || Response.error();
  }
}

// ------------------------------------------------------------------------------------------------
// The session and a fresh CSRF token (GET /sesi): null when nobody is logged in

async function session() {
  const response = await fetchWithTimeout(
    "/sesi",
    { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } },
    REPLAY_TIMEOUT_MS
  );
  if (response.status === 401) {
    await rememberOperator(null);
    return null;
  }
  if (!response.ok) throw new Error("sesi: " + response.status);
  const answer = await response.json();
  // Until a logout made offline has reached the server, its session is not "signed in".
  if (!(await Outbox.getMeta("logout_pending"))) await rememberOperator(answer.username);
  // Open pages may hold a stale token (a cached page): give them this one.
  Outbox.notify({ type: "csrf", token: answer.csrf_token });
  return answer;
}

async function rememberOperator(username) {
  const known = (await Outbox.getMeta("operator")) || null;
  if (known === (username || null)) return;
  await Outbox.setMeta("operator", username || null);
  Outbox.notify({ type: "operator", operator: username || "" });
}

// A page says hello as the operator whose name it carries. A page from the cache carries the
// name of whoever was signed in when it was stored, so the name is believed only once the
// server confirms it (with no network the marker stays as it was: after a logout, empty).
async function confirmOperator(claimed) {
  if (!claimed) return null;
  const known = await Outbox.getMeta("operator");
  if (known === claimed && !(await Outbox.getMeta("logout_pending"))) return known;
  try {
    await finishLogout();
    const current = await session();
    return current ? current.username : null;
  } catch (error) {
    return null; // no network: nothing learnt
  }
}

// POST /keluar: the device forgets its operator first, whatever the network does. The logout
// stays pending (and no /sesi answer makes anyone signed in) until the server has done it.
async function logout(request) {
  await Outbox.setMeta("logout_pending", true);
  await rememberOperator(null);
  const fields = await formFields(request);
  try {
    const response = await forward(request, fields, POST_TIMEOUT_MS);
    const done = response.type === "opaqueredirect" || (response.ok && response.status < 400);
    if (done) await Outbox.setMeta("logout_pending", null);
    if (response.status < 500) return response;
  } catch (error) {
    // No network: below.
  }
  return signedOutAnswer();
}

async function finishLogout() {
  if (!(await Outbox.getMeta("logout_pending"))) return;
  const current = await session();
  if (current) {
    const response = await fetchWithTimeout(
      "/keluar",
      {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": current.csrf_token },
        body: new URLSearchParams({ _csrf_token: current.csrf_token }),
      },
      REPLAY_TIMEOUT_MS
    );
    if (response.status >= 400) throw new Error("keluar: " + response.status);
  }
  await Outbox.setMeta("logout_pending", null);
  await rememberOperator(null);
}

function signedOutAnswer() {
  const html = `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Keluar · Sodamolek</title>
<link rel="stylesheet" href="${BUILD.css}"></head>
<body><main id="isi" class="page">
<section class="card narrow" role="status">
  <h1>Anda sudah keluar dari perangkat ini</h1>
  <p>Tidak ada jaringan: sesi di server diakhiri otomatis begitu jaringan kembali. Perangkat ini
    tidak menerima permohonan sampai seorang petugas masuk lagi. Permohonan yang sudah tersimpan
    di perangkat tetap aman dan menunggu petugas yang mengetiknya.</p>
  <p class="actions"><a class="button" href="/masuk">Masuk</a></p>
</section>
</main></body></html>`;
  return new Response(html, {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'",
    },
  });
}

// Post a form as the page did. A 403 is most likely a stale CSRF token from a cached page:
// retry once with a fresh one (a 403 for another reason comes back again and is returned).
async function forward(request, fields, timeoutMs) {
  const headers = new Headers(request.headers);
  const send = (token) => {
    const body = new URLSearchParams(
      fields.map(([name, value]) => [name, name === "_csrf_token" && token ? token : value])
    );
    if (token) headers.set("X-CSRFToken", token);
    return fetchWithTimeout(
      request.url,
      {
        method: "POST",
        headers,
        body,
        credentials: "same-origin",
        redirect: request.mode === "navigate" ? "manual" : "follow",
      },
      timeoutMs
    );
  };
  let response = await send(null);
  if (response.status === 403) {
    const current = await session().catch(() => null);
    if (current) response = await send(current.csrf_token);
  }
  return response;
}

async function formFields(request) {
  const form = await request.clone().formData();
  return [...form.entries()].filter(([, value]) => typeof value === "string");
}

// ------------------------------------------------------------------------------------------------
// NIK lookup: with no network the page is told to fall back to typing by hand (request-form.js
// shows the note and marks the applicant unverified); what was typed stays where it is.

async function checkNik(request) {
  try {
    const response = await forward(request, await formFields(request), POST_TIMEOUT_MS);
    if (response.status < 500) return response;
  } catch (error) {
    // No network: below.
  }
  return new Response(null, { status: 204, headers: { "HX-Trigger": "nik-offline" } });
}

// ------------------------------------------------------------------------------------------------
// A new request: to the server when it can be reached, otherwise into the outbox

async function submitRequest(request) {
  const fields = await formFields(request);
  const editing = Outbox.value(fields, "_outbox_entry");
  let sessionGone = false;
  if (self.navigator.onLine !== false) {
    try {
      const response = await forward(request, fields, POST_TIMEOUT_MS);
      const redirect = response.headers.get("HX-Redirect") || "";
      sessionGone = redirect.startsWith("/masuk");
      if (response.status < 500 && !sessionGone) {
        // The server answered (a receipt, or the form again with its errors). An outbox entry
        // fixed and sent this way is done once the server took it.
        const taken = redirect.includes("/tanda-terima") || response.type === "opaqueredirect";
        if (editing && taken) {
          await Outbox.remove(editing);
          Outbox.notify();
        }
        return response;
      }
    } catch (error) {
      // No network or too slow: kept on the device below.
    }
  }
  // Kept on the device only for the operator signed in on it, as the one who typed it.
  const typedBy = Outbox.value(fields, "_operator");
  const signedIn = await Outbox.getMeta("operator");
  const base = editing ? await Outbox.get(editing) : null;
  const owner = base && base.operator ? base.operator : typedBy;
  const refusal = keepRefusal(signedIn, typedBy, owner);
  if (refusal) return refusedAnswer(request, refusal, signedIn || "", owner);
  const entry = await keep(fields, editing);
  if (sessionGone) await Outbox.setMeta("auth", "login");
  Outbox.notify();
  askForSync();
  if (self.navigator.onLine !== false) replay("queued");
  return savedAnswer(entry, sessionGone);
}

async function keep(fields, editing) {
  const stored = fields.filter(([name]) => name !== "_csrf_token" && name !== "_outbox_entry");
  const clientId = Outbox.value(stored, "client_request_id");
  const now = Date.now();
  const base = editing ? await Outbox.get(editing) : null;
  const entry = {
    ...(base || { id: clientId || crypto.randomUUID(), created_at: now, rev: 0 }),
    client_request_id: clientId,
    letter_type: Outbox.value(stored, "letter_type"),
    operator: (base && base.operator) || Outbox.value(stored, "_operator"),
    applicant_name: Outbox.value(stored, "applicant_name"),
    fields: stored,
    updated_at: now,
    state: "waiting",
    attempts: 0,
    next_at: 0,
    last_error: "",
    problem: null,
  };
  entry.rev = (entry.rev || 0) + 1;
  return Outbox.put(entry);
}

// A whole page whose <main id="isi"> is what htmx swaps in (the form posts with hx-select).
function savedAnswer(entry, sessionGone) {
  const name = escapeHtml(entry.applicant_name || "tanpa nama");
  const code = encodeURIComponent(entry.letter_type || "");
  const login = sessionGone
    ? `<p class="warning">Sesi Anda sudah berakhir. Permohonan ini aman di perangkat; ` +
      `<a href="/masuk?lanjut=/permohonan/antrean-perangkat">masuk lagi untuk mengirim</a>.</p>`
    : "";
  const html = `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Tersimpan di perangkat · Sodamolek</title>
<link rel="stylesheet" href="${BUILD.css}"></head>
<body><main id="isi" class="page">
<section class="card narrow outbox-saved" role="status">
  <h1>Tersimpan di perangkat, akan dikirim otomatis</h1>
  <p>Permohonan atas nama <strong>${name}</strong> tersimpan di perangkat ini dan dikirim otomatis
    saat jaringan tersedia. Tanda terimanya bisa dicetak setelah terkirim, dari Antrean perangkat.</p>
  ${login}
  <p class="actions"><a class="button" href="/permohonan/baru/${code}">Permohonan baru (jenis sama)</a>
    <a class="button secondary-dark" href="/permohonan/antrean-perangkat">Lihat antrean perangkat</a></p>
</section>
</main></body></html>`;
  return new Response(html, {
    status: 202,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      // As strict as the server's own pages (this one has no script at all).
      "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'",
    },
  });
}

// Not kept: for htmx a 204 (nothing is swapped, the form stays as typed) with an event the form
// shows in words (request-form.js); a plain form post gets a page saying why.
function refusedAnswer(request, reason, signedIn, owner) {
  if (request.headers.get("HX-Request")) {
    const detail = { reason, signed_in: signedIn, owner };
    return new Response(null, {
      status: 204,
      headers: { "HX-Trigger": JSON.stringify({ "outbox-refused": detail }) },
    });
  }
  const html = `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Tidak tersimpan · Sodamolek</title>
<link rel="stylesheet" href="${BUILD.css}"></head>
<body><main id="isi" class="page">
<section class="card narrow" role="alert">
  <h1>Permohonan tidak disimpan di perangkat</h1>
  <p>Tidak ada jaringan dan tidak ada petugas yang masuk di perangkat ini atas nama formulir ini.
    Masuk dulu saat ada jaringan, lalu ketik permohonannya lagi.</p>
  <p class="actions"><a class="button" href="/masuk">Masuk</a></p>
</section>
</main></body></html>`;
  return new Response(html, {
    status: 403,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'",
    },
  });
}

function askForSync() {
  if (self.registration.sync) self.registration.sync.register("outbox").catch(() => {});
}

// ------------------------------------------------------------------------------------------------
// Replay: one at a time. A trigger that arrives during a replay makes it run once more.

let running = null;
let again = null;

function replay(reason) {
  if (running) {
    // Remember the strongest reason: anything but the timer skips the back-off.
    again = again && again !== "timer" ? again : reason;
    return running;
  }
  running = (async () => {
    let result = {};
    let current = reason;
    try {
      do {
        again = null;
        result = await replayOnce(current);
        current = again;
      } while (current);
    } finally {
      running = null;
    }
    return result;
  })();
  return running;
}

let timer = null;
function replayLater(delay) {
  clearTimeout(timer);
  timer = setTimeout(() => replay("timer"), delay);
}

async function replayOnce(reason) {
  await Outbox.pruneSent();
  const now = Date.now();
  const entries = (await Outbox.all()).filter((e) => e.state === "waiting");
  if (!entries.length) return {};
  let backoff = (await Outbox.getMeta("backoff")) || { failures: 0, next_at: 0 };
  // The timer keeps to the back-off. A page load, `online`, `sync` or a person do not wait, and
  // start the back-off again from its first step: `online` may come a moment before the network
  // really carries anything, and its retry should then be a second away, not minutes.
  if (reason === "timer" && backoff.next_at > now) {
    replayLater(backoff.next_at - now);
    return { offline: true };
  }
  if (reason !== "timer") backoff = { failures: 0, next_at: 0 };
  let current;
  try {
    await finishLogout(); // entries wait for their operator's next login, not her old session
    current = await session();
  } catch (error) {
    return networkTrouble(backoff);
  }
  if (!current) return loginNeeded();
  if (await Outbox.getMeta("auth")) {
    await Outbox.setMeta("auth", null);
    Outbox.notify();
  }
  let soonest = Infinity;
  for (const entry of entries) {
    if (entry.operator && entry.operator !== current.username) continue; // waits for its owner
    if (entry.next_at > Date.now() && reason !== "manual") {
      soonest = Math.min(soonest, entry.next_at);
      continue;
    }
    const outcome = await send(entry, current);
    if (outcome === "network") return networkTrouble(backoff);
    if (outcome === "login") return loginNeeded();
    if (outcome === "later") soonest = Math.min(soonest, (await Outbox.get(entry.id))?.next_at);
  }
  await Outbox.setMeta("backoff", null);
  if (Number.isFinite(soonest)) replayLater(Math.max(0, soonest - Date.now()));
  return {};
}

async function networkTrouble(backoff) {
  const failures = backoff.failures + 1;
  const delay = backoffDelay(failures);
  await Outbox.setMeta("backoff", { failures, next_at: Date.now() + delay });
  replayLater(delay);
  return { offline: true };
}

async function loginNeeded() {
  await Outbox.setMeta("auth", "login");
  Outbox.notify();
  return {};
}

async function send(entry, current, retried = false) {
  let response;
  try {
    response = await fetchWithTimeout(
      "/api/v1/permohonan",
      {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "Idempotency-Key": entry.client_request_id,
          "X-CSRFToken": current.csrf_token,
        },
        body: JSON.stringify(apiBody(entry.fields)),
      },
      REPLAY_TIMEOUT_MS
    );
  } catch (error) {
    return "network";
  }
  const answer = await response.json().catch(() => ({}));
  const status = response.status;
  const outcome = replayOutcome(status, retried);
  if (outcome === "sent") {
    await Outbox.markSent(entry, answer);
    Outbox.notify();
    return "sent";
  }
  if (outcome === "login") return "login";
  if (outcome === "csrf") {
    let fresh;
    try {
      fresh = await session();
    } catch (error) {
      return "network";
    }
    if (!fresh) return "login";
    Object.assign(current, fresh);
    return send(entry, current, true);
  }
  if (outcome === "later") {
    const attempts = (entry.attempts || 0) + 1;
    const delay = retryDelay(attempts, response.headers.get("Retry-After"));
    await Outbox.update(
      entry.id,
      {
        attempts,
        next_at: Date.now() + delay,
        last_error: `Server menjawab ${status}; dicoba lagi otomatis.`,
      },
      entry.rev
    );
    Outbox.notify();
    return "later";
  }
  // Any other 4xx: the server refused this request as it is. A person has to fix or discard it.
  await Outbox.update(
    entry.id,
    {
      state: "action",
      problem: {
        status,
        detail: answer.detail || `Ditolak server (kode ${status}).`,
        errors: answer.errors || {},
      },
    },
    entry.rev
  );
  Outbox.notify();
  return "refused";
}

// ------------------------------------------------------------------------------------------------
// Triggers: Background Sync, messages from the pages (load, online, timer, "Kirim sekarang")

self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil(
    replay("sync").then((result) => {
      // Rejecting tells the browser to fire `sync` again later, with its own back-off.
      if (result && result.offline) throw new Error("outbox: still offline");
    })
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data === "version") {
    event.source?.postMessage(VERSION);
  } else if (data.type === "hello") {
    event.waitUntil(
      confirmOperator(data.operator)
        .then(shellFor)
        .then(warmShell)
        .then(() => replay("load"))
    );
  } else if (data.type === "logout") {
    event.waitUntil(rememberOperator(null));
  } else if (data.type === "replay") {
    event.waitUntil(replay(data.reason || "message"));
  } else if (data.type === "status") {
    event.waitUntil(shellStatus().then((status) => event.ports[0]?.postMessage(status)));
  }
});
