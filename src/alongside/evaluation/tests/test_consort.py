"""CONSORT counts on a constructed study whose every participant's fate is known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from alongside.accounts.models import User
from alongside.evaluation.consort import consort_counts
from alongside.evaluation.models import Allocation
from alongside.evaluation.studies import participant_decline, participant_withdraw, study_close
from alongside.evaluation.tests.test_studies_support import (
    build_programme,
    build_study,
    consent,
    enrol_and_randomise,
    give_score,
)

MakeUser = Callable[..., User]
WEEK = timedelta(weeks=1)

# What happens to each randomised participant, in order.
FATES = [
    "followed",
    "followed",
    "followed",
    "withdrew_keep",
    "withdrew_remove",
    "lost",
    "followed",
    "lost",
    "followed_then_withdrew",
    "followed",
]


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    return make_user("coordinator_ash", role="administrator")


def test_flow_counts_match_a_known_scenario(coordinator: User, make_user: MakeUser) -> None:
    now = timezone.now()
    study = build_study(coordinator, build_programme(coordinator, sites=("North",)), factors=())
    for index in range(2):
        participant_decline(member=make_user(f"decliner{index}"), study=study)
    consent(make_user("still_filling_in"), study)
    started = now - 13 * WEEK  # follow-up window (weeks 7 to 12) has passed
    fates: dict[int, str] = {}
    for index, fate in enumerate(FATES):
        person = make_user(f"participant{index}")
        result = enrol_and_randomise(person, study, now=started + index * timedelta(minutes=5))
        fates[result.pk] = fate
        if fate.startswith("followed"):
            give_score(person, "gad7", 6, at=result.allocated_at + 8 * WEEK)
        if fate.startswith("withdrew") or fate == "followed_then_withdrew":
            choice = "remove" if fate == "withdrew_remove" else "keep"
            participant_withdraw(member=person, study=study, data_choice=choice)
        if fate == "lost":
            # An answer outside the window does not count as the follow-up.
            give_score(person, "gad7", 5, at=result.allocated_at + 2 * WEEK)
    recent = enrol_and_randomise(make_user("recent"), study, now=now - WEEK)
    fates[recent.pk] = "awaiting"

    counts = consort_counts(study, now=now)

    assert counts.assessed == 2 + 1 + len(FATES) + 1
    assert counts.excluded == 2
    assert counts.excluded_reasons == {"Declined to take part": 2}
    assert counts.awaiting_randomisation == 1
    assert counts.randomised == len(FATES) + 1
    assert sum(arm.allocated for arm in counts.arms) == counts.randomised
    for arm in counts.arms:
        mine = [
            fates[pk]
            for pk in Allocation.objects.filter(arm_id=arm.arm_id).values_list("pk", flat=True)
        ]
        assert arm.allocated == len(mine)
        assert arm.received == len(mine)  # nobody withdrew before their access began
        followed = sum(1 for fate in mine if fate.startswith("followed"))
        withdrawn = sum(1 for fate in mine if "withdrew" in fate)
        assert arm.followed_up == followed
        assert arm.discontinued == withdrawn
        assert arm.lost_to_follow_up == mine.count("lost")
        assert arm.awaiting_follow_up == mine.count("awaiting")
        assert arm.excluded_from_analysis == mine.count("withdrew_remove")
        assert arm.analysed_itt == len(mine) - mine.count("withdrew_remove")
        assert arm.analysed_completers == followed


def test_closing_turns_waiting_people_into_exclusions(
    coordinator: User, make_user: MakeUser
) -> None:
    study = build_study(coordinator, build_programme(coordinator, sites=("North",)), factors=())
    consent(make_user("no_baseline"), study)
    ready = make_user("baseline_done")
    consent(ready, study)
    give_score(ready, "gad7", 7)
    study_close(actor=coordinator, study=study)
    counts = consort_counts(study)
    assert counts.awaiting_randomisation == 0
    assert counts.excluded_reasons == {
        "Baseline questionnaires not completed": 1,
        "Recruitment closed before randomisation": 1,
    }
    assert counts.as_dict()["excluded"] == 2
