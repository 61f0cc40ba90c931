// The live moderation queue. Without this file the queue page still works: reload it.
//
// A WebSocket (ws/moderation/) says when the queue changed; the page then fetches the list
// again from /moderation/?fragment=1 (the same permission-checked view) and swaps it in, and
// says so in an aria-live region. The socket reconnects with growing pauses; while it is
// down, the list is fetched every 20 seconds instead.
"use strict";

(() => {
  const POLL_MS = 20000;
  const MAX_BACKOFF_MS = 60000;

  const start = () => {
    const list = document.getElementById("queue-list");
    if (!list) {
      return;
    }
    const announcer = document.getElementById("queue-announcer");
    const status = document.getElementById("queue-live-status");
    const fragmentUrl = list.dataset.fragmentUrl;
    let socket = null;
    let backoff = 1000;
    let pollTimer = null;
    let fetching = false;
    let again = false;

    const setStatus = (text) => {
      if (status && text) {
        status.textContent = text;
        status.hidden = false;
      }
    };

    const announce = (text) => {
      if (!announcer || !text) {
        return;
      }
      // Clear first so the same words are read out again.
      announcer.textContent = "";
      window.setTimeout(() => {
        announcer.textContent = text;
      }, 50);
    };

    const refresh = async () => {
      if (fetching) {
        again = true;
        return;
      }
      fetching = true;
      try {
        const response = await fetch(fragmentUrl, {
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
        });
        if (response.ok) {
          const html = await response.text();
          // Keep focus where it was when the focused control is still in the new list.
          const focusedId = document.activeElement && document.activeElement.closest(".queue-item")
            ? document.activeElement.closest(".queue-item").dataset.itemId
            : null;
          list.innerHTML = html;
          if (focusedId) {
            const link = list.querySelector(`.queue-item[data-item-id="${focusedId}"] .queue-item-link`);
            if (link) {
              link.focus();
            }
          }
        }
      } catch (error) {
        // Offline for a moment; the next message or poll tries again.
      } finally {
        fetching = false;
        if (again) {
          again = false;
          refresh();
        }
      }
    };

    const startPolling = () => {
      if (pollTimer === null) {
        pollTimer = window.setInterval(refresh, POLL_MS);
        setStatus(list.dataset.textPolling);
      }
    };

    const stopPolling = () => {
      if (pollTimer !== null) {
        window.clearInterval(pollTimer);
        pollTimer = null;
      }
    };

    const connect = () => {
      if (!("WebSocket" in window)) {
        startPolling();
        return;
      }
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      try {
        socket = new WebSocket(`${scheme}//${window.location.host}${list.dataset.socketPath}`);
      } catch (error) {
        startPolling();
        return;
      }
      socket.addEventListener("open", () => {
        backoff = 1000;
        stopPolling();
        setStatus(list.dataset.textLive);
        refresh(); // anything that changed while we were away
      });
      socket.addEventListener("message", (event) => {
        let data = {};
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          data = {};
        }
        const urgent = data.tier === "urgent" && (data.event === "new" || data.event === "urgent" || data.event === "escalated");
        announce(urgent ? list.dataset.textUrgent : list.dataset.textChanged);
        refresh();
      });
      socket.addEventListener("close", (event) => {
        socket = null;
        startPolling();
        if (event.code === 4403) {
          return; // not allowed: polling (which the server also checks) is all we do
        }
        window.setTimeout(connect, backoff + Math.random() * 500);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      });
    };

    connect();
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
