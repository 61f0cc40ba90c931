"""Fan-out over the channel layer, always after the transaction commits.

A change is first saved with its sequence number; only once the commit succeeded does
``publish`` hand it to the channel layer. If the broadcast is lost (a worker killed between
commit and send), nothing is lost for the reader: the next change, a reconnect or a
subscription catches up from the database by number. Broadcasts are an optimisation over
catch-up, never the record.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def conversation_group(conversation_id: int) -> str:
    return f"chat.c.{conversation_id}"


def user_group(user_id: int) -> str:
    return f"chat.u.{user_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the write is safe; readers catch up from the database
        logger.exception("Could not broadcast a chat event")


def publish_change(
    *, conversation_id: int, seq: int, message: dict[str, Any], only: int | None = None
) -> None:
    """After commit, send a numbered change. ``only`` limits who is shown it (the author of
    a held message); everyone else's connection just moves its number on."""
    event = {
        "type": "chat.change",
        "conversation": conversation_id,
        "seq": seq,
        "only": only,
        "message": message,
    }
    transaction.on_commit(lambda: _send(conversation_group(conversation_id), event))


def publish_ephemeral(*, conversation_id: int, event: dict[str, Any]) -> None:
    """Typing, read and presence nudges: not numbered, not caught up, lost without harm."""
    transaction.on_commit(lambda: _send(conversation_group(conversation_id), event))


def publish_to_user(*, user_id: int, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _send(user_group(user_id), event))
