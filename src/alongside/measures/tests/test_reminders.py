"""Reminders: once per invitation, one notification per member, email only when asked for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from alongside.accounts.models import User
from alongside.measures.models import MeasureInvitation, MeasureSchedule
from alongside.measures.reminders import reminders_send, run_measure_jobs
from alongside.notifications.models import Notification, NotificationKind, NotificationPreference
from alongside.notifications.services import notify_optional_messages
from alongside.safety.jobs import run_periodic_jobs
from alongside.safety.models import SafetyPreferences

MakeUser = Callable[..., User]
Status = MeasureInvitation.Status


@pytest.fixture(autouse=True)
def _no_responder(settings: Settings) -> None:
    settings.MEASURES_RESPONDER = ""


@pytest.fixture
def schedule(db: None) -> MeasureSchedule:
    return MeasureSchedule.objects.create(
        name="Wellbeing check-in",
        measures=["gad7", "ucla3"],
        every_weeks=4,
        created_at=timezone.now() - timedelta(weeks=30),
    )


def invite(
    member: User, schedule: MeasureSchedule, measure: str, **fields: Any
) -> MeasureInvitation:
    fields.setdefault("occasion", "week-4")
    fields.setdefault("due_at", timezone.now() - timedelta(hours=1))
    return MeasureInvitation.objects.create(
        member=member, schedule=schedule, measure=measure, **fields
    )


def reminders_for(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.MEASURE_DUE))


def test_one_grouped_reminder_per_member_and_never_a_second(
    member: User, make_user: MakeUser, schedule: MeasureSchedule
) -> None:
    first = invite(member, schedule, "gad7")
    second = invite(member, schedule, "ucla3")
    other = make_user("oak")
    invite(other, schedule, "gad7")

    assert reminders_send() == 2
    [notification] = reminders_for(member)
    assert notification.message.startswith("2 questionnaires are ready when you want them.")
    assert notification.link == reverse("measures:index")
    assert notification.read_at is None
    [single] = reminders_for(other)
    assert single.message.startswith("A questionnaire is ready when you want it.")
    for invitation in (first, second):
        invitation.refresh_from_db()
        assert invitation.reminded_at is not None
        assert invitation.status == Status.DUE  # a reminder changes nothing else

    assert reminders_send() == 0
    assert reminders_send(now=timezone.now() + timedelta(days=30)) == 0
    assert len(reminders_for(member)) == 1


def test_no_words_that_nag_or_score(member: User, schedule: MeasureSchedule) -> None:
    invite(member, schedule, "gad7")
    reminders_send()
    text = reminders_for(member)[0].message.lower()
    for word in ("overdue", "missed", "streak", "points", "badge", "must", "gad"):
        assert word not in text


def test_only_what_is_due_and_still_waiting(member: User, schedule: MeasureSchedule) -> None:
    invite(member, schedule, "gad7", occasion="week-8", due_at=timezone.now() + timedelta(days=1))
    invite(member, schedule, "gad7", occasion="baseline", status=Status.SKIPPED)
    invite(member, schedule, "ucla3", occasion="baseline", status=Status.COMPLETED)
    assert reminders_send() == 0
    assert reminders_for(member) == []
    assert reminders_send(now=timezone.now() + timedelta(days=2)) == 1


def test_a_stopped_schedule_reminds_nobody(member: User, schedule: MeasureSchedule) -> None:
    invite(member, schedule, "gad7")
    MeasureSchedule.objects.filter(pk=schedule.pk).update(active=False)
    assert reminders_send() == 0


def test_switched_off_in_the_app_means_no_reminder_and_no_later_nagging(
    member: User, schedule: MeasureSchedule
) -> None:
    NotificationPreference.objects.create(
        user=member, kind=NotificationKind.MEASURE_DUE, in_app=False, email=False
    )
    invitation = invite(member, schedule, "gad7")
    reminders_send()
    assert reminders_for(member) == []
    invitation.refresh_from_db()
    assert invitation.reminded_at is not None
    NotificationPreference.objects.filter(user=member).update(in_app=True)
    reminders_send()
    assert reminders_for(member) == []


def test_email_only_for_members_who_asked_and_it_names_no_measure(
    make_user: MakeUser,
    schedule: MeasureSchedule,
    django_capture_on_commit_callbacks: Any,
    settings: Settings,
) -> None:
    settings.SITE_NAME = "Alongside"
    asked = make_user("pine", email="pine@example.org")
    NotificationPreference.objects.create(
        user=asked, kind=NotificationKind.MEASURE_DUE, in_app=True, email=True
    )
    not_asked = make_user("quince", email="quince@example.org")
    no_address = make_user("rowan")
    for user in (asked, not_asked, no_address):
        invite(user, schedule, "gad7")
        invite(user, schedule, "ucla3")

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 3

    assert len(mail.outbox) == 1
    [email] = mail.outbox
    assert email.to == ["pine@example.org"]
    assert email.subject == "A reminder from Alongside"
    everything = (email.subject + email.body).lower()
    for word in ("questionnaire", "gad", "ucla", "anxiety", "loneliness", "phq"):
        assert word not in everything
    assert reverse("notifications:list") in email.body
    # Every member still sees the reminder in the site.
    assert all(len(reminders_for(user)) == 1 for user in (asked, not_asked, no_address))


def test_a_member_on_a_break_is_reminded_when_it_ends(
    member: User, schedule: MeasureSchedule
) -> None:
    now = timezone.now()
    SafetyPreferences.objects.create(user=member, paused_until=now + timedelta(days=3))
    invitation = invite(member, schedule, "gad7")
    assert reminders_send(now=now) == 0
    invitation.refresh_from_db()
    assert invitation.reminded_at is None
    assert reminders_send(now=now + timedelta(days=4)) == 1
    assert len(reminders_for(member)) == 1


def test_inactive_accounts_get_nothing_and_are_not_reconsidered(
    make_user: MakeUser, schedule: MeasureSchedule
) -> None:
    gone = make_user("sorrel", is_active=False)
    invitation = invite(gone, schedule, "gad7")
    reminders_send()
    assert reminders_for(gone) == []
    invitation.refresh_from_db()
    assert invitation.reminded_at is not None


def test_reminding_many_members_takes_a_few_queries(
    make_user: MakeUser, schedule: MeasureSchedule, django_assert_max_num_queries: Any
) -> None:
    members = [make_user(f"walker_{number}") for number in range(50)]
    MeasureInvitation.objects.bulk_create(
        MeasureInvitation(
            member=user,
            schedule=schedule,
            occasion="week-4",
            measure=measure,
            due_at=timezone.now() - timedelta(hours=1),
        )
        for user in members
        for measure in ("gad7", "ucla3")
    )
    with django_assert_max_num_queries(10):
        assert reminders_send() == 50
    assert Notification.objects.filter(kind=NotificationKind.MEASURE_DUE).count() == 50


def test_optional_messages_refuse_safety_kinds(member: User) -> None:
    with pytest.raises(ValueError, match="switch off"):
        notify_optional_messages(kind=NotificationKind.SAFETY_ALERT, messages=[(member, "Urgent")])


def test_the_periodic_run_invites_and_reminds(
    make_user: MakeUser, schedule: MeasureSchedule
) -> None:
    newcomer = make_user("tansy", date_joined=timezone.now() - timedelta(hours=3))
    run_periodic_jobs()
    assert sorted(
        MeasureInvitation.objects.filter(member=newcomer).values_list("occasion", "measure")
    ) == [("baseline", "gad7"), ("baseline", "ucla3")]
    assert len(reminders_for(newcomer)) == 1
    # A second round asks for nothing new and reminds nobody again.
    assert run_measure_jobs() == 0
    assert len(reminders_for(newcomer)) == 1
