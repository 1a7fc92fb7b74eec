// Quantity steppers: − and + change the number beside them within its bounds and send the row's form at once.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-step]");
    if (!button || button.disabled) return;
    var input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input || !input.form) return;
    var low = Number(input.min) || 1;
    var high = Number(input.max) || 9999;
    var current = Number(input.value) || low;
    var next = Math.min(high, Math.max(low, current + Number(button.dataset.step)));
    if (next === current) return;
    input.value = String(next);
    input.form.requestSubmit();
  });
})();
