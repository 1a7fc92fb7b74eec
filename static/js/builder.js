// The builder's point buy: a stepper that cannot move (no point left for the next step, 8 or 15 reached) says so
// with aria-disabled and sends nothing (the server refuses such a step anyway); a score with a message is marked.
(function () {
  "use strict";

  function refresh() {
    var buy = document.getElementById("point-buy");
    var status = document.getElementById("points-left");
    if (!buy || !status) return;
    var costs = JSON.parse(buy.dataset.costs || "{}");
    var left = parseInt(status.dataset.left, 10);
    // A typed score keeps its field (what is typed stays); its answer marks or clears the field from its message.
    buy.querySelectorAll("input[type=number]").forEach(function (input) {
      var message = document.getElementById(input.id + "-error");
      if (message && message.textContent.trim()) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
    buy.querySelectorAll(".stepper-button").forEach(function (button) {
      var parts = button.value.split(":");
      var input = document.getElementById(parts[0]);
      var value = input ? parseInt(input.value, 10) : NaN;
      var stuck;
      if (parts[1] === "+1") {
        stuck = !(value in costs) || !((value + 1) in costs) || costs[value + 1] - costs[value] > left;
      } else {
        stuck = !(value in costs) || value <= 8;
      }
      if (stuck) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.getAttribute && elt.getAttribute("aria-disabled") === "true") event.preventDefault();
  });
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
