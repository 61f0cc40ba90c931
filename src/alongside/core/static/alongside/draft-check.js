// Draft-time support: when what a member is writing reads as if they may be at risk, show
// crisis lines beside the box before they post. Posting works the same without this file,
// and drafts are not stored by the server.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!csrf || !window.fetch) {
    return;
  }
  document.querySelectorAll("textarea[data-draft-check]").forEach((box) => {
    const panel = document.createElement("div");
    panel.className = "card support-panel is-crisis draft-support";
    panel.hidden = true;
    panel.setAttribute("role", "status");
    box.insertAdjacentElement("afterend", panel);
    let timer = null;
    let lastChecked = "";
    box.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => check(box, panel), 1200);
    });

    async function check() {
      const text = box.value.trim();
      if (text.length < 12 || text === lastChecked) {
        return;
      }
      lastChecked = text;
      try {
        const response = await fetch("/api/v1/screening/draft", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf.value },
          body: JSON.stringify({ text }),
        });
        if (!response.ok) {
          return;
        }
        show(await response.json());
      } catch (error) {
        // Offline or refused: the nudge is optional, posting is unaffected.
      }
    }

    function show(result) {
      if (!result.show_support) {
        return; // once shown, it stays: it is support, not a warning light
      }
      panel.replaceChildren();
      const heading = document.createElement("p");
      const strong = document.createElement("strong");
      strong.textContent = "It sounds like things are really hard right now.";
      heading.append(strong);
      const intro = document.createElement("p");
      intro.textContent = "You can post this: people here want to hear it. If you are thinking about ending your life or hurting yourself, you can also talk to someone now:";
      const list = document.createElement("ul");
      list.className = "list-plain support-lines";
      result.lines.forEach((line) => {
        const item = document.createElement("li");
        const name = document.createElement("strong");
        name.textContent = line.name;
        item.append(name);
        if (line.phone) item.append(` · call ${line.phone}`);
        if (line.text) item.append(` · text ${line.text}`);
        list.append(item);
      });
      const more = document.createElement("a");
      more.href = result.get_help_url;
      more.textContent = "More ways to get help now";
      panel.append(heading, intro, list, more);
      panel.hidden = false;
    }
  });
});
