// Sodamolek service worker. Minimal for now: it takes control so that later versions (app shell
// cache, offline outbox, push) can be delivered through the normal update path.
const VERSION = "sodamolek-sw-1";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", (event) => {
  if (event.data === "version" && event.source) {
    event.source.postMessage(VERSION);
  }
});
