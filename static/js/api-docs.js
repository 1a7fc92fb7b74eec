// "Try it" on the API reference: runs a GET with the visitor's own session and shows the JSON.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-api-try]");
    if (!form) return;
    event.preventDefault();
    var output = form.querySelector("output");
    output.textContent = "Loading…";
    fetch(form.getAttribute("action"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.text().then(function (text) {
          var pretty = text;
          try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
          output.textContent = response.status + " " + response.statusText + "\n" + pretty;
        });
      })
      .catch(function () { output.textContent = "The request failed. Check your connection."; });
  });
})();
