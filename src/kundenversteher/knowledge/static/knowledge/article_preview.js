// Live preview for the article editor: posts the Markdown to the admin's preview endpoint and
// shows the returned HTML, which the server has already rendered and sanitised (nh3).
(function () {
  "use strict";
  function init() {
    var textarea = document.querySelector("textarea.kb-markdown");
    var preview = document.getElementById("kb-preview");
    if (!textarea || !preview) {
      return;
    }
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var sequence = 0;
    function refresh() {
      var mine = ++sequence;
      var body = new URLSearchParams();
      body.append("body_markdown", textarea.value);
      fetch(preview.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf ? csrf.value : "" },
        body: body,
      })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          if (mine === sequence) {  // an older, slower answer must not overwrite a newer one
            preview.innerHTML = html;
          }
        })
        .catch(function () {});
    }
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    });
    refresh();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
