"""The chat socket: who may connect and subscribe, what each person is passed, and the gaps.

Each test runs its clients in one event loop (``async_to_sync``) against the in-memory
channel layer, with the database committed for real so the consumers' threads see it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat import consumers, delivery, services
from alongside.chat.models import Conversation, Message, Participant
from alongside.chat.tests.helpers import PATH, connect, receive_until, subscribe
from alongside.communities import services as communities
from alongside.routing import websocket_urlpatterns
from alongside.safety.services.protection import block_create

pytestmark = pytest.mark.django_db(transaction=True)
MakeUser = Callable[..., User]

CONTACT_REQUEST = "add me on whatsapp 07700 900123 and we can talk privately"
URGENT = "I have decided to end my life tonight, the pills are ready"


def run(test: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return async_to_sync(test)()


@pytest.fixture
def pair(make_user: MakeUser) -> tuple[User, User, Conversation]:
    member = make_user("ash_tree")
    supporter = make_user("birch_path", role=Role.PEER_SUPPORTER)
    return member, supporter, services.direct_open(initiator=supporter, recipient=member)


@pytest.fixture
def room_people(make_user: MakeUser) -> tuple[Conversation, User, User, User]:
    """A group room with its facilitator and two members in the group."""
    admin = make_user("rowan", role=Role.ADMINISTRATOR)
    group = communities.group_create(actor=admin, name="Evening drop-in")
    facilitator = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    reader, talker = make_user("aspen"), make_user("elm")
    for user in (facilitator, reader, talker):
        communities.group_join(user=user, group=group)
    room = services.room_create(
        actor=admin, group=group, title="Open room", facilitator=facilitator
    )
    return room, facilitator, reader, talker


def _send(author: User, conversation: Conversation, body: str, **fields: Any) -> Message:
    return services.message_send(
        author=author, conversation=conversation, body=body, **fields
    ).message


def _send_unannounced(author: User, conversation: Conversation, body: str) -> Message:
    """Save a message whose broadcast is lost (a worker killed between commit and send)."""
    original = delivery._send
    delivery._send = lambda group, event: None
    try:
        return _send(author, conversation, body)
    finally:
        delivery._send = original


send = database_sync_to_async(_send)
send_unannounced = database_sync_to_async(_send_unannounced)


async def send_frame(communicator: WebsocketCommunicator, **frame: Any) -> None:
    await communicator.send_json_to(frame)


# --- Connecting and subscribing -------------------------------------------------------------


def test_a_visitor_who_is_not_signed_in_is_refused() -> None:
    async def attempt() -> tuple[bool, int | str | None]:
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), PATH)
        communicator.scope["user"] = AnonymousUser()
        connected, code = await communicator.connect()
        return connected, code

    assert run(attempt) == (False, 4401)


def test_an_inactive_account_is_refused(make_user: MakeUser) -> None:
    gone = make_user("gone_quiet", is_active=False)

    async def attempt() -> bool:
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), PATH)
        communicator.scope["user"] = gone
        connected, _code = await communicator.connect()
        return connected

    assert run(attempt) is False


def test_subscribing_to_a_conversation_one_cannot_read_gives_an_error_and_nothing_more(
    pair: tuple[User, User, Conversation], make_user: MakeUser
) -> None:
    member, _supporter, conversation = pair
    stranger = make_user("cedar")

    async def attempt() -> dict[str, Any]:
        snoop = await connect(stranger)
        await send_frame(snoop, type="subscribe", conversation=conversation.pk, after=0)
        error = await snoop.receive_json_from(timeout=3)
        await send(member, conversation, "Just between us: I got the job.")
        assert await snoop.receive_nothing(timeout=0.3)
        await snoop.disconnect()
        return error

    assert run(attempt) == {
        "type": "error",
        "request": "subscribe",
        "client_id": None,
        "conversation": conversation.pk,
        "error": "You can't do that here.",
    }


def test_subscribing_answers_with_state_and_participants(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair
    _send(supporter, conversation, "Hi, I'm around tonight.")

    async def attempt() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        socket = await connect(member)
        answer = await subscribe(socket, conversation.pk)
        await socket.disconnect()
        return answer

    subscribed, caught = run(attempt)
    assert [frame["message"]["body"] for frame in caught] == ["Hi, I'm around tonight."]
    assert subscribed["seq"] == 1
    assert subscribed["state"]["last_seq"] == 1
    assert subscribed["participants"] == [
        {"handle": "birch_path", "online": False, "last_read_seq": 1}
    ]


def test_malformed_and_unknown_requests_get_error_frames_and_the_socket_stays_up(
    pair: tuple[User, User, Conversation],
) -> None:
    member, _supporter, conversation = pair

    async def attempt() -> list[dict[str, Any]]:
        socket = await connect(member)
        frames = []
        for frame in (
            {"type": "subscribe"},
            {"type": "subscribe", "conversation": "seven"},
            {"type": "shout"},
            {"type": "send", "conversation": conversation.pk, "body": "Hi", "client_id": "x1"},
        ):
            await socket.send_json_to(frame)
            frames.append(await socket.receive_json_from(timeout=3))
        await send_frame(socket, type="ping")
        frames.append(await socket.receive_json_from(timeout=3))
        await socket.disconnect()
        return frames

    missing, not_a_number, unknown, unsubscribed, pong = run(attempt)
    assert (missing["type"], missing["request"]) == ("error", "subscribe")
    assert (not_a_number["type"], not_a_number["request"]) == ("error", "subscribe")
    assert unknown == {"type": "error", "error": "Unknown request."}
    assert unsubscribed["client_id"] == "x1"
    assert unsubscribed["error"] == "Subscribe to the conversation first."
    assert pong == {"type": "pong"}


# --- Sending --------------------------------------------------------------------------------


def test_a_refused_send_answers_with_an_error_carrying_the_client_id(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    async def attempt() -> tuple[dict[str, Any], dict[str, Any]]:
        socket = await connect(member)
        await subscribe(socket, conversation.pk)
        await send_frame(
            socket, type="send", conversation=conversation.pk, body="  ", client_id="e-1"
        )
        empty = await socket.receive_json_from(timeout=3)
        await database_sync_to_async(block_create)(blocker=supporter, blocked=member)
        await send_frame(
            socket, type="send", conversation=conversation.pk, body="Hello?", client_id="e-2"
        )
        blocked = await socket.receive_json_from(timeout=3)
        await socket.disconnect()
        return empty, blocked

    empty, blocked = run(attempt)
    assert empty == {
        "type": "error",
        "request": "send",
        "client_id": "e-1",
        "conversation": conversation.pk,
        "error": "Please write a message first.",
    }
    assert blocked["client_id"] == "e-2"
    assert blocked["error"] == "You can't send messages in this conversation any more."
    assert not Message.objects.exists()


def test_a_retried_send_is_acknowledged_as_a_duplicate(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    async def attempt() -> tuple[dict[str, Any], dict[str, Any], list[int]]:
        sender = await connect(member)
        receiver = await connect(supporter)
        await subscribe(sender, conversation.pk)
        await subscribe(receiver, conversation.pk)
        frame = {"type": "send", "conversation": conversation.pk, "client_id": "r-1"}
        await sender.send_json_to({**frame, "body": "Are you free Thursday?"})
        first, _ = await receive_until(sender, "ack")
        await sender.send_json_to({**frame, "body": "Are you free Thursday?"})
        second, _ = await receive_until(sender, "ack")
        delivered = [(await receive_until(receiver, "message"))[0]["message"]["id"]]
        assert await receiver.receive_nothing(timeout=0.3)
        await sender.disconnect()
        await receiver.disconnect()
        return first, second, delivered

    first, second, delivered = run(attempt)
    assert (first["duplicate"], second["duplicate"]) == (False, True)
    assert first["message"]["id"] == second["message"]["id"] == delivered[0]


def test_an_urgent_message_brings_the_author_a_support_frame(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    async def attempt() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        sender = await connect(member)
        receiver = await connect(supporter)
        await subscribe(sender, conversation.pk)
        await subscribe(receiver, conversation.pk)
        await send_frame(
            sender, type="send", conversation=conversation.pk, body=URGENT, client_id="u-1"
        )
        ack, _ = await receive_until(sender, "ack")
        support, _ = await receive_until(sender, "support")
        delivered, _ = await receive_until(receiver, "message")
        assert await receiver.receive_nothing(timeout=0.3)  # the support is the author's alone
        await sender.disconnect()
        await receiver.disconnect()
        return ack, support, delivered

    ack, support, delivered = run(attempt)
    assert ack["message"]["state"] == "published"
    assert support["conversation"] == conversation.pk
    assert support["notice"]["tier"] == "urgent"
    assert support["notice"]["lines"]
    assert delivered["message"]["body"] == URGENT


def test_rate_limiting_answers_with_an_error_frame(
    pair: tuple[User, User, Conversation], monkeypatch: pytest.MonkeyPatch
) -> None:
    member, _supporter, conversation = pair
    monkeypatch.setattr(consumers, "RATE_LIMIT", 2)

    async def attempt() -> list[dict[str, Any]]:
        socket = await connect(member)
        await subscribe(socket, conversation.pk)
        answers = []
        for number in range(1, 4):
            await send_frame(
                socket,
                type="send",
                conversation=conversation.pk,
                body=f"Quick thought {number}.",
                client_id=f"q-{number}",
            )
            answers.append(await receive_until(socket, "ack" if number < 3 else "error"))
        await socket.disconnect()
        return [frame for frame, _before in answers]

    first, second, third = run(attempt)
    assert (first["type"], second["type"]) == ("ack", "ack")
    assert third["client_id"] == "q-3"
    assert third["error"] == "You're sending quickly; please wait a few seconds."
    assert Message.objects.count() == 2


def test_slow_mode_turned_on_after_subscribing_still_holds(
    room_people: tuple[Conversation, User, User, User],
) -> None:
    room, facilitator, _reader, talker = room_people

    async def attempt() -> dict[str, Any]:
        socket = await connect(talker)
        await subscribe(socket, room.pk)
        await database_sync_to_async(services.slow_mode_set)(
            actor=facilitator, conversation=room, seconds=60
        )
        for number in (1, 2):
            await send_frame(
                socket,
                type="send",
                conversation=room.pk,
                body=f"Thought number {number}.",
                client_id=f"s-{number}",
            )
        await receive_until(socket, "ack")
        refused, _ = await receive_until(socket, "error")
        await socket.disconnect()
        return refused

    refused = run(attempt)
    assert refused["client_id"] == "s-2"
    assert refused["error"].startswith("Slow mode is on")


# --- What each person is passed -------------------------------------------------------------


def test_a_held_message_reaches_only_its_author_and_the_next_one_still_arrives(
    room_people: tuple[Conversation, User, User, User],
) -> None:
    room, _facilitator, reader, talker = room_people

    async def attempt() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        author = await connect(talker)
        other = await connect(reader)
        await subscribe(author, room.pk)
        await subscribe(other, room.pk)
        await send(talker, room, CONTACT_REQUEST)
        await send(talker, room, "Sorry, I know we should keep it here.")
        seen_by_author = [(await receive_until(author, "message"))[0] for _ in range(2)]
        seen_by_other = [(await receive_until(other, "message"))[0]]
        assert await other.receive_nothing(timeout=0.3)
        await author.disconnect()
        await other.disconnect()
        return seen_by_author, seen_by_other

    seen_by_author, seen_by_other = run(attempt)
    assert [(f["message"]["seq"], f["message"]["state"]) for f in seen_by_author] == [
        (1, "held"),
        (2, "published"),
    ]
    assert [f["message"]["seq"] for f in seen_by_other] == [2]


def test_in_a_one_to_one_the_other_person_sees_the_warning_not_the_request(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    async def attempt() -> list[dict[str, Any]]:
        other = await connect(supporter)
        await subscribe(other, conversation.pk)
        await send(member, conversation, CONTACT_REQUEST)
        await send(member, conversation, "Or not, this is fine too.")
        frames = [(await receive_until(other, "message"))[0]["message"] for _ in range(2)]
        assert await other.receive_nothing(timeout=0.3)
        await other.disconnect()
        return frames

    notice, after = run(attempt)
    assert (notice["seq"], notice["notice_code"]) == (2, "contact_warning")
    assert (after["seq"], after["body"]) == (3, "Or not, this is fine too.")


def test_a_lost_broadcast_is_filled_from_the_database_at_the_next_change(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    async def attempt() -> list[int]:
        receiver = await connect(supporter)
        await subscribe(receiver, conversation.pk)
        await send_unannounced(member, conversation, "First, never announced.")
        await send_unannounced(member, conversation, "Second, never announced.")
        assert await receiver.receive_nothing(timeout=0.3)
        await send(member, conversation, "Third, announced.")
        seqs = [(await receive_until(receiver, "message"))[0]["message"]["seq"] for _ in range(3)]
        assert await receiver.receive_nothing(timeout=0.3)
        await receiver.disconnect()
        return seqs

    assert run(attempt) == [1, 2, 3]


def test_a_change_numbered_past_a_gap_makes_the_socket_fetch_the_gap_once(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    async def attempt() -> tuple[list[str], list[int]]:
        receiver = await connect(supporter)
        await subscribe(receiver, conversation.pk)
        first = await send_unannounced(member, conversation, "Missed one.")
        second = await send_unannounced(member, conversation, "Missed two.")
        layer = get_channel_layer()
        assert layer is not None
        group = delivery.conversation_group(conversation.pk)
        # The channel layer hands over the later change first, then the earlier one, late.
        for message in (second, first):
            payload = await database_sync_to_async(_payload)(message)
            await layer.group_send(
                group,
                {
                    "type": "chat.change",
                    "conversation": conversation.pk,
                    "seq": message.seq,
                    "only": None,
                    "message": payload,
                },
            )
        bodies = [(await receive_until(receiver, "message"))[0]["message"]["body"] for _ in (1, 2)]
        assert await receiver.receive_nothing(timeout=0.3)
        await receiver.disconnect()
        return bodies, [first.seq, second.seq]

    bodies, seqs = run(attempt)
    assert bodies == ["Missed one.", "Missed two."]
    assert seqs == [1, 2]


def _payload(message: Message) -> dict[str, Any]:
    from alongside.chat.payloads import message_payload

    return message_payload(Message.objects.select_related("author").get(pk=message.pk))


def test_a_blocked_members_messages_are_not_passed_on_in_a_room(
    room_people: tuple[Conversation, User, User, User],
) -> None:
    room, facilitator, reader, talker = room_people
    block_create(blocker=reader, blocked=talker)

    async def attempt() -> tuple[list[str | None], list[str | None]]:
        socket = await connect(reader)
        _subscribed, caught = await subscribe(socket, room.pk)
        await send(talker, room, "Morning, all.")
        await send(facilitator, room, "Good morning, welcome in.")
        live = [(await receive_until(socket, "message"))[0]["message"]["author"]]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()
        again = await connect(reader)
        _subscribed, caught = await subscribe(again, room.pk)
        await again.disconnect()
        return live, [frame["message"]["author"] for frame in caught]

    live, caught_up = run(attempt)
    assert live == ["steady_oak"]
    assert caught_up == ["steady_oak"]


# --- Typing and reading ---------------------------------------------------------------------


def test_typing_reaches_the_other_person_but_not_oneself(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    async def attempt() -> dict[str, Any]:
        typist = await connect(member)
        other = await connect(supporter)
        await subscribe(typist, conversation.pk)
        await subscribe(other, conversation.pk)
        await send_frame(typist, type="typing", conversation=conversation.pk)
        seen = await other.receive_json_from(timeout=3)
        assert await typist.receive_nothing(timeout=0.3)
        await typist.disconnect()
        await other.disconnect()
        return seen

    assert run(attempt) == {"type": "typing", "conversation": conversation.pk, "handle": "ash_tree"}


def test_read_receipts_in_a_one_to_one(pair: tuple[User, User, Conversation]) -> None:
    member, supporter, conversation = pair
    _send(supporter, conversation, "Thinking of you today.")
    _send(supporter, conversation, "No need to reply.")

    async def attempt() -> dict[str, Any]:
        reader = await connect(member)
        writer = await connect(supporter)
        await subscribe(reader, conversation.pk)
        await subscribe(writer, conversation.pk, after=2)
        await send_frame(reader, type="read", conversation=conversation.pk, seq=2)
        receipt = await writer.receive_json_from(timeout=3)
        await send_frame(reader, type="read", conversation=conversation.pk, seq=1)
        assert await writer.receive_nothing(timeout=0.3)  # a mark that doesn't move says nothing
        assert await reader.receive_nothing(timeout=0.1)
        await reader.disconnect()
        await writer.disconnect()
        return receipt

    assert run(attempt) == {"type": "read", "conversation": conversation.pk, "seq": 2}
    assert Participant.objects.get(conversation=conversation, user=member).last_read_seq == 2


def test_reading_in_a_room_sends_no_receipt(
    room_people: tuple[Conversation, User, User, User],
) -> None:
    room, _facilitator, reader, talker = room_people
    _send(talker, room, "Anyone else awake?")
    services.room_join(user=reader, conversation=room)

    async def attempt() -> None:
        mine = await connect(reader)
        theirs = await connect(talker)
        await subscribe(mine, room.pk)
        await subscribe(theirs, room.pk)
        await send_frame(mine, type="read", conversation=room.pk, seq=1)
        assert await theirs.receive_nothing(timeout=0.3)
        await mine.disconnect()
        await theirs.disconnect()

    run(attempt)
    assert Participant.objects.get(conversation=room, user=reader).last_read_seq == 1
