// The device outbox: requests typed at the counter that the server does not have yet.
// Kept in IndexedDB (through the vendored `idb`), shared by the service worker (importScripts)
// and the operator pages (<script src>). It is not in a Cache, so a new service worker version,
// which deletes the old caches, leaves it alone.
//
// An entry: { id, client_request_id, letter_type, operator, applicant_name, fields: [[name,
// value], ...] (the form as posted, without its CSRF token), created_at, updated_at (ms),
// state: "waiting" | "action", attempts, next_at (ms, per-entry back-off after a 5xx),
// last_error, problem: {status, detail, errors} (what the server said for "perlu tindakan"),
// rev (bumped on every edit, so a reply for an older content does not overwrite a newer one) }.
(function (root) {
  "use strict";
  const DB_NAME = "sodamolek";
  const DB_VERSION = 1;
  const SENT_KEEP_MS = 24 * 60 * 60 * 1000;
  const CHANNEL = "sodamolek-outbox";
  let opening = null;

  function db() {
    if (!opening) {
      opening = root.idb.openDB(DB_NAME, DB_VERSION, {
        upgrade(database, oldVersion) {
          if (oldVersion < 1) {
            const outbox = database.createObjectStore("outbox", { keyPath: "id" });
            outbox.createIndex("created", "created_at");
            outbox.createIndex("state", "state"); // the badge counts without reading entries
            database.createObjectStore("sent", { keyPath: "client_request_id" });
            database.createObjectStore("meta");
          }
        },
        // A newer page or worker wants to upgrade the database: let it, reopen on next use.
        blocking() {
          const current = opening;
          opening = null;
          if (current) current.then((database) => database.close());
        },
        terminated() {
          opening = null;
        },
      });
    }
    return opening;
  }

  function value(fields, name) {
    const found = fields.find(([key]) => key === name);
    return found ? found[1] : "";
  }

  const Outbox = {
    CHANNEL,

    value,

    async all() {
      return (await db()).getAllFromIndex("outbox", "created");
    },

    async get(id) {
      return (await db()).get("outbox", id);
    },

    async put(entry) {
      await (await db()).put("outbox", entry);
      return entry;
    },

    async remove(id) {
      await (await db()).delete("outbox", id);
    },

    // Apply `changes` unless the entry is gone or was edited since `rev` was read.
    async update(id, changes, rev) {
      const tx = (await db()).transaction("outbox", "readwrite");
      const entry = await tx.store.get(id);
      if (!entry || (rev !== undefined && entry.rev !== rev)) {
        await tx.done;
        return null;
      }
      Object.assign(entry, changes, { updated_at: Date.now() });
      await tx.store.put(entry);
      await tx.done;
      return entry;
    },

    // The server has it: drop the entry (unless edited meanwhile) and note it as sent.
    async markSent(entry, answer) {
      const tx = (await db()).transaction(["outbox", "sent"], "readwrite");
      const stored = await tx.objectStore("outbox").get(entry.id);
      if (stored && stored.rev === entry.rev) await tx.objectStore("outbox").delete(entry.id);
      await tx.objectStore("sent").put({
        client_request_id: entry.client_request_id,
        request_id: answer.id,
        tracking_code: answer.tracking_code,
        applicant_name: entry.applicant_name,
        letter_type: entry.letter_type,
        sent_at: Date.now(),
      });
      await tx.done;
    },

    async sent() {
      const rows = await (await db()).getAll("sent");
      return rows.sort((a, b) => b.sent_at - a.sent_at);
    },

    async pruneSent(now = Date.now()) {
      const tx = (await db()).transaction("sent", "readwrite");
      for (const row of await tx.store.getAll()) {
        if (now - row.sent_at > SENT_KEEP_MS) await tx.store.delete(row.client_request_id);
      }
      await tx.done;
    },

    async counts() {
      const database = await db();
      const [waiting, action] = await Promise.all([
        database.countFromIndex("outbox", "state", "waiting"),
        database.countFromIndex("outbox", "state", "action"),
      ]);
      return { waiting, action, total: waiting + action };
    },

    async getMeta(key) {
      return (await db()).get("meta", key);
    },

    async setMeta(key, data) {
      const database = await db();
      if (data === undefined || data === null) await database.delete("meta", key);
      else await database.put("meta", data, key);
    },

    // Tell every page and the worker that the outbox changed (BroadcastChannel does not
    // deliver to its sender: the caller redraws itself).
    notify(message = { type: "changed" }) {
      if (typeof BroadcastChannel === "undefined") return;
      const channel = new BroadcastChannel(CHANNEL);
      channel.postMessage(message);
      channel.close();
    },
  };

  root.SodamolekOutbox = Outbox;
})(self);
