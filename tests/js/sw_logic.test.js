// The service worker's pure rules (service_worker/logic.js), run with Node's own test runner:
// `node --test tests/js/` (make test).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const logic = require("../../service_worker/logic.js");

test("apiBody turns the stored form into the JSON API's body", () => {
  const fields = [
    ["client_request_id", "5b1f0c1e-1111-4222-8333-944455556666"],
    ["letter_type", "domisili"],
    ["applicant_nik", "5371045708900003"],
    ["applicant_name", "Maria Ndun"],
    ["applicant_verified", "1"],
    ["data.keperluan", "Melamar pekerjaan"],
    ["data.alamat_domisili", "Jl. El Tari No. 5"],
    ["requirements_checked", "Surat pengantar RT/RW"],
    ["requirements_checked", "KTP-el asli dan fotokopi"],
    ["notes", "  "],
    ["_csrf_token", "never sent"],
  ];
  assert.deepEqual(logic.apiBody(fields), {
    client_request_id: "5b1f0c1e-1111-4222-8333-944455556666",
    letter_type: "domisili",
    applicant: { nik: "5371045708900003", name: "Maria Ndun" },
    data: { keperluan: "Melamar pekerjaan", alamat_domisili: "Jl. El Tari No. 5" },
    requirements_checked: ["Surat pengantar RT/RW", "KTP-el asli dan fotokopi"],
    notes: "  ",
  });
});

test("apiBody never passes on the page's claim that the applicant is verified", () => {
  const body = logic.apiBody([["applicant_verified", "1"]]);
  assert.deepEqual(body.applicant, {});
  assert.equal("verified" in body.applicant, false);
});

test("apiBody of an empty form has every key the API expects", () => {
  assert.deepEqual(logic.apiBody([]), {
    applicant: {},
    data: {},
    requirements_checked: [],
    notes: "",
    letter_type: "",
  });
});

test("escapeHtml escapes what could end an attribute or start a tag", () => {
  assert.equal(
    logic.escapeHtml(`Maria <b>"Ndun"</b> & 'Benu'`),
    "Maria &lt;b&gt;&quot;Ndun&quot;&lt;/b&gt; &amp; &#39;Benu&#39;"
  );
  assert.equal(logic.escapeHtml(42), "42");
});

test("backoffDelay doubles from one second, is capped at two minutes, jitters by 20%", () => {
  const exact = () => 0.5; // no jitter
  assert.deepEqual(
    [1, 2, 3, 4, 8].map((n) => logic.backoffDelay(n, exact)),
    [1000, 2000, 4000, 8000, 120000]
  );
  assert.equal(logic.backoffDelay(0, exact), 1000);
  assert.equal(logic.backoffDelay(50, exact), logic.BACKOFF_MAX_MS);
  assert.equal(logic.backoffDelay(3, () => 0), 3200);
  assert.equal(logic.backoffDelay(3, () => 0.999999), 4800);
});

test("retryDelay waits at least what the server's Retry-After says", () => {
  const exact = () => 0.5;
  assert.equal(logic.retryDelay(1, "30", exact), 30000);
  assert.equal(logic.retryDelay(1, null, exact), 1000);
  assert.equal(logic.retryDelay(3, "bukan angka", exact), 4000);
  assert.equal(logic.retryDelay(20, "1", exact), 120000);
});

test("replayOutcome: only 2xx deletes, 403 retries once, server trouble waits, 4xx needs a person", () => {
  assert.equal(logic.replayOutcome(201, false), "sent");
  assert.equal(logic.replayOutcome(200, false), "sent"); // already have it
  assert.equal(logic.replayOutcome(401, false), "login");
  assert.equal(logic.replayOutcome(403, false), "csrf");
  assert.equal(logic.replayOutcome(403, true), "refused");
  for (const status of [500, 502, 503, 429, 408]) {
    assert.equal(logic.replayOutcome(status, false), "later", String(status));
  }
  for (const status of [400, 404, 409, 422]) {
    assert.equal(logic.replayOutcome(status, false), "refused", String(status));
  }
});

test("usableShellPage keeps only an HTML page that was not a redirect", () => {
  const page = (ok, redirected, type) => ({
    ok,
    redirected,
    headers: { get: (name) => (name === "Content-Type" ? type : null) },
  });
  assert.equal(logic.usableShellPage(page(true, false, "text/html; charset=utf-8")), true);
  assert.equal(logic.usableShellPage(page(true, true, "text/html")), false); // to /masuk
  assert.equal(logic.usableShellPage(page(false, false, "text/html")), false);
  assert.equal(logic.usableShellPage(page(true, false, "application/json")), false);
  assert.equal(logic.usableShellPage(page(true, false, null)), false);
});

test("isTrackingPage matches a tracking code's page only", () => {
  assert.equal(logic.isTrackingPage("/lacak/KPG-7F3K-9QX2-M4TD"), true);
  assert.equal(logic.isTrackingPage("/lacak"), false);
  assert.equal(logic.isTrackingPage("/lacak/KPG-7F3K/survei"), false);
  assert.equal(logic.isTrackingPage("/permohonan/KPG-7F3K"), false);
});

test("keepRefusal: only the operator signed in on the device, on her own form and entries", () => {
  assert.equal(logic.keepRefusal("siti", "siti"), null);
  assert.equal(logic.keepRefusal("siti", "siti", "siti"), null);
  // After a logout nobody is signed in: a cached form is not kept in anyone's name.
  assert.equal(logic.keepRefusal(null, "siti"), "signed-out");
  assert.equal(logic.keepRefusal("", "siti"), "signed-out");
  // A cached form carrying another operator's name, or fixing another operator's entry.
  assert.equal(logic.keepRefusal("budi", "siti"), "other");
  assert.equal(logic.keepRefusal("budi", "budi", "siti"), "other");
  assert.equal(logic.keepRefusal("budi", ""), "other");
});
