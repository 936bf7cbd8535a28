/*
 * Live updates for the staff pages (no inline script: loaded as a static file, CSP script-src 'self').
 *
 * Contract with the templates (all optional, data attributes only):
 *   <tbody data-kv-live-inbox            (or B1's <tbody data-kv-rows>)
 *          data-kv-row-url="{% url 'workspace:case-row' 0 %}"   (the trailing /0/ is replaced by the id)
 *          data-kv-view-params="view=mine&…"                     (default: the page's query string)
 *          data-kv-live-new="{% translate 'Neues Anliegen {number}' %}"
 *          data-kv-live-gone="{% translate 'Anliegen {number} nicht mehr in dieser Ansicht' %}">
 *     <tr data-kv-case-id="17">…</tr>     (or data-case-id="17")
 *   </tbody>
 *   → hints for visible cases re-fetch the row: 200 inserts (new, at the top) or replaces it,
 *     204 removes it. New rows get the class "kv-live-new" and are announced in a polite live region.
 *
 *   <section data-kv-live-case="17"> … <p data-kv-live-notice hidden>Neue Nachricht – neu laden</p>
 *   → a hint for that case un-hides the notice and announces its text.
 *
 *   <div data-kv-live-watch> … <p data-kv-live-notice hidden>Neue Änderungen – neu laden</p>
 *   → (pages without rows, e.g. the team overview) any hint un-hides the notice, once.
 *
 *   <div data-kv-live-region aria-live="polite" role="status"></div>   (created if missing)
 *
 * Every staff page holding this script opens /ws/inbox/ (or /ws/cases/<id>/), which also keeps the
 * user's presence; heartbeat every 30 s, reconnect with backoff (1 s doubling to 30 s), no reconnect
 * after 4403 (logged out, no longer staff, case not visible). After a reconnect the shown rows are
 * re-fetched and "kv:live-reconnected" is dispatched on document. Events: "kv:live-row" (a row was
 * inserted or replaced), "kv:live-case" (a hint on the case view), both with the hint as detail.
 */
(function () {
  "use strict";

  var HEARTBEAT_MS = 30000;
  var MAX_BACKOFF_MS = 30000;
  var FINAL_CODES = { 4403: true };

  function liveRegion() {
    var region = document.querySelector("[data-kv-live-region]");
    if (region) {
      return region;
    }
    region = document.createElement("div");
    region.setAttribute("data-kv-live-region", "");
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.className = "kv-visually-hidden visually-hidden";
    // Visually hidden but read by screen readers (CSSOM, not a style attribute: CSP-safe).
    var s = region.style;
    s.position = "absolute";
    s.width = "1px";
    s.height = "1px";
    s.overflow = "hidden";
    s.clip = "rect(0 0 0 0)";
    s.whiteSpace = "nowrap";
    document.body.appendChild(region);
    return region;
  }

  function announce(text) {
    if (!text) {
      return;
    }
    var region = liveRegion();
    // Clear first so that the same text twice is announced twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function format(template, hint) {
    return template.replace("{number}", hint.number || "");
  }

  function rowUrl(container, caseId) {
    var template = container.getAttribute("data-kv-row-url") || "/inbox/row/0/";
    var url = template.replace(/\/0\/?$/, "/" + encodeURIComponent(caseId) + "/");
    var params = container.getAttribute("data-kv-view-params");
    if (params === null) {
      params = window.location.search.replace(/^\?/, "");
    }
    return params ? url + "?" + params : url;
  }

  var INBOX_SELECTOR = "[data-kv-live-inbox], tbody[data-kv-rows]";

  function findRow(container, caseId) {
    var id = String(Number(caseId));
    return container.querySelector('[data-kv-case-id="' + id + '"], [data-case-id="' + id + '"]');
  }

  function parseRow(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function updateInbox(container, hint, quiet) {
    var existing = findRow(container, hint.case_id);
    return fetch(rowUrl(container, hint.case_id), {
      credentials: "same-origin",
      headers: { "HX-Request": "true", Accept: "text/html" },
    }).then(function (response) {
      if (response.status === 204 || response.status === 404) {
        if (existing) {
          existing.remove();
          if (!quiet) {
            announce(format(container.getAttribute("data-kv-live-gone") ||
              "Anliegen {number} nicht mehr in dieser Ansicht", hint));
          }
        }
        return;
      }
      if (!response.ok) {
        return;
      }
      return response.text().then(function (html) {
        var row = parseRow(html);
        if (!row) {
          return;
        }
        if (!row.hasAttribute("data-kv-case-id") && !row.hasAttribute("data-case-id")) {
          row.setAttribute("data-kv-case-id", String(hint.case_id));
        }
        var current = findRow(container, hint.case_id); // may have changed meanwhile
        if (current) {
          current.replaceWith(row);
        } else {
          row.classList.add("kv-live-new");
          container.insertBefore(row, container.firstElementChild);
          announce(format(container.getAttribute("data-kv-live-new") || "Neues Anliegen {number}", hint));
        }
        if (window.htmx) {
          window.htmx.process(row);
        }
        container.dispatchEvent(new CustomEvent("kv:live-row", { bubbles: true, detail: hint }));
      });
    }).catch(function () {
      /* network hiccup: the next hint or a reload brings the row */
    });
  }

  function showCaseNotice(container, hint) {
    var notice = container.querySelector("[data-kv-live-notice]");
    if (notice && notice.hidden) {
      notice.hidden = false;
      announce(notice.textContent.trim());
    }
    container.dispatchEvent(new CustomEvent("kv:live-case", { bubbles: true, detail: hint }));
  }

  function connect() {
    var caseContainer = document.querySelector("[data-kv-live-case]");
    var path = caseContainer
      ? "/ws/cases/" + encodeURIComponent(caseContainer.getAttribute("data-kv-live-case")) + "/"
      : "/ws/inbox/";
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var backoff = 1000;
    var heartbeat = null;
    var openedBefore = false;

    function open() {
      var socket = new WebSocket(scheme + window.location.host + path);
      socket.addEventListener("open", function () {
        backoff = 1000;
        if (openedBefore) {
          catchUp();
        }
        openedBefore = true;
        document.documentElement.setAttribute("data-kv-live", "connected");
        heartbeat = window.setInterval(function () {
          if (socket.readyState === WebSocket.OPEN) {
            socket.send(JSON.stringify({ type: "heartbeat" }));
          }
        }, HEARTBEAT_MS);
      });
      socket.addEventListener("message", function (event) {
        var hint;
        try {
          hint = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        if (!hint || hint.type !== "case") {
          return;
        }
        // Looked up per hint: htmx swaps the inbox table when filters change.
        var inbox = document.querySelector(INBOX_SELECTOR);
        var watch = document.querySelector("[data-kv-live-watch]");
        if (caseContainer) {
          showCaseNotice(caseContainer, hint);
        } else if (inbox) {
          updateInbox(inbox, hint);
        } else if (watch) {
          showCaseNotice(watch, hint);
        }
      });
      socket.addEventListener("close", function (event) {
        window.clearInterval(heartbeat);
        document.documentElement.setAttribute("data-kv-live", "disconnected");
        if (FINAL_CODES[event.code]) {
          return;
        }
        window.setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      });
    }

    // After a reconnect, hints sent meanwhile are lost: bring the shown rows up to date and tell
    // the page (the inbox may reload its list and counts on "kv:live-reconnected").
    function catchUp() {
      var inbox = document.querySelector(INBOX_SELECTOR);
      if (inbox) {
        var rows = inbox.querySelectorAll("[data-kv-case-id], [data-case-id]");
        Array.prototype.forEach.call(rows, function (row) {
          var id = row.getAttribute("data-kv-case-id") || row.getAttribute("data-case-id");
          updateInbox(inbox, { type: "case", case_id: Number(id), kind: "", number: "" }, true);
        });
      }
      document.dispatchEvent(new CustomEvent("kv:live-reconnected"));
    }

    open();
  }

  // Once per page, even if a template includes the script twice.
  if (!("WebSocket" in window) || window.kvLiveStarted) {
    return;
  }
  window.kvLiveStarted = true;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
