/* Inbox behaviour: "select all", the selected-count, and showing only the parameter field the
   chosen bulk action needs. Event delegation on document, so rows swapped in by htmx or inserted
   by live updates work without re-binding. Without JavaScript every control still submits. */
(function () {
  "use strict";

  function bulkForm() { return document.querySelector("[data-kv-bulk]"); }

  function updateCount() {
    var form = bulkForm();
    if (!form) return;
    var boxes = form.querySelectorAll("[data-kv-select]");
    var checked = form.querySelectorAll("[data-kv-select]:checked").length;
    var counter = form.querySelector("[data-kv-bulk-count]");
    if (counter) {
      var text = form.getAttribute("data-kv-selected-text") || "{n}";
      counter.textContent = text.replace("{n}", String(checked));
    }
    var all = form.querySelector("[data-kv-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
  }

  function updateParams() {
    var form = bulkForm();
    if (!form) return;
    var action = form.querySelector("[data-kv-bulk-action]");
    var chosen = action ? action.value : "";
    form.querySelectorAll("[data-kv-bulk-param]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kv-bulk-param") !== chosen;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.matches("[data-kv-select-all]")) {
      var form = bulkForm();
      if (form) {
        form.querySelectorAll("[data-kv-select]").forEach(function (box) {
          box.checked = target.checked;
        });
      }
      updateCount();
    } else if (target.matches("[data-kv-select]")) {
      updateCount();
    } else if (target.matches("[data-kv-bulk-action]")) {
      updateParams();
    }
  });

  // The bulk form's controls must not trigger the filter form's htmx "change" (they are separate
  // forms, so they do not); after htmx replaced the results, refresh the derived state.
  document.addEventListener("htmx:afterSwap", function () { updateCount(); updateParams(); });
  document.addEventListener("DOMContentLoaded", function () { updateCount(); updateParams(); });
})();
