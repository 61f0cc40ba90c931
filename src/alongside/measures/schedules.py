"""When measures are due: the occasion maths, the schedule services and the job that invites.

A schedule names occasions counted from each member's start (joining the site, joining the
schedule's group, or, for a programme's schedule, their enrolment in the programme, moved to
their randomisation when they take part in a study): ``baseline`` at week 0, ``week-N`` every
2 or 4 weeks, ``end`` and ``follow-up``. Every due time is the start instant plus whole weeks,
computed in UTC, so a clock change never moves an occasion by an hour.

The invitation job asks each member for at most one occasion at a time: only the most recent
occasion that has come due is created, and it replaces (lapses) any older one still waiting.
Nobody is ever handed a backlog, and members who joined long before a schedule existed are
not asked for occasions that passed before it did (see ``LATE_START_GRACE``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.access import has_permission
from alongside.measures.models import MeasureInvitation, MeasureSchedule
from alongside.safety.services.audit import audit_record

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.communities.models import Group
    from alongside.evaluation.models import Programme

logger = logging.getLogger(__name__)

MANAGE_SCHEDULES = "measures.manage_measure_schedules"

BASELINE = "baseline"
END = "end"
FOLLOW_UP = "follow-up"

# "every 2 or 4 weeks" (the issue), or 0 for no repeats.
EVERY_WEEKS_CHOICES = (0, 2, 4)
# Programmes longer than five years, or follow-ups more than two years after the end, are
# almost certainly a typing mistake.
END_WEEKS_MAX = 260
FOLLOW_UP_WEEKS_MAX = 104
NAME_MAX = 120

# A member who joined shortly before a schedule was created still gets the occasion that fell
# due in those days (their baseline, typically); anything older is not asked for.
LATE_START_GRACE = timedelta(weeks=2)


class ScheduleShape(Protocol):
    """The fields the occasion maths reads: a MeasureSchedule, or anything shaped like one."""

    at_joining: bool
    every_weeks: int
    end_weeks: int | None
    follow_up_weeks: int | None


@dataclass(frozen=True)
class Occasion:
    """One point at which a schedule's measures are due: a stable name, its week and time."""

    name: str
    week: int
    due_at: datetime


def _utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("Occasion times need a timezone-aware start.")
    return moment.astimezone(UTC)


def occasion_weeks(
    schedule: ScheduleShape, *, up_to_week: int | None = None
) -> list[tuple[str, int]]:
    """(name, week) of every occasion, in order; open-ended repeats stop at ``up_to_week``.

    Repeats fall strictly before the end week (the end occasion takes that week's place). A
    schedule without an end and with repeats has no last occasion, so ``up_to_week`` must then
    say how far to count.
    """
    result: list[tuple[str, int]] = []
    if schedule.at_joining:
        result.append((BASELINE, 0))
    end = schedule.end_weeks
    if schedule.every_weeks:
        if end is None and up_to_week is None:
            raise ValueError("An open-ended repeating schedule needs up_to_week.")
        limit = end - 1 if end is not None else up_to_week
        assert limit is not None  # noqa: S101 - checked just above
        if up_to_week is not None:
            limit = min(limit, up_to_week)
        result.extend(
            (f"week-{week}", week)
            for week in range(schedule.every_weeks, limit + 1, schedule.every_weeks)
        )
    if end is not None:
        result.append((END, end))
        if schedule.follow_up_weeks:
            result.append((FOLLOW_UP, end + schedule.follow_up_weeks))
    if up_to_week is not None:
        result = [(name, week) for name, week in result if week <= up_to_week]
    return result


def occasions(
    schedule: ScheduleShape, start: datetime, *, until: datetime | None = None
) -> list[Occasion]:
    """Every occasion of ``schedule`` for a member who started at ``start``, in order.

    With ``until``, only the occasions due at or before it; an open-ended repeating schedule
    needs ``until``. Due times are ``start`` plus whole weeks, in UTC.
    """
    start_utc = _utc(start)
    up_to_week = None
    if until is not None:
        elapsed = _utc(until) - start_utc
        if elapsed < timedelta(0):
            return []
        up_to_week = elapsed // timedelta(weeks=1)
    return [
        Occasion(name=name, week=week, due_at=start_utc + timedelta(weeks=week))
        for name, week in occasion_weeks(schedule, up_to_week=up_to_week)
    ]


def latest_due_occasion(
    schedule: ScheduleShape, start: datetime, *, now: datetime
) -> Occasion | None:
    """The most recent occasion due at or before ``now``, or None when none is yet."""
    due = occasions(schedule, start, until=now)
    return due[-1] if due else None


# --- Schedule services ------------------------------------------------------------------


def can_manage_schedules(user: User | None) -> bool:
    return has_permission(user, MANAGE_SCHEDULES)


def _require_manager(actor: User) -> None:
    if not can_manage_schedules(actor):
        raise PermissionDenied


def _available_keys() -> list[str]:
    from alongside.measures.engine import available_measures

    return [definition.key for definition in available_measures()]


def _clean(
    *,
    name: str,
    measures: Sequence[str],
    at_joining: bool,
    every_weeks: int,
    end_weeks: int | None,
    follow_up_weeks: int | None,
    group: Group | None = None,
    programme: Programme | None = None,
) -> tuple[str, list[str]]:
    """Check a schedule's settings; returns the tidied name and measure keys.

    Raises ValidationError naming each field that is wrong, so a form can show it in place.
    """
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Please give the schedule a name."))
    elif len(name) > NAME_MAX:
        errors.setdefault("name", []).append(
            _("Please keep the name to %(max)d characters.") % {"max": NAME_MAX}
        )
    keys = list(dict.fromkeys(key.strip().lower() for key in measures if key and key.strip()))
    if not keys:
        errors.setdefault("measures", []).append(_("Choose at least one questionnaire."))
    else:
        available = set(_available_keys())
        unknown = [key for key in keys if key not in available]
        if unknown:
            errors.setdefault("measures", []).append(
                _("These questionnaires are not available here: %(keys)s")
                % {"keys": ", ".join(unknown)}
            )
    if every_weeks not in EVERY_WEEKS_CHOICES:
        errors.setdefault("every_weeks", []).append(
            _("Repeat every 2 or every 4 weeks, or not at all.")
        )
    if end_weeks is not None and not 1 <= end_weeks <= END_WEEKS_MAX:
        errors.setdefault("end_weeks", []).append(
            _("The end must be between week 1 and week %(max)d.") % {"max": END_WEEKS_MAX}
        )
    if follow_up_weeks is not None:
        if end_weeks is None:
            errors.setdefault("follow_up_weeks", []).append(
                _("A follow-up is counted from the end: set an end week too.")
            )
        elif not 1 <= follow_up_weeks <= FOLLOW_UP_WEEKS_MAX:
            errors.setdefault("follow_up_weeks", []).append(
                _("The follow-up must be between 1 and %(max)d weeks after the end.")
                % {"max": FOLLOW_UP_WEEKS_MAX}
            )
    if group is not None and programme is not None:
        errors.setdefault("programme", []).append(
            _(
                "Choose a group or a programme, not both: a programme's schedule follows its "
                "participants wherever they post."
            )
        )
    if not at_joining and not every_weeks and end_weeks is None:
        errors.setdefault("__all__", []).append(
            _("This schedule would never ask anything: choose at joining, a repeat or an end.")
        )
    if errors:
        raise ValidationError(errors)
    return name, keys


def _settings_detail(schedule: MeasureSchedule) -> dict[str, object]:
    return {
        "name": schedule.name,
        "measures": list(schedule.measures),
        "group_id": schedule.group_id,
        "programme_id": schedule.programme_id,
        "at_joining": schedule.at_joining,
        "every_weeks": schedule.every_weeks,
        "end_weeks": schedule.end_weeks,
        "follow_up_weeks": schedule.follow_up_weeks,
    }


@transaction.atomic
def schedule_create(
    *,
    actor: User,
    name: str,
    measures: Sequence[str],
    group: Group | None = None,
    programme: Programme | None = None,
    at_joining: bool = True,
    every_weeks: int = 0,
    end_weeks: int | None = None,
    follow_up_weeks: int | None = None,
) -> MeasureSchedule:
    """Start asking members (everyone, or one group's members) for measures on a schedule."""
    _require_manager(actor)
    name, keys = _clean(
        name=name,
        measures=measures,
        at_joining=at_joining,
        every_weeks=every_weeks,
        end_weeks=end_weeks,
        follow_up_weeks=follow_up_weeks,
        group=group,
        programme=programme,
    )
    schedule = MeasureSchedule.objects.create(
        name=name,
        measures=keys,
        group=group,
        programme=programme,
        at_joining=at_joining,
        every_weeks=every_weeks,
        end_weeks=end_weeks,
        follow_up_weeks=follow_up_weeks if end_weeks is not None else None,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="schedule_create",
        target_kind="measure_schedule",
        target_id=schedule.pk,
        detail=_settings_detail(schedule),
    )
    return schedule


@transaction.atomic
def schedule_update(
    *,
    actor: User,
    schedule: MeasureSchedule,
    name: str,
    measures: Sequence[str],
    group: Group | None = None,
    programme: Programme | None = None,
    at_joining: bool = True,
    every_weeks: int = 0,
    end_weeks: int | None = None,
    follow_up_weeks: int | None = None,
) -> MeasureSchedule:
    """Change a schedule. Occasions already created stay as they were; later ones follow the
    new settings (occasion names are week-based, so nothing is asked twice)."""
    _require_manager(actor)
    name, keys = _clean(
        name=name,
        measures=measures,
        at_joining=at_joining,
        every_weeks=every_weeks,
        end_weeks=end_weeks,
        follow_up_weeks=follow_up_weeks,
        group=group,
        programme=programme,
    )
    before = _settings_detail(schedule)
    schedule.name = name
    schedule.measures = keys
    schedule.group = group
    schedule.programme = programme
    schedule.at_joining = at_joining
    schedule.every_weeks = every_weeks
    schedule.end_weeks = end_weeks
    schedule.follow_up_weeks = follow_up_weeks if end_weeks is not None else None
    schedule.save(
        update_fields=[
            "name",
            "measures",
            "group",
            "programme",
            "at_joining",
            "every_weeks",
            "end_weeks",
            "follow_up_weeks",
        ]
    )
    audit_record(
        actor=actor,
        action="schedule_update",
        target_kind="measure_schedule",
        target_id=schedule.pk,
        detail={"before": before, "after": _settings_detail(schedule)},
    )
    return schedule


@transaction.atomic
def schedule_deactivate(*, actor: User, schedule: MeasureSchedule) -> int:
    """Stop a schedule. Its invitations still waiting lapse, so nobody is asked for them any
    more; answers already given are untouched. Returns how many invitations lapsed."""
    _require_manager(actor)
    now = timezone.now()
    lapsed = 0
    if schedule.active:
        schedule.active = False
        schedule.save(update_fields=["active"])
        lapsed = MeasureInvitation.objects.filter(
            schedule=schedule, status=MeasureInvitation.Status.DUE
        ).update(status=MeasureInvitation.Status.LAPSED, closed_at=now)
        audit_record(
            actor=actor,
            action="schedule_deactivate",
            target_kind="measure_schedule",
            target_id=schedule.pk,
            detail={"name": schedule.name, "lapsed_invitations": lapsed},
        )
    return lapsed


# --- Member services ----------------------------------------------------------------------


@transaction.atomic
def invitation_skip(*, member: User, invitation: MeasureInvitation) -> MeasureInvitation:
    """The member chooses not to answer this time. Only their own, and only while it is due.

    Skipping is the member's private choice, so it is not written to the moderation audit log.
    """
    if invitation.member_id != member.pk:
        raise PermissionDenied
    if invitation.status != MeasureInvitation.Status.DUE:
        raise ValidationError(_("This questionnaire is no longer waiting for you."))
    invitation.status = MeasureInvitation.Status.SKIPPED
    invitation.closed_at = timezone.now()
    invitation.save(update_fields=["status", "closed_at"])
    return invitation


# --- The invitation job -------------------------------------------------------------------


def _starts(schedule: MeasureSchedule) -> Iterable[tuple[int, datetime]]:
    """(member id, start) for everyone the schedule applies to, in one query.

    A programme's schedule applies to its live enrolments (every study arm, a waitlist too,
    so both are measured on the same occasions), counted from ``Enrolment.started_at``.
    """
    if schedule.programme_id is not None:
        from alongside.evaluation.models import Enrolment

        return (
            Enrolment.objects.filter(
                programme_id=schedule.programme_id,
                withdrawn_at__isnull=True,
                member__is_active=True,
            )
            .values_list("member_id", "started_at")
            .iterator()
        )
    if schedule.group_id is None:
        from alongside.accounts.models import User

        return User.objects.filter(is_active=True).values_list("pk", "date_joined").iterator()
    from alongside.communities.models import Membership

    return (
        Membership.objects.filter(
            group_id=schedule.group_id,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .values_list("user_id", "joined_at")
        .iterator()
    )


def _offered_keys(keys: Iterable[str]) -> dict[str, str]:
    """Each configured key and the one to ask for (PHQ-8 for PHQ-9 without a responder);
    unknown keys (a definition file removed since) are left out, with a warning."""
    from alongside.measures.responder import offered_measure_key

    available = set(_available_keys())
    offered: dict[str, str] = {}
    for key in keys:
        if key in offered:
            continue
        asked = offered_measure_key(key)
        if asked not in available:
            logger.warning("Scheduled measure %r is not available; not asking for it.", asked)
            continue
        offered[key] = asked
    return offered


def _invitations_for(
    schedule: MeasureSchedule, *, offered: dict[str, str], now: datetime
) -> list[MeasureInvitation]:
    """The new invitations one schedule needs now: each member's latest due occasion, if it
    is recent enough and not created before."""
    earliest = schedule.created_at - LATE_START_GRACE
    wanted: dict[int, Occasion] = {}
    for member_id, start in _starts(schedule):
        occasion = latest_due_occasion(schedule, start, now=now)
        if occasion is None or occasion.due_at < earliest:
            continue
        wanted[member_id] = occasion
    if not wanted:
        return []
    names = {occasion.name for occasion in wanted.values()}
    # An occasion is created once, with the measures of that moment; if any invitation of it
    # exists (even one since answered), it is not topped up when the measures change later.
    existing = set(
        MeasureInvitation.objects.filter(schedule=schedule, occasion__in=names)
        .values_list("member_id", "occasion")
        .distinct()
    )
    asked = [offered[key] for key in schedule.measures if key in offered]
    asked = list(dict.fromkeys(asked))
    return [
        MeasureInvitation(
            member_id=member_id,
            schedule=schedule,
            occasion=occasion.name,
            measure=measure,
            due_at=occasion.due_at,
        )
        for member_id, occasion in wanted.items()
        if (member_id, occasion.name) not in existing
        for measure in asked
    ]


def _lapse_superseded(*, now: datetime) -> int:
    """Lapse every waiting invitation that nobody should be asked for any more: an older
    occasion of a schedule once a newer one has arrived, a stopped schedule's, and a group
    schedule's once the member has left the group, and a programme schedule's once they have
    withdrawn from the programme. Four statements, whatever the numbers."""
    from alongside.communities.models import Membership
    from alongside.evaluation.models import Enrolment

    due = MeasureInvitation.objects.filter(status=MeasureInvitation.Status.DUE)
    lapse = {"status": MeasureInvitation.Status.LAPSED, "closed_at": now}
    newer = MeasureInvitation.objects.filter(
        member_id=OuterRef("member_id"),
        schedule_id=OuterRef("schedule_id"),
        due_at__gt=OuterRef("due_at"),
    )
    count = due.filter(Exists(newer)).update(**lapse)
    count += due.filter(schedule__active=False).update(**lapse)
    still_in_group = Membership.objects.filter(
        user_id=OuterRef("member_id"),
        group_id=OuterRef("schedule__group_id"),
        status=Membership.Status.ACTIVE,
    )
    count += (
        due.filter(schedule__group__isnull=False).exclude(Exists(still_in_group)).update(**lapse)
    )
    still_enrolled = Enrolment.objects.filter(
        member_id=OuterRef("member_id"),
        programme_id=OuterRef("schedule__programme_id"),
        withdrawn_at__isnull=True,
    )
    count += (
        due.filter(schedule__programme__isnull=False)
        .exclude(Exists(still_enrolled))
        .update(**lapse)
    )
    return count


def invitations_create_due(*, now: datetime | None = None) -> int:
    """Create the invitations that have come due; returns how many it set out to create
    (a run racing another may find some already made by it, and skips those).

    Safe to run again and at the same time as itself: the unique constraint drops any
    duplicate, and lapsing compares due times, so the newest occasion always survives. The
    number of queries depends on the number of schedules, not of members.
    """
    now = now or timezone.now()
    # One transaction per schedule rather than one for the run: a large site's job then never
    # holds the write lock for long, and each schedule's invitations arrive together.
    schedules = list(MeasureSchedule.objects.filter(active=True).order_by("pk"))
    created = 0
    if schedules:
        offered = _offered_keys(key for schedule in schedules for key in schedule.measures)
        for schedule in schedules:
            new = _invitations_for(schedule, offered=offered, now=now)
            if new:
                with transaction.atomic():
                    MeasureInvitation.objects.bulk_create(
                        new, batch_size=500, ignore_conflicts=True
                    )
                created += len(new)
    with transaction.atomic():
        _lapse_superseded(now=now)
    return created
