"""Writes for programmes, their cohorts, and members joining or leaving them.

Each service checks the actor's permission itself (a view that forgot cannot do the wrong
thing), runs in one transaction, and writes its audit row in that same transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.evaluation.models import Cohort, Enrolment, Programme
from alongside.evaluation.selectors import live_enrolment, require_manager
from alongside.safety.services.audit import audit_record

if TYPE_CHECKING:
    from alongside.accounts.models import User

NAME_MAX = 120
DURATION_WEEKS_MAX = 260
SESSIONS_PER_WEEK_MAX = 50.0


@dataclass(frozen=True)
class ProgrammeSettings:
    """What a coordinator sets for a programme; the services check all of it."""

    name: str
    description: str = ""
    format: str = Programme.Format.FORUM
    support_source: str = Programme.SupportSource.FORMAL
    intended_sessions_per_week: float = 1.0
    duration_weeks: int = 8
    enrolment_opens: date | None = None
    enrolment_closes: date | None = None
    group_id: int | None = None
    active: bool = True


def _clean(settings: ProgrammeSettings) -> ProgrammeSettings:
    errors: dict[str, list[str]] = {}
    name = (settings.name or "").strip()
    if not name:
        errors["name"] = [_("Please give the programme a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Please keep the name to %(max)d characters.") % {"max": NAME_MAX}]
    if settings.format not in Programme.Format.values:
        errors["format"] = [_("Choose one of the formats listed.")]
    if settings.support_source not in Programme.SupportSource.values:
        errors["support_source"] = [_("Choose who gives the support.")]
    if not 0 < settings.intended_sessions_per_week <= SESSIONS_PER_WEEK_MAX:
        errors["intended_sessions_per_week"] = [
            _("Sessions per week must be above 0 and at most %(max)d.")
            % {"max": int(SESSIONS_PER_WEEK_MAX)}
        ]
    if not 1 <= settings.duration_weeks <= DURATION_WEEKS_MAX:
        errors["duration_weeks"] = [
            _("The duration must be between 1 and %(max)d weeks.") % {"max": DURATION_WEEKS_MAX}
        ]
    opens, closes = settings.enrolment_opens, settings.enrolment_closes
    if opens is not None and closes is not None and closes < opens:
        errors["enrolment_closes"] = [_("Enrolment cannot close before it opens.")]
    if errors:
        raise ValidationError(errors)
    return ProgrammeSettings(**{**asdict(settings), "name": name})


def _detail(programme: Programme) -> dict[str, Any]:
    return {
        "name": programme.name,
        "format": programme.format,
        "support_source": programme.support_source,
        "intended_sessions_per_week": programme.intended_sessions_per_week,
        "duration_weeks": programme.duration_weeks,
        "enrolment_opens": str(programme.enrolment_opens or ""),
        "enrolment_closes": str(programme.enrolment_closes or ""),
        "group_id": programme.group_id,
        "active": programme.active,
    }


def _apply(programme: Programme, settings: ProgrammeSettings) -> None:
    for field, value in asdict(settings).items():
        setattr(programme, field, value)


@transaction.atomic
def programme_create(*, actor: User, settings: ProgrammeSettings) -> Programme:
    """Define a programme; its measures schedule is set on the schedules page."""
    require_manager(actor)
    settings = _clean(settings)
    programme = Programme(created_by=actor)
    _apply(programme, settings)
    programme.save()
    audit_record(
        actor=actor,
        action="programme_create",
        target_kind="programme",
        target_id=programme.pk,
        detail=_detail(programme),
    )
    return programme


@transaction.atomic
def programme_update(
    *, actor: User, programme: Programme, settings: ProgrammeSettings
) -> Programme:
    """Change a programme's description. Enrolments and studies already made stay as they are."""
    require_manager(actor)
    settings = _clean(settings)
    before = _detail(programme)
    _apply(programme, settings)
    programme.save(update_fields=list(asdict(settings)))
    audit_record(
        actor=actor,
        action="programme_update",
        target_kind="programme",
        target_id=programme.pk,
        detail={"before": before, "after": _detail(programme)},
    )
    return programme


@transaction.atomic
def cohort_create(
    *,
    actor: User,
    programme: Programme,
    name: str,
    starts_on: date,
    ends_on: date | None = None,
    site: str = "",
    capacity: int | None = None,
) -> Cohort:
    """Add a run of the programme, at a site (a free label used for pooling and strata)."""
    require_manager(actor)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Please give the cohort a name.")]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("A cohort cannot end before it starts.")]
    if capacity is not None and capacity < 1:
        errors["capacity"] = [_("Capacity must be 1 or more, or left empty.")]
    if errors:
        raise ValidationError(errors)
    cohort = Cohort.objects.create(
        programme=programme,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        site=(site or "").strip(),
        capacity=capacity,
    )
    audit_record(
        actor=actor,
        action="cohort_create",
        target_kind="cohort",
        target_id=cohort.pk,
        detail={"programme_id": programme.pk, "name": cohort.name, "site": cohort.site},
    )
    return cohort


def open_cohorts(programme: Programme, *, today: date | None = None) -> list[Cohort]:
    """Cohorts a member may still join: not ended, and not full."""
    today = today or timezone.localdate()
    result = []
    for cohort in programme.cohorts.all().order_by("starts_on", "name"):
        if cohort.ends_on is not None and cohort.ends_on < today:
            continue
        if cohort.capacity is not None and (
            cohort.enrolments.filter(withdrawn_at__isnull=True).count() >= cohort.capacity
        ):
            continue
        result.append(cohort)
    return result


@transaction.atomic
def participant_enrol(
    *,
    member: User,
    programme: Programme,
    cohort: Cohort | None = None,
    now: datetime | None = None,
    for_study: bool = False,
) -> Enrolment:
    """A member joins a programme, directly or (``for_study``) as a study participant.

    Returns the live enrolment if there is one already. A study participant's access is left
    empty until randomisation decides whether they start now or wait. While a study recruits
    and does not allow it, the programme can only be joined through the study.
    """
    from alongside.evaluation.selectors import recruiting_study

    now = now or timezone.now()
    existing = live_enrolment(member, programme)
    if existing is not None:
        return existing
    study = recruiting_study(programme)
    if not for_study and study is not None and not study.allow_joining_outside_study:
        raise ValidationError(
            _("While its study is recruiting, this programme can only be joined through it.")
        )
    if not programme.enrolment_open_on(timezone.localdate(now)):
        raise ValidationError(_("This programme is not taking new members at the moment."))
    if cohort is not None:
        if cohort.programme_id != programme.pk:
            raise PermissionDenied
        if cohort not in open_cohorts(programme, today=timezone.localdate(now)):
            raise ValidationError({"cohort": [_("That cohort is full or has ended.")]})
    elif programme.cohorts.exists():
        raise ValidationError({"cohort": [_("Please choose a cohort.")]})
    enrolment = Enrolment.objects.create(
        member=member,
        programme=programme,
        cohort=cohort,
        enrolled_at=now,
        started_at=now,
        access_from=None if for_study else now,
    )
    audit_record(
        actor=member,
        action="programme_enrol",
        target_kind="enrolment",
        target_id=enrolment.pk,
        member=member,
        detail={
            "programme_id": programme.pk,
            "cohort_id": cohort.pk if cohort else None,
            "for_study": for_study,
        },
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(
    *, member: User, enrolment: Enrolment, now: datetime | None = None
) -> Enrolment:
    """The member leaves the programme. Their answers stay theirs; schedules stop asking."""
    if enrolment.member_id != member.pk:
        raise PermissionDenied
    if enrolment.withdrawn_at is not None:
        return enrolment
    enrolment.withdrawn_at = now or timezone.now()
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save(update_fields=["withdrawn_at", "status"])
    audit_record(
        actor=member,
        action="programme_withdraw",
        target_kind="enrolment",
        target_id=enrolment.pk,
        member=member,
        detail={"programme_id": enrolment.programme_id},
    )
    return enrolment
