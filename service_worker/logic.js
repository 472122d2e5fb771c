// The service worker's pure rules: no caches, no IndexedDB, no network. sw.js loads this file
// with importScripts("/sw-logic.js"); tests/js/ runs the same file under `node --test`
// (make test), so the rules are tested where they live, not in a copy.
"use strict";

(function (root, factory) {
  const logic = factory();
  if (typeof module === "object" && module.exports) module.exports = logic; // Node's tests
  else root.SodamolekSwLogic = logic; // the service worker
})(typeof self !== "undefined" ? self : this, function () {
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 2 * 60 * 1000;
  const TRACKING_PAGE = /^\/lacak\/KPG-[0-9A-Z-]+$/;

  // The stored form (a list of [name, value]) as the JSON API wants it: the same request the
  // form's POST would have made, so a replay after a lost answer is "already have it".
  function apiBody(fields) {
    const body = { applicant: {}, data: {}, requirements_checked: [], notes: "", letter_type: "" };
    for (const [name, value] of fields) {
      if (name === "requirements_checked") body.requirements_checked.push(value);
      else if (name === "applicant_verified") continue; // the server decides that
      else if (name.startsWith("applicant_")) body.applicant[name.slice("applicant_".length)] = value;
      else if (name.startsWith("data.")) body.data[name.slice("data.".length)] = value;
      else if (name === "notes" || name === "letter_type" || name === "client_request_id") {
        body[name] = value;
      }
    }
    return body;
  }

  function escapeHtml(text) {
    return String(text).replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]
    );
  }

  // Exponential, capped, with ±20% jitter so that tablets coming back online do not sync in step.
  function backoffDelay(failures, random = Math.random) {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1));
    return Math.round(delay * (0.8 + random() * 0.4));
  }

  // The wait before the next attempt: the back-off, or longer if the server said Retry-After.
  function retryDelay(attempts, retryAfterHeader, random = Math.random) {
    const retryAfter = Number(retryAfterHeader) * 1000;
    return Math.max(backoffDelay(attempts, random), Number.isFinite(retryAfter) ? retryAfter : 0);
  }

  // What a replay's answer means for the stored entry. Only a 2xx deletes it ("sent"); a 403 is
  // most likely a stale CSRF token, tried once more with a fresh one ("csrf"); the server's
  // trouble is retried later; any other 4xx needs a person ("refused").
  function replayOutcome(status, retried) {
    if (status === 200 || status === 201) return "sent";
    if (status === 401) return "login";
    if (status === 403 && !retried) return "csrf";
    if (status >= 500 || status === 429 || status === 408) return "later";
    return "refused";
  }

  function isHtml(response) {
    return (response.headers.get("Content-Type") || "").startsWith("text/html");
  }

  // A redirect means "not logged in" (to /masuk): that is not the page.
  function usableShellPage(response) {
    return response.ok && !response.redirected && isHtml(response);
  }

  function isTrackingPage(pathname) {
    return TRACKING_PAGE.test(pathname);
  }

  // Whether the outbox may keep a request typed on a form carrying `typedBy` (its hidden
  // _operator), for an entry whose typist is `owner` (the same, or the one who first typed an
  // entry being fixed), with `signedIn` the operator signed in on this device (empty after a
  // logout). null: keep it; otherwise why not: "signed-out" (nobody) or "other" (a cached form
  // or an entry of someone else). Entries stay tied to the operator who typed them.
  function keepRefusal(signedIn, typedBy, owner = typedBy) {
    if (!signedIn) return "signed-out";
    if (signedIn !== typedBy || signedIn !== (owner || typedBy)) return "other";
    return null;
  }

  return {
    BACKOFF_FIRST_MS,
    BACKOFF_MAX_MS,
    apiBody,
    escapeHtml,
    backoffDelay,
    retryDelay,
    replayOutcome,
    isHtml,
    usableShellPage,
    isTrackingPage,
    keepRefusal,
  };
});
