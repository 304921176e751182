// Offline learning on the page (the site works without this script):
// registers the service worker, shows the work waiting to be sent and sends it, offers
// "Download for offline learning" on a course, and clears this learner's data at logout.
(function () {
  "use strict";
  var status = document.getElementById("offline-status");
  var store = window.LmsOffline;
  if (!status || !store || !("serviceWorker" in navigator) || !window.caches || !window.indexedDB) return;
  var user = status.getAttribute("data-user");
  var syncUrl = status.getAttribute("data-sync-url");
  var text = status.querySelector("[data-offline-text]");

  function t(key, values, from) {
    var s = (from || status).getAttribute("data-t-" + key) || "";
    Object.keys(values || {}).forEach(function (k) { s = s.split("{" + k + "}").join(values[k]); });
    return s;
  }
  function size(bytes) {
    var mb = bytes / (1024 * 1024);
    return (mb >= 1 ? mb.toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB").replace(".", ",");
  }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});

  // What is waiting: lessons, answers (those inside a queued submission counted once), quizzes.
  function show() {
    return Promise.all([store.queued(), store.get("lastSent"), store.get("refused")]).then(function (r) {
      var items = r[0].filter(function (i) { return String(i.user) === String(user); });
      var lessons = 0, submits = 0, answers = {};
      items.forEach(function (item) {
        var quiz = (item.attempt || item.course + "/" + item.quiz) + ":";
        if (item.kind === "lesson") lessons++;
        if (item.kind === "answer") answers[quiz + item.question] = 1;
        if (item.kind === "submit") {
          submits++;
          Object.keys(item.answers || {}).forEach(function (q) { answers[quiz + q] = 1; });
        }
      });
      var lines = [];
      if (lessons) lines.push(t("lessons", { n: lessons }));
      var n = Object.keys(answers).length;
      if (n) lines.push(t("answers", { n: n }));
      if (submits) lines.push(t("submits", { n: submits }));
      if (lines.length && !navigator.onLine) lines.push(t("offline"));
      if (!lines.length && r[1]) lines.push(t("sent", { time: new Date(r[1]).toLocaleString("vi-VN") }));
      (r[2] || []).forEach(function (m) { lines.push(t("refused", { message: m })); });
      text.textContent = lines.join(" · ");
      status.hidden = !lines.length;
      status.setAttribute("data-waiting", String(items.length));
    });
  }

  function send() {
    if (!signedIn || !navigator.onLine) return show();
    return store.send(syncUrl, user, csrf()).then(show);
  }

  // A page made signed out (the offline page, kept on the device) shows the work of the
  // learner who last used this device; only a signed-in page sends it.
  var signedIn = Boolean(user);
  var ready = (signedIn ? store.set("user", user) : store.get("user").then(function (u) { user = u || ""; }))
    .then(send);
  window.addEventListener("online", send);
  window.addEventListener("offline", show);
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "lms-sent") show();
  });
  // The service worker queued a post while this page was open (autosave).
  document.addEventListener("change", function () { setTimeout(show, 300); });

  // "Download for offline learning" on a course page.
  function courseBox(box) {
    var url = box.getAttribute("data-offline-course");
    var courseId = Number(box.getAttribute("data-course-id"));
    var cacheName = "course-" + courseId;
    var info = document.createElement("p");
    info.className = "meta";
    info.setAttribute("data-offline-info", "");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary";
    box.appendChild(button);
    box.appendChild(info);
    box.hidden = false;

    function used() {
      if (!navigator.storage || !navigator.storage.estimate) return Promise.resolve("?");
      return navigator.storage.estimate().then(function (e) { return size(e.usage || 0); });
    }
    function storedState(entry) {
      return used().then(function (u) {
        info.textContent = t("stored", { size: size(entry.bytes), used: u }, box);
        button.textContent = t("remove", null, box);
        button.setAttribute("data-action", "remove");
        box.setAttribute("data-stored", "true");
      });
    }
    function freshState() {
      box.setAttribute("data-stored", "false");
      button.textContent = t("download", null, box);
      button.setAttribute("data-action", "download");
      if (!navigator.onLine) return;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { box._package = data; info.textContent = t("size", { size: size(data.bytes) }, box); } })
        .catch(function () {});
    }
    function download() {
      var got = box._package ? Promise.resolve(box._package) :
        fetch(url, { credentials: "same-origin" }).then(function (r) { if (!r.ok) throw r; return r.json(); });
      button.disabled = true;
      return got.then(function (data) {
        return caches.open(cacheName).then(function (cache) {
          var done = 0, total = data.items.length, bytes = 0;
          return data.items.reduce(function (chain, item) {
            return chain.then(function () {
              // The header asks for the quiz page's copy for the device: it opens before the
              // lessons are done on the server (they are done offline first) and starts no
              // attempt.
              return fetch(item.url, { credentials: "same-origin", headers: { "X-Offline-Store": "1" } }).then(function (response) {
                if (!response.ok) throw response;
                return response.clone().blob().then(function (blob) {
                  bytes += blob.size;
                  return cache.put(item.url, response);
                });
              }).then(function () {
                done++;
                info.textContent = t("saving", { done: done, total: total }, box);
              });
            });
          }, Promise.resolve()).then(function () {
            var entry = { id: courseId, title: data.title, url: data.url, bytes: bytes, urls: data.items.map(function (i) { return i.url; }), at: new Date().toISOString() };
            return store.courseSave(entry).then(function () { return storedState(entry); });
          });
        });
      }).catch(function () {
        info.textContent = t("failed", null, box);
      }).then(function () { button.disabled = false; });
    }
    function remove() {
      return caches.delete(cacheName).then(function () { return store.courseDelete(courseId); }).then(function () {
        freshState();
        info.textContent = t("removed", null, box);
      });
    }
    button.addEventListener("click", function () {
      return button.getAttribute("data-action") === "remove" ? remove() : download();
    });
    store.course(courseId).then(function (entry) { return entry ? storedState(entry) : freshState(); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-offline-course]"), courseBox);

  // The offline page after logging out without a connection (the service worker sends there).
  var signedOut = document.querySelector("[data-offline-signed-out]");
  if (signedOut && /[?&]signed-out=1/.test(location.search)) {
    signedOut.hidden = false;
    document.querySelector("[data-offline-lead]").hidden = true;
  }

  // The offline page lists the stored courses.
  var list = document.querySelector("[data-offline-courses]");
  if (list) {
    store.courses().then(function (courses) {
      if (!courses || !courses.length) return;
      var ul = list.querySelector("ul");
      courses.forEach(function (c) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = c.url;
        a.textContent = c.title;
        li.appendChild(a);
        ul.appendChild(li);
      });
      list.hidden = false;
    });
  }

  // Logging out on a shared phone: send what is waiting, then delete this learner's stored
  // pages, courses and queue; if something could not be sent, ask first.
  Array.prototype.forEach.call(document.querySelectorAll("form[action$='/accounts/logout/']"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-cleared") === "true") return;
      event.preventDefault();
      ready.then(send).then(function () { return store.queued(); }).then(function (items) {
        var left = items.filter(function (i) { return String(i.user) === String(user); });
        if (left.length && !window.confirm(t("logout-unsent"))) return false;
        return store.wipe().then(function () { return true; });
      }).catch(function () { return true; }).then(function (go) {
        if (!go) return;
        form.setAttribute("data-cleared", "true");
        form.submit();
      });
    });
  });
})();
