// The site's service worker (see lms/offline.py for why it is hand-written).
// - Pages: from the network, kept on the device once seen; without a network, the stored
//   copy, else the offline page.
// - Static files and media: from the device first (static names are hashed); documents from
//   the network, else the copy stored with a course. A request for part of a stored file
//   (an audio element's) gets that part.
// - Marking a lesson done, answering and submitting a quiz: when the network fails, the work
//   is queued on the device and sent later (background sync, else the next page load).
// - Logging out without a network: finished on the server when the network returns.
importScripts({{ shell_store|safe }});
var VERSION = {{ version|safe }};
var SHELL = "shell-" + VERSION;
var SHELL_FILES = {{ shell|safe }};
var OFFLINE_URL = "{% url 'offline' %}";
var SYNC_URL = "{% url 'learning:offline_sync' %}";
var LOGOUT_URL = "{% url 'logout' %}";
var DOCUMENTS_URL = "{{ documents_url }}";
var PAGES = "pages";
var FILES = "files";
var NOT_KEPT = /^\/(admin|accounts|_util|i18n|jsi18n|healthz|sw\.js|learn\/offline)(\/|$)/;
// The posts queued offline: their kind, and what the numbers in their address name (the quiz
// page stored with a course names its course and quiz: its attempt starts on the server).
var QUEUED = [
  [/^\/learn\/lessons\/(\d+)\/done\/$/, "lesson", ["lesson"]],
  [/^\/learn\/attempts\/(\d+)\/answer\/$/, "answer", ["attempt"]],
  [/^\/learn\/attempts\/(\d+)\/submit\/$/, "submit", ["attempt"]],
  [/^\/learn\/courses\/(\d+)\/quiz\/(\d+)\/answer\/$/, "answer", ["course", "quiz"]],
  [/^\/learn\/courses\/(\d+)\/quiz\/(\d+)\/submit\/$/, "submit", ["course", "quiz"]]
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    // The offline page made signed out: it holds nobody's name or token.
    return Promise.all([
      cache.addAll(SHELL_FILES),
      fetch(OFFLINE_URL, { credentials: "omit" }).then(function (r) { return cache.put(OFFLINE_URL, r); })
    ]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("shell-") === 0 && n !== SHELL; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromDevice(request) {
  return caches.match(request, { ignoreVary: true });
}

// Logging out without a connection: the page has cleared the device already; the server's
// session ends as soon as the connection returns, before any page is asked for (the token is
// the one the logout form was sent with).
var logoutPending;
function logoutNow() {
  if (logoutPending === false) return Promise.resolve();
  return LmsOffline.get("logout").then(function (token) {
    if (!token) { logoutPending = false; return; }
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", token);
    return fetch(LOGOUT_URL, { method: "POST", credentials: "same-origin", redirect: "manual", body: body })
      .then(function () { logoutPending = false; return LmsOffline.set("logout", ""); });
  }).catch(function () {});
}

function logout(event) {
  var copy = event.request.clone();
  return fetch(event.request).catch(function () {
    return copy.formData().then(function (form) {
      logoutPending = true;
      return LmsOffline.set("logout", form.get("csrfmiddlewaretoken") || "");
    }).then(function () {
      if (self.registration.sync) self.registration.sync.register("lms-queue").catch(function () {});
      return Response.redirect(OFFLINE_URL + "?signed-out=1", 303);
    });
  });
}

function page(event) {
  var request = event.request;
  var path = new URL(request.url).pathname;
  return logoutNow().then(function () { return fetch(request); }).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    if (response.ok && type.indexOf("text/html") === 0 && !NOT_KEPT.test(path) && !response.redirected) {
      var copy = response.clone();
      event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.put(request.url, copy); }));
    }
    return response;
  }).catch(function () {
    return fromDevice(request.url).then(function (stored) {
      return stored || caches.match(OFFLINE_URL);
    });
  });
}

// A stored file for a request that asks for part of it (an <audio> element does, to play
// and to seek): that part, as a server would send it.
function part(stored, range) {
  var m = /^bytes=(\d*)-(\d*)$/.exec(range || "");
  if (!m || (m[1] === "" && m[2] === "") || stored.status !== 200) return stored;
  return stored.blob().then(function (blob) {
    var size = blob.size;
    var start = m[1] === "" ? Math.max(0, size - Number(m[2])) : Number(m[1]);
    var end = m[1] === "" || m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start >= size || start > end) {
      return new Response(null, { status: 416, headers: { "Content-Range": "bytes */" + size } });
    }
    var headers = new Headers(stored.headers);
    headers.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
    headers.set("Content-Length", String(end - start + 1));
    return new Response(blob.slice(start, end + 1), { status: 206, statusText: "Partial Content", headers: headers });
  });
}

// A document (a handout, a story's recording): from the network, which has the latest
// version; without one, the copy stored with a course.
function documentFile(event) {
  return fetch(event.request).catch(function () {
    return fromDevice(event.request).then(function (stored) {
      if (!stored) throw new TypeError("not stored");
      return part(stored, event.request.headers.get("Range"));
    });
  });
}

function file(event) {
  return fromDevice(event.request).then(function (stored) {
    if (stored) return part(stored, event.request.headers.get("Range"));
    return fetch(event.request).then(function (response) {
      if (response.ok && response.status === 200) {
        var copy = response.clone();
        event.waitUntil(caches.open(FILES).then(function (cache) { return cache.put(event.request, copy); }));
      }
      return response;
    });
  });
}

// The work a failed post carried, as a queue item, with the CSRF token it was sent with.
function workOf(request, kind, names) {
  var item = { kind: kind };
  Object.keys(names).forEach(function (k) { item[k] = names[k]; });
  var type = request.headers.get("Content-Type") || "";
  if (type.indexOf("application/json") === 0) {
    return request.json().then(function (data) {
      item.question = data.question;
      item.choices = data.choices || [];
      return [item, request.headers.get("X-CSRFToken")];
    });
  }
  return request.formData().then(function (form) {
    var token = form.get("csrfmiddlewaretoken");
    if (kind === "answer") {
      item.question = form.get("question");
      item.choices = form.getAll("choices");
    }
    if (kind === "submit") {
      // Confirmed on the page when questions were left unanswered (quiz-autosave.js).
      item.confirm_unanswered = form.get("confirm_unanswered") === "1";
      item.answers = {};
      form.forEach(function (value, name) {
        if (name.indexOf("q-") !== 0) return;
        (item.answers[name.slice(2)] = item.answers[name.slice(2)] || []).push(value);
      });
    }
    return [item, token];
  });
}

function postOrQueue(event, kind, names) {
  var request = event.request;
  var copy = request.clone();
  return fetch(request).catch(function () {
    return workOf(copy, kind, names).then(function (work) {
      return LmsOffline.enqueue(work[0], work[1]);
    }).then(function () {
      if (self.registration.sync) self.registration.sync.register("lms-queue").catch(function () {});
      if (request.mode === "navigate") {
        var back = kind === "lesson" && request.referrer ? request.referrer : OFFLINE_URL;
        return Response.redirect(back, 303);
      }
      return new Response(JSON.stringify({ saved: true, queued: true }), {
        status: 202, headers: { "Content-Type": "application/json" }
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST") {
    if (url.pathname === LOGOUT_URL) { event.respondWith(logout(event)); return; }
    for (var i = 0; i < QUEUED.length; i++) {
      var match = QUEUED[i][0].exec(url.pathname);
      if (!match) continue;
      var names = {};
      QUEUED[i][2].forEach(function (name, n) { names[name] = Number(match[n + 1]); });
      event.respondWith(postOrQueue(event, QUEUED[i][1], names));
      return;
    }
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") { event.respondWith(page(event)); return; }
  if (url.pathname.indexOf("{{ static_url }}") === 0 || url.pathname.indexOf("{{ media_url }}") === 0) {
    event.respondWith(file(event));
  } else if (url.pathname.indexOf(DOCUMENTS_URL) === 0) {
    event.respondWith(documentFile(event));
  }
});

// The connection is back: send the queue with the token stored beside it. Sending that fails
// (a signal but no server) fails the sync, so that the browser tries again later; work the
// server does not take (an expired session) stays for the next page, which sends it with its own.
self.addEventListener("sync", function (event) {
  if (event.tag !== "lms-queue") return;
  event.waitUntil(logoutNow().then(function () {
    return LmsOffline.get("user");
  }).then(function (user) {
    return LmsOffline.send(SYNC_URL, user, null);
  }).then(function (result) {
    return self.clients.matchAll().then(function (clients) {
      clients.forEach(function (client) { client.postMessage({ type: "lms-sent", result: result }); });
    }).then(function () {
      if (result.failed && !event.lastChance) throw new Error("the queue could not be sent");
    });
  }));
});
