// Posts folded by a member's own settings (muted words, content warnings they fold away)
// open only when the member asks. Browsers also open a closed <details> by themselves, for
// find-in-page or a link to a piece of text; this closes it again unless the member clicked
// (or pressed Enter or Space on) its summary. Without this file the fold still works.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("details[data-keep-closed]").forEach((details) => {
    const summary = details.querySelector(":scope > summary");
    if (!summary) {
      return;
    }
    let asked = false;
    summary.addEventListener("click", () => {
      asked = true;
    });
    details.addEventListener("toggle", () => {
      if (details.open && !asked) {
        details.open = false;
      }
      asked = false;
    });
  });
});
