/* Pledges pages: commitment rows, the monthly review's member rows, and a guard against losing input.
   Vanilla JS, no dependencies; every page works without it. */
(function () {
  "use strict";

  function renumber(container) {
    container.querySelectorAll(".n").forEach(function (el, i) { el.textContent = String(i + 1); });
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var target = document.querySelector(add.dataset.addRow);
      var template = document.querySelector(add.dataset.template);
      if (!target || !template) return;
      target.appendChild(template.content.cloneNode(true));
      renumber(target);
      var fields = target.querySelectorAll("textarea, input");
      if (fields.length) fields[fields.length - 2 >= 0 ? fields.length - 2 : 0].focus();
      markDirty(add.closest("form"));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var row = remove.closest(".commitment");
      var rows = row && row.parentElement;
      if (!row) return;
      if (rows.querySelectorAll(".commitment").length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("textarea, input").forEach(function (el) { el.value = ""; });
      }
      renumber(rows);
      markDirty(rows.closest("form"));
    }
  });

  /* The review form: rate in one tap everyone present who has no rating yet. */
  document.querySelectorAll("[data-rate-rest]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var value = button.dataset.rateRest;
      document.querySelectorAll(".member-row").forEach(function (row) {
        var present = row.querySelector("input[name$='-present']");
        if (!present || !present.checked || row.querySelector("input[type=radio]:checked")) return;
        var radio = row.querySelector("input[type=radio][value='" + value + "']");
        if (radio) radio.checked = true;
      });
      markDirty(button.closest("form"));
    });
  });

  /* The review form: an absent member has no rating and gets the absence reason opened. */
  document.addEventListener("change", function (event) {
    var input = event.target;
    var row = input.closest(".member-row");
    if (!row) return;
    if (input.name && /-present$/.test(input.name)) {
      row.classList.toggle("is-absent", !input.checked);
      if (!input.checked) {
        row.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
        var more = row.querySelector("details.row-more");
        if (more) more.open = true;
        var reason = row.querySelector("input[name$='-absence_reason']");
        if (reason) reason.focus();
      }
    } else if (input.name && /-(exemplary|criticised)$/.test(input.name) && input.checked) {
      var target = /exemplary$/.test(input.name) ? input.name + "_deed" : input.name.replace(/criticised$/, "criticism_note");
      var area = row.querySelector("textarea[name='" + target + "']");
      if (area) area.focus();
    }
  });

  /* Unsaved input: warn before leaving; never submit the same form twice. */
  var dirty = new WeakSet();
  function markDirty(form) {
    if (!form || !form.hasAttribute("data-dirty-guard")) return;
    dirty.add(form);
    var state = form.querySelector(".save-state");
    if (state && state.dataset.dirtyText) {
      state.textContent = state.dataset.dirtyText;
      state.classList.add("text-danger");
    }
  }
  document.addEventListener("input", function (event) { markDirty(event.target.closest("form")); });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting) { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    document.querySelectorAll("form[data-dirty-guard]").forEach(function (f) { dirty.delete(f); });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (f) { delete f.dataset.submitting; });
  });
  window.addEventListener("beforeunload", function (event) {
    var pending = Array.prototype.some.call(document.querySelectorAll("form[data-dirty-guard]"), function (f) {
      return dirty.has(f);
    });
    if (pending) { event.preventDefault(); event.returnValue = ""; }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-leave-ok]")) {
      document.querySelectorAll("form[data-dirty-guard]").forEach(function (f) { dirty.delete(f); });
    }
  });
})();
