"""Live updates for moderators over the channel layer.

Services call ``announce_queue_change`` inside their transaction; the message goes out only
after the commit, so a moderator's screen never shows an item that was rolled back. Every
open moderation page joins ``MODERATION_GROUP`` (see ``consumers.ModerationConsumer``) and
reloads its queue list when told something changed.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

MODERATION_GROUP = "moderation"

logger = logging.getLogger(__name__)


def _send(message: dict[str, object]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(MODERATION_GROUP, message)
    except Exception:  # a live nudge must never break the write that caused it
        logger.exception("Could not send a live moderation update")


def announce_queue_change(*, item_id: int, tier: str, event: str = "changed") -> None:
    """After commit, tell open moderation pages that the queue changed.

    ``event`` is "new", "changed", "escalated" or "acknowledged"; the message carries ids and
    the tier only, never content.
    """
    message: dict[str, object] = {
        "type": "queue.changed",
        "item_id": item_id,
        "tier": tier,
        "event": event,
    }
    transaction.on_commit(lambda: _send(message))
