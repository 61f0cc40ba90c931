// Live chat. Every chat page works without this file: the conversation page shows its
// messages and its form sends them (then reloads). With it, the page talks to ws/chat/:
//
// - It subscribes with the highest change number already on the page, so the server sends
//   only what is newer; messages are "upserted" by id, and a copy whose number is not higher
//   than the one shown is ignored, so nothing ever shows twice.
// - Sending keeps each message in an outbox (and in sessionStorage, so a reload keeps it)
//   until the server acknowledges it. Each carries its own id (client_id); sending it again
//   after a dropped connection cannot make a second copy, because the server knows the id.
// - The connection comes back by itself (1 s, doubling to 30 s) and catches up from the
//   highest number seen.
//
// Member text is only ever set with textContent, never as HTML.
"use strict";

(() => {
  const MIN_BACKOFF_MS = 1000;
  const MAX_BACKOFF_MS = 30000;
  const TYPING_EVERY_MS = 3000;
  const TYPING_SHOWN_MS = 5000;
  const PING_EVERY_MS = 30000;
  const READ_DELAY_MS = 500;
  const LIST_SUBSCRIPTIONS = 30;
  // Notices after which the room's state (open, slow mode) is fetched again.
  const STATE_NOTICES = new Set(["slow_mode_on", "slow_mode_off", "session_ended", "session_reopened", "rules_pinned", "participant_muted"]);

  /** "%(name)s" placeholders in translated text, filled in. */
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? String(values[key]) : match));

  const newClientId = () => {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  /**
   * A WebSocket that reconnects by itself. handlers: open(), frame(data), close(event).
   * Returns { send(frame) -> bool, isOpen() }.
   */
  const liveSocket = (path, handlers) => {
    let socket = null;
    let backoff = MIN_BACKOFF_MS;
    let timer = null;
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";

    const later = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };

    function connect() {
      timer = null;
      try {
        socket = new WebSocket(`${scheme}//${window.location.host}${path}`);
      } catch (error) {
        socket = null;
        later();
        return;
      }
      socket.addEventListener("open", () => {
        backoff = MIN_BACKOFF_MS;
        handlers.open();
      });
      socket.addEventListener("message", (event) => {
        let data = null;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (data && typeof data === "object") {
          handlers.frame(data);
        }
      });
      socket.addEventListener("close", (event) => {
        socket = null;
        handlers.close(event);
        if (event.code !== 4401) {
          later(); // 4401: not signed in any more; reloading the page will say so
        }
      });
    }

    // Back online: try at once rather than waiting out the backoff.
    window.addEventListener("online", () => {
      if (socket === null && timer !== null) {
        backoff = MIN_BACKOFF_MS;
        window.clearTimeout(timer);
        connect();
      }
    });
    connect();
    return {
      isOpen: () => socket !== null && socket.readyState === WebSocket.OPEN,
      send(frame) {
        if (socket === null || socket.readyState !== WebSocket.OPEN) {
          return false;
        }
        socket.send(JSON.stringify(frame));
        return true;
      },
    };
  };

  // --- One conversation ----------------------------------------------------------------------

  const startConversation = (root) => {
    const conversationId = Number(root.dataset.conversationId);
    const me = Number(root.dataset.userId);
    const myHandle = root.dataset.userHandle || "";
    const text = root.dataset; // the page's translated words: text.textSending and so on
    const list = document.getElementById("chat-messages");
    const outboxList = document.getElementById("chat-outbox");
    const form = document.getElementById("composer");
    const box = form ? form.querySelector("textarea[name=body]") : null;
    const warningInput = form ? form.querySelector("input[name=content_warning]") : null;
    const replyInput = document.getElementById("chat-reply-to");
    const replying = document.getElementById("chat-replying");
    const typingLine = document.getElementById("chat-typing");
    const connectionLine = document.getElementById("chat-connection");
    const stateLine = document.getElementById("chat-state");
    const messageTemplate = document.getElementById("chat-message-template");
    const earliest = Number(root.dataset.earliestSeq) || 0;
    const hasEarlier = root.dataset.hasEarlier === "true";
    const editMinutes = Number(root.dataset.editMinutes) || 0;
    const canFacilitate = root.dataset.canFacilitate === "true";
    const storageKey = `alongside.chat.outbox.${conversationId}`;

    let highest = Number(root.dataset.after) || 0; // the highest change number seen
    let subscribed = false;
    let everSubscribed = false;
    let lastTypingSent = 0;
    let readSent = 0;
    let readTimer = null;
    let seenSeq = 0;
    const typists = new Map(); // handle -> timer

    // The outbox: messages written here that the server has not acknowledged yet.
    // state: "sending" (sent, waiting for ack), "offline" (waiting for the connection),
    // "failed" (the server refused it; error says why).
    const loadOutbox = () => {
      try {
        const saved = JSON.parse(window.sessionStorage.getItem(storageKey) || "[]");
        return Array.isArray(saved) ? saved : [];
      } catch (error) {
        return [];
      }
    };
    // After a reload, what the page already shows has arrived; the rest waits to be sent.
    const onPage = (clientId) => list.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`) !== null;
    let outbox = loadOutbox()
      .filter((entry) => entry && entry.client_id && !onPage(entry.client_id))
      .map((entry) => (entry.state === "failed" ? entry : { ...entry, state: "offline" }));
    const saveOutbox = () => {
      try {
        if (outbox.length) {
          window.sessionStorage.setItem(storageKey, JSON.stringify(outbox));
        } else {
          window.sessionStorage.removeItem(storageKey);
        }
      } catch (error) {
        // Private browsing or full storage: the outbox still works until a reload.
      }
    };

    const socket = liveSocket(root.dataset.socketPath, { open: onOpen, frame: onFrame, close: onClose });

    // --- Building a message element from its payload (the same markup as _message.html)

    const setHidden = (element, hidden) => {
      if (element) {
        element.hidden = hidden;
      }
    };

    // The page's language, in the reader's own variant of it where the browser has one
    // ("en" page, "en-GB" browser: 21 Nov 2026, 20:09).
    const pageLanguage = document.documentElement.lang || "";
    const locale = (navigator.languages || []).find((each) => pageLanguage && each.startsWith(pageLanguage)) || pageLanguage || undefined;
    const timeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
    const formatTime = (iso) => {
      const date = new Date(iso);
      if (Number.isNaN(date.getTime())) {
        return "";
      }
      return timeFormat.format(date);
    };

    const fillReactions = (element, message) => {
      const reactionForm = element.querySelector(".chat-react-form");
      if (!reactionForm) {
        return;
      }
      const open = !message.removed && message.state === "published";
      reactionForm.hidden = !open;
      if (!open) {
        reactionForm.remove();
        return;
      }
      reactionForm.action = `${root.dataset.messagesUrl}${message.id}/react/`;
      reactionForm.querySelectorAll("button[name=kind]").forEach((button) => {
        const handles = (message.reactions || {})[button.value] || [];
        button.setAttribute("aria-pressed", handles.includes(myHandle) ? "true" : "false");
        button.title = handles.join(", ");
        button.querySelector(".chat-reaction-count").textContent = handles.length ? ` ${handles.length}` : "";
      });
    };

    const fillActions = (element, message, own) => {
      const published = !message.removed && message.state === "published";
      const base = `${root.dataset.messagesUrl}${message.id}`;
      const reply = element.querySelector(".chat-action-reply");
      if (reply) {
        reply.hidden = !published || !form;
        const link = reply.querySelector("a");
        link.href = `?reply_to=${message.id}#composer`;
        link.dataset.replyTo = String(message.id);
        link.dataset.replyAuthor = message.author || "";
      }
      const age = Date.now() - new Date(message.created_at).getTime();
      const edit = element.querySelector(".chat-action-edit");
      edit.hidden = !(own && !message.removed && age <= editMinutes * 60000);
      edit.querySelector("a").href = `${base}/edit/`;
      const remove = element.querySelector(".chat-action-delete");
      remove.hidden = !(!message.removed && (own || canFacilitate));
      remove.querySelector("a").href = `${base}/delete/`;
    };

    const fold = (content, message, reason) => {
      const details = document.getElementById("chat-fold-template").content.firstElementChild.cloneNode(true);
      details.querySelector(".chat-fold-reason").textContent = reason === "content_warning"
        ? `${text.textFoldedWarning} ${message.content_warning}`
        : document.getElementById("chat-muted-text").content.textContent.trim();
      content.replaceWith(details);
      details.append(content);
    };

    const buildMessage = (message, folded) => {
      const element = messageTemplate.content.firstElementChild.cloneNode(true);
      const own = message.author_id === me;
      element.id = `message-${message.id}`;
      element.dataset.messageId = String(message.id);
      element.dataset.seq = String(message.seq);
      element.dataset.updatedSeq = String(message.updated_seq);
      if (message.author_id) {
        element.dataset.authorId = String(message.author_id);
      }
      if (own && message.client_id) {
        element.dataset.clientId = message.client_id;
      }
      element.classList.toggle("is-own", own);
      if (message.kind === "notice") {
        const notice = document.createElement("p");
        notice.className = "chat-notice";
        notice.textContent = message.body;
        element.classList.add("is-notice");
        element.replaceChildren(notice);
        return element;
      }
      element.querySelector(".chat-author").textContent = message.author || "";
      const time = element.querySelector("time");
      time.dateTime = message.created_at;
      time.textContent = formatTime(message.created_at);
      setHidden(element.querySelector(".chat-edited"), !(message.edited && !message.removed));
      if (!own || root.dataset.kind !== "direct") {
        element.querySelector(".chat-seen").remove(); // "Seen" is for one's own, in one-to-ones
      }
      const content = element.querySelector(".chat-content");
      if (message.removed) {
        element.classList.add("is-removed");
        const removed = element.querySelector(".chat-removed");
        removed.hidden = false;
        if (message.removed_by_author) {
          removed.textContent = text.textRemovedByAuthor;
        }
        content.remove();
        return element;
      }
      element.querySelector(".chat-removed").remove();
      const held = message.state === "held";
      element.classList.toggle("is-held", held);
      setHidden(content.querySelector(".chat-held"), !(held && own));
      const replyTo = content.querySelector(".chat-reply-to");
      if (message.reply_to) {
        replyTo.hidden = false;
        replyTo.querySelector("a").href = `#message-${message.reply_to.id}`;
        replyTo.querySelector(".chat-reply-author").textContent = message.reply_to.author;
        replyTo.querySelector(".chat-reply-excerpt").textContent = message.reply_to.excerpt;
        setHidden(replyTo.querySelector(".chat-reply-excerpt-wrap"), !message.reply_to.excerpt);
      }
      const body = content.querySelector(".chat-body");
      body.textContent = message.body;
      if (message.content_warning && folded !== "content_warning") {
        const details = document.createElement("details");
        details.className = "content-warning";
        const summary = document.createElement("summary");
        summary.textContent = `${text.textContentWarning} ${message.content_warning}`;
        body.replaceWith(details);
        details.append(summary, body);
      }
      fillReactions(element, message);
      fillActions(element, message, own);
      if (folded) {
        fold(content, message, folded);
      }
      return element;
    };

    // --- Putting messages on the page

    const removeFromOutbox = (clientId) => {
      if (!clientId) {
        return;
      }
      const before = outbox.length;
      outbox = outbox.filter((entry) => entry.client_id !== clientId);
      if (outbox.length !== before) {
        saveOutbox();
        renderOutbox();
      }
    };

    /** Show a message, or its newer state; returns true if it is new to the page. */
    const upsert = (message, folded) => {
      highest = Math.max(highest, message.updated_seq || 0);
      if (message.author_id === me) {
        removeFromOutbox(message.client_id);
      }
      const existing = list.querySelector(`[data-message-id="${message.id}"]`);
      if (existing && Number(existing.dataset.updatedSeq) >= message.updated_seq) {
        return false; // already showing this state or a newer one
      }
      if (!existing && hasEarlier && message.seq < earliest) {
        return false; // older than this page: "Earlier messages" shows it
      }
      const element = buildMessage(message, folded);
      if (existing) {
        element.classList.toggle("is-new", existing.classList.contains("is-new"));
        existing.replaceWith(element);
        markSeen(seenSeq);
        return false;
      }
      const empty = document.getElementById("chat-empty");
      if (empty) {
        empty.remove();
      }
      const rows = Array.from(list.querySelectorAll(":scope > [data-message-id]"));
      const after = rows.reverse().find((row) => Number(row.dataset.seq) < message.seq);
      if (after) {
        after.after(element);
      } else {
        list.prepend(element);
      }
      return true;
    };

    // In a one-to-one, "Seen" under the latest of my messages the other person has read.
    const markSeen = (seq) => {
      seenSeq = Math.max(seenSeq, seq || 0);
      if (root.dataset.kind !== "direct" || !seenSeq) {
        return;
      }
      let shown = false;
      const mine = Array.from(list.querySelectorAll(".chat-message.is-own[data-message-id]")).reverse();
      mine.forEach((element) => {
        const seen = element.querySelector(".chat-seen");
        if (!seen) {
          return;
        }
        const show = !shown && Number(element.dataset.seq) <= seenSeq;
        seen.hidden = !show;
        shown = shown || show;
      });
    };

    // --- The outbox

    const renderOutbox = () => {
      outboxList.replaceChildren(...outbox.map((entry) => {
        const item = document.createElement("li");
        item.className = "chat-message is-own is-pending";
        item.dataset.clientId = entry.client_id;
        const body = document.createElement("p");
        body.className = "chat-body";
        body.textContent = entry.body;
        const status = document.createElement("p");
        status.className = "chat-status";
        status.setAttribute("role", "status");
        if (entry.state === "failed") {
          item.classList.add("is-failed");
          status.textContent = `${text.textFailed} ${entry.error || ""}`.trim();
          status.append(actionButton(text.textRetry, () => retry(entry.client_id)));
        } else {
          status.textContent = entry.state === "offline" ? text.textOffline : text.textSending;
        }
        if (entry.state !== "sending") {
          status.append(actionButton(text.textDiscard, () => removeFromOutbox(entry.client_id), true));
        }
        item.append(body, status);
        return item;
      }));
    };

    const actionButton = (label, onClick, secondary) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      if (secondary) {
        button.className = "button-secondary";
      }
      button.addEventListener("click", onClick);
      return button;
    };

    const transmit = (entry) => {
      entry.state = subscribed && socket.send({
        type: "send",
        conversation: conversationId,
        client_id: entry.client_id,
        body: entry.body,
        content_warning: entry.content_warning || "",
        reply_to: entry.reply_to || null,
      }) ? "sending" : "offline";
    };

    const retry = (clientId) => {
      const entry = outbox.find((each) => each.client_id === clientId);
      if (entry) {
        transmit(entry); // the same client_id: if it did arrive after all, the server says so
        saveOutbox();
        renderOutbox();
      }
    };

    const flushOutbox = () => {
      outbox.filter((entry) => entry.state === "offline").forEach(transmit);
      saveOutbox();
      renderOutbox();
    };

    const clearReply = () => {
      if (replyInput) {
        replyInput.value = "";
      }
      setHidden(replying, true);
    };

    // --- Frames from the server

    function onOpen() {
      socket.send({ type: "subscribe", conversation: conversationId, after: highest });
    }

    function onClose() {
      subscribed = false;
      root.dataset.connected = "false";
      outbox.forEach((entry) => {
        if (entry.state === "sending") {
          entry.state = "offline";
        }
      });
      saveOutbox();
      renderOutbox();
      if (everSubscribed) {
        connectionLine.textContent = text.textReconnecting;
        connectionLine.hidden = false;
      }
    }

    function onFrame(frame) {
      if (frame.conversation !== undefined && frame.conversation !== null && Number(frame.conversation) !== conversationId) {
        return;
      }
      const handler = handlers[frame.type];
      if (handler) {
        handler(frame);
      }
    }

    const handlers = {
      subscribed(frame) {
        subscribed = true;
        everSubscribed = true;
        root.dataset.connected = "true"; // for people's tools and tests: the page is live
        highest = Math.max(highest, frame.seq || 0);
        connectionLine.hidden = true;
        applyState(frame.state);
        showPresence(frame.participants);
        flushOutbox();
        scheduleRead();
      },
      message(frame) {
        const message = frame.message;
        const isNew = upsert(message, frame.folded || "");
        if (isNew && message.author_id !== me) {
          scheduleRead();
          // Sending moves the sender's read mark too (the server does the same), so a
          // reply means they have seen what came before it.
          if (message.kind === "member") {
            markSeen(message.seq);
          }
        }
        if (message.kind === "notice" && STATE_NOTICES.has(message.notice_code) && subscribed) {
          // Ask again: the answer carries the room's new state.
          socket.send({ type: "subscribe", conversation: conversationId, after: highest });
        }
      },
      ack(frame) {
        if (frame.message) {
          upsert(frame.message, "");
        }
        removeFromOutbox(frame.client_id);
      },
      error(frame) {
        const entry = frame.client_id ? outbox.find((each) => each.client_id === frame.client_id) : null;
        if (!entry) {
          connectionLine.textContent = frame.error || "";
          connectionLine.hidden = !frame.error;
          return;
        }
        entry.state = "failed";
        entry.error = frame.error || "";
        if (box && !box.value.trim()) {
          box.value = entry.body; // back in the composer, ready to change and send again
          if (warningInput && entry.content_warning) {
            warningInput.value = entry.content_warning;
          }
        }
        saveOutbox();
        renderOutbox();
      },
      support(frame) {
        showSupport(frame.notice || {});
      },
      typing(frame) {
        showTyping(frame.handle);
      },
      read(frame) {
        markSeen(Number(frame.seq));
      },
      presence(frame) {
        showPresence(frame.participants);
      },
      state(frame) {
        applyState(frame.state);
      },
    };

    // --- Read marks, typing, presence, the room's state

    const scheduleRead = () => {
      if (document.visibilityState !== "visible" || highest <= readSent) {
        return;
      }
      window.clearTimeout(readTimer);
      readTimer = window.setTimeout(() => {
        if (subscribed && highest > readSent && socket.send({ type: "read", conversation: conversationId, seq: highest })) {
          readSent = highest;
        }
      }, READ_DELAY_MS);
    };
    document.addEventListener("visibilitychange", scheduleRead);

    const renderTyping = () => {
      const handles = Array.from(typists.keys());
      typingLine.textContent = handles.length ? format(text.textTyping, { handle: handles.join(", ") }) : "";
    };

    const showTyping = (handle) => {
      if (!handle) {
        return;
      }
      window.clearTimeout(typists.get(handle));
      typists.set(handle, window.setTimeout(() => {
        typists.delete(handle);
        renderTyping();
      }, TYPING_SHOWN_MS));
      renderTyping();
    };

    const showPresence = (participants) => {
      const line = document.getElementById("chat-presence");
      if (!line || !Array.isArray(participants)) {
        return;
      }
      const other = participants.find((each) => each.handle === line.dataset.handle);
      if (!other || other.online === null || other.online === undefined) {
        line.hidden = true;
        return;
      }
      line.hidden = false;
      line.textContent = other.online ? line.dataset.textOnline : line.dataset.textOffline;
      if (root.dataset.kind === "direct" && other.last_read_seq) {
        markSeen(other.last_read_seq);
      }
    };

    // The page says how the room was when it was rendered; this line says what changed since.
    const initialOpen = root.dataset.initialOpen !== "false";
    const initialSlow = Number(root.dataset.initialSlow) || 0;
    const applyState = (state) => {
      if (!state || !stateLine) {
        return;
      }
      const slow = Number(state.slow_mode_seconds) || 0;
      let note = "";
      if (state.open === false) {
        note = initialOpen ? text.textClosed : "";
      } else if (!initialOpen) {
        note = text.textOpenAgain;
      }
      if (state.open !== false && slow !== initialSlow) {
        const slowNote = slow ? format(text.textSlow, { seconds: slow }) : text.textSlowOff;
        note = note ? `${note} ${slowNote}` : slowNote;
      }
      stateLine.textContent = note;
      stateLine.hidden = !note;
    };

    // Crisis resources, shown at once when the server says a message of mine worried it.
    const showSupport = (notice) => {
      const slot = document.getElementById("chat-support-slot");
      const panel = document.getElementById("chat-support-template").content.firstElementChild.cloneNode(true);
      const crisis = notice.tier === "urgent" || notice.tier === "review";
      if (!crisis && !notice.held && !(notice.info_cards || []).length) {
        return;
      }
      const lines = panel.querySelector(".support-lines");
      (notice.lines || []).forEach((line) => {
        const item = document.getElementById("chat-support-line").content.firstElementChild.cloneNode(true);
        item.querySelector(".chat-line-name").textContent = line.name || "";
        if (line.phone) {
          item.querySelector(".chat-line-phone").hidden = false;
          item.querySelector(".chat-line-phone .tel").textContent = line.phone;
        }
        if (line.text) {
          item.querySelector(".chat-line-text").hidden = false;
          item.querySelector(".chat-line-text strong").textContent = line.text;
        }
        if (line.hours) {
          item.querySelector(".chat-line-hours").hidden = false;
          item.querySelector(".chat-line-hours").textContent = ` (${line.hours})`;
        }
        lines.append(item);
      });
      if (notice.emergency) {
        panel.querySelector(".chat-support-emergency").hidden = false;
        panel.querySelector(".chat-support-emergency .tel").textContent = notice.emergency;
      }
      panel.querySelector(".chat-support-staffed").hidden = notice.staffed === false;
      panel.querySelector(".chat-support-unstaffed").hidden = notice.staffed !== false;
      if (!crisis) {
        panel.querySelector("#chat-support-heading").remove();
        panel.querySelector(".chat-support-crisis").remove();
        panel.setAttribute("aria-labelledby", "chat-support-held-heading");
      }
      if (notice.held) {
        const held = panel.querySelector(".chat-support-held");
        held.hidden = false;
        const reasons = held.querySelector(".chat-support-held-reasons");
        (notice.held_reasons || []).forEach((reason) => {
          reasons.append(` ${format(text.textHeldBecause, { reason })}`);
        });
      }
      (notice.info_cards || []).forEach((card) => {
        const block = document.createElement("div");
        block.className = "info-card";
        const title = document.createElement("h3");
        title.textContent = card.title || "";
        const body = document.createElement("p");
        body.textContent = card.body || "";
        block.append(title, body);
        panel.querySelector(".chat-support-close").before(block);
      });
      panel.querySelector(".chat-support-close").addEventListener("click", () => panel.remove());
      slot.replaceChildren(panel);
    };

    // --- The composer and the message controls

    if (form && box) {
      form.addEventListener("submit", (event) => {
        if (!everSubscribed) {
          return; // never connected: the form posts the usual way
        }
        event.preventDefault();
        if (!box.value.trim()) {
          box.focus();
          return;
        }
        const entry = {
          client_id: newClientId(),
          body: box.value,
          content_warning: warningInput ? warningInput.value : "",
          reply_to: replyInput && replyInput.value ? Number(replyInput.value) : null,
          state: "offline",
          error: "",
        };
        outbox.push(entry);
        box.value = "";
        if (warningInput) {
          warningInput.value = "";
        }
        clearReply();
        transmit(entry);
        saveOutbox();
        renderOutbox();
        box.focus();
      });
      box.addEventListener("input", () => {
        const now = Date.now();
        if (subscribed && box.value.trim() && now - lastTypingSent >= TYPING_EVERY_MS) {
          lastTypingSent = now;
          socket.send({ type: "typing", conversation: conversationId });
        }
      });
      const cancel = document.getElementById("chat-reply-cancel");
      if (cancel) {
        cancel.addEventListener("click", (event) => {
          event.preventDefault();
          clearReply();
        });
      }
    }

    list.addEventListener("click", (event) => {
      const link = event.target.closest(".chat-reply-link");
      if (!link || !replyInput || !box) {
        return;
      }
      event.preventDefault();
      replyInput.value = link.dataset.replyTo;
      document.getElementById("chat-replying-author").textContent = link.dataset.replyAuthor || "";
      setHidden(replying, false);
      box.focus();
    });

    // Reactions go over the socket when it is up (the form posts the usual way otherwise).
    list.addEventListener("submit", (event) => {
      const reactionForm = event.target.closest(".chat-react-form");
      const button = event.submitter;
      if (!reactionForm || !button || !subscribed) {
        return;
      }
      const element = reactionForm.closest("[data-message-id]");
      if (socket.send({ type: "react", message: Number(element.dataset.messageId), kind: button.value })) {
        event.preventDefault();
      }
    });

    window.setInterval(() => {
      if (subscribed) {
        socket.send({ type: "ping", conversation: conversationId });
      }
    }, PING_EVERY_MS);

    renderOutbox();
  };

  // --- The list of conversations: unread counts go up as messages arrive -----------------------

  const startList = (listElement) => {
    const me = Number(listElement.dataset.userId);
    const rows = new Map();
    listElement.querySelectorAll("[data-conversation-id]").forEach((row, index) => {
      if (index < LIST_SUBSCRIPTIONS) {
        rows.set(Number(row.dataset.conversationId), { row, seen: Number(row.dataset.lastSeq) || 0, counted: new Set() });
      }
    });
    if (!rows.size) {
      return;
    }
    const bump = (entry) => {
      const badge = entry.row.querySelector(".chat-unread");
      const count = (Number(badge.dataset.count) || 0) + 1;
      badge.dataset.count = String(count);
      badge.textContent = String(count);
      badge.setAttribute("aria-label", `${count} ${listElement.dataset.textUnread || ""}`.trim());
      badge.hidden = false;
      entry.row.classList.add("is-unread");
    };
    let answered = 0;
    const socket = liveSocket(listElement.dataset.socketPath, {
      open() {
        answered = 0;
        rows.forEach((entry, conversationId) => {
          socket.send({ type: "subscribe", conversation: conversationId, after: entry.seen });
        });
      },
      frame(frame) {
        if (frame.type === "subscribed" && ++answered === rows.size) {
          listElement.dataset.connected = "true"; // every row is live
        }
        const message = frame.type === "message" ? frame.message : null;
        const entry = message ? rows.get(Number(message.conversation)) : null;
        if (!entry) {
          return;
        }
        entry.seen = Math.max(entry.seen, message.updated_seq || 0);
        const counts = message.kind === "member" && message.author_id !== me && !message.removed && message.state === "published";
        if (counts && !entry.counted.has(message.id)) {
          entry.counted.add(message.id);
          bump(entry);
        }
      },
      close() {
        listElement.dataset.connected = "false";
      },
    });
  };

  const start = () => {
    const conversation = document.getElementById("chat");
    if (conversation && conversation.dataset.live === "true" && "WebSocket" in window) {
      startConversation(conversation);
    }
    const conversations = document.getElementById("chat-list");
    if (conversations && "WebSocket" in window) {
      startList(conversations);
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
