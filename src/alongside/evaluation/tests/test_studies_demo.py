"""The demo programme and study: built through the real services, once."""

from __future__ import annotations

import pytest

from alongside.accounts.models import User
from alongside.evaluation.consort import consort_counts
from alongside.evaluation.demo import PARTICIPANTS, ensure_demo_evaluation
from alongside.evaluation.models import Allocation, Programme, Study
from alongside.evaluation.selectors import outcome_rows
from alongside.measures.models import MeasureResponse, MeasureSchedule
from alongside.safety.models import QueueItem


@pytest.mark.django_db
def test_demo_evaluation_is_complete_plausible_and_idempotent(
    role_users: dict[str, User],
) -> None:
    ensure_demo_evaluation(role_users)
    ensure_demo_evaluation(role_users)
    programme = Programme.objects.get()
    assert sorted(programme.cohorts.values_list("site", flat=True)) == ["North", "South"]
    assert MeasureSchedule.objects.get(programme=programme).measures[1] == "gad7"
    study = Study.objects.get()
    assert study.status == Study.Status.RECRUITING
    assert Allocation.objects.count() == PARTICIPANTS
    arms = {arm.name: arm.allocations.count() for arm in study.arms.all()}
    assert set(arms) == {"Access now", "Waitlist"}
    assert abs(arms["Access now"] - arms["Waitlist"]) <= 6  # blocks keep it near 1:1
    counts = consort_counts(study)
    assert counts.randomised == PARTICIPANTS
    assert counts.excluded_reasons == {"Declined to take part": 5}
    assert counts.awaiting_randomisation == 2
    assert sum(arm.discontinued for arm in counts.arms) == 2
    followed = sum(arm.followed_up for arm in counts.arms)
    assert 25 <= followed <= 38
    change: dict[str, list[float]] = {name: [] for name in arms}
    for row in outcome_rows(study, [study.primary_outcome]):
        if row.follow_up is not None and row.baseline is not None:
            change[row.arm_name].append(row.follow_up - row.baseline)
    mean = {name: sum(values) / len(values) for name, values in change.items()}
    assert mean["Access now"] < mean["Waitlist"]  # the invented effect is there
    # No answer ever starts the safety pathway.
    assert not QueueItem.objects.exists()
    assert not MeasureResponse.objects.filter(safety_started_at__isnull=False).exists()
