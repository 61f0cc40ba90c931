"""The live queue socket: moderators only, and queue changes reach the browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.routing import websocket_urlpatterns
from alongside.safety.live import MODERATION_GROUP, announce_queue_change

pytestmark = pytest.mark.django_db(transaction=True)
MakeUser = Callable[..., User]
PATH = "/ws/moderation/"


def _communicator(user: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), PATH)
    communicator.scope["user"] = user
    return communicator


async def _refused(user: Any) -> tuple[bool, Any]:
    communicator = _communicator(user)
    connected, code = await communicator.connect()
    await communicator.disconnect()
    return connected, code


@pytest.mark.parametrize("role", [Role.MEMBER, Role.PEER_SUPPORTER, Role.RESEARCHER])
def test_people_without_the_permission_are_refused(make_user: MakeUser, role: str) -> None:
    user = make_user("someone", role=role)
    connected, code = async_to_sync(_refused)(user)
    assert connected is False
    assert code == 4403


def test_anonymous_visitors_are_refused() -> None:
    connected, _code = async_to_sync(_refused)(AnonymousUser())
    assert connected is False


def test_an_inactive_moderator_is_refused(make_user: MakeUser) -> None:
    user = make_user("gone", role=Role.MODERATOR, is_active=False)
    connected, _code = async_to_sync(_refused)(user)
    assert connected is False


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMINISTRATOR])
def test_moderators_receive_queue_changes(make_user: MakeUser, role: str) -> None:
    user = make_user("watcher", role=role)

    async def run() -> dict[str, Any]:
        communicator = _communicator(user)
        connected, _code = await communicator.connect()
        assert connected
        await get_channel_layer().group_send(
            MODERATION_GROUP,
            {"type": "queue.changed", "item_id": 7, "tier": "urgent", "event": "new"},
        )
        message: dict[str, Any] = await communicator.receive_json_from(timeout=2)
        assert await communicator.receive_nothing()
        await communicator.disconnect()
        return message

    assert async_to_sync(run)() == {"event": "new", "item_id": 7, "tier": "urgent"}


def test_a_service_announcement_arrives_after_commit(make_user: MakeUser) -> None:
    user = make_user("watcher", role=Role.MODERATOR)

    def announce(commit: bool) -> None:
        try:
            with transaction.atomic():
                announce_queue_change(item_id=12, tier="review", event="resolved")
                if not commit:
                    raise RuntimeError("roll back")
        except RuntimeError:
            pass

    async def run() -> list[dict[str, Any]]:
        communicator = _communicator(user)
        connected, _code = await communicator.connect()
        assert connected
        await database_sync_to_async(announce)(False)
        assert await communicator.receive_nothing(timeout=0.3)
        await database_sync_to_async(announce)(True)
        received = [await communicator.receive_json_from(timeout=2)]
        await communicator.disconnect()
        return received

    assert async_to_sync(run)() == [{"event": "resolved", "item_id": 12, "tier": "review"}]


def test_messages_from_the_browser_are_ignored(make_user: MakeUser) -> None:
    user = make_user("watcher", role=Role.MODERATOR)

    async def run() -> bool:
        communicator = _communicator(user)
        await communicator.connect()
        await communicator.send_json_to({"event": "please delete everything"})
        quiet = await communicator.receive_nothing()
        await communicator.disconnect()
        return quiet

    assert async_to_sync(run)() is True
