// Saves each answer as it is given, so a dropped connection loses nothing; without a
// connection, asks before a submission with unanswered questions is kept on the device (the
// server asks online, with its own page).
// The quiz works without this script: the form posts all answers on submit.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-autosave-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("autosave-status");
  function say(text) { if (status) status.textContent = text; }
  function t(key, values) {
    var s = form.getAttribute("data-t-" + key) || "";
    Object.keys(values || {}).forEach(function (k) { s = s.split("{" + k + "}").join(values[k]); });
    return s;
  }
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.name || input.name.indexOf("q-") !== 0) return;
    var question = input.name.slice(2);
    var choices = Array.prototype.map.call(
      form.querySelectorAll("input[name='" + input.name + "']:checked"),
      function (el) { return el.value; }
    );
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ question: question, choices: choices })
    }).then(function (response) {
      say(form.getAttribute(response.ok ? "data-saved" : "data-offline"));
    }).catch(function () { say(form.getAttribute("data-offline")); });
  });

  // Offline: the same question as the server's page, in the page, before anything is queued.
  var box = null;
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
  function close() { if (box) box.parentNode.removeChild(box); box = null; }
  form.addEventListener("submit", function (event) {
    if (navigator.onLine || form.querySelector("input[name=confirm_unanswered]")) return;
    var fieldsets = form.querySelectorAll("fieldset");
    var missing = Array.prototype.filter.call(fieldsets, function (f) { return !f.querySelector("input:checked"); });
    if (!missing.length) return;
    event.preventDefault();
    close();
    box = el("div", "stack notice", "");
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-labelledby", "confirm-unanswered-title");
    box.setAttribute("data-confirm-unanswered", "");
    var title = el("h2", "", t("confirm-title"));
    title.id = "confirm-unanswered-title";
    title.tabIndex = -1;
    box.appendChild(title);
    box.appendChild(el("p", "notice notice-error", t("confirm-count", { n: missing.length, total: fieldsets.length })));
    var list = el("ul", "unanswered", "");
    missing.forEach(function (f) {
      var n = Array.prototype.indexOf.call(fieldsets, f) + 1;
      var text = f.querySelector("legend").textContent.replace(/^\s*\d+\.\s*/, "");
      list.appendChild(el("li", "", t("confirm-question", { n: n }) + ": " + text));
    });
    box.appendChild(list);
    box.appendChild(el("p", "", t("confirm-rule")));
    var back = el("button", "button", t("confirm-back"));
    back.type = "button";
    back.addEventListener("click", function () {
      close();
      missing[0].querySelector("input").focus();
    });
    var anyway = el("button", "button button-secondary", t("confirm-submit"));
    anyway.type = "button";
    anyway.addEventListener("click", function () {
      var confirmed = el("input", "", "");
      confirmed.type = "hidden";
      confirmed.name = "confirm_unanswered";
      confirmed.value = "1";
      form.appendChild(confirmed);
      close();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
    var actions = el("p", "", "");
    actions.appendChild(back);
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(anyway);
    box.appendChild(actions);
    form.parentNode.insertBefore(box, form.nextSibling);
    title.focus();
  });
})();
