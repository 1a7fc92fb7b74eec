// Small behaviours shared by every page: theme toggle, toasts, focus after swaps, disabled buttons.
(function () {
  "use strict";

  function currentTheme() {
    var set = document.documentElement.dataset.theme;
    if (set) return set;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-theme-toggle]");
    if (toggle) {
      var next = currentTheme() === "dark" ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      try { localStorage.setItem("tavern-theme", next); } catch (e) { /* ignore */ }
      return;
    }
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var toast = dismiss.closest("[data-toast]");
      if (toast) toast.remove();
    }
  });

  function autoDismiss(root) {
    (root || document).querySelectorAll("[data-toast]:not([data-timed])").forEach(function (toast) {
      toast.dataset.timed = "1";
      if (toast.getAttribute("role") === "alert") return; // errors stay until dismissed
      setTimeout(function () { toast.remove(); }, 6000);
    });
  }

  function showToast(message, level) {
    var region = document.getElementById("toasts");
    if (!region || !message) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "success");
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    toast.dataset.toast = "";
    var text = document.createElement("p");
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "icon-button";
    close.dataset.dismiss = "";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    toast.append(text, close);
    region.append(toast);
    autoDismiss(region);
  }

  // Servers announce outcomes with `HX-Trigger: {"toast": {"message": "...", "level": "success"}}`.
  document.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    showToast(detail.message || detail.value, detail.level);
  });

  // The bar at the top of the page runs while any request does, whichever element sent it and wherever its own
  // indicator is (a folded filter panel's spinner cannot be seen).
  var running = 0;
  function loading(change) {
    running = Math.max(0, running + change);
    document.body.classList.toggle("is-loading", running > 0);
  }
  document.addEventListener("htmx:beforeSend", function () { loading(1); });
  document.addEventListener("htmx:afterRequest", function () { loading(-1); });

  // The control a request was sent from, by id: a swap that replaces it (a row's stepper, the equip dialog's slot)
  // would leave focus on the page's body, and a keyboard user would start again from the top.
  var sentFrom = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    sentFrom = active && active !== document.body ? active.id || null : null;
  });

  // After a swap, move focus to what the person needs next: the first invalid field (in a refused radio group,
  // the choice that was refused), else the control the request came from when the swap took focus away from it,
  // else a marked element. Focus already inside the new content stays (htmx gives it back to a control that kept
  // its id, as the equip dialog's slot does): a person changing a select with the arrow keys goes on from there.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt;
    if (!root || !root.querySelector) return;
    var active = document.activeElement;
    var lost = !active || active === document.body;
    var within = !lost && root !== active && root.contains(active);
    var again = lost && sentFrom ? document.getElementById(sentFrom) : null;
    if (again && again.disabled) again = null;
    var target = root.querySelector("[aria-invalid='true']:checked") || root.querySelector("[aria-invalid='true']") ||
      again || (within ? null : root.querySelector("[data-autofocus]"));
    if (target) target.focus({ preventScroll: false });
    autoDismiss(document.getElementById("toasts"));
  });

  // A field marked invalid stops looking invalid once what is in it would pass: a check box or radio answers its
  // whole group, a text field must pass its own constraints. The server checks again on submit.
  function clearInvalid(event) {
    var field = event.target;
    if (!field.matches || !field.matches("input, select, textarea")) return;
    if (field.type === "radio" || field.type === "checkbox") {
      var scope = field.closest("fieldset") || field.form;
      if (!scope) return;
      var marked = scope.querySelectorAll("[aria-invalid='true']");
      marked.forEach(function (other) { if (other.name === field.name) other.removeAttribute("aria-invalid"); });
      if (marked.length) scope.querySelectorAll(".field-error").forEach(function (error) { error.hidden = true; });
      return;
    }
    if (field.getAttribute("aria-invalid") !== "true" || !field.checkValidity()) return;
    field.removeAttribute("aria-invalid");
    var message = document.getElementById(field.id + "-error");
    if (message) message.hidden = true;
  }
  document.addEventListener("input", clearInvalid);
  document.addEventListener("change", clearInvalid);

  document.addEventListener("htmx:sendError", function () {
    showToast("We could not reach Tavern. Check your connection and try again.", "error");
  });

  // Disclosures that fold only on phones (the header's menu, the compendium's filters): open from 640 px, where
  // CSS lays them out as they are; folded again when the window narrows. Escape or a click elsewhere folds the
  // menu and gives focus back to its toggle.
  var wide = window.matchMedia("(min-width: 640px)");
  function navMenu() { return document.querySelector("[data-nav-menu]"); }
  function fitWide(changed) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      if (wide.matches || changed === true) details.open = wide.matches;
    });
  }
  if (wide.addEventListener) wide.addEventListener("change", function () { fitWide(true); });
  document.addEventListener("keydown", function (event) {
    var menu = navMenu();
    if (event.key !== "Escape" || !menu || !menu.open || wide.matches) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", function (event) {
    var menu = navMenu();
    if (menu && menu.open && !wide.matches && !menu.contains(event.target)) menu.open = false;
  });

  document.addEventListener("DOMContentLoaded", function () { fitWide(false); autoDismiss(document); });
})();
