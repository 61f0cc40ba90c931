"""WebSocket routes. Each live app (notifications now, chat later) adds its consumers here."""

from typing import Any

from django.urls import path

from alongside.safety.consumers import ModerationConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/moderation/", ModerationConsumer.as_asgi()),
]
