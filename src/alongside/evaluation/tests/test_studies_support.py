"""Builders shared by the programme, study, allocation and CONSORT tests (no tests here).

Plain functions rather than fixtures, so each test says what it builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.utils import timezone

from alongside.accounts.models import User
from alongside.evaluation.models import Allocation, Cohort, Programme, Study
from alongside.evaluation.programmes import ProgrammeSettings, cohort_create, programme_create
from alongside.evaluation.studies import (
    ArmSpec,
    StudySettings,
    consent_publish,
    participant_consent,
    participant_randomise,
    study_create,
    study_open,
)
from alongside.measures.models import MeasureResponse


def build_programme(coordinator: User, *, sites: Sequence[str] = ("North", "South")) -> Programme:
    programme = programme_create(
        actor=coordinator,
        settings=ProgrammeSettings(
            name="8-week peer support group",
            description="Meet weekly with others who understand.",
            format=Programme.Format.VIDEO,
            support_source=Programme.SupportSource.FORMAL,
            intended_sessions_per_week=1,
            duration_weeks=8,
        ),
    )
    for site in sites:
        cohort_create(
            actor=coordinator,
            programme=programme,
            name=f"{site} spring",
            starts_on=date(2026, 1, 5),
            site=site,
        )
    return programme


def build_study(
    coordinator: User,
    programme: Programme,
    *,
    ratios: Sequence[int] = (1, 1),
    block_sizes: Sequence[int] = (2, 4, 6),
    factors: Sequence[str] = ("site", "baseline_severity"),
    measures: Sequence[str] = ("gad7",),
    open_now: bool = True,
    allow_outside: bool = True,
) -> Study:
    arms = [
        ArmSpec(name="Access now", ratio=ratios[0]),
        ArmSpec(name="Waitlist", ratio=ratios[1], is_control=True, access_delay_weeks=8),
    ]
    study = study_create(
        actor=coordinator,
        programme=programme,
        settings=StudySettings(
            title="Access now vs waitlist",
            summary="We want to learn whether the group helps. Half start now, half later.",
            arms=tuple(arms),
            outcome_measures=tuple(measures),
            primary_outcome=measures[0],
            block_sizes=tuple(block_sizes),
            stratification_factors=tuple(factors),
            follow_up_weeks=8,
            allow_joining_outside_study=allow_outside,
        ),
    )
    consent_publish(
        actor=coordinator,
        study=study,
        version="1",
        body="Taking part is your choice. You can stop at any time.",
    )
    if open_now:
        study_open(actor=coordinator, study=study)
        study.refresh_from_db()
    return study


def give_score(
    member: User, measure: str, score: float, *, at: datetime | None = None
) -> MeasureResponse:
    """A completed questionnaire with this total (items are not needed by these tests)."""
    return MeasureResponse.objects.create(
        member=member,
        measure=measure,
        measure_version="1",
        score=score,
        raw_total=score,
        valid=True,
        completed_at=at or timezone.now() - timedelta(hours=1),
    )


def consent(
    member: User, study: Study, cohort: Cohort | None = None, *, now: datetime | None = None
) -> None:
    document = study.consent_documents.order_by("-published_at", "-pk").first()
    assert document is not None
    if cohort is None:
        cohort = study.programme.cohorts.order_by("pk").first()
    participant_consent(member=member, study=study, document=document, cohort=cohort, now=now)


def enrol_and_randomise(
    member: User,
    study: Study,
    *,
    cohort: Cohort | None = None,
    score: float = 8,
    now: datetime | None = None,
) -> Allocation:
    consent(member, study, cohort, now=now)
    for measure in study.outcome_measures:
        give_score(member, measure, score, at=(now or timezone.now()) - timedelta(hours=1))
    return participant_randomise(actor=member, member=member, study=study, now=now)
