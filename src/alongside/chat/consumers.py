"""``ws/chat/``: one connection per open page, carrying every conversation it subscribes to.

The protocol (``docs/realtime.md`` has it in full), client → server:

- ``{"type": "subscribe", "conversation": id, "after": n}``: join and receive every change
  numbered above ``n`` from the database, then live changes; answered with ``subscribed``
  and the room's state.
- ``send`` (with ``client_id``), ``edit``, ``delete``, ``react``, ``read``, ``typing``, ``ping``.

Server → client: ``message`` (a message's current state, with its numbers), ``ack`` or
``error`` for each ``send`` by ``client_id``, ``support`` (crisis resources for the author),
``typing``, ``read``, ``presence``, ``state``.

Each connection remembers the highest number it has passed on per conversation. A live change
numbered at or below it is dropped (it came already in the catch-up: no duplicates); one that
skips numbers makes the connection fetch the gap from the database first (no loss, whatever
order the channel layer delivered in). A consumer handles one event at a time, so a catch-up
is never interleaved with live changes.
"""

from __future__ import annotations

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from alongside.accounts.models import User
from alongside.chat import delivery, presence, selectors, services
from alongside.chat.models import Conversation
from alongside.safety.selectors.protection import ReaderFilter, blocked_ids, reader_filter

# Per connection: at most this many sends, edits and reactions in the window.
RATE_LIMIT = 30
RATE_WINDOW_SECONDS = 10.0


def _problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    if isinstance(error, (PermissionDenied, Http404)):
        return str(error) or "You can't do that here."
    return "Something went wrong."


class ChatConsumer(AsyncJsonWebsocketConsumer):
    user: User
    sent: dict[int, int]
    conversations: dict[int, Conversation]
    blocked: frozenset[int]
    filter: ReaderFilter | None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.user = user
        self.sent = {}
        self.conversations = {}
        self.actions: list[float] = []
        self.blocked, self.filter = await self._load_protection()
        await self.channel_layer.group_add(delivery.user_group(user.pk), self.channel_name)
        await self.accept()
        await database_sync_to_async(presence.mark_online)(user.pk)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "user"):
            return
        for conversation_id in list(self.conversations):
            await self.channel_layer.group_discard(
                delivery.conversation_group(conversation_id), self.channel_name
            )
        await self.channel_layer.group_discard(delivery.user_group(self.user.pk), self.channel_name)
        await database_sync_to_async(presence.mark_offline)(self.user.pk)

    @database_sync_to_async
    def _load_protection(self) -> tuple[frozenset[int], ReaderFilter]:
        return blocked_ids(self.user), reader_filter(self.user)

    # --- From the browser -------------------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        handler = {
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "send": self._send_message,
            "edit": self._edit,
            "delete": self._delete,
            "react": self._react,
            "read": self._read,
            "typing": self._typing,
            "ping": self._ping,
        }.get(str(kind))
        if handler is None:
            await self.send_json({"type": "error", "error": "Unknown request."})
            return
        try:
            await handler(content)
        except (
            ValidationError,
            PermissionDenied,
            Http404,
            KeyError,
            ValueError,
            TypeError,
        ) as error:
            await self.send_json(
                {
                    "type": "error",
                    "request": kind,
                    "client_id": content.get("client_id"),
                    "conversation": content.get("conversation"),
                    "error": _problem(error),
                }
            )

    def _rate_limited(self) -> bool:
        now = time.monotonic()
        self.actions = [t for t in self.actions if now - t < RATE_WINDOW_SECONDS]
        if len(self.actions) >= RATE_LIMIT:
            return True
        self.actions.append(now)
        return False

    async def _subscribe(self, content: dict[str, Any]) -> None:
        conversation_id = int(content["conversation"])
        after = max(0, int(content.get("after") or 0))
        conversation = await database_sync_to_async(selectors.access_conversation)(
            self.user, conversation_id
        )
        if conversation_id not in self.conversations:
            await self.channel_layer.group_add(
                delivery.conversation_group(conversation_id), self.channel_name
            )
        self.conversations[conversation_id] = conversation
        self.sent[conversation_id] = after
        await self._catch_up(conversation_id, upto=None)
        state, others = await database_sync_to_async(self._state_and_presence)(conversation)
        await self.send_json(
            {
                "type": "subscribed",
                "conversation": conversation_id,
                "seq": self.sent[conversation_id],
                "state": state,
                "participants": others,
            }
        )

    def _state_and_presence(
        self, conversation: Conversation
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        conversation.refresh_from_db()
        return (
            selectors.room_state(self.user, conversation),
            presence.participants_for(self.user, conversation),
        )

    async def _catch_up(self, conversation_id: int, *, upto: int | None) -> None:
        """Send everything numbered above what this connection has passed on (to ``upto``)."""
        conversation = self.conversations[conversation_id]
        while True:
            after = self.sent[conversation_id]
            batch = await database_sync_to_async(selectors.changes_after)(
                self.user, conversation, after, upto=upto
            )
            for payload in batch:
                await self._pass_on(payload)
                self.sent[conversation_id] = max(self.sent[conversation_id], payload["updated_seq"])
            if len(batch) < selectors.CATCH_UP_BATCH:
                break
        if upto is not None:
            self.sent[conversation_id] = max(self.sent[conversation_id], upto)

    async def _pass_on(self, payload: dict[str, Any]) -> None:
        author_id = payload.get("author_id")
        if author_id is not None and author_id in self.blocked and author_id != self.user.pk:
            return
        folded = ""
        if self.filter is not None and author_id is not None and not payload["removed"]:
            folded = self.filter.reason_for(
                author_id=author_id,
                body=payload["body"],
                content_warning=payload["content_warning"],
            )
        await self.send_json({"type": "message", "message": payload, "folded": folded})

    async def _unsubscribe(self, content: dict[str, Any]) -> None:
        conversation_id = int(content["conversation"])
        if self.conversations.pop(conversation_id, None) is not None:
            self.sent.pop(conversation_id, None)
            await self.channel_layer.group_discard(
                delivery.conversation_group(conversation_id), self.channel_name
            )

    def _subscribed(self, content: dict[str, Any]) -> Conversation:
        conversation = self.conversations.get(int(content["conversation"]))
        if conversation is None:
            raise ValidationError("Subscribe to the conversation first.")
        return conversation

    async def _send_message(self, content: dict[str, Any]) -> None:
        conversation = self._subscribed(content)
        if self._rate_limited():
            raise ValidationError("You're sending quickly; please wait a few seconds.")
        reply_to = content.get("reply_to")
        outcome = await database_sync_to_async(services.message_send)(
            author=self.user,
            conversation=conversation,
            body=str(content.get("body") or ""),
            client_id=str(content.get("client_id") or ""),
            reply_to_id=int(reply_to) if reply_to else None,
            content_warning=str(content.get("content_warning") or ""),
        )
        await self.send_json(
            {
                "type": "ack",
                "client_id": content.get("client_id"),
                "message": outcome.payload,
                "duplicate": outcome.duplicate,
            }
        )
        if outcome.notice is not None:
            await self.send_json(
                {
                    "type": "support",
                    "conversation": conversation.pk,
                    "notice": outcome.notice.as_dict(),
                }
            )

    async def _edit(self, content: dict[str, Any]) -> None:
        if self._rate_limited():
            raise ValidationError("You're sending quickly; please wait a few seconds.")
        message = await database_sync_to_async(selectors.access_message)(
            self.user, int(content["message"])
        )
        outcome = await database_sync_to_async(services.message_edit)(
            actor=self.user,
            message=message,
            body=str(content.get("body") or ""),
            content_warning=(
                None if content.get("content_warning") is None else str(content["content_warning"])
            ),
        )
        if outcome.notice is not None:
            await self.send_json(
                {
                    "type": "support",
                    "conversation": message.conversation_id,
                    "notice": outcome.notice.as_dict(),
                }
            )

    async def _delete(self, content: dict[str, Any]) -> None:
        message = await database_sync_to_async(selectors.access_message)(
            self.user, int(content["message"])
        )
        await database_sync_to_async(services.message_delete)(actor=self.user, message=message)

    async def _react(self, content: dict[str, Any]) -> None:
        if self._rate_limited():
            raise ValidationError("You're reacting quickly; please wait a few seconds.")
        message = await database_sync_to_async(selectors.access_message)(
            self.user, int(content["message"])
        )
        await database_sync_to_async(services.reaction_toggle)(
            user=self.user, message=message, kind=str(content.get("kind") or "")
        )

    async def _read(self, content: dict[str, Any]) -> None:
        conversation = self._subscribed(content)
        await database_sync_to_async(self._read_sync)(conversation, int(content.get("seq") or 0))

    def _read_sync(self, conversation: Conversation, seq: int) -> None:
        conversation.refresh_from_db(fields=["last_seq"])
        services.read_mark(user=self.user, conversation=conversation, seq=seq)

    async def _typing(self, content: dict[str, Any]) -> None:
        conversation = self._subscribed(content)
        await self.channel_layer.group_send(
            delivery.conversation_group(conversation.pk),
            {
                "type": "chat.typing",
                "conversation": conversation.pk,
                "user": self.user.pk,
                "handle": self.user.handle,
            },
        )

    async def _ping(self, content: dict[str, Any]) -> None:
        await database_sync_to_async(presence.mark_online)(self.user.pk)
        if content.get("conversation"):
            conversation = self._subscribed(content)
            others = await database_sync_to_async(presence.participants_for)(
                self.user, conversation
            )
            await self.send_json(
                {"type": "presence", "conversation": conversation.pk, "participants": others}
            )
        else:
            await self.send_json({"type": "pong"})

    # --- From the channel layer -------------------------------------------------------------

    async def chat_change(self, event: dict[str, Any]) -> None:
        conversation_id = event["conversation"]
        seq = event["seq"]
        if conversation_id not in self.sent:
            return
        passed = self.sent[conversation_id]
        if seq <= passed:
            return  # already sent in a catch-up
        if seq > passed + 1:
            # Numbers were skipped (held for someone else, or delivered out of order by the
            # channel layer): the database has the missing changes.
            await self._catch_up(conversation_id, upto=seq)
            return
        self.sent[conversation_id] = seq
        if event.get("only") not in (None, self.user.pk):
            return
        await self._pass_on(event["message"])

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["user"] == self.user.pk or event["user"] in self.blocked:
            return
        await self.send_json(
            {"type": "typing", "conversation": event["conversation"], "handle": event["handle"]}
        )

    async def chat_read(self, event: dict[str, Any]) -> None:
        if event["user"] == self.user.pk:
            return
        await self.send_json(
            {"type": "read", "conversation": event["conversation"], "seq": event["seq"]}
        )
