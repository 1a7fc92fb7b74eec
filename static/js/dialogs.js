// The equip preview dialog: open it when htmx fills it, close it on Cancel, Escape or after a saved change.
(function () {
  "use strict";

  function dialogOf(element) {
    return element && element.closest ? element.closest("dialog") : null;
  }

  // A request sent from inside a dialog (its slot select) only refreshes it: when its answer lands after the
  // dialog was closed (Cancel while it was on its way), the dialog stays closed.
  var sentFromDialog = new WeakSet();
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (dialogOf(event.detail.elt)) sentFromDialog.add(event.detail.elt);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = dialogOf(event.detail.target);
    var sender = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (dialog && !dialog.open && !sentFromDialog.has(sender)) dialog.showModal();
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
