"""Delivery over the chat socket: live, then caught up after a drop, never twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from alongside.accounts.models import User
from alongside.chat import services
from alongside.chat.models import Conversation
from alongside.chat.tests.helpers import connect, receive_until, subscribe

pytestmark = pytest.mark.django_db(transaction=True)
MakeUser = Callable[..., User]


@pytest.fixture
def pair(make_user: MakeUser) -> tuple[User, User, Conversation]:
    first = make_user("ash_tree")
    second = make_user("birch_path", role="peer_supporter")
    conversation = services.direct_open(initiator=second, recipient=first)
    return first, second, conversation


def _send(author: User, conversation: Conversation, body: str, client_id: str = "") -> Any:
    return services.message_send(
        author=author, conversation=conversation, body=body, client_id=client_id
    )


def test_a_message_reaches_the_other_person_live(pair: tuple[User, User, Conversation]) -> None:
    first, second, conversation = pair

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        sender = await connect(first)
        receiver = await connect(second)
        await subscribe(sender, conversation.pk)
        await subscribe(receiver, conversation.pk)
        await sender.send_json_to(
            {
                "type": "send",
                "conversation": conversation.pk,
                "client_id": "c-1",
                "body": "Thanks for checking in, today was a bit better.",
            }
        )
        ack, _before = await receive_until(sender, "ack")
        delivered, _before = await receive_until(receiver, "message")
        await sender.disconnect()
        await receiver.disconnect()
        return ack, delivered

    ack, delivered = async_to_sync(run)()
    assert ack["client_id"] == "c-1"
    assert delivered["message"]["id"] == ack["message"]["id"]
    assert delivered["message"]["body"] == "Thanks for checking in, today was a bit better."
    assert delivered["message"]["author"] == "ash_tree"


def test_a_reconnecting_client_gets_what_it_missed_exactly_once(
    pair: tuple[User, User, Conversation],
) -> None:
    first, second, conversation = pair
    _send(first, conversation, "First message before the drop.")

    async def run() -> list[int]:
        receiver = await connect(second)
        _subscribed, caught = await subscribe(receiver, conversation.pk)
        seen = [frame["message"]["seq"] for frame in caught]
        await receiver.disconnect()
        for number in range(3):
            await database_sync_to_async(_send)(first, conversation, f"While away {number}.")
        again = await connect(second)
        _subscribed, caught = await subscribe(again, conversation.pk, after=max(seen))
        seen += [frame["message"]["seq"] for frame in caught]
        assert await again.receive_nothing(timeout=0.3)
        await again.disconnect()
        return seen

    assert async_to_sync(run)() == [1, 2, 3, 4]


def test_sending_the_same_client_id_twice_makes_one_message(
    pair: tuple[User, User, Conversation],
) -> None:
    first, _second, conversation = pair
    once = _send(first, conversation, "Are you around later?", client_id="retry-1")
    twice = _send(first, conversation, "Are you around later?", client_id="retry-1")
    assert twice.duplicate is True
    assert twice.message.pk == once.message.pk
    assert conversation.messages.count() == 1
