// The print page's button: shown only when scripts run; without them the page says to use
// the browser's own Print.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
  for (const hint of document.querySelectorAll(".print-hint")) {
    hint.hidden = true;
  }
});
