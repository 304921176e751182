// Saves each answer as it is given, so a dropped connection loses nothing.
// The quiz works without this script: the form posts all answers on submit.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-autosave-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("autosave-status");
  function say(text) { if (status) status.textContent = text; }
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
})();
