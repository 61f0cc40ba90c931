"""WebSocket routes. Each live app adds its consumers here."""

from typing import Any

from django.urls import path

from alongside.chat.consumers import ChatConsumer
from alongside.safety.consumers import ModerationConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/moderation/", ModerationConsumer.as_asgi()),
    path("ws/chat/", ChatConsumer.as_asgi()),
]
