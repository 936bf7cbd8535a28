// Case view: SLA countdown and macro insertion. No inline script anywhere (CSP script-src 'self');
// all user-visible words come from data-* attributes the server translated.
(function () {
  "use strict";

  function formatSpan(ms, el) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var parts = [];
    if (days) parts.push(days + " " + el.dataset.unitD);
    if (hours || days) parts.push(hours + " " + el.dataset.unitH);
    parts.push(mins + " " + el.dataset.unitM);
    return parts.join(" ");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-kv-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.kvDue);
      if (isNaN(due)) return;
      var left = due - now;
      var template = left > 0 ? el.dataset.labelLeft : el.dataset.labelOver;
      el.textContent = template.replace("%s", formatSpan(left, el));
      el.classList.toggle("kv-sla--breached", left <= 0);
      el.classList.toggle("kv-sla--soon", left > 0 && left < 60 * 60000);
    });
  }

  function insertAtCursor(field, text) {
    var start = field.selectionStart || 0;
    var end = field.selectionEnd || 0;
    var before = field.value.slice(0, start);
    var after = field.value.slice(end);
    field.value = before + text + after;
    var caret = start + text.length;
    field.focus();
    field.setSelectionRange(caret, caret);
  }

  function setupMacros() {
    var picker = document.querySelector(".kv-macro-picker");
    var field = document.getElementById("kv-reply");
    if (!picker || !field) return;
    picker.addEventListener("submit", function (event) {
      var select = picker.querySelector("select[name=macro]");
      if (!select || !window.fetch) return; // the plain GET reload still works
      event.preventDefault();
      var url = picker.dataset.kvMacroUrl + encodeURIComponent(select.value) + "/";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          insertAtCursor(field, data.text);
          var statusAfter = document.getElementById("kv-status-after");
          if (statusAfter && data.status_after) statusAfter.value = data.status_after;
          var gaps = document.getElementById("kv-macro-gaps");
          if (gaps) {
            var notes = [];
            if (data.unknown.length) notes.push(gaps.dataset.labelUnknown.replace("%s", data.unknown.join(", ")));
            if (data.missing.length) notes.push(gaps.dataset.labelMissing.replace("%s", data.missing.join(", ")));
            gaps.textContent = notes.join(" ");
          }
        })
        .catch(function () {
          picker.submit(); // fall back to the server-rendered reload
        });
    });
  }

  // Side actions (assign, status, corrections) reload the page: the text being written in the
  // reply or note editor is kept per case in sessionStorage (this tab only, gone when it closes)
  // and dropped when that editor's own form is sent.
  function setupDrafts() {
    var container = document.getElementById("kv-case");
    if (!container || !window.sessionStorage) return;
    ["kv-reply", "kv-note"].forEach(function (id) {
      var field = document.getElementById(id);
      if (!field) return;
      var key = "kv-draft:" + container.dataset.caseNumber + ":" + id;
      try {
        var saved = window.sessionStorage.getItem(key);
        if (saved && !field.value) field.value = saved;
        field.addEventListener("input", function () {
          window.sessionStorage.setItem(key, field.value);
        });
        if (field.form) {
          field.form.addEventListener("submit", function () {
            window.sessionStorage.removeItem(key);
          });
        }
      } catch (e) {
        /* storage disabled or full: drafts are a convenience only */
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 30000);
    setupDrafts();
    setupMacros();
  });
})();
