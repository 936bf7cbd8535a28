/* Keyboard shortcuts for every staff page (loaded by workspace/base.html).

   Generic: an element with data-kv-key="r" is clicked when "r" is pressed (or focused, if it is a
   form field); its data-kv-help text labels it in the help overlay. Built in: j/k move between
   rows marked data-kv-row, Enter/o opens the current row (its data-href or first link), x ticks
   its data-kv-select checkbox, ? opens the help overlay. Keys are ignored while the user types in
   a field, and when Ctrl, Alt or Meta is held (browser and screen-reader shortcuts keep working).
   The overlay is a native <dialog> opened with showModal(): the rest of the page is inert (focus
   stays inside), Esc closes it, and focus returns to where it was. */
(function () {
  "use strict";

  var TEXT_INPUTS = /^(text|search|email|number|password|tel|url|date|datetime-local|month|time|week)$/;
  var BUILTIN = { j: true, k: true, o: true, x: true, "?": true, Enter: true };

  function isTypingTarget(el) {
    if (!el || el.nodeType !== 1) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && TEXT_INPUTS.test(el.type || "text");
  }

  function isField(el) {
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function isUsable(el) {
    if (el.disabled || el.closest("[hidden], [inert], dialog:not([open])")) return false;
    return el.getClientRects().length > 0;
  }

  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-kv-row]"), isUsable);
  }

  function currentIndex(list) {
    var active = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("[data-kv-row]") : null;
    var marked = document.querySelector("[data-kv-row].kv-current");
    var row = active || marked;
    return row ? list.indexOf(row) : -1;
  }

  function moveTo(index) {
    var list = rows();
    if (!list.length) return;
    var target = list[Math.max(0, Math.min(list.length - 1, index))];
    list.forEach(function (row) {
      row.classList.remove("kv-current");
      row.removeAttribute("aria-current");
    });
    target.classList.add("kv-current");
    target.setAttribute("aria-current", "true");
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    var index = currentIndex(list);
    moveTo(index < 0 ? (step > 0 ? 0 : list.length - 1) : index + step);
  }

  function currentRow() {
    var list = rows();
    var index = currentIndex(list);
    return index < 0 ? null : list[index];
  }

  function openRow(row) {
    var href = row.getAttribute("data-href");
    if (!href) {
      var link = row.querySelector("a[href]");
      href = link ? link.getAttribute("href") : null;
    }
    if (href) window.location.assign(href);
  }

  function labelOf(el) {
    return el.getAttribute("data-kv-help") || el.getAttribute("aria-label") ||
      (el.textContent || "").replace(/\s+/g, " ").trim() || el.getAttribute("title") || "";
  }

  function fillHelp(dialog) {
    var list = dialog.querySelector("[data-kv-shortcut-list]");
    if (!list) return;
    list.querySelectorAll("[data-kv-page-key]").forEach(function (row) { row.remove(); });
    var hasRows = rows().length > 0;
    list.querySelectorAll("[data-kv-needs-rows]").forEach(function (row) { row.hidden = !hasRows; });
    var seen = {};
    document.querySelectorAll("[data-kv-key]").forEach(function (el) {
      var key = el.getAttribute("data-kv-key");
      if (!key || seen[key] || dialog.contains(el) || !isUsable(el)) return;
      seen[key] = true;
      var tr = document.createElement("tr");
      tr.setAttribute("data-kv-page-key", "");
      var keyCell = document.createElement("td");
      var kbd = document.createElement("kbd");
      kbd.textContent = key;
      keyCell.appendChild(kbd);
      var labelCell = document.createElement("td");
      labelCell.textContent = labelOf(el);  // textContent: page text never becomes markup
      tr.appendChild(keyCell);
      tr.appendChild(labelCell);
      list.appendChild(tr);
    });
  }

  var returnFocus = null;

  function openHelp() {
    var dialog = document.getElementById("kv-shortcuts");
    if (!dialog || dialog.open || typeof dialog.showModal !== "function") return;
    fillHelp(dialog);
    returnFocus = document.activeElement;
    dialog.showModal();
    var close = dialog.querySelector("[data-kv-close]");
    if (close) close.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.closest("[data-kv-help-open]")) {
      event.preventDefault();
      openHelp();
      return;
    }
    var dialog = target.closest("#kv-shortcuts");
    if (dialog && (target.closest("[data-kv-close]") || target === dialog)) {
      // A click on the dialog element itself is a click on the backdrop.
      dialog.close();
    }
  });

  document.addEventListener("close", function (event) {
    if (event.target && event.target.id === "kv-shortcuts" && returnFocus && returnFocus.focus) {
      returnFocus.focus();
      returnFocus = null;
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector("dialog[open]")) return;  // the dialog handles its own keys (Esc)
    var target = event.target;
    if (isTypingTarget(target)) return;
    var key = event.key;

    if (BUILTIN[key]) {
      if (key === "?") { event.preventDefault(); openHelp(); return; }
      if (key === "j") { event.preventDefault(); move(1); return; }
      if (key === "k") { event.preventDefault(); move(-1); return; }
      var row = currentRow();
      if (!row) {
        if (key === "Enter") return;  // Enter keeps its normal meaning outside rows
      } else if (key === "x") {
        var box = row.querySelector("[data-kv-select]");
        if (box) { event.preventDefault(); box.click(); }
        return;
      } else if (key === "o" || (key === "Enter" && target === row)) {
        // Enter on a link or button inside the row keeps its own meaning.
        event.preventDefault();
        openRow(row);
        return;
      }
      if (key === "Enter") return;
    }

    var candidates = document.querySelectorAll("[data-kv-key]");
    for (var i = 0; i < candidates.length; i += 1) {
      var el = candidates[i];
      if (el.getAttribute("data-kv-key") !== key || !isUsable(el)) continue;
      event.preventDefault();
      if (isField(el)) {
        el.focus();
      } else {
        el.click();
      }
      return;
    }
  });

  // For other scripts (live updates insert rows; tests): move the cursor to a row.
  window.kvShortcuts = { moveTo: moveTo, openHelp: openHelp };
})();
