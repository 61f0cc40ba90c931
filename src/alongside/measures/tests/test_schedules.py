"""Schedule services and the invitation job: who is asked for what, once, and never a backlog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pytest_django.fixtures import Settings

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.communities.models import Group, Membership
from alongside.measures.demo_schedules import ensure_demo_schedule
from alongside.measures.models import MeasureInvitation, MeasureSchedule
from alongside.measures.schedules import (
    invitation_skip,
    invitations_create_due,
    schedule_create,
    schedule_deactivate,
    schedule_update,
)
from alongside.safety.models import AuditEntry

MakeUser = Callable[..., User]
WEEK = timedelta(weeks=1)
Status = MeasureInvitation.Status


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    user = make_user("coordinator_sam")
    user.user_permissions.add(Permission.objects.get(codename="manage_measure_schedules"))
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture(autouse=True)
def _no_responder(settings: Settings) -> None:
    settings.MEASURES_RESPONDER = ""


def make_schedule(created_at: datetime, **fields: Any) -> MeasureSchedule:
    fields.setdefault("name", "Wellbeing check-in")
    fields.setdefault("measures", ["gad7"])
    return MeasureSchedule.objects.create(created_at=created_at, **fields)


def rows(**filters: Any) -> list[tuple[str, str, str, str]]:
    return sorted(
        MeasureInvitation.objects.filter(**filters).values_list(
            "member__handle", "occasion", "measure", "status"
        )
    )


# --- Services -------------------------------------------------------------------------------


def test_only_someone_allowed_can_create_a_schedule(member: User) -> None:
    with pytest.raises(PermissionDenied):
        schedule_create(actor=member, name="Check-in", measures=["gad7"])
    assert not MeasureSchedule.objects.exists()


def test_create_is_audited(coordinator: User) -> None:
    schedule = schedule_create(
        actor=coordinator,
        name="  Twelve-week programme ",
        measures=["phq9", "gad7", "phq9"],
        every_weeks=4,
        end_weeks=12,
        follow_up_weeks=12,
    )
    assert schedule.name == "Twelve-week programme"
    assert schedule.measures == ["phq9", "gad7"]
    assert schedule.created_by == coordinator
    entry = AuditEntry.objects.get(action="schedule_create")
    assert entry.actor == coordinator
    assert entry.target_id == schedule.pk
    assert entry.detail["measures"] == ["phq9", "gad7"]
    assert entry.detail["end_weeks"] == 12


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "name", "give the schedule a name"),
        ({"measures": []}, "measures", "at least one"),
        ({"measures": ["gad7", "swemwbs"]}, "measures", "swemwbs"),
        ({"every_weeks": 3}, "every_weeks", "2 or every 4"),
        ({"end_weeks": 0}, "end_weeks", "between week 1"),
        ({"follow_up_weeks": 12}, "follow_up_weeks", "set an end week"),
        ({"end_weeks": 12, "follow_up_weeks": 500}, "follow_up_weeks", "between 1 and 104"),
        ({"at_joining": False}, "__all__", "never ask"),
    ],
)
def test_create_refuses_settings_that_make_no_sense(
    coordinator: User, changes: dict[str, Any], field: str, message: str
) -> None:
    arguments: dict[str, Any] = {"name": "Check-in", "measures": ["gad7"], **changes}
    with pytest.raises(ValidationError) as raised:
        schedule_create(actor=coordinator, **arguments)
    assert message in " ".join(raised.value.message_dict[field])
    assert not MeasureSchedule.objects.exists()


def test_update_is_audited_with_before_and_after(coordinator: User) -> None:
    schedule = schedule_create(actor=coordinator, name="Check-in", measures=["gad7"])
    schedule_update(
        actor=coordinator,
        schedule=schedule,
        name="Check-in",
        measures=["gad7", "ucla3"],
        every_weeks=2,
    )
    schedule.refresh_from_db()
    assert (schedule.measures, schedule.every_weeks) == (["gad7", "ucla3"], 2)
    entry = AuditEntry.objects.get(action="schedule_update")
    assert entry.detail["before"]["measures"] == ["gad7"]
    assert entry.detail["after"]["every_weeks"] == 2


def test_deactivating_withdraws_what_is_still_waiting(coordinator: User, member: User) -> None:
    schedule = make_schedule(timezone.now() - 20 * WEEK)
    waiting = MeasureInvitation.objects.create(
        member=member, schedule=schedule, occasion="baseline", measure="gad7", due_at=timezone.now()
    )
    answered = MeasureInvitation.objects.create(
        member=member,
        schedule=schedule,
        occasion="week-4",
        measure="gad7",
        due_at=timezone.now(),
        status=Status.COMPLETED,
    )
    assert schedule_deactivate(actor=coordinator, schedule=schedule) == 1
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert waiting.status == Status.LAPSED
    assert waiting.closed_at is not None
    assert answered.status == Status.COMPLETED
    assert AuditEntry.objects.filter(action="schedule_deactivate", target_id=schedule.pk).exists()
    # Nothing is created for a stopped schedule.
    assert invitations_create_due() == 0


def test_a_member_cannot_deactivate(member: User) -> None:
    schedule = make_schedule(timezone.now())
    with pytest.raises(PermissionDenied):
        schedule_deactivate(actor=member, schedule=schedule)
    schedule.refresh_from_db()
    assert schedule.active


# --- The invitation job ---------------------------------------------------------------------


def test_a_new_member_gets_a_baseline_and_running_twice_changes_nothing(
    make_user: MakeUser,
) -> None:
    now = timezone.now()
    make_schedule(now - 10 * WEEK, measures=["gad7", "ucla3"], every_weeks=4)
    make_user("alder", date_joined=now - timedelta(days=1))
    assert invitations_create_due(now=now) == 2
    first = rows()
    assert first == [
        ("alder", "baseline", "gad7", "due"),
        ("alder", "baseline", "ucla3", "due"),
    ]
    invitation = MeasureInvitation.objects.get(measure="gad7")
    assert invitation.due_at == MeasureInvitation.objects.get(measure="ucla3").due_at
    assert invitation.due_at == User.objects.get(handle="alder").date_joined

    assert invitations_create_due(now=now) == 0
    assert invitations_create_due(now=now + timedelta(days=2)) == 0
    assert rows() == first


def test_nothing_before_an_occasion_is_due(make_user: MakeUser) -> None:
    now = timezone.now()
    make_schedule(now - 10 * WEEK, at_joining=False, every_weeks=4)
    make_user("birch", date_joined=now - 3 * WEEK)
    assert invitations_create_due(now=now) == 0
    assert invitations_create_due(now=now + WEEK) == 1
    assert rows() == [("birch", "week-4", "gad7", "due")]


def test_a_newer_occasion_lapses_the_older_one_still_waiting(make_user: MakeUser) -> None:
    joined = timezone.now() - 5 * WEEK
    make_schedule(joined - WEEK, every_weeks=2, measures=["gad7", "ucla3"])
    make_user("cedar", date_joined=joined)
    invitations_create_due(now=joined + timedelta(hours=1))
    MeasureInvitation.objects.filter(measure="ucla3").update(status=Status.COMPLETED)

    invitations_create_due(now=joined + 2 * WEEK + timedelta(hours=1))
    assert rows() == [
        ("cedar", "baseline", "gad7", "lapsed"),
        ("cedar", "baseline", "ucla3", "completed"),
        ("cedar", "week-2", "gad7", "due"),
        ("cedar", "week-2", "ucla3", "due"),
    ]
    assert MeasureInvitation.objects.get(occasion="baseline", measure="gad7").closed_at


def test_a_missed_run_never_hands_over_a_backlog(make_user: MakeUser) -> None:
    """The job was not run for nine weeks: only the latest occasion is asked for."""
    joined = timezone.now() - 9 * WEEK
    make_schedule(joined - WEEK, every_weeks=4, end_weeks=8, follow_up_weeks=26)
    make_user("dune", date_joined=joined)
    assert invitations_create_due(now=timezone.now()) == 1
    assert rows() == [("dune", "end", "gad7", "due")]


def test_members_who_joined_long_before_the_schedule_join_its_rhythm(
    make_user: MakeUser,
) -> None:
    created = timezone.now()
    make_schedule(created, every_weeks=4, end_weeks=52)
    # Joined 31 weeks earlier: week-28 fell due 3 weeks before the schedule existed.
    make_user("elm", date_joined=created - 31 * WEEK)
    # Joined 10 days earlier: the baseline fell due within the grace of two weeks.
    make_user("fern", date_joined=created - timedelta(days=10))
    # Joined a year ago, on a baseline-only schedule below: never asked.
    assert invitations_create_due(now=created) == 1
    assert rows() == [("fern", "baseline", "gad7", "due")]

    assert invitations_create_due(now=created + WEEK + timedelta(hours=1)) == 1
    assert rows(member__handle="elm") == [("elm", "week-32", "gad7", "due")]


def test_a_baseline_only_schedule_does_not_ask_established_members(make_user: MakeUser) -> None:
    created = timezone.now()
    make_schedule(created)
    make_user("gorse", date_joined=created - 52 * WEEK)
    assert invitations_create_due(now=created + 10 * WEEK) == 0


def test_phq9_is_asked_as_phq8_without_a_responder(make_user: MakeUser, settings: Settings) -> None:
    now = timezone.now()
    make_schedule(now - WEEK, measures=["phq9", "gad7"])
    make_user("heath", date_joined=now - timedelta(hours=2))
    invitations_create_due(now=now)
    assert [measure for _h, _o, measure, _s in rows()] == ["gad7", "phq8"]


def test_phq9_is_asked_when_a_responder_is_configured(
    make_user: MakeUser, settings: Settings
) -> None:
    make_user("night_responder", role=Role.MODERATOR)
    settings.MEASURES_RESPONDER = "night_responder"
    now = timezone.now()
    make_schedule(now - WEEK, measures=["phq9", "gad7"])
    make_user("heath", date_joined=now - timedelta(hours=2))
    invitations_create_due(now=now)
    assert [measure for _h, _o, measure, _s in rows(member__handle="heath")] == ["gad7", "phq9"]


def test_an_unknown_responder_handle_still_means_phq8(
    make_user: MakeUser, settings: Settings
) -> None:
    make_user("not_a_moderator")
    settings.MEASURES_RESPONDER = "not_a_moderator"
    now = timezone.now()
    make_schedule(now - WEEK, measures=["phq9"])
    make_user("ivy", date_joined=now - timedelta(hours=2))
    invitations_create_due(now=now)
    assert [measure for _h, _o, measure, _s in rows(member__handle="ivy")] == ["phq8"]


def test_a_group_schedule_asks_only_active_members_from_when_they_joined_the_group(
    make_user: MakeUser,
) -> None:
    now = timezone.now()
    group = Group.objects.create(slug="new-parents", name="New parents")
    make_schedule(now - 10 * WEEK, group=group, every_weeks=2)
    joined_group = now - timedelta(days=15)
    in_group = make_user("juniper", date_joined=now - 40 * WEEK)
    waiting = make_user("kale", date_joined=now - 40 * WEEK)
    make_user("larch", date_joined=now - timedelta(hours=1))  # not in the group
    Membership.objects.create(group=group, user=in_group, joined_at=joined_group)
    Membership.objects.create(
        group=group, user=waiting, joined_at=joined_group, status=Membership.Status.PENDING
    )
    assert invitations_create_due(now=now) == 1
    invitation = MeasureInvitation.objects.get()
    assert (invitation.member, invitation.occasion, invitation.status) == (
        in_group,
        "week-2",
        Status.DUE,
    )
    assert invitation.due_at == joined_group + 2 * WEEK


def test_leaving_the_group_withdraws_its_waiting_questionnaires(make_user: MakeUser) -> None:
    now = timezone.now()
    group = Group.objects.create(slug="walkers", name="Walkers")
    make_schedule(now - 10 * WEEK, group=group)
    walker = make_user("moss")
    membership = Membership.objects.create(group=group, user=walker, joined_at=now - WEEK)
    invitations_create_due(now=now)
    assert rows() == [("moss", "baseline", "gad7", "due")]
    membership.delete()
    invitations_create_due(now=now + timedelta(minutes=5))
    assert rows() == [("moss", "baseline", "gad7", "lapsed")]


def test_deactivated_accounts_are_not_asked(make_user: MakeUser) -> None:
    now = timezone.now()
    make_schedule(now - WEEK)
    make_user("nettle", date_joined=now - timedelta(hours=1), is_active=False)
    assert invitations_create_due(now=now) == 0


def test_the_job_needs_the_same_few_queries_for_fifty_members(
    make_user: MakeUser, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    make_schedule(now - 10 * WEEK, measures=["phq9", "gad7", "ucla3"], every_weeks=4)
    group = Group.objects.create(slug="carers", name="Carers")
    make_schedule(now - 10 * WEEK, group=group, measures=["qpr15"], every_weeks=2)
    for number in range(50):
        user = make_user(f"member_{number}", date_joined=now - timedelta(days=number))
        Membership.objects.create(group=group, user=user, joined_at=now - timedelta(days=number))
    with django_assert_max_num_queries(18):
        created = invitations_create_due(now=now)
    assert created == MeasureInvitation.objects.count()
    # Everyone gets the site-wide occasion (3 measures) and the group's (1 measure).
    assert MeasureInvitation.objects.values("member").distinct().count() == 50
    assert created == 50 * 4
    with django_assert_max_num_queries(18):
        assert invitations_create_due(now=now) == 0


# --- Skipping -------------------------------------------------------------------------------


def test_a_member_skips_their_own_due_questionnaire(member: User, make_user: MakeUser) -> None:
    schedule = make_schedule(timezone.now())
    invitation = MeasureInvitation.objects.create(
        member=member, schedule=schedule, occasion="baseline", measure="gad7", due_at=timezone.now()
    )
    with pytest.raises(PermissionDenied):
        invitation_skip(member=make_user("someone_else"), invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == Status.DUE

    invitation_skip(member=member, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == Status.SKIPPED
    assert invitation.closed_at is not None
    with pytest.raises(ValidationError, match="no longer waiting"):
        invitation_skip(member=member, invitation=invitation)


# --- Demo -----------------------------------------------------------------------------------


def test_demo_schedule_is_made_once_and_offers_current_occasions(make_user: MakeUser) -> None:
    now = timezone.now()
    make_user("founder", date_joined=now - 30 * WEEK)
    first = ensure_demo_schedule()
    second = ensure_demo_schedule()
    assert first.pk == second.pk
    assert MeasureSchedule.objects.count() == 1
    assert (first.name, first.group, first.at_joining, first.every_weeks) == (
        "Wellbeing check-in",
        None,
        True,
        4,
    )
    assert first.measures == ["phq9", "gad7", "ucla3"]
    assert first.end_weeks is None
    assert invitations_create_due(now=now) == 3
    assert [measure for _h, occasion, measure, _s in rows()] == ["gad7", "phq8", "ucla3"]
    assert {occasion for _h, occasion, _m, _s in rows()} == {"week-28"}
