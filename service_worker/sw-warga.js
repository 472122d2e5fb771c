// The resident's app, "Lacak Surat" (scope /lacak): tracking pages that open with no network.
//
// Static files (content-hashed URLs) cache-first; /lacak and /lacak/<kode> network-first with
// the last copy kept for offline use (the page then says from when). Nothing of the operator's
// app is fetched or kept here. Push handlers come from /sw-push.js, shared with /sw.js.
// The server writes the line before this file: self.SODAMOLEK_RESIDENT = {version, static,
// start} (sodamolek/web/resident_worker.py).
"use strict";

const BUILD = self.SODAMOLEK_RESIDENT;
const STATIC_PREFIX = "sodamolek-warga-static-";
const STATIC_CACHE = STATIC_PREFIX + BUILD.version;
const PAGES_CACHE = "sodamolek-warga-lacak"; // across versions: the last status stays
const TRACKING_PAGE = /^\/lacak\/KPG-[0-9A-Z-]+$/;
const NAVIGATION_TIMEOUT_MS = 8000;

importScripts("/sw-push.js");

function keptPath(url) {
  const path = new URL(url, self.location.origin).pathname;
  return path === BUILD.start || TRACKING_PAGE.test(path) ? path : null;
}

async function keep(path, response) {
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || response.redirected || !type.startsWith("text/html")) return;
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(path, response);
}

// The pages open when the worker installs were loaded before it existed: fetched once more so
// the very first visit's status is there offline too.
async function keepOpenPages() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const paths = new Set([BUILD.start]);
  for (const client of windows) {
    const path = keptPath(client.url);
    if (path) paths.add(path);
  }
  await Promise.all(
    [...paths].map(async (path) => {
      try {
        await keep(path, await fetch(path, { credentials: "same-origin", cache: "no-store" }));
      } catch (error) {
        // No network now: the next online visit keeps it.
      }
    })
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(STATIC_CACHE);
      // Default cache mode: the page has just loaded these, so they come from the HTTP cache.
      await cache.addAll(BUILD.static);
      await keepOpenPages();
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(STATIC_PREFIX) && name !== STATIC_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })()
  );
});

function navigationFetch(request) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), NAVIGATION_TIMEOUT_MS);
    fetch(request).then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

async function page(event, path) {
  try {
    const response = await navigationFetch(event.request);
    if (path) event.waitUntil(keep(path, response.clone()));
    return response;
  } catch (error) {
    const cache = await caches.open(PAGES_CACHE);
    // A page never opened here: the start page, which lists the ones that were.
    return (
      (path && (await cache.match(path))) ||
      (await cache.match(BUILD.start)) ||
      Response.error()
    );
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).searchParams.has("v")) {
    const cache = await caches.open(STATIC_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") return;
  if (url.pathname.startsWith("/static/")) event.respondWith(cacheFirst(request));
  else if (request.mode === "navigate") event.respondWith(page(event, keptPath(url)));
});
