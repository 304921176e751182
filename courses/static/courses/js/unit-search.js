/* A search box for an administrative unit, found by its name typed with or without
   diacritics ("nghia do" finds "Xã Nghĩa Đô").

   Progressive enhancement of a plain text input: without this script the name typed is
   matched on the server when the form is sent. With it, the matching units are listed as one
   types (an ARIA combobox: arrow keys, Enter, Escape, or a tap), read from the site's own
   JSON endpoint (data-unit-search, e.g. /places/units/), never another host. Picking one
   writes its id into the hidden input named by data-unit-target and, when the province select
   (data-unit-province) shows another province, selects the unit's province there. */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function setUp(input) {
    var box = input.closest(".unit-search");
    var list = document.getElementById(input.id + "_results");
    var status = document.getElementById(input.id + "_status");
    var target = document.getElementById(input.dataset.unitTarget);
    var province = document.getElementById(input.dataset.unitProvince);
    if (!box || !list || !status || !target) {
      return;
    }
    var timer = null;
    var active = -1;
    var results = [];
    var query = "";
    var page = 1;
    var controller = null;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) {
        return;
      }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var unit = results[index];
      if (!unit) {
        return;
      }
      input.value = unit.name;
      target.value = String(unit.id);
      if (province && province.value !== unit.province) {
        province.value = unit.province;
      }
      status.textContent = format(box.dataset.msgChosen, { label: unit.label });
      close();
    }

    function render(data, append) {
      if (!append) {
        list.textContent = "";
        results = [];
      } else {
        var more = list.querySelector(".unit-search-more");
        if (more) {
          more.remove();
        }
      }
      data.results.forEach(function (unit) {
        var index = results.length;
        results.push(unit);
        var option = document.createElement("li");
        option.id = input.id + "_option_" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.index = String(index);
        option.textContent = unit.label;
        list.appendChild(option);
      });
      if (data.has_next) {
        var item = document.createElement("li");
        item.className = "unit-search-more";
        item.setAttribute("role", "presentation");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button-secondary";
        button.textContent = box.dataset.msgMore;
        button.addEventListener("click", function () {
          search(query, page + 1);
        });
        item.appendChild(button);
        list.appendChild(item);
      }
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = format(box.dataset.msgCount, { count: data.count });
      } else {
        close();
        status.textContent = box.dataset.msgNone;
      }
    }

    function search(text, pageNumber) {
      var params = new URLSearchParams({
        q: text,
        level: input.dataset.unitLevel || "",
        structure: input.dataset.unitStructure || "",
        page: String(pageNumber)
      });
      if (province && province.value) {
        params.set("province", province.value);
      }
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      fetch(input.dataset.unitSearch + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          query = text;
          page = data.page;
          render(data, pageNumber > 1);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            status.textContent = box.dataset.msgError;
          }
        });
    }

    input.addEventListener("input", function () {
      target.value = "";
      window.clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2) {
        close();
        status.textContent = "";
        return;
      }
      timer = window.setTimeout(function () {
        search(text, 1);
      }, 200);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && results.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(0);
          event.preventDefault();
        }
        return;
      }
      if (event.key === "ArrowDown") {
        highlight(active + 1);
        event.preventDefault();
      } else if (event.key === "ArrowUp") {
        highlight(active - 1);
        event.preventDefault();
      } else if (event.key === "Enter") {
        if (active >= 0) {
          choose(active);
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        close();
        event.preventDefault();
      }
    });

    list.addEventListener("mousedown", function (event) {
      // Before the input loses focus, so that the list is still there to be picked from.
      var option = event.target.closest("[role=option]");
      if (option) {
        event.preventDefault();
        choose(Number(option.dataset.index));
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });

    if (province) {
      province.addEventListener("change", function () {
        target.value = "";
        close();
      });
    }
  }

  document.querySelectorAll("input[data-unit-search]").forEach(setUp);
})();
