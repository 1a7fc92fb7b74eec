// The character sheet's print button (inline handlers are forbidden by the CSP), and breakdowns opened for
// printing in browsers that print.css cannot reach, closed again afterwards.
(function () {
  "use strict";
  var opened = [];
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (details) {
      return !details.closest(".no-print");
    });
    opened.forEach(function (details) { details.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
