"""WebSocket routes. Each live app (notifications now, chat later) adds its consumers here."""

from typing import Any

websocket_urlpatterns: list[Any] = []
