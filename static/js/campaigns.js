// Campaign dashboard: copy the invite link; keep the roster when its poll answers 304 (nothing changed).
(function () {
  "use strict";

  // A copy button does nothing without this script: it is shown once the script runs, and again in swapped content.
  function reveal() {
    document.querySelectorAll("[data-copy][hidden]").forEach(function (button) { button.hidden = false; });
  }
  reveal();
  document.addEventListener("htmx:afterSettle", reveal);

  // The roster polls with If-None-Match; a 304 has no body and must not replace what is on screen.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
    }
  });

  function announce(message, level) {
    document.body.dispatchEvent(new CustomEvent("toast", { bubbles: true, detail: { message: message, level: level || "success" } }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    var copied = function () { announce("Invite link copied."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(copied, function () {
        announce("Copy the selected link with Ctrl+C (⌘C).", "info");
      });
    } else {
      announce("Copy the selected link with Ctrl+C (⌘C).", "info");
    }
  });
})();
