// Operator app behaviour that needs script. No inline script anywhere: the CSP forbids it.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // The app works without the worker; offline support just is not there yet.
    });
  });
}

// Print buttons (no inline onclick: the CSP forbids it).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
