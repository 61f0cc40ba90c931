"""A constructed programme with a randomised study, for the report tests (invented data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from conftest import MakeUser
from django.utils import timezone

from alongside.accounts.models import User
from alongside.evaluation.models import (
    Allocation,
    AllocationSequence,
    AllocationSlot,
    Arm,
    Cohort,
    Enrolment,
    Programme,
    Screening,
    Study,
)
from alongside.measures.models import MeasureResponse


@dataclass
class Built:
    programme: Programme
    study: Study
    participants: list[User]
    declined: list[User]


def _response(member: User, measure: str, score: float, when: datetime) -> MeasureResponse:
    return MeasureResponse(
        member=member, measure=measure, measure_version="1", score=score, completed_at=when
    )


def build_trial(
    make_user: MakeUser,
    *,
    cohorts: tuple[tuple[str, str, int], ...] = (("Spring", "North", 30), ("Autumn", "South", 30)),
    small_cohort: int = 9,
    declined: int = 7,
    seed: int = 5,
) -> Built:
    """Two cohorts randomised 1:1 (peer support ends about 3 PHQ-9 points lower), one small
    cohort enrolled outside the study, and a few members who declined."""
    rng = np.random.default_rng(seed)
    now = timezone.now()
    programme = Programme.objects.create(
        name="Eight-week peer support group",
        format=Programme.Format.LIVE_CHAT,
        support_source=Programme.SupportSource.FORMAL,
        intended_sessions_per_week=1.0,
        duration_weeks=8,
    )
    study = Study.objects.create(
        programme=programme,
        title="Peer support now or after a wait",
        summary="An invented study.",
        status=Study.Status.CLOSED,
        block_sizes=[2, 4],
        outcome_measures=["phq9", "gad7"],
        primary_outcome="phq9",
        follow_up_weeks=8,
    )
    treat = Arm.objects.create(study=study, name="Access now", position=0)
    control = Arm.objects.create(
        study=study, name="Waitlist", is_control=True, access_delay_weeks=8, position=1
    )
    sequence = AllocationSequence.objects.create(study=study, stratum="all")
    participants: list[User] = []
    responses: list[MeasureResponse] = []
    position = 0
    for name, site, size in cohorts:
        cohort = Cohort.objects.create(
            programme=programme, name=name, site=site, starts_on=(now - timedelta(weeks=12)).date()
        )
        for i in range(size):
            member = make_user(f"{site.lower()}walker{i}")
            participants.append(member)
            arm = treat if i % 2 == 0 else control
            allocated_at = now - timedelta(weeks=12, days=int(rng.integers(0, 7)))
            enrolment = Enrolment.objects.create(
                member=member,
                programme=programme,
                cohort=cohort,
                enrolled_at=allocated_at,
                started_at=allocated_at,
            )
            position += 1
            slot = AllocationSlot.objects.create(
                sequence=sequence,
                position=position,
                block_number=position // 4,
                block_size=4,
                arm=arm,
                used_at=allocated_at,
            )
            Allocation.objects.create(
                participant=member,
                study=study,
                arm=arm,
                stratum="all",
                slot=slot,
                enrolment=enrolment,
                allocated_at=allocated_at,
            )
            Screening.objects.create(member=member, study=study, assessed_at=allocated_at)
            person = rng.normal(0, 3)
            phq_before = float(np.clip(round(15 + person + rng.normal(0, 2)), 0, 27))
            gad_before = float(np.clip(round(12 + person / 2 + rng.normal(0, 2)), 0, 21))
            lift = 3.0 if arm == treat else 0.0
            phq_after = float(np.clip(round(13 + person - lift + rng.normal(0, 2)), 0, 27))
            gad_after = float(np.clip(round(11 + person / 2 - lift / 2 + rng.normal(0, 2)), 0, 21))
            before_at = allocated_at - timedelta(days=1)
            after_at = allocated_at + timedelta(weeks=8, days=1)
            responses += [
                _response(member, "phq9", phq_before, before_at),
                _response(member, "gad7", gad_before, before_at),
            ]
            # A few in each arm never came back.
            if i % 10 != 9:
                responses += [
                    _response(member, "phq9", phq_after, after_at),
                    _response(member, "gad7", gad_after, after_at),
                ]
    small = Cohort.objects.create(
        programme=programme, name="Winter", site="East", starts_on=now.date()
    )
    for i in range(small_cohort):
        member = make_user(f"eastwalker{i}")
        participants.append(member)
        Enrolment.objects.create(
            member=member, programme=programme, cohort=small, started_at=now - timedelta(weeks=9)
        )
        responses.append(_response(member, "phq9", 14.0 + i % 3, now - timedelta(weeks=9)))
        responses.append(_response(member, "phq9", 10.0 + i % 4, now - timedelta(weeks=1)))
    MeasureResponse.objects.bulk_create(responses)
    refused = [make_user(f"decliner{i}") for i in range(declined)]
    for member in refused:
        Screening.objects.create(
            member=member, study=study, excluded_reason=Screening.Reason.DECLINED
        )
    return Built(programme=programme, study=study, participants=participants, declined=refused)
