"""Reads for programmes and studies, with the access checks in one place.

Nothing here returns an ``AllocationSlot`` or a sequence: the only way to learn an arm is a
participant's own ``Allocation`` (``member_allocation``) or the coordinators' counts.

Outcome occasions are found by time windows around randomisation rather than through
invitations, so answers given on the measures pages directly (or imported) count the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from alongside.accounts.access import has_permission
from alongside.evaluation.models import (
    Allocation,
    Enrolment,
    Programme,
    Study,
    StudyConsent,
    StudyConsentDocument,
)
from alongside.measures.models import MeasureResponse

if TYPE_CHECKING:
    from alongside.accounts.access import AnyUser
    from alongside.accounts.models import User

MANAGE_PROGRAMMES = "evaluation.manage_programmes"

# A baseline answer counts if given within this long before randomisation.
BASELINE_WINDOW = timedelta(days=28)
# The follow-up answer is the first one from a week before the follow-up week to four after.
FOLLOW_UP_EARLY = timedelta(weeks=1)
FOLLOW_UP_LATE = timedelta(weeks=4)

# A measure and the keys that stand for it. The PHQ-8 is asked in place of the PHQ-9 where no
# responder is configured; it is the PHQ-9 without item 9, uses the same cut-offs (10, 15;
# Kroenke et al. 2009), and item 9 is rarely endorsed, so a study treats the two as one outcome.
EQUIVALENT_KEYS: dict[str, tuple[str, ...]] = {"phq9": ("phq9", "phq8"), "phq8": ("phq8", "phq9")}


def equivalent_keys(measure: str) -> tuple[str, ...]:
    return EQUIVALENT_KEYS.get(measure, (measure,))


def can_manage_programmes(user: AnyUser | None) -> bool:
    return has_permission(user, MANAGE_PROGRAMMES)


def require_manager(user: AnyUser | None) -> None:
    if not can_manage_programmes(user):
        raise PermissionDenied


# --- Programmes ---------------------------------------------------------------------------


def programmes_for_manager(user: AnyUser) -> QuerySet[Programme]:
    require_manager(user)
    return Programme.objects.order_by("-active", "name")


def programmes_open_to_members() -> QuerySet[Programme]:
    """Active programmes, whether or not enrolment is open today (the page says which)."""
    return Programme.objects.filter(active=True).order_by("name")


def programme_for_manager(user: AnyUser, programme_id: int) -> Programme:
    require_manager(user)
    try:
        return Programme.objects.get(pk=programme_id)
    except Programme.DoesNotExist:
        raise Http404 from None


def programme_for_member(programme_id: int) -> Programme:
    try:
        return Programme.objects.get(pk=programme_id, active=True)
    except Programme.DoesNotExist:
        raise Http404 from None


def live_enrolment(member: User, programme: Programme) -> Enrolment | None:
    return Enrolment.objects.filter(
        member=member, programme=programme, withdrawn_at__isnull=True
    ).first()


# --- Studies ------------------------------------------------------------------------------


def study_for_manager(user: AnyUser, study_id: int) -> Study:
    require_manager(user)
    try:
        return Study.objects.select_related("programme").get(pk=study_id)
    except Study.DoesNotExist:
        raise Http404 from None


def study_for_member(study_id: int) -> Study:
    """A study members may read about: recruiting, or closed (participants still see theirs)."""
    try:
        return Study.objects.select_related("programme").get(
            pk=study_id, status__in=[Study.Status.RECRUITING, Study.Status.CLOSED]
        )
    except Study.DoesNotExist:
        raise Http404 from None


def recruiting_study(programme: Programme) -> Study | None:
    return (
        Study.objects.filter(programme=programme, status=Study.Status.RECRUITING)
        .order_by("-opened_at")
        .first()
    )


def current_consent_document(study: Study) -> StudyConsentDocument | None:
    return StudyConsentDocument.objects.filter(study=study).order_by("-published_at", "-pk").first()


def live_consent(member: User, study: Study) -> StudyConsent | None:
    return (
        StudyConsent.objects.filter(member=member, study=study, withdrawn_at__isnull=True)
        .select_related("document")
        .first()
    )


def member_allocation(member: User, study: Study) -> Allocation | None:
    """The member's own arm, once randomised; nobody else's, and nothing before."""
    return (
        Allocation.objects.filter(participant=member, study=study)
        .select_related("arm", "enrolment")
        .first()
    )


# --- Outcome answers ----------------------------------------------------------------------


def _valid_responses(member_ids: Iterable[int], measure: str) -> QuerySet[MeasureResponse]:
    return MeasureResponse.objects.filter(
        member_id__in=list(member_ids),
        measure__in=equivalent_keys(measure),
        valid=True,
        score__isnull=False,
    )


def baseline_response(member: User, measure: str, *, at: datetime) -> MeasureResponse | None:
    """The latest valid answer to ``measure`` within the baseline window before ``at``."""
    return (
        _valid_responses([member.pk], measure)
        .filter(completed_at__lte=at, completed_at__gte=at - BASELINE_WINDOW)
        .order_by("-completed_at")
        .first()
    )


def missing_baseline(member: User, study: Study, *, at: datetime | None = None) -> list[str]:
    """The study's outcome measures the member has not answered recently enough to be
    randomised (eligibility is a complete baseline)."""
    at = at or timezone.now()
    return [
        measure
        for measure in study.outcome_measures
        if baseline_response(member, measure, at=at) is None
    ]


def follow_up_window(study: Study, allocated_at: datetime) -> tuple[datetime, datetime]:
    due = allocated_at + timedelta(weeks=study.follow_up_weeks)
    return due - FOLLOW_UP_EARLY, due + FOLLOW_UP_LATE


@dataclass(frozen=True)
class OutcomeRow:
    """One participant's scores on one measure at baseline and follow-up (None if missing).

    ``data_removed`` is True when the participant withdrew and asked for their answers to be
    left out: analyses must drop those rows.
    """

    allocation_id: int
    participant_id: int
    arm_id: int
    arm_name: str
    is_control: bool
    stratum: str
    site: str
    cohort_id: int | None
    allocated_at: datetime
    measure: str
    baseline: float | None
    follow_up: float | None
    withdrawn: bool
    data_removed: bool


def outcome_rows(study: Study, measures: Sequence[str] | None = None) -> list[OutcomeRow]:
    """Baseline and follow-up scores for every randomised participant: one query per measure
    plus two, whatever the number of participants. For analysis and the CONSORT counts."""
    allocations = list(
        Allocation.objects.filter(study=study)
        .select_related("arm", "enrolment__cohort")
        .order_by("pk")
    )
    if not allocations:
        return []
    consents = {
        consent.member_id: consent
        for consent in StudyConsent.objects.filter(study=study).order_by("consented_at")
    }
    rows: list[OutcomeRow] = []
    member_ids = [allocation.participant_id for allocation in allocations]
    for measure in measures if measures is not None else study.outcome_measures:
        answers: dict[int, list[MeasureResponse]] = {}
        for response in _valid_responses(member_ids, measure).order_by("completed_at"):
            answers.setdefault(response.member_id, []).append(response)
        for allocation in allocations:
            mine = answers.get(allocation.participant_id, [])
            at = allocation.allocated_at
            before = [r for r in mine if at - BASELINE_WINDOW <= r.completed_at <= at]
            start, end = follow_up_window(study, at)
            after = [r for r in mine if start <= r.completed_at <= end]
            consent = consents.get(allocation.participant_id)
            enrolment = allocation.enrolment
            cohort = enrolment.cohort if enrolment is not None else None
            withdrawn = bool(
                (enrolment is not None and enrolment.withdrawn_at is not None)
                or (consent is not None and consent.withdrawn_at is not None)
            )
            rows.append(
                OutcomeRow(
                    allocation_id=allocation.pk,
                    participant_id=allocation.participant_id,
                    arm_id=allocation.arm_id,
                    arm_name=allocation.arm.name,
                    is_control=allocation.arm.is_control,
                    stratum=allocation.stratum,
                    site=cohort.site if cohort is not None else "",
                    cohort_id=cohort.pk if cohort is not None else None,
                    allocated_at=at,
                    measure=measure,
                    baseline=before[-1].score if before else None,
                    follow_up=after[0].score if after else None,
                    withdrawn=withdrawn,
                    data_removed=bool(
                        consent is not None
                        and consent.data_choice == StudyConsent.DataChoice.REMOVE
                    ),
                )
            )
    return rows


def studies_for_programme(programme: Programme) -> QuerySet[Study]:
    return Study.objects.filter(programme=programme).order_by("-created_at")


def member_studies(member: User) -> QuerySet[Study]:
    """Studies the member has consented to or been randomised in."""
    return Study.objects.filter(
        Q(consents__member=member) | Q(allocations__participant=member)
    ).distinct()
