"""Stratified permuted blocks of varying size: balance, ratio, block sizes, no shared slots."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.accounts.models import User
from alongside.evaluation import allocation
from alongside.evaluation.allocation import (
    AllocationError,
    ArmShare,
    check_design,
    make_blocks,
    severity_level,
)
from alongside.evaluation.models import Allocation, AllocationSequence, AllocationSlot, Arm
from alongside.evaluation.tests.test_studies_support import (
    build_programme,
    build_study,
    enrol_and_randomise,
)
from alongside.safety.models import AuditEntry

MakeUser = Callable[..., User]


def _seeded(seed: int) -> random.Random:
    """A reproducible generator for the block maths; the server always uses the OS's."""
    return random.Random(seed)  # noqa: S311 - a test's reproducible draws, not a secret


ONE_TO_ONE = [ArmShare(arm_id=1, ratio=1), ArmShare(arm_id=2, ratio=1)]
TWO_TO_ONE = [ArmShare(arm_id=1, ratio=2), ArmShare(arm_id=2, ratio=1)]


# --- The block maths ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_every_block_holds_the_ratio_and_a_configured_size(seed: int) -> None:
    blocks = make_blocks(TWO_TO_ONE, [3, 6, 9], min_slots=300, rng=_seeded(seed))
    for block in blocks:
        assert len(block) in {3, 6, 9}
        counts = Counter(block)
        assert counts[1] == 2 * counts[2]


def test_block_sizes_vary_and_only_configured_sizes_are_drawn() -> None:
    blocks = make_blocks(ONE_TO_ONE, [2, 4, 6], min_slots=3000, rng=_seeded(7))
    sizes = Counter(len(block) for block in blocks)
    assert set(sizes) == {2, 4, 6}
    # Drawn uniformly: each size about a third of the blocks (3000 slots ≈ 750 blocks).
    for count in sizes.values():
        assert count > len(blocks) / 3 * 0.75


def test_blocks_are_shuffled_not_a_fixed_pattern() -> None:
    blocks = make_blocks(ONE_TO_ONE, [4], min_slots=400, rng=_seeded(3))
    assert len({tuple(block) for block in blocks}) > 1


def test_whole_blocks_cover_at_least_the_slots_asked_for() -> None:
    blocks = make_blocks(ONE_TO_ONE, [4], min_slots=10, rng=_seeded(1))
    assert sum(len(block) for block in blocks) == 12


def test_the_server_generator_is_the_operating_systems() -> None:
    blocks = make_blocks(ONE_TO_ONE, [2, 4], min_slots=20)
    assert all(Counter(block)[1] == Counter(block)[2] for block in blocks)


@pytest.mark.parametrize(
    ("shares", "sizes", "message"),
    [
        (ONE_TO_ONE[:1], [2], "at least two arms"),
        (TWO_TO_ONE, [2, 3], "multiples of the total ratio \\(3\\).*2"),
        (ONE_TO_ONE, [], "at least one block size"),
        ([ArmShare(arm_id=1, ratio=0), ArmShare(arm_id=2, ratio=1)], [2], "ratio of 1"),
    ],
)
def test_a_design_that_cannot_be_balanced_is_refused(
    shares: list[ArmShare], sizes: list[int], message: str
) -> None:
    with pytest.raises(AllocationError, match=message):
        check_design(shares, sizes)


@pytest.mark.parametrize(
    ("measure", "score", "level"),
    [
        ("phq9", 0, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq8", 14, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("ucla3", 9, "unknown"),
        ("gad7", None, "unknown"),
    ],
)
def test_baseline_severity_uses_the_standard_cut_offs(
    measure: str, score: float | None, level: str
) -> None:
    assert severity_level(measure, score) == level


# --- Sequences in the database ------------------------------------------------------------


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    return make_user("coordinator_ash", role="administrator")


def test_opening_generates_a_sequence_per_stratum_ending_on_a_block_edge(
    coordinator: User,
) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    strata = set(AllocationSequence.objects.filter(study=study).values_list("stratum", flat=True))
    assert strata == {
        f"site={site}|baseline_severity={level}"
        for site in ("North", "South")
        for level in ("mild", "moderate", "severe")
    }
    for sequence in AllocationSequence.objects.filter(study=study):
        slots = list(sequence.slots.order_by("position"))
        assert [slot.position for slot in slots] == list(range(1, len(slots) + 1))
        assert len(slots) >= allocation.INITIAL_SLOTS
        # Ends on a block edge: the last block is complete.
        last = slots[-1]
        assert sum(1 for slot in slots if slot.block_number == last.block_number) == last.block_size
        assert all(slot.used_at is None for slot in slots)
    entry = AuditEntry.objects.get(action="study_open")
    assert entry.detail["strata"] == 6
    # The audit entry says how much was made, never which arm is where.
    assert set(entry.detail) == {"strata", "slots"}


def test_balance_in_each_stratum_at_the_end_of_every_complete_block(
    coordinator: User, make_user: MakeUser
) -> None:
    programme = build_programme(coordinator)
    study = build_study(coordinator, programme, ratios=(2, 1), block_sizes=(3, 6))
    cohorts = list(programme.cohorts.order_by("pk"))
    scores = [4, 12, 18]
    for index in range(48):
        enrol_and_randomise(
            make_user(f"participant{index}"),
            study,
            cohort=cohorts[index % 2],
            score=scores[index % 3],
        )
    arms = {arm.name: arm.pk for arm in Arm.objects.filter(study=study)}
    by_stratum: dict[str, list[Allocation]] = {}
    for row in (
        Allocation.objects.filter(study=study).select_related("slot").order_by("slot__position")
    ):
        by_stratum.setdefault(row.stratum, []).append(row)
    assert len(by_stratum) == 6
    for rows in by_stratum.values():
        counts: Counter[int] = Counter()
        for row in rows:
            counts[row.arm_id] += 1
            slot = row.slot
            end_of_block = not AllocationSlot.objects.filter(
                sequence_id=slot.sequence_id,
                block_number=slot.block_number,
                position__gt=slot.position,
            ).exists()
            if end_of_block:
                assert counts[arms["Access now"]] == 2 * counts[arms["Waitlist"]]
        # Within a block the imbalance never exceeds what one block can hold.
        assert abs(counts[arms["Access now"]] - 2 * counts[arms["Waitlist"]]) <= 6


def test_participants_take_slots_in_order_and_never_the_same_one(
    coordinator: User, make_user: MakeUser
) -> None:
    study = build_study(coordinator, build_programme(coordinator, sites=("North",)), factors=())
    allocations = [
        enrol_and_randomise(make_user(f"participant{index}"), study) for index in range(20)
    ]
    positions = [a.slot.position for a in allocations]
    assert positions == list(range(1, 21))
    assert len({a.slot_id for a in allocations}) == 20
    for a in allocations:
        assert a.arm_id == a.slot.arm_id
        assert a.stratum == "all"


def test_a_used_slot_is_never_taken_again_even_by_a_stale_caller(coordinator: User) -> None:
    study = build_study(coordinator, build_programme(coordinator, sites=("North",)), factors=())
    first = allocation.take_next_slot(study, "all")
    # A second caller that read the sequence before the first committed would, under the row
    # lock, re-read it after; here the first has committed, so it must get the next one.
    second = allocation.take_next_slot(study, "all")
    assert first.pk != second.pk
    assert second.position == first.position + 1
    assert AllocationSlot.objects.get(pk=first.pk).used_at is not None


def test_taking_a_slot_locks_the_stratum_where_the_database_can(coordinator: User) -> None:
    study = build_study(coordinator, build_programme(coordinator, sites=("North",)), factors=())
    with CaptureQueriesContext(connection) as queries:
        allocation.take_next_slot(study, "all")
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
    else:
        # SQLite: every write transaction takes the database's write lock up front
        # (BEGIN IMMEDIATE in alongside.core.sqlite), which serialises randomisations.
        assert connection.vendor == "sqlite"


def test_a_stratum_that_runs_out_is_extended_with_whole_new_blocks(
    coordinator: User, make_user: MakeUser
) -> None:
    study = build_study(coordinator, build_programme(coordinator, sites=("North",)), factors=())
    sequence = AllocationSequence.objects.get(study=study)
    total = sequence.slots.count()
    sequence.slots.update(used_at="2026-01-01T00:00:00Z")
    slot = allocation.take_next_slot(study, "all")
    assert slot.position == total + 1
    assert slot.block_number == sequence.slots.get(position=total).block_number + 1
    entry = AuditEntry.objects.get(action="study_sequence_extend")
    assert set(entry.detail) == {"stratum", "slots"}
    assert entry.detail["slots"] == sequence.slots.count() - total


def test_an_unforeseen_stratum_gets_its_sequence_on_first_use(
    coordinator: User, make_user: MakeUser
) -> None:
    programme = build_programme(coordinator, sites=("North",))
    study = build_study(coordinator, programme, factors=("site",))
    from alongside.evaluation.programmes import cohort_create

    east = cohort_create(
        actor=coordinator,
        programme=programme,
        name="East",
        starts_on=programme.created_at.date(),
        site="East",
    )
    result = enrol_and_randomise(make_user("pat"), study, cohort=east)
    assert result.stratum == "site=East"
    assert AllocationSequence.objects.filter(study=study, stratum="site=East").exists()
