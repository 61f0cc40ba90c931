"""The facilitator's tools: each works, is logged, and is refused to everyone else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.chat import presence, selectors, services
from alongside.chat.models import Conversation, Message, Participant
from alongside.chat.tests.rooms_helpers import (
    RoomPeople,
    flashed,
    make_people,
    make_room,
    make_session,
)
from alongside.chat.views.rooms import conversation_url
from alongside.communities.models import Group
from alongside.safety.models import AuditEntry

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


@pytest.fixture
def people(make_user: Callable[..., User]) -> RoomPeople:
    return make_people(make_user)


@pytest.fixture
def session(people: RoomPeople) -> Conversation:
    """An open session the member has joined."""
    conversation = make_session(people, is_open=True)
    services.room_join(user=people.member, conversation=conversation)
    return conversation


def tool_url(name: str, conversation: Conversation) -> str:
    return reverse(f"chat:{name}", kwargs={"conversation_id": conversation.pk})


def remove_url(message: Message) -> str:
    return reverse(
        "chat:room_message_remove",
        kwargs={"conversation_id": message.conversation_id, "message_id": message.pk},
    )


def audited(action: str, conversation: Conversation) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, target_id=conversation.pk))


def render_tools(viewer: User, conversation: Conversation) -> str:
    return render_to_string(
        "chat/rooms/_facilitator_tools.html",
        {
            "conversation": conversation,
            "room_state": selectors.room_state(viewer, conversation),
            "participants": presence.participants_for(viewer, conversation),
            "user": viewer,
        },
    )


# --- Each tool ------------------------------------------------------------------------------


def test_pinning_the_ground_rules(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    response = client_for(people.facilitator).post(
        tool_url("room_rules_pin", session), {"ground_rules": "One voice at a time.\r\nBe kind."}
    )
    assert response.status_code == 302
    assert response["Location"] == conversation_url(session)
    assert flashed(response) == ["The ground rules are pinned at the top for everyone."]
    session.refresh_from_db()
    assert session.ground_rules == "One voice at a time.\nBe kind."
    [entry] = audited("chat_rules_pin", session)
    assert entry.actor == people.facilitator
    assert Message.objects.filter(conversation=session, notice_code="rules_pinned").exists()


def test_slow_mode_on_and_off(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    response = client_for(people.facilitator).post(
        tool_url("room_slow_mode", session), {"seconds": "30"}
    )
    assert flashed(response) == [
        "Slow mode is on: each person can send one message every 30 seconds."
    ]
    session.refresh_from_db()
    assert session.slow_mode_seconds == 30
    assert '<option value="30" selected>' in render_tools(people.facilitator, session)

    response = client_for(people.facilitator).post(
        tool_url("room_slow_mode", session), {"seconds": "0"}
    )
    assert flashed(response) == ["Slow mode is off."]
    session.refresh_from_db()
    assert session.slow_mode_seconds == 0
    assert [entry.detail["seconds"] for entry in audited("chat_slow_mode", session)] == [0, 30]


def test_slow_mode_offers_only_its_choices(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    response = client_for(people.facilitator).post(
        tool_url("room_slow_mode", session), {"seconds": "5"}
    )
    assert "Select a valid choice" in flashed(response)[0]
    session.refresh_from_db()
    assert session.slow_mode_seconds == 0
    assert audited("chat_slow_mode", session) == []


def test_muting_a_participant_for_the_session(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    tools = render_tools(people.facilitator, session)
    assert f'<option value="{people.member.handle}">' in tools
    assert f'<option value="{people.facilitator.handle}">' not in tools

    response = client_for(people.facilitator).post(
        tool_url("room_mute", session), {"handle": people.member.handle}
    )
    assert flashed(response) == [
        "moss_member's messages are paused until the end of this session. They can still read."
    ]
    participant = Participant.objects.get(conversation=session, user=people.member)
    assert participant.muted_until is not None
    assert participant.muted_until > timezone.now()
    [entry] = audited("chat_participant_mute", session)
    assert entry.member == people.member
    with pytest.raises(ValidationError, match="paused your messages"):
        services.message_send(author=people.member, conversation=session, body="Hello?")


def test_muting_someone_not_in_the_room(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    url = tool_url("room_mute", session)
    for handle in (people.reader.handle, "nobody_by_this_name"):
        response = client_for(people.facilitator).post(url, {"handle": handle})
        assert flashed(response) == [f"{handle} isn't in this room."]
    assert flashed(client_for(people.facilitator).post(url, {})) == [
        "Please choose whose messages to pause."
    ]
    assert audited("chat_participant_mute", session) == []


def test_ending_the_session_and_opening_it_again(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    assert "End the session" in render_tools(people.facilitator, session)
    response = client_for(people.facilitator).post(tool_url("room_session_end", session))
    assert flashed(response) == ["The session has ended. Thank you for looking after it."]
    session.refresh_from_db()
    assert not selectors.room_state(people.member, session)["open"]
    assert "Open the room again" in render_tools(people.facilitator, session)
    assert len(audited("chat_session_end", session)) == 1

    response = client_for(people.facilitator).post(tool_url("room_reopen", session))
    assert flashed(response) == ["The room is open again."]
    session.refresh_from_db()
    assert selectors.room_state(people.member, session)["open"]
    assert len(audited("chat_room_reopen", session)) == 1


def test_closing_an_always_open_room(people: RoomPeople, client_for: ClientFor) -> None:
    room = make_room(people, facilitator=people.facilitator)
    assert "Close the room" in render_tools(people.facilitator, room)
    response = client_for(people.facilitator).post(tool_url("room_session_end", room))
    assert flashed(response) == ["The room is closed until you open it again."]
    room.refresh_from_db()
    assert room.closed_until is not None
    assert not selectors.room_state(people.member, room)["open"]


def test_removing_a_message(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    sent = services.message_send(
        author=people.member, conversation=session, body="Something unkind."
    )
    response = client_for(people.facilitator).post(remove_url(sent.message))
    assert response.status_code == 302
    assert response["Location"] == conversation_url(session)
    sent.message.refresh_from_db()
    assert sent.message.deleted_at is not None
    assert sent.message.deleted_by == people.facilitator
    [entry] = audited("chat_message_remove", session)
    assert entry.detail == {"message_id": sent.message.pk}
    assert entry.member == people.member


def test_a_message_is_removed_only_from_its_own_room(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    other = make_room(people)
    services.room_join(user=people.member, conversation=other)
    sent = services.message_send(author=people.member, conversation=other, body="Hello there.")
    url = reverse(
        "chat:room_message_remove",
        kwargs={"conversation_id": session.pk, "message_id": sent.message.pk},
    )
    assert client_for(people.facilitator).post(url).status_code == 404
    sent.message.refresh_from_db()
    assert sent.message.deleted_at is None


def test_the_groups_moderators_can_facilitate_too(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    response = client_for(people.group_moderator).post(
        tool_url("room_slow_mode", session), {"seconds": "10"}
    )
    assert response.status_code == 302
    assert audited("chat_slow_mode", session)[0].actor == people.group_moderator


# --- Refusals -------------------------------------------------------------------------------


TOOLS = [
    ("room_rules_pin", {"ground_rules": "Mine now."}),
    ("room_slow_mode", {"seconds": "120"}),
    ("room_mute", {"handle": "fern_facilitates"}),
    ("room_session_end", {}),
    ("room_reopen", {}),
]


@pytest.mark.parametrize(("name", "data"), TOOLS)
def test_ordinary_members_may_not_use_the_tools(
    people: RoomPeople,
    session: Conversation,
    client_for: ClientFor,
    name: str,
    data: dict[str, str],
) -> None:
    before = AuditEntry.objects.count()
    for person in (people.member, people.reader):
        response = client_for(person).post(tool_url(name, session), data)
        assert response.status_code == 403
    assert AuditEntry.objects.count() == before
    session.refresh_from_db()
    assert session.ground_rules == "Listen first. No advice unless asked."
    assert session.slow_mode_seconds == 0
    assert session.closed_until is None


def test_ordinary_members_may_not_remove_messages(
    people: RoomPeople, session: Conversation, client_for: ClientFor
) -> None:
    sent = services.message_send(author=people.facilitator, conversation=session, body="Welcome.")
    own = services.message_send(author=people.member, conversation=session, body="Hi all.")
    for message in (sent.message, own.message):
        assert client_for(people.member).post(remove_url(message)).status_code == 403
        message.refresh_from_db()
        assert message.deleted_at is None
    assert audited("chat_message_remove", session) == []


@pytest.mark.parametrize(("name", "data"), TOOLS)
def test_outsiders_do_not_find_a_restricted_groups_room(
    make_user: Callable[..., User], client_for: ClientFor, name: str, data: dict[str, str]
) -> None:
    people = make_people(make_user, Group.Visibility.RESTRICTED)
    room = make_session(people)
    assert client_for(people.reader).post(tool_url(name, room), data).status_code == 404


@pytest.mark.parametrize(("name", "data"), TOOLS)
def test_the_tools_need_a_post_and_a_login(
    people: RoomPeople,
    session: Conversation,
    client_for: ClientFor,
    name: str,
    data: dict[str, str],
) -> None:
    assert client_for(people.facilitator).get(tool_url(name, session)).status_code == 405
    assert Client().post(tool_url(name, session), data).status_code == 302
    assert not AuditEntry.objects.exclude(action="chat_room_create").exists()


def test_the_tools_are_shown_only_to_facilitators(
    people: RoomPeople, session: Conversation
) -> None:
    assert "Facilitator tools" in render_tools(people.facilitator, session)
    assert "Facilitator tools" in render_tools(people.group_moderator, session)
    assert render_tools(people.member, session).strip() == ""
    assert render_tools(people.reader, session).strip() == ""
