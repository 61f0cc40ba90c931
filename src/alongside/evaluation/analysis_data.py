"""Gathering a programme's or a study's outcome data for ``analysis``: the only database reads.

A study's rows come from ``selectors.outcome_rows``, the same rows the CONSORT counts use, so
the analysed numbers and the flow diagram always agree. A programme's rows use the same kind of
time windows around each participant's start: the baseline is the latest valid answer from
four weeks before the start to two weeks after it, the end is the first valid answer from a
week before the programme's last week to four weeks after. Answers a participant asked to be
left out of a study are dropped before anything else sees them.

Rows carry internal ids only for joining; ``reports`` replaces them before anything is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from alongside.evaluation.engagement import Engagement, Window, engagement_for
from alongside.evaluation.models import Enrolment, Programme, Study, StudyConsent
from alongside.evaluation.selectors import (
    BASELINE_WINDOW,
    FOLLOW_UP_EARLY,
    FOLLOW_UP_LATE,
    equivalent_keys,
    outcome_rows,
)
from alongside.measures.models import MeasureResponse

BASELINE_AFTER_START = timedelta(weeks=2)


@dataclass(frozen=True)
class Row:
    """One participant's baseline and end scores on one measure, with where they belong."""

    participant_id: int
    measure: str
    cohort_id: int | None
    cohort: str
    site: str
    arm: str
    treated: bool | None
    start: datetime
    baseline: float | None
    end: float | None

    @property
    def complete(self) -> bool:
        return self.baseline is not None and self.end is not None


def _removed_from_studies(programme: Programme) -> set[int]:
    """Members who withdrew from one of the programme's studies and asked to be left out."""
    return set(
        StudyConsent.objects.filter(
            study__programme=programme, data_choice=StudyConsent.DataChoice.REMOVE
        ).values_list("member_id", flat=True)
    )


def programme_rows(programme: Programme, measure: str) -> list[Row]:
    """Every enrolment's baseline and end on ``measure`` (two queries and one per cohort name)."""
    enrolments = list(
        Enrolment.objects.filter(programme=programme).select_related("cohort").order_by("pk")
    )
    removed = _removed_from_studies(programme)
    enrolments = [each for each in enrolments if each.member_id not in removed]
    if not enrolments:
        return []
    answers: dict[int, list[tuple[datetime, float]]] = {}
    responses = MeasureResponse.objects.filter(
        member_id__in=[each.member_id for each in enrolments],
        measure__in=equivalent_keys(measure),
        valid=True,
        score__isnull=False,
    ).order_by("completed_at")
    for member_id, completed_at, score in responses.values_list(
        "member_id", "completed_at", "score"
    ):
        answers.setdefault(member_id, []).append((completed_at, float(score or 0.0)))
    end_due = timedelta(weeks=programme.duration_weeks)
    rows: list[Row] = []
    for enrolment in enrolments:
        mine = answers.get(enrolment.member_id, [])
        start = enrolment.started_at
        before = [
            score
            for at, score in mine
            if start - BASELINE_WINDOW <= at <= start + BASELINE_AFTER_START
        ]
        due = start + end_due
        after = [score for at, score in mine if due - FOLLOW_UP_EARLY <= at <= due + FOLLOW_UP_LATE]
        cohort = enrolment.cohort
        rows.append(
            Row(
                participant_id=enrolment.member_id,
                measure=measure,
                cohort_id=cohort.pk if cohort is not None else None,
                cohort=cohort.name if cohort is not None else "No cohort",
                site=cohort.site if cohort is not None else "",
                arm="",
                treated=None,
                start=start,
                baseline=before[-1] if before else None,
                end=after[0] if after else None,
            )
        )
    return rows


def study_rows(study: Study, measure: str) -> list[Row]:
    """Every randomised participant's baseline and follow-up, less those who asked to leave."""
    cohorts = dict(study.programme.cohorts.values_list("pk", "name"))
    return [
        Row(
            participant_id=row.participant_id,
            measure=measure,
            cohort_id=row.cohort_id,
            cohort=cohorts.get(row.cohort_id, "No cohort") if row.cohort_id else "No cohort",
            site=row.site,
            arm=row.arm_name,
            treated=not row.is_control,
            start=row.allocated_at,
            baseline=row.baseline,
            end=row.follow_up,
        )
        for row in outcome_rows(study, [measure])
        if not row.data_removed
    ]


def doses(rows: Sequence[Row], *, weeks: int) -> dict[int, Engagement]:
    """Engagement of each row's participant from their start over ``weeks`` weeks."""
    windows = {
        row.participant_id: Window(
            start=row.start.date(), end=(row.start + timedelta(weeks=weeks)).date()
        )
        for row in rows
    }
    return engagement_for(windows)
