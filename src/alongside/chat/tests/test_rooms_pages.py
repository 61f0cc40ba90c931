"""Adding group rooms and weekly sessions, joining them, and what their header says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from alongside.accounts.models import User
from alongside.chat import presence, schedule, selectors, services
from alongside.chat.models import Conversation, Participant
from alongside.chat.tests.rooms_helpers import (
    RoomPeople,
    closed_slot,
    flashed,
    make_people,
    make_room,
    make_session,
    open_slot,
    slot_from,
)
from alongside.chat.views.rooms import conversation_url
from alongside.communities.models import Group
from alongside.safety.models import AuditEntry

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


@pytest.fixture
def people(make_user: Callable[..., User]) -> RoomPeople:
    return make_people(make_user)


def create_url(people: RoomPeople) -> str:
    return reverse("chat:room_create", kwargs={"slug": people.group.slug})


def session_data(people: RoomPeople, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Tuesday drop-in",
        "kind": Conversation.Kind.SESSION,
        "facilitator": people.facilitator.handle,
        "ground_rules": "Listen first.",
        "schedule_weekday": "1",
        "schedule_start": "19:00",
        "schedule_minutes": "90",
        "schedule_timezone": "Europe/London",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def render_header(viewer: User, conversation: Conversation) -> str:
    return render_to_string(
        "chat/rooms/_room_header.html",
        {
            "conversation": conversation,
            "room_state": selectors.room_state(viewer, conversation),
            "participants": presence.participants_for(viewer, conversation),
            "user": viewer,
        },
    )


# --- Adding a room --------------------------------------------------------------------------


def test_group_moderators_see_the_form(people: RoomPeople, client_for: ClientFor) -> None:
    html = client_for(people.group_moderator).get(create_url(people)).content.decode()
    assert "Add a room or session" in html
    for name in ("title", "kind", "facilitator", "ground_rules", "schedule_weekday"):
        assert f'name="{name}"' in html
    assert '<option value="Europe/London" selected>' in html
    # Facilitators are chosen among the group's members, by handle.
    assert f'<option value="{people.facilitator.handle}">' in html
    assert f'<option value="{people.reader.handle}">' not in html


@pytest.mark.parametrize("who", ["member", "facilitator", "reader"])
def test_others_may_not_add_rooms(people: RoomPeople, client_for: ClientFor, who: str) -> None:
    client = client_for(getattr(people, who))
    assert client.get(create_url(people)).status_code == 403
    assert client.post(create_url(people), {"title": "Mine", "kind": "room"}).status_code == 403
    assert not Conversation.objects.exists()


def test_a_hidden_groups_rooms_are_not_revealed(
    make_user: Callable[..., User], client_for: ClientFor
) -> None:
    people = make_people(make_user, Group.Visibility.HIDDEN)
    assert client_for(people.reader).get(create_url(people)).status_code == 404


def test_adding_a_room_opens_it(people: RoomPeople, client_for: ClientFor) -> None:
    response = client_for(people.group_moderator).post(
        create_url(people),
        {"title": "Good news corner", "kind": "room", "schedule_timezone": "Europe/London"},
    )
    room = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conversation_url(room) == f"/chat/{room.pk}/"
    assert room.kind == Conversation.Kind.ROOM
    assert room.group == people.group
    assert room.facilitator is None
    assert room.schedule_start is None
    assert AuditEntry.objects.filter(action="chat_room_create", target_id=room.pk).exists()


def test_adding_a_session_keeps_its_schedule(people: RoomPeople, client_for: ClientFor) -> None:
    response = client_for(people.group_moderator).post(
        create_url(people), session_data(people, schedule_timezone="America/New_York")
    )
    session = Conversation.objects.get()
    assert response.status_code == 302
    assert session.kind == Conversation.Kind.SESSION
    assert session.facilitator == people.facilitator
    assert (session.schedule_weekday, session.schedule_start) == (1, time(19, 0))
    assert session.schedule_minutes == 90
    assert session.schedule_timezone == "America/New_York"
    assert Participant.objects.filter(conversation=session, user=people.facilitator).exists()


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"title": ""}, "Please give the room a name."),
        ({"facilitator": None}, "A facilitated session needs a facilitator."),
        ({"schedule_weekday": None}, "Please choose the day the session runs."),
        ({"schedule_start": None}, "Please give the time the session starts."),
        ({"schedule_minutes": "5"}, "A session lasts between 15 and 240 minutes."),
        ({"schedule_minutes": None}, "A session lasts between 15 and 240 minutes."),
        ({"schedule_timezone": "Mars/Olympus"}, "Select a valid choice"),
        ({"facilitator": "rowan_reads"}, "Select a valid choice"),
    ],
)
def test_a_problem_keeps_what_was_typed(
    people: RoomPeople, client_for: ClientFor, overrides: dict[str, object], problem: str
) -> None:
    data = session_data(people, ground_rules="Be gentle with each other.", **overrides)
    response = client_for(people.group_moderator).post(create_url(people), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert problem in html
    assert "Be gentle with each other." in html
    if data.get("title"):
        assert 'value="Tuesday drop-in"' in html
    assert not Conversation.objects.exists()


def test_a_room_ignores_the_session_fields(people: RoomPeople, client_for: ClientFor) -> None:
    client_for(people.group_moderator).post(
        create_url(people), session_data(people, kind="room", schedule_weekday=None)
    )
    room = Conversation.objects.get()
    assert room.kind == Conversation.Kind.ROOM
    assert room.schedule_weekday is None
    assert room.schedule_start is None


# --- The group page -------------------------------------------------------------------------


def test_the_group_page_lists_live_rooms(people: RoomPeople, client_for: ClientFor) -> None:
    room = make_room(people)
    later = make_session(people, is_open=False, title="Evening drop-in")
    url = reverse("communities:group_detail", kwargs={"slug": people.group.slug})
    html = client_for(people.member).get(url).content.decode()
    assert "Live rooms" in html
    assert conversation_url(room) in html
    assert conversation_url(later) in html
    assert "Open now" in html
    assert "Closed just now" in html
    assert "next on" in html
    assert "Europe/London time" in html
    assert "with fern_facilitates" in html
    assert reverse("chat:room_create", kwargs={"slug": people.group.slug}) not in html

    moderator_html = client_for(people.group_moderator).get(url).content.decode()
    assert "Add a room or session" in moderator_html


def test_the_group_page_offers_moderators_a_first_room(
    people: RoomPeople, client_for: ClientFor
) -> None:
    url = reverse("communities:group_detail", kwargs={"slug": people.group.slug})
    assert "Live rooms" not in client_for(people.member).get(url).content.decode()
    html = client_for(people.group_moderator).get(url).content.decode()
    assert "No live rooms yet." in html
    assert reverse("chat:room_create", kwargs={"slug": people.group.slug}) in html


def test_rooms_are_only_listed_for_those_who_may_read_them(
    make_user: Callable[..., User], client_for: ClientFor
) -> None:
    people = make_people(make_user, Group.Visibility.RESTRICTED)
    make_room(people, title="Members only room")
    url = reverse("communities:group_detail", kwargs={"slug": people.group.slug})
    assert "Members only room" not in client_for(people.reader).get(url).content.decode()
    assert "Members only room" in client_for(people.member).get(url).content.decode()


# --- The header: schedule, open or closed, rules, slow mode, pause --------------------------


def test_a_session_outside_its_slot_is_closed(people: RoomPeople) -> None:
    session = make_session(people, is_open=False)
    slot = closed_slot()
    html = render_header(people.member, session)
    assert "Tuesday drop-in" in html
    assert "Evening circle" in html
    assert "Facilitated by fern_facilitates" in html
    assert f"{slot['schedule_start']:%H:%M} to " in html
    assert "(Europe/London time)" in html
    assert "Closed just now" in html
    assert "opens next on" in html
    assert "Listen first. No advice unless asked." in html
    with pytest.raises(ValidationError, match="This session is closed"):
        services.message_send(author=people.member, conversation=session, body="Hello?")


def test_a_session_inside_its_slot_is_open(people: RoomPeople) -> None:
    session = make_session(people, is_open=True)
    html = render_header(people.member, session)
    assert "Open now" in html
    assert "Closed just now" not in html
    sent = services.message_send(author=people.member, conversation=session, body="Evening all.")
    assert sent.message.pk


def test_the_schedule_is_read_in_the_sessions_own_zone(people: RoomPeople) -> None:
    # Open now in Auckland, whatever the hour is in London or on the server.
    slot = slot_from(timedelta(minutes=-5), zone="Pacific/Auckland")
    session = make_session(people, slot=slot)
    html = render_header(people.member, session)
    assert "Open now" in html
    assert "(Pacific/Auckland time)" in html
    assert f"Every {WEEKDAYS[slot['schedule_weekday']]}, {slot['schedule_start']:%H:%M}" in html


def test_the_header_tells_of_slow_mode_and_a_pause(people: RoomPeople) -> None:
    session = make_session(people)
    services.room_join(user=people.member, conversation=session)
    services.slow_mode_set(actor=people.facilitator, conversation=session, seconds=30)
    services.participant_mute(actor=people.facilitator, conversation=session, member=people.member)
    session.refresh_from_db()
    html = render_header(people.member, session)
    assert "Slow mode is on" in html
    assert "every 30 seconds" in html
    assert "The facilitator has paused your messages until" in html
    assert "Slow mode" in render_header(people.facilitator, session)
    assert "paused your messages" not in render_header(people.facilitator, session)


# --- Joining --------------------------------------------------------------------------------


def test_a_member_joins_from_the_header(people: RoomPeople, client_for: ClientFor) -> None:
    room = make_room(people)
    join_url = reverse("chat:room_join", kwargs={"conversation_id": room.pk})
    assert join_url in render_header(people.member, room)

    response = client_for(people.member).post(join_url)
    assert response.status_code == 302
    assert response["Location"] == conversation_url(room)
    assert selectors.is_active_participant(people.member, room)
    assert join_url not in render_header(people.member, room)


def test_reading_is_not_joining(people: RoomPeople, client_for: ClientFor) -> None:
    """Someone who has not joined the open group may read its room but not join it."""
    room = make_room(people)
    join_url = reverse("chat:room_join", kwargs={"conversation_id": room.pk})
    header = render_header(people.reader, room)
    assert join_url not in header
    assert "To take part, join Evening circle first." in header
    response = client_for(people.reader).post(join_url)
    assert response.status_code == 302
    assert flashed(response) == ["Join the group to take part in its rooms."]
    assert not Participant.objects.filter(conversation=room, user=people.reader).exists()


def test_a_restricted_groups_room_is_not_found_by_outsiders(
    make_user: Callable[..., User], client_for: ClientFor
) -> None:
    people = make_people(make_user, Group.Visibility.RESTRICTED)
    room = make_room(people)
    url = reverse("chat:room_join", kwargs={"conversation_id": room.pk})
    assert client_for(people.reader).post(url).status_code == 404


def test_joining_needs_a_post_and_a_login(people: RoomPeople, client_for: ClientFor) -> None:
    room = make_room(people)
    url = reverse("chat:room_join", kwargs={"conversation_id": room.pk})
    assert client_for(people.member).get(url).status_code == 405
    assert Client().post(url).status_code == 302
    html = render_to_string(
        "chat/rooms/_room_header.html",
        {"conversation": room, "room_state": {}, "participants": [], "user": AnonymousUser()},
    )
    assert "Join this room" not in html


def test_a_one_to_one_is_not_a_room(people: RoomPeople, client_for: ClientFor) -> None:
    direct = services.direct_open(initiator=people.facilitator, recipient=people.member)
    url = reverse("chat:room_join", kwargs={"conversation_id": direct.pk})
    assert client_for(people.member).post(url).status_code == 404


def test_the_slot_helpers_are_open_and_closed(people: RoomPeople) -> None:
    """Guards the tests above: the helpers' slots really include and exclude now."""
    now = timezone.now()
    assert schedule.is_open(make_session(people, slot=open_slot()), now)
    assert not schedule.is_open(make_session(people, is_open=False, title="Later"), now)
