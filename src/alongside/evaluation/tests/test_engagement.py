"""Engagement as dose: active days, posts, chat messages, check-ins, sessions attended."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from conftest import MakeUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.chat.models import Conversation, Message, Participant
from alongside.communities.models import Group, Post, Thread
from alongside.evaluation.engagement import Engagement, Window, engagement_for
from alongside.selfcare.models import CheckIn

START = date(2026, 3, 2)  # a Monday


def _at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(START + timedelta(days=day), time(hour, minute), tzinfo=UTC)


def _post(thread: Thread, author_id: int, when: datetime) -> None:
    Post.objects.create(
        thread=thread, author_id=author_id, body="An invented reply.", body_html="", created_at=when
    )


def _message(conversation: Conversation, author_id: int, when: datetime) -> None:
    conversation.last_seq += 1
    conversation.save(update_fields=["last_seq"])
    Message.objects.create(
        conversation=conversation,
        author_id=author_id,
        body="An invented message.",
        seq=conversation.last_seq,
        updated_seq=conversation.last_seq,
        created_at=when,
    )


@pytest.mark.django_db
def test_counts_each_source_inside_each_participants_window(make_user: MakeUser) -> None:
    ash, bay, cedar = make_user("ash"), make_user("bay"), make_user("cedar")
    group = Group.objects.create(slug="walkers", name="Walkers")
    thread = Thread.objects.create(group=group, author=ash, title="Hello")
    room = Conversation.objects.create(kind=Conversation.Kind.ROOM, group=group)
    session = Conversation.objects.create(
        kind=Conversation.Kind.SESSION,
        group=group,
        schedule_weekday=2,  # Wednesdays
        schedule_start=time(18, 0),
        schedule_minutes=60,
        schedule_timezone="UTC",
    )
    # ash: two posts on day 0, one on day 3; a room message on day 3; a check-in on day 5;
    # writes in the session on day 2 (a Wednesday, 18:20) and outside its slot on day 9.
    _post(thread, ash.pk, _at(0, 9))
    _post(thread, ash.pk, _at(0, 10))
    _post(thread, ash.pk, _at(3))
    _message(room, ash.pk, _at(3, 15))
    CheckIn.objects.create(member=ash, day=START + timedelta(days=5), mood=3)
    _message(session, ash.pk, _at(2, 18, 20))
    _message(session, ash.pk, _at(9, 11))
    # Outside ash's window: not counted.
    _post(thread, ash.pk, _at(30))
    # bay joins the session during its slot on day 9 (the next Wednesday) and says nothing.
    Participant.objects.create(conversation=session, user=bay, joined_at=_at(9, 17, 55))
    windows = {
        ash.pk: Window(START, START + timedelta(days=13)),
        bay.pk: Window(START, START + timedelta(days=13)),
        cedar.pk: Window(START, START + timedelta(days=13)),
    }
    with CaptureQueriesContext(connection) as queries:
        result = engagement_for(windows)
    assert len(queries) <= 6
    # Active on days 0, 2, 3, 5 and 9: the day-9 message was outside the session's slot, so
    # it is a chat message and an active day but not a session attended.
    assert result[ash.pk] == Engagement(
        active_days=5, posts=3, chat_messages=3, check_ins=1, sessions_attended=1
    )
    assert result[bay.pk] == Engagement(active_days=1, sessions_attended=1)
    assert result[cedar.pk] == Engagement()


@pytest.mark.django_db
def test_query_count_does_not_grow_with_participants(make_user: MakeUser) -> None:
    people = [make_user(f"walker{i}") for i in range(12)]
    for person in people:
        CheckIn.objects.create(member=person, day=START, mood=4)
    windows = {person.pk: Window(START, START + timedelta(days=7)) for person in people}
    with CaptureQueriesContext(connection) as queries:
        result = engagement_for(windows)
    assert len(queries) <= 6
    assert all(each.check_ins == 1 and each.active_days == 1 for each in result.values())
    assert engagement_for({}) == {}
