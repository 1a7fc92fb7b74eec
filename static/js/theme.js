// Apply the remembered theme before the first paint, so a dark page never flashes light.
(function () {
  try {
    var theme = localStorage.getItem("tavern-theme");
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  } catch (e) { /* storage may be disabled; the system preference applies */ }
})();
