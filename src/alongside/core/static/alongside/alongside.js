// Small progressive enhancements. Every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive actions marked with data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  // Copy buttons (invitation links, recovery codes).
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const source = document.getElementById(button.dataset.copy);
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent.trim());
        button.textContent = button.dataset.copied || "Copied";
      }
    });
  });
});

// Times in lists are rendered as dates (so the server can cache the rows); show them as
// "3 hours ago" in the reader's language where the browser can.
document.addEventListener("DOMContentLoaded", () => {
  if (!("RelativeTimeFormat" in Intl)) {
    return;
  }
  const format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "auto" });
  const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  document.querySelectorAll("time.relative-time").forEach((element) => {
    const seconds = (new Date(element.dateTime).getTime() - Date.now()) / 1000;
    if (Number.isNaN(seconds)) {
      return;
    }
    element.title = element.textContent.trim();
    const found = units.find(([, size]) => Math.abs(seconds) >= size);
    element.textContent = found
      ? format.format(Math.round(seconds / found[1]), found[0])
      : format.format(0, "minute");
  });
});
