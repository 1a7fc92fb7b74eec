// The equip preview dialog: open it when htmx fills it, close it on Cancel, Escape or after a saved change.
(function () {
  "use strict";

  function dialogOf(element) {
    return element && element.closest ? element.closest("dialog") : null;
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = dialogOf(event.detail.target);
    if (dialog && !dialog.open) dialog.showModal();
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-dialog]");
    var dialog = dialogOf(close);
    if (dialog) {
      event.preventDefault();
      dialog.close();
    }
  });

  // The server announces a saved equipment change with `HX-Trigger: {"equip-done": null}`.
  document.addEventListener("equip-done", function () {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) { dialog.close(); });
  });
})();
