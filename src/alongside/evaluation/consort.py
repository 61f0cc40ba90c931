"""CONSORT flow counts, computed from the rows every time (never stored, so never stale).

Definitions (also on the coordinators' page and in docs/evaluation.md):
- *Assessed for eligibility*: members who answered the study invitation (consented or
  declined), plus anyone randomised.
- *Excluded*: assessed but never randomised, by reason (declined; baseline not completed when
  recruitment closed; recruitment closed; other). Members who consented and are still
  completing their baseline while the study recruits are shown as "awaiting randomisation".
- *Allocated*: randomised to each arm.
- *Received allocated intervention*: for an arm that starts now, still enrolled when access
  began; for a waitlist arm, everyone allocated (waiting is the allocated condition).
- *Discontinued*: withdrew from the study or the programme after randomisation.
- *Followed up*: a valid answer to the primary outcome in the follow-up window.
- *Lost to follow-up*: not followed up, not withdrawn, and the window has passed.
- *Analysed*: intention to treat counts everyone randomised except those who asked for their
  answers to be left out; "completers" counts those followed up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from alongside.evaluation.models import Allocation, Arm, Screening, Study
from alongside.evaluation.selectors import follow_up_window, outcome_rows


@dataclass(frozen=True)
class ArmFlow:
    arm_id: int
    name: str
    is_control: bool
    allocated: int = 0
    received: int = 0
    not_received: int = 0
    discontinued: int = 0
    followed_up: int = 0
    lost_to_follow_up: int = 0
    awaiting_follow_up: int = 0
    excluded_from_analysis: int = 0
    analysed_itt: int = 0
    analysed_completers: int = 0


@dataclass(frozen=True)
class ConsortCounts:
    assessed: int
    excluded: int
    excluded_reasons: dict[str, int]
    awaiting_randomisation: int
    randomised: int
    arms: list[ArmFlow] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "assessed": self.assessed,
            "excluded": self.excluded,
            "excluded_reasons": dict(self.excluded_reasons),
            "awaiting_randomisation": self.awaiting_randomisation,
            "randomised": self.randomised,
            "arms": [vars(arm) for arm in self.arms],
        }


def consort_counts(study: Study, *, now: datetime | None = None) -> ConsortCounts:
    """The study's flow as it stands at ``now``; a fixed number of queries."""
    now = now or timezone.now()
    randomised_ids = set(
        Allocation.objects.filter(study=study).values_list("participant_id", flat=True)
    )
    screenings = list(
        Screening.objects.filter(study=study).values_list("member_id", "excluded_reason")
    )
    assessed_ids = {member_id for member_id, _reason in screenings} | randomised_ids
    reasons: dict[str, int] = {}
    awaiting = 0
    for member_id, reason in screenings:
        if member_id in randomised_ids:
            continue
        if reason:
            label = str(Screening.Reason(reason).label)
            reasons[label] = reasons.get(label, 0) + 1
        else:
            awaiting += 1
    rows = {row.allocation_id: row for row in outcome_rows(study, [study.primary_outcome])}
    flows: list[ArmFlow] = []
    allocations = list(Allocation.objects.filter(study=study).select_related("enrolment", "arm"))
    for arm in Arm.objects.filter(study=study).order_by("position", "pk"):
        counts = {
            "allocated": 0,
            "received": 0,
            "discontinued": 0,
            "followed_up": 0,
            "lost_to_follow_up": 0,
            "awaiting_follow_up": 0,
            "excluded_from_analysis": 0,
        }
        for allocation in (a for a in allocations if a.arm_id == arm.pk):
            row = rows[allocation.pk]
            counts["allocated"] += 1
            enrolment = allocation.enrolment
            withdrawn_at = enrolment.withdrawn_at if enrolment is not None else None
            access_from = enrolment.access_from if enrolment is not None else None
            if (
                arm.access_delay_weeks
                or withdrawn_at is None
                or (access_from is not None and withdrawn_at >= access_from)
            ):
                counts["received"] += 1
            if row.withdrawn:
                counts["discontinued"] += 1
            if row.data_removed:
                counts["excluded_from_analysis"] += 1
            if row.follow_up is not None and not row.data_removed:
                counts["followed_up"] += 1
            elif not row.withdrawn:
                _start, end = follow_up_window(study, allocation.allocated_at)
                if end < now:
                    counts["lost_to_follow_up"] += 1
                else:
                    counts["awaiting_follow_up"] += 1
        flows.append(
            ArmFlow(
                arm_id=arm.pk,
                name=arm.name,
                is_control=arm.is_control,
                not_received=counts["allocated"] - counts["received"],
                analysed_itt=counts["allocated"] - counts["excluded_from_analysis"],
                analysed_completers=counts["followed_up"],
                **counts,
            )
        )
    return ConsortCounts(
        assessed=len(assessed_ids),
        excluded=sum(reasons.values()),
        excluded_reasons=reasons,
        awaiting_randomisation=awaiting,
        randomised=len(randomised_ids),
        arms=flows,
    )
