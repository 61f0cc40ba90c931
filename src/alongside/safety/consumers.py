"""The live moderation queue: open moderation pages hear when the queue changes.

Messages carry an event name, the item id and its tier, never content: the page fetches
the queue list again (through the normal, permission-checked view) to show what changed.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from alongside.accounts.access import has_permission
from alongside.safety.live import MODERATION_GROUP

MODERATE_CONTENT = "safety.moderate_content"


@database_sync_to_async
def _may_moderate(user: Any) -> bool:
    return has_permission(user, MODERATE_CONTENT)


class ModerationConsumer(AsyncJsonWebsocketConsumer):
    """``ws/moderation/``: signed-in moderators only; everyone else is closed at once."""

    joined = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not await _may_moderate(user):
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(MODERATION_GROUP, self.channel_name)
        self.joined = True
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.joined:
            await self.channel_layer.group_discard(MODERATION_GROUP, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The browser only listens; anything it sends is ignored."""

    async def queue_changed(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {
                "event": message.get("event", "changed"),
                "item_id": message.get("item_id"),
                "tier": message.get("tier"),
            }
        )
