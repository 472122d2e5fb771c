// The one place that registers a service worker, on every page. Two apps, two workers:
// operator pages register /sw.js (scope /), the resident's pages (public_base.html) say
// data-worker="/sw-warga.js" data-scope="/lacak" on this script tag. Each worker is always
// registered with the same options: a page that registered /sw.js with another updateViaCache
// made the browser treat the registration as changed and update it under the other page's feet
// (a browser test hung waiting for a worker that was replaced).
(function () {
  "use strict";
  const tag = document.currentScript;
  const WORKER = (tag && tag.dataset.worker) || "/sw.js";
  const OPTIONS = { scope: (tag && tag.dataset.scope) || "/", updateViaCache: "none" };
  let registration = null;

  // Resolves with the registration; rejects where there is no service worker (the pages still
  // work, only not offline).
  window.sodamolekRegisterWorker = function () {
    if (!registration) {
      registration = "serviceWorker" in navigator
        ? navigator.serviceWorker.register(WORKER, OPTIONS)
        : Promise.reject(new Error("Peramban ini tidak mendukung service worker."));
    }
    return registration;
  };
})();
