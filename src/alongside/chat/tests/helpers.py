"""Shared helpers for the chat tests: WebSocket clients speaking the chat protocol."""

from __future__ import annotations

from typing import Any

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from alongside.routing import websocket_urlpatterns

PATH = "/ws/chat/"


async def connect(user: Any) -> WebsocketCommunicator:
    """A connected chat socket for ``user`` (the session middleware is skipped)."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), PATH)
    communicator.scope["user"] = user
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def receive_until(
    communicator: WebsocketCommunicator, kind: str, *, timeout: float = 3
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Frames until one of ``kind`` arrives: (that frame, everything before it)."""
    before: list[dict[str, Any]] = []
    while True:
        frame: dict[str, Any] = await communicator.receive_json_from(timeout=timeout)
        if frame.get("type") == kind:
            return frame, before
        before.append(frame)


async def subscribe(
    communicator: WebsocketCommunicator, conversation_id: int, after: int = 0
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Subscribe and return (the ``subscribed`` frame, the caught-up message frames)."""
    await communicator.send_json_to(
        {"type": "subscribe", "conversation": conversation_id, "after": after}
    )
    return await receive_until(communicator, "subscribed")
