"""Programme services, and programme-scoped measure schedules counted from enrolment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pytest_django.fixtures import Settings

from alongside.accounts.models import User
from alongside.evaluation.models import Enrolment, Programme
from alongside.evaluation.programmes import (
    ProgrammeSettings,
    cohort_create,
    enrolment_withdraw,
    open_cohorts,
    participant_enrol,
    programme_create,
    programme_update,
)
from alongside.evaluation.studies import participant_withdraw
from alongside.evaluation.tests.test_studies_support import (
    build_programme,
    build_study,
    enrol_and_randomise,
)
from alongside.measures.models import MeasureInvitation
from alongside.measures.schedules import invitations_create_due, schedule_create
from alongside.safety.models import AuditEntry

MakeUser = Callable[..., User]
WEEK = timedelta(weeks=1)


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    return make_user("coordinator_ash", role="administrator")


@pytest.fixture(autouse=True)
def _no_responder(settings: Settings) -> None:
    settings.MEASURES_RESPONDER = ""


def test_programme_describes_the_reviews_moderators(coordinator: User) -> None:
    programme = programme_create(
        actor=coordinator,
        settings=ProgrammeSettings(
            name="  Evening forum  ",
            format=Programme.Format.FORUM,
            support_source=Programme.SupportSource.INFORMAL,
            intended_sessions_per_week=3,
            duration_weeks=12,
        ),
    )
    assert programme.name == "Evening forum"
    assert programme.interactivity == "static"
    programme_update(
        actor=coordinator,
        programme=programme,
        settings=ProgrammeSettings(name="Evening chat", format=Programme.Format.LIVE_CHAT),
    )
    programme.refresh_from_db()
    assert programme.interactivity == "interactive"
    assert AuditEntry.objects.filter(action="programme_update").get().detail["before"][
        "format"
    ] == ("forum")


def test_only_managers_create_programmes(role_users: dict[str, User]) -> None:
    for role in ("member", "peer_supporter", "moderator", "researcher"):
        with pytest.raises(PermissionDenied):
            programme_create(actor=role_users[role], settings=ProgrammeSettings(name="X"))
    assert programme_create(actor=role_users["administrator"], settings=ProgrammeSettings(name="X"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"format": "carrier_pigeon"}, "format"),
        ({"intended_sessions_per_week": 0}, "intended_sessions_per_week"),
        ({"duration_weeks": 0}, "duration_weeks"),
        (
            {"enrolment_opens": date(2026, 5, 1), "enrolment_closes": date(2026, 4, 1)},
            "enrolment_closes",
        ),
    ],
)
def test_bad_programme_settings_name_the_field(
    coordinator: User, changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {"name": "Group", **changes}
    with pytest.raises(ValidationError) as error:
        programme_create(actor=coordinator, settings=ProgrammeSettings(**values))  # type: ignore[arg-type]
    assert field in error.value.message_dict


def test_enrolment_respects_the_window_and_cohort_capacity(
    coordinator: User, make_user: MakeUser
) -> None:
    today = timezone.localdate()
    programme = programme_create(
        actor=coordinator,
        settings=ProgrammeSettings(name="Group", enrolment_opens=today + timedelta(days=3)),
    )
    cohort = cohort_create(
        actor=coordinator, programme=programme, name="Small", starts_on=today, capacity=1
    )
    with pytest.raises(ValidationError, match="not taking new members"):
        participant_enrol(member=make_user("early"), programme=programme, cohort=cohort)
    programme.enrolment_opens = today
    programme.save()
    first = participant_enrol(member=make_user("first"), programme=programme, cohort=cohort)
    assert first.access_from is not None
    assert open_cohorts(programme) == []
    with pytest.raises(ValidationError):
        participant_enrol(member=make_user("second"), programme=programme, cohort=cohort)
    # Joining twice returns the same enrolment.
    assert participant_enrol(member=first.member, programme=programme, cohort=cohort) == first


def test_a_member_may_leave_only_their_own_enrolment(
    coordinator: User, make_user: MakeUser
) -> None:
    programme = build_programme(coordinator, sites=("North",))
    mine = participant_enrol(
        member=make_user("sky"), programme=programme, cohort=programme.cohorts.get()
    )
    with pytest.raises(PermissionDenied):
        enrolment_withdraw(member=make_user("other"), enrolment=mine)
    enrolment_withdraw(member=mine.member, enrolment=mine)
    mine.refresh_from_db()
    assert mine.status == Enrolment.Status.WITHDRAWN


# --- Programme-scoped schedules -----------------------------------------------------------


def test_programme_schedule_counts_from_enrolment_and_asks_both_arms(
    coordinator: User, make_user: MakeUser
) -> None:
    programme = build_programme(coordinator, sites=("North",))
    study = build_study(coordinator, programme, factors=())
    schedule = schedule_create(
        actor=coordinator,
        name="Programme outcomes",
        measures=["gad7"],
        programme=programme,
        at_joining=True,
        end_weeks=8,
    )
    schedule.created_at = timezone.now() - 20 * WEEK
    schedule.save()
    people = [make_user(f"participant{index}") for index in range(6)]
    allocations = [enrol_and_randomise(person, study) for person in people]
    outsider = make_user("not_enrolled")  # a member of the site, not of the programme
    arms = {allocation.arm.name for allocation in allocations}
    assert arms == {"Access now", "Waitlist"}  # 6 people with blocks of 2-6 reach both

    invitations_create_due(now=timezone.now())
    baseline = set(
        MeasureInvitation.objects.filter(schedule=schedule, occasion="baseline").values_list(
            "member_id", flat=True
        )
    )
    assert baseline == {person.pk for person in people}
    assert outsider.pk not in baseline

    # Eight weeks after each participant's randomisation: the end occasion, for every arm.
    later = max(a.allocated_at for a in allocations) + 8 * WEEK
    invitations_create_due(now=later)
    ends = MeasureInvitation.objects.filter(schedule=schedule, occasion="end")
    assert {inv.member_id for inv in ends} == {person.pk for person in people}
    for invitation in ends:
        allocation = next(a for a in allocations if a.participant_id == invitation.member_id)
        assert invitation.due_at == allocation.allocated_at + 8 * WEEK


def test_withdrawing_stops_a_programme_schedule(coordinator: User, make_user: MakeUser) -> None:
    programme = build_programme(coordinator, sites=("North",))
    study = build_study(coordinator, programme, factors=())
    schedule = schedule_create(
        actor=coordinator,
        name="Programme outcomes",
        measures=["gad7"],
        programme=programme,
        every_weeks=2,
        end_weeks=8,
    )
    person = make_user("wren")
    allocation = enrol_and_randomise(person, study)
    invitations_create_due(now=allocation.allocated_at + 2 * WEEK)
    waiting = MeasureInvitation.objects.get(schedule=schedule, member=person)
    assert waiting.status == MeasureInvitation.Status.DUE
    participant_withdraw(member=person, study=study)
    invitations_create_due(now=allocation.allocated_at + 4 * WEEK)
    waiting.refresh_from_db()
    assert waiting.status == MeasureInvitation.Status.LAPSED
    assert not MeasureInvitation.objects.filter(schedule=schedule, occasion="week-4").exists()


def test_a_schedule_is_for_a_group_or_a_programme_not_both(coordinator: User) -> None:
    from alongside.communities.models import Group

    programme = build_programme(coordinator, sites=())
    group = Group.objects.create(name="Evening group", slug="evening-group")
    with pytest.raises(ValidationError) as error:
        schedule_create(
            actor=coordinator,
            name="Both",
            measures=["gad7"],
            group=group,
            programme=programme,
        )
    assert "programme" in error.value.message_dict
