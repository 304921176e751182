// The device's side of offline learning, shared by the pages and the service worker:
// work queued in IndexedDB (each piece with an id made here), courses stored, and sending
// the queue. The server applies each id once, so sending the same work twice is harmless.
(function (scope) {
  "use strict";
  var DB = "lms-offline";
  var seq = 0;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("queue", { keyPath: "id" });
        db.createObjectStore("courses", { keyPath: "id" });
        db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result = work(tx.objectStore(store));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  var store = {
    uuid: uuid,
    get: function (key) { return run("meta", "readonly", function (s) { return s.get(key); }); },
    set: function (key, value) { return run("meta", "readwrite", function (s) { s.put(value, key); }); },
    queued: function () {
      return run("queue", "readonly", function (s) { return s.getAll(); }).then(function (items) {
        return (items || []).sort(function (a, b) { return a.seq - b.seq; });
      });
    },
    // A piece of work: {kind: "lesson"|"answer"|"submit", ...}; the id, the time, the order,
    // the account and the CSRF token of the page it came from are added here.
    enqueue: function (item, csrf) {
      return store.get("user").then(function (user) {
        item.id = uuid();
        item.at = new Date().toISOString();
        item.seq = Date.now() * 1000 + (seq++ % 1000);
        item.user = user || "";
        item.csrf = csrf || "";
        return run("queue", "readwrite", function (s) { s.put(item); }).then(function () { return item; });
      });
    },
    remove: function (ids) {
      return run("queue", "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); });
    },
    courses: function () { return run("courses", "readonly", function (s) { return s.getAll(); }); },
    course: function (id) { return run("courses", "readonly", function (s) { return s.get(id); }); },
    courseSave: function (entry) { return run("courses", "readwrite", function (s) { s.put(entry); }); },
    courseDelete: function (id) { return run("courses", "readwrite", function (s) { s.delete(id); }); },
    // Everything of this learner: queue, stored courses, cached pages (the shell, made signed
    // out, stays).
    wipe: function () {
      return Promise.all([
        run("queue", "readwrite", function (s) { s.clear(); }),
        run("courses", "readwrite", function (s) { s.clear(); }),
        run("meta", "readwrite", function (s) { s.delete("lastSent"); s.delete("refused"); s.delete("user"); }),
        caches.keys().then(function (names) {
          return Promise.all(names.filter(function (n) { return n.indexOf("shell-") !== 0; })
            .map(function (n) { return caches.delete(n); }));
        })
      ]);
    },
    // Sends the queue of the account `user` in order, with `csrf` (else each item's own
    // token). Resolves to {sent, refused: [messages], left}; never rejects. One sending at a
    // time, across the pages and the service worker (the connection returns: the page and
    // the background sync both send): the second finds what the first left.
    send: function (syncUrl, user, csrf) {
      var locks = scope.navigator && scope.navigator.locks;
      if (!locks) return store.sendNow(syncUrl, user, csrf);
      return locks.request("lms-queue", function () { return store.sendNow(syncUrl, user, csrf); });
    },
    sendNow: function (syncUrl, user, csrf) {
      return store.queued().then(function (items) {
        var mine = items.filter(function (item) { return String(item.user) === String(user); });
        if (!mine.length || !user) return { sent: 0, refused: [], left: items.length };
        var token = csrf || mine[0].csrf;
        var body = mine.map(function (item) {
          var copy = {};
          Object.keys(item).forEach(function (k) { if (k !== "csrf" && k !== "user") copy[k] = item[k]; });
          return copy;
        });
        return fetch(syncUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
          body: JSON.stringify({ user: user, items: body })
        }).then(function (response) {
          if (!response.ok) throw new Error("sync " + response.status);
          return response.json();
        }).then(function (data) {
          var done = [], refused = [];
          (data.results || []).forEach(function (result, i) {
            if (!result || !mine[i]) return;
            done.push(mine[i].id);
            if (result.status === "rejected" || result.status === "malformed") refused.push(result.message);
          });
          return store.remove(done).then(function () {
            return store.set("lastSent", new Date().toISOString());
          }).then(function () {
            return refused.length ? store.set("refused", refused) : null;
          }).then(function () {
            return { sent: done.length, refused: refused, left: items.length - done.length };
          });
        });
      }).catch(function () {
        return store.queued().then(function (items) { return { sent: 0, refused: [], left: items.length, failed: true }; });
      });
    }
  };
  scope.LmsOffline = store;
})(typeof self !== "undefined" ? self : window);
