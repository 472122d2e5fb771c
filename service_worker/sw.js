// Sodamolek service worker (scope /).
// - push and notificationclick: /sw-push.js (the payload carries no personal data)
// - the resident's tracking pages: network first, the last copy seen when offline
// - static files (content-hashed URLs): cache first
const VERSION = "sodamolek-sw-2";
const TRACKING_CACHE = "sodamolek-lacak-v1";
const STATIC_CACHE = "sodamolek-static-v1";
const KEEP = new Set([TRACKING_CACHE, STATIC_CACHE]);

importScripts("/sw-push.js");

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("sodamolek-") && !KEEP.has(n)).map((n) => caches.delete(n)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "version" && event.source) {
    event.source.postMessage(VERSION);
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (/^\/lacak\/KPG-[0-9A-Z-]+$/.test(url.pathname) || url.pathname === "/lacak") {
    event.respondWith(networkFirst(request, TRACKING_CACHE));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request, STATIC_CACHE));
  }
});

async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
