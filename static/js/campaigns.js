// Campaign dashboard and table: copy the invite link; keep the roster when it answers 304 (nothing changed); the live
// log (no entry twice, "Live" while the stream is up); a party refresh keeps what the person had open or typed.
(function () {
  "use strict";

  // A copy button does nothing without this script: it is shown once the script runs, and again in swapped content.
  function reveal() {
    document.querySelectorAll("[data-copy][hidden]").forEach(function (button) { button.hidden = false; });
  }
  reveal();
  document.addEventListener("htmx:afterSettle", reveal);

  // The roster asks with If-None-Match; a 304 has no body and must not replace what is on screen.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
    }
  });

  // An entry can reach the page twice: from the stream and from a refresh of the log after the person's own action.
  var ENTRY_ID = /\bid="(event-[0-9a-f-]+)"/;
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var found = ENTRY_ID.exec(event.detail.data || "");
    if (found && document.getElementById(found[1])) event.preventDefault();
  });
  document.addEventListener("htmx:sseMessage", function (event) {
    var list = event.target;
    if (!list || !list.querySelectorAll) return;
    list.querySelectorAll(".log-empty").forEach(function (empty) { empty.remove(); });
    var entry = list.querySelector(".event");
    if (entry) entry.classList.add("event-new");
  });

  function liveBadges(shown) {
    document.querySelectorAll("[data-live]").forEach(function (badge) { badge.hidden = !shown; });
  }
  document.addEventListener("htmx:sseOpen", function () { liveBadges(true); });
  document.addEventListener("htmx:sseError", function () { liveBadges(false); });
  document.addEventListener("htmx:sseClose", function () { liveBadges(false); });

  // The party is drawn again whenever someone in it changes: what this person had opened stays open, and what they
  // were typing stays typed (unless the answer is to their own form, which says how it went).
  var kept = null;
  function isParty(element) { return element && (element.id === "party" || element.id === "roster"); }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!isParty(target) || !event.detail.shouldSwap) { kept = null; return; }
    var refresh = event.detail.requestConfig && event.detail.requestConfig.verb === "get";
    kept = { open: [], values: {} };
    target.querySelectorAll("details[data-keep-open][open]").forEach(function (details) { kept.open.push(details.id); });
    if (refresh) {
      target.querySelectorAll("details[data-keep-open] :is(input[type=number], input[type=text], select)").forEach(function (field) {
        if (field.id) kept.values[field.id] = field.value;
      });
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!kept) return;
    var found = kept;
    kept = null;
    found.open.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) details.open = true;
    });
    Object.keys(found.values).forEach(function (id) {
      var field = document.getElementById(id);
      if (field && field.getAttribute("aria-invalid") !== "true") field.value = found.values[id];
    });
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
