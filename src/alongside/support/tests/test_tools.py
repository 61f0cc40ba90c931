"""Supporters' tools: tasks (with sessions to write up listed by query), the calendar, the
weekly summary and task reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from conftest import MakeUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.notifications.models import Notification
from alongside.support import ending_selectors as selectors
from alongside.support import ending_services as services
from alongside.support import tools_jobs
from alongside.support.ending_models import SupporterTask
from alongside.support.models import SupportRelationship
from alongside.support.session_models import SessionNote, SupportSession
from alongside.support.tests import test_endings_helpers as helpers

pytestmark = [pytest.mark.django_db, pytest.mark.urls(helpers.URLS)]

ClientFor = Callable[[User], Client]


@pytest.fixture
def supporter(make_user: MakeUser) -> User:
    return helpers.make_supporter(make_user, zone="America/New_York")


@pytest.fixture
def relationship(member: User, supporter: User) -> SupportRelationship:
    return helpers.make_relationship(member, supporter)


def _session(
    relationship: SupportRelationship, starts_at: datetime, status: str = "booked"
) -> SupportSession:
    return SupportSession.objects.create(
        relationship=relationship, starts_at=starts_at, status=status
    )


def test_completed_sessions_without_notes_are_listed_as_tasks(
    client_for: ClientFor, supporter: User, relationship: SupportRelationship
) -> None:
    past = timezone.now() - timedelta(days=1)
    unwritten = _session(relationship, past, SupportSession.Status.COMPLETED)
    written = _session(relationship, past - timedelta(days=7), SupportSession.Status.COMPLETED)
    SessionNote.objects.create(session=written, talked_about="x")
    _session(relationship, past - timedelta(days=3), SupportSession.Status.MISSED)
    assert list(selectors.sessions_to_write_up(supporter)) == [unwritten]
    page = client_for(supporter).get(reverse("support_endings:tasks")).content.decode()
    assert "Write up the session note" in page
    assert reverse("support_sessions:note_edit", args=[unwritten.pk]) in page
    assert reverse("support_sessions:note_edit", args=[written.pk]) not in page


def test_manual_tasks_add_and_done(
    client_for: ClientFor, make_user: MakeUser, supporter: User, relationship: SupportRelationship
) -> None:
    client = client_for(supporter)
    response = client.post(
        reverse("support_endings:tasks"),
        {
            "text": "Send the sleep leaflet",
            "kind": "follow_up",
            "due_on": "2030-01-02",
            "relationship": str(relationship.pk),
        },
    )
    assert response.status_code == 302
    task = SupporterTask.objects.get()
    assert task.relationship == relationship
    assert task.due_at == datetime(2030, 1, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM support_supportertask WHERE id = %s", [task.pk])
        assert "leaflet" not in str(cursor.fetchone()[0])
    assert "Send the sleep leaflet" in client.get(reverse("support_endings:tasks")).content.decode()

    other = helpers.make_supporter(make_user, "sam")
    done_url = reverse("support_endings:task_done", args=[task.pk])
    assert client_for(other).post(done_url).status_code == 404
    assert (
        client_for(other).get(reverse("support_endings:tasks")).content.decode().count("leaflet")
        == 0
    )
    client.post(done_url)
    task.refresh_from_db()
    assert task.done_at is not None


def test_task_form_keeps_text_on_error_and_refuses_others_relationships(
    client_for: ClientFor, make_user: MakeUser, supporter: User
) -> None:
    other = helpers.make_supporter(make_user, "sam")
    theirs = helpers.make_relationship(make_user(), other)
    response = client_for(supporter).post(
        reverse("support_endings:tasks"),
        {"text": "my words", "kind": "follow_up", "relationship": str(theirs.pk)},
    )
    assert response.status_code == 200
    assert "my words" in response.content.decode()
    assert not SupporterTask.objects.exists()
    with pytest.raises(services.Http404):
        services.task_add(supporter=supporter, text="x", relationship=theirs)


def test_tools_pages_are_for_supporters_only(client_for: ClientFor, member: User) -> None:
    for name in ("tasks", "calendar", "my_feedback"):
        assert client_for(member).get(reverse(f"support_endings:{name}")).status_code == 404


def test_calendar_orders_by_time_and_groups_weeks_in_supporters_zone(
    client_for: ClientFor, supporter: User, relationship: SupportRelationship
) -> None:
    # Monday 2 March 2026, 12:00 UTC (07:00 in New York).
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    later = _session(relationship, datetime(2026, 3, 4, 15, 0, tzinfo=UTC))
    sooner = _session(relationship, datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    # Monday 00:30 UTC is still Sunday evening in New York: the first week, not the second.
    sunday_evening = _session(relationship, datetime(2026, 3, 9, 0, 30, tzinfo=UTC))
    next_week = _session(relationship, datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    _session(relationship, datetime(2026, 3, 5, 15, 0, tzinfo=UTC), "cancelled")
    _session(relationship, datetime(2026, 3, 1, 15, 0, tzinfo=UTC))  # in the past
    zone, weeks = selectors.calendar_weeks(supporter, now=now)
    assert zone == "America/New_York"
    assert [str(w.week_start) for w in weeks[:2]] == ["2026-03-02", "2026-03-09"]
    assert [e.session for e in weeks[0].entries] == [sooner, later, sunday_evening]
    assert [e.session for e in weeks[1].entries] == [next_week]
    assert weeks[0].entries[2].starts_local.hour == 20  # 20:30 EDT: DST began that morning

    page = client_for(supporter).get(reverse("support_endings:calendar"))
    assert page.status_code == 200
    assert "America/New_York" in page.content.decode()


def test_weekly_summary_is_sent_once_a_week(
    supporter: User, relationship: SupportRelationship
) -> None:
    now = timezone.now()
    _session(relationship, now + timedelta(days=2))
    _session(relationship, now - timedelta(days=1), SupportSession.Status.COMPLETED)
    services.task_add(supporter=supporter, text="call back", due_at=now + timedelta(days=3))
    assert tools_jobs.weekly_summaries_send(now=now) == 1
    assert tools_jobs.weekly_summaries_send(now=now + timedelta(minutes=5)) == 0
    summaries = Notification.objects.filter(recipient=supporter, message__startswith="Your week")
    assert summaries.count() == 1
    message = summaries.get().message
    assert "1 sessions" in message
    assert "1 session notes" in message
    assert "1 tasks due" in message
    assert not Notification.objects.filter(recipient=relationship.member).exists()
    assert tools_jobs.weekly_summaries_send(now=now + timedelta(days=7)) == 1


def test_task_reminders_once(supporter: User) -> None:
    now = timezone.now()
    soon = services.task_add(supporter=supporter, text="a", due_at=now + timedelta(hours=3))
    services.task_add(supporter=supporter, text="b", due_at=now + timedelta(days=5))
    services.task_add(supporter=supporter, text="c")
    assert tools_jobs.task_reminders_send(now=now) == 1
    assert tools_jobs.task_reminders_send(now=now) == 0
    soon.refresh_from_db()
    assert soon.reminded_at is not None
    reminders = Notification.objects.filter(recipient=supporter, message__contains="reminder")
    assert reminders.count() == 1


def test_task_and_calendar_pages_do_not_query_per_row(
    client_for: ClientFor,
    supporter: User,
    relationship: SupportRelationship,
) -> None:
    client = client_for(supporter)
    now = timezone.now()

    def add_rows(n: int) -> None:
        for i in range(n):
            services.task_add(supporter=supporter, text=f"t{i}", relationship=relationship)
            _session(relationship, now - timedelta(days=i + 1), SupportSession.Status.COMPLETED)
            _session(relationship, now + timedelta(days=i + 1))

    add_rows(1)
    client.get(reverse("support_endings:tasks"))  # warm the session and caches
    client.get(reverse("support_endings:calendar"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("support_endings:tasks"))
        client.get(reverse("support_endings:calendar"))
    add_rows(5)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("support_endings:tasks"))
        client.get(reverse("support_endings:calendar"))
    assert len(many) == len(few)
