// service_worker/push.js (shared by /sw.js and /sw-warga.js) in a sandbox standing in for a
// service worker: pushsubscriptionchange moves the followed requests to the new subscription,
// and a staff alert is shown in Indonesian with a safe link. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SOURCE = fs.readFileSync(path.join(__dirname, "../../service_worker/push.js"), "utf8");
const ORIGIN = "https://surat.kupangkota.go.id";

function worker({ subscribe } = {}) {
  const handlers = {};
  const fetched = [];
  const shown = [];
  const self = {
    location: { origin: ORIGIN },
    addEventListener: (type, handler) => { handlers[type] = handler; },
    registration: {
      pushManager: { subscribe: subscribe || (async () => { throw new Error("no"); }) },
      showNotification: async (title, options) => { shown.push({ title, options }); },
    },
    clients: { matchAll: async () => [], openWindow: async () => null },
  };
  const fetch = async (url, init = {}) => {
    fetched.push({ url, init });
    return { ok: true, text: async () => "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U" };
  };
  vm.runInNewContext(SOURCE, { self, fetch, URL, atob, Uint8Array, JSON, Object, Number });
  return { handlers, fetched, shown };
}

async function dispatch(handler, event) {
  let work = Promise.resolve();
  handler({ ...event, waitUntil: (promise) => { work = promise; } });
  await work;
}

const fresh = {
  endpoint: "https://fcm.googleapis.com/fcm/send/new",
  toJSON: () => ({ endpoint: "https://fcm.googleapis.com/fcm/send/new", keys: { p256dh: "p", auth: "a" } }),
};

test("a changed subscription is sent with the old endpoint, once", async () => {
  const sw = worker();
  await dispatch(sw.handlers.pushsubscriptionchange, {
    oldSubscription: { endpoint: "https://fcm.googleapis.com/fcm/send/old", options: {} },
    newSubscription: fresh,
  });
  assert.equal(sw.fetched.length, 1);
  assert.equal(sw.fetched[0].url, "/langganan-push/ganti");
  assert.deepEqual(JSON.parse(sw.fetched[0].init.body), {
    old_endpoint: "https://fcm.googleapis.com/fcm/send/old",
    subscription: fresh.toJSON(),
  });
});

test("without a new subscription the worker subscribes again with the server's key", async () => {
  let options = null;
  const sw = worker({ subscribe: async (given) => { options = given; return fresh; } });
  await dispatch(sw.handlers.pushsubscriptionchange, {
    oldSubscription: { endpoint: "https://fcm.googleapis.com/fcm/send/old", options: {} },
    newSubscription: null,
  });
  assert.equal(sw.fetched[0].url, "/langganan-push/kunci");
  assert.equal(options.userVisibleOnly, true);
  assert.equal(options.applicationServerKey.length, 65);
  assert.equal(sw.fetched[1].url, "/langganan-push/ganti");
});

test("with no old subscription there is nothing to move", async () => {
  const sw = worker();
  await dispatch(sw.handlers.pushsubscriptionchange, { oldSubscription: null, newSubscription: fresh });
  assert.equal(sw.fetched.length, 0);
});

test("a staff alert is shown in Indonesian, linking only to staff pages", async () => {
  const sw = worker();
  const data = (payload) => ({ json: () => payload });
  await dispatch(sw.handlers.push, { data: data({ alert: "sign", count: 3, url: "/tanda-tangan" }) });
  await dispatch(sw.handlers.push, { data: data({ alert: "returned", count: null, url: "https://evil.example/x" }) });
  assert.equal(sw.shown[0].title, "3 surat menunggu tanda tangan");
  assert.equal(sw.shown[0].options.data.url, ORIGIN + "/tanda-tangan");
  assert.equal(sw.shown[0].options.badge, "/static/icons/badge-72.png");
  assert.equal(sw.shown[1].title, "Permohonan dikembalikan lurah");
  assert.equal(sw.shown[1].options.data.url, ORIGIN + "/");
});

test("a resident's notification has a PNG icon and a monochrome badge", async () => {
  const sw = worker();
  const payload = { request_id: 1, code: "KPG-7F3K-9QX2-M4TD", status: "ready", url: "/x" };
  await dispatch(sw.handlers.push, { data: { json: () => payload } });
  assert.equal(sw.shown[0].title, "Surat siap diambil");
  assert.equal(sw.shown[0].options.icon, "/static/icons/icon-192.png");
  assert.equal(sw.shown[0].options.badge, "/static/icons/badge-72.png");
});
