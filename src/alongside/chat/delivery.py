"""Fan-out over the channel layer, always after the transaction commits.

A change is first saved with its sequence number; only once the commit succeeded does
``publish`` hand it to the channel layer. If the broadcast is lost (a worker killed between
commit and send), nothing is lost for the reader: the next change, a reconnect or a
subscription catches up from the database by number. Broadcasts are an optimisation over
catch-up, never the record.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
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
    loop = _serving_loop()
    if loop is not None:
        # Called from a consumer's database thread: hand the broadcast to the event loop and
        # return, rather than hold that thread (every connection's database work in this
        # process queues on it) until the loop gets round to sending.
        loop.call_soon_threadsafe(_broadcast_in_order, loop, layer, group, event)
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the write is safe; readers catch up from the database
        logger.exception("Could not broadcast a chat event")


def _serving_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop this thread works for (set by ``sync_to_async``), if any."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(
        SyncToAsync.threadlocal, "main_event_loop", None
    )
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


# Per event loop, the latest broadcast: each waits for the one before, so a process sends
# its changes in the order they committed (a reader then rarely has a gap to fill).
_latest: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def _broadcast_in_order(
    loop: asyncio.AbstractEventLoop, layer: Any, group: str, event: dict[str, Any]
) -> None:
    previous = _latest.get(loop)
    _latest[loop] = loop.create_task(_broadcast_after(previous, loop, layer, group, event))


async def _broadcast_after(
    previous: asyncio.Task[None] | None,
    loop: asyncio.AbstractEventLoop,
    layer: Any,
    group: str,
    event: dict[str, Any],
) -> None:
    try:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        await layer.group_send(group, event)
    except Exception:  # the write is safe; readers catch up from the database
        logger.exception("Could not broadcast a chat event")
    finally:
        if _latest.get(loop) is asyncio.current_task():
            del _latest[loop]


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
