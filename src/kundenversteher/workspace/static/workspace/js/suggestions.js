// Reply suggestions (case view): "Einfügen" appends the suggestion's text to the reply editor
// and focuses it. The panel is loaded by htmx after the page, so clicks are delegated from the
// document. No inline script (CSP script-src 'self'); the announced words come from data-*.
(function () {
  "use strict";

  function insert(button) {
    var source = document.getElementById(button.getAttribute("data-kv-insert"));
    var field = document.getElementById("kv-reply");
    if (!source || !field) return;
    var text = source.textContent;
    // Append, never replace: what the agent has typed so far stays; a blank line separates.
    var current = field.value.replace(/\s+$/, "");
    field.value = current ? current + "\n\n" + text : text;
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
    field.scrollTop = field.scrollHeight;
    // case.js keeps the draft per case on "input"; a programmatic change fires none by itself.
    field.dispatchEvent(new Event("input", { bubbles: true }));
    var status = document.getElementById("kv-suggestion-status");
    if (status) status.textContent = status.getAttribute("data-label-inserted") || "";
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-kv-insert]") : null;
    if (!button) return;
    event.preventDefault();
    insert(button);
  });
})();
