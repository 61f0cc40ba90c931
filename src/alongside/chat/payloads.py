"""The JSON shape of a message, the same for the WebSocket, the API and the page's script.

Built once per change by the service that made it and fanned out as it is; each receiving
connection only decides whether to pass it on (see ``consumers``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from alongside.chat.models import Message, MessageReaction
from alongside.communities.models import ModerationState

EXCERPT_CHARS = 80

NOTICE_TEXT = {
    "contact_warning": lambda: _(
        "A message here looked like a request to swap contact details or move off Alongside, "
        "so a moderator will look at it first. Please keep conversations on Alongside: it's "
        "how we keep each other safe. If anything here worries you, use Leave and report."
    ),
    "slow_mode_on": lambda: _("The facilitator turned on slow mode."),
    "slow_mode_off": lambda: _("The facilitator turned off slow mode."),
    "rules_pinned": lambda: _("The facilitator pinned the ground rules."),
    "session_ended": lambda: _("The facilitator ended the session. Thank you for coming."),
    "session_reopened": lambda: _("The facilitator opened the room again."),
    "participant_muted": lambda: _("The facilitator paused someone's messages for this session."),
    "message_removed": lambda: _("The facilitator removed a message."),
    "left": lambda: _("Someone left the conversation."),
}


def notice_text(code: str) -> str:
    make = NOTICE_TEXT.get(code)
    return str(make()) if make is not None else ""


def reactions_by_message(message_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """{message id: {kind: [handles]}} in one query."""
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        MessageReaction.objects.filter(message_id__in=list(message_ids))
        .order_by("id")
        .values_list("message_id", "kind", "user__handle")
    )
    for message_id, kind, handle in rows:
        found[message_id][kind].append(handle)
    return {key: dict(value) for key, value in found.items()}


def _reply_summary(message: Message) -> dict[str, Any] | None:
    original = message.reply_to
    if original is None:
        return None
    visible = original.deleted_at is None and original.moderation_state == "published"
    text = original.body if visible else ""
    return {
        "id": original.pk,
        "author": original.author.handle if original.author else "",
        "excerpt": text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else ""),
    }


def message_payload(
    message: Message, reactions: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Everything a client needs to show the message as it is now.

    Removed and hidden messages keep their place with no text: moderators read them in the
    moderation queue, not in the conversation.
    """
    removed = message.deleted_at is not None or message.moderation_state == ModerationState.HIDDEN
    body = "" if removed else message.body
    if message.kind == Message.Kind.NOTICE:
        body = notice_text(message.notice_code)
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "updated_seq": message.updated_seq,
        "kind": message.kind,
        "notice_code": message.notice_code,
        "author": message.author.handle if message.author else None,
        "author_id": message.author_id,
        "client_id": message.client_id,
        "body": body,
        "content_warning": "" if removed else message.content_warning,
        "reply_to": _reply_summary(message),
        "state": message.moderation_state,
        "removed": removed,
        "removed_by_author": message.deleted_at is not None
        and message.deleted_by_id == message.author_id,
        "edited": message.edited_at is not None,
        "created_at": message.created_at.isoformat(),
        "reactions": reactions or {},
    }


def payloads(messages: list[Message]) -> list[dict[str, Any]]:
    reactions = reactions_by_message(message.pk for message in messages)
    return [message_payload(message, reactions.get(message.pk)) for message in messages]
