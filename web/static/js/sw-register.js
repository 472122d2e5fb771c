// The one place that registers the service worker, for operator and resident pages alike.
// Every page must register the same script with the same options: a page that registered it
// with another updateViaCache made the browser treat the registration as changed and update
// it under the other page's feet (a browser test hung waiting for a worker that was replaced).
(function () {
  "use strict";
  const OPTIONS = { scope: "/", updateViaCache: "none" };
  let registration = null;

  // Resolves with the registration; rejects where there is no service worker (the pages still
  // work, only not offline).
  window.sodamolekRegisterWorker = function () {
    if (!registration) {
      registration = "serviceWorker" in navigator
        ? navigator.serviceWorker.register("/sw.js", OPTIONS)
        : Promise.reject(new Error("Peramban ini tidak mendukung service worker."));
    }
    return registration;
  };
})();
