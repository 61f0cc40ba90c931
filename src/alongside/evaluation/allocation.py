"""Concealed allocation: stratified permuted blocks of randomly varying size.

Why this shape:
- *Permuted blocks* keep the arms in the configured ratio within every stratum at the end of
  each complete block, so a small study (or a stratum with few people) cannot drift far out
  of balance.
- *Randomly varying block sizes*, drawn from the study's ``block_sizes``, stop anyone who
  knows the last few allocations from predicting the next one at the end of a block.
- *Generated on the server when the study opens* (``secrets.SystemRandom``, the operating
  system's generator) and kept in ``AllocationSlot`` rows that no page, API or audit entry
  renders: the next arm is unknown to whoever enrols the participant (allocation
  concealment). A participant's arm is revealed only by taking the next unused slot of their
  stratum, in a transaction that locks the stratum's sequence row (``select_for_update``), so
  two randomisations at the same moment can never take the same slot.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import product

from django.db import transaction
from django.utils import timezone

from alongside.evaluation.models import AllocationSequence, AllocationSlot, Arm, Study
from alongside.safety.services.audit import audit_record

# Stratification factors a study may use, and how each participant's level is found.
SITE = "site"
BASELINE_SEVERITY = "baseline_severity"
FACTORS: dict[str, str] = {
    SITE: "Site of the participant's cohort",
    BASELINE_SEVERITY: "Baseline severity (from the PHQ or GAD score at baseline)",
}
UNSTRATIFIED = "all"
NO_SITE = "unspecified"

# Baseline severity: the standard cut-offs of the PHQ-9 / PHQ-8 / GAD-7 (10 = moderate,
# 15 = moderately severe or severe), folded into three levels. Three, not five, because each
# extra level multiplies the strata and a stratum with few people rarely completes a block.
SEVERITY_MEASURES = ("phq9", "phq8", "gad7")
SEVERITY_CUTS = ((15.0, "severe"), (10.0, "moderate"))
SEVERITY_LEVELS = ("mild", "moderate", "severe")
SEVERITY_UNKNOWN = "unknown"

# Slots made per stratum when a study opens, and again whenever a stratum runs out. The
# count is rounded up to whole blocks, so a stratum's sequence always ends on a block edge.
INITIAL_SLOTS = 60


class AllocationError(ValueError):
    """The study's arms or block sizes cannot make a valid sequence."""


@dataclass(frozen=True)
class ArmShare:
    """An arm's id and its ratio: all the block maths needs."""

    arm_id: int
    ratio: int


def severity_level(measure_key: str, score: float | None) -> str:
    """The severity level of a PHQ-9, PHQ-8 or GAD-7 score: "mild" below 10, "moderate" from
    10 to 14, "severe" from 15; "unknown" for any other measure or a missing score."""
    if score is None or measure_key not in SEVERITY_MEASURES:
        return SEVERITY_UNKNOWN
    for cut, level in SEVERITY_CUTS:
        if score >= cut:
            return level
    return "mild"


def severity_measure(study: Study) -> str | None:
    """The measure whose baseline score sets a participant's severity stratum: the primary
    outcome if it is a PHQ or GAD, else the first such outcome measure."""
    keys = [study.primary_outcome, *study.outcome_measures]
    return next((key for key in keys if key in SEVERITY_MEASURES), None)


def stratum_key(study: Study, levels: Mapping[str, str]) -> str:
    """The stable name of a stratum, e.g. "site=North|baseline_severity=moderate"."""
    factors = list(study.stratification_factors)
    if not factors:
        return UNSTRATIFIED
    return "|".join(f"{factor}={levels.get(factor) or NO_SITE}" for factor in factors)


def known_strata(study: Study) -> list[str]:
    """Every stratum the study can foresee when it opens: the programme's cohort sites
    crossed with the severity levels. A site added later gets its sequence on first use."""
    options: list[list[str]] = []
    for factor in study.stratification_factors:
        if factor == SITE:
            sites = sorted(
                {site or NO_SITE for site in study.programme.cohorts.values_list("site", flat=True)}
            )
            options.append(sites or [NO_SITE])
        elif factor == BASELINE_SEVERITY:
            options.append(list(SEVERITY_LEVELS))
        else:
            options.append([NO_SITE])
    if not options:
        return [UNSTRATIFIED]
    factors = list(study.stratification_factors)
    return [
        stratum_key(study, dict(zip(factors, combination, strict=True)))
        for combination in product(*options)
    ]


def check_design(shares: Sequence[ArmShare], block_sizes: Sequence[int]) -> None:
    """Raise AllocationError unless there are two arms or more, positive ratios, and block
    sizes that are each a positive multiple of the total ratio (else a block cannot hold the
    arms in ratio)."""
    if len(shares) < 2:
        raise AllocationError("A randomised study needs at least two arms.")
    if any(share.ratio < 1 for share in shares):
        raise AllocationError("Every arm needs a ratio of 1 or more.")
    if not block_sizes:
        raise AllocationError("Give at least one block size.")
    total = sum(share.ratio for share in shares)
    wrong = [size for size in block_sizes if size < 1 or size % total]
    if wrong:
        raise AllocationError(
            f"Block sizes must be multiples of the total ratio ({total}); "
            f"these are not: {', '.join(str(size) for size in wrong)}."
        )


def permuted_block(shares: Sequence[ArmShare], size: int, rng: random.Random) -> list[int]:
    """One block: each arm ``ratio * size / total`` times, shuffled."""
    total = sum(share.ratio for share in shares)
    repeat = size // total
    block = [share.arm_id for share in shares for _ in range(share.ratio * repeat)]
    rng.shuffle(block)
    return block


def make_blocks(
    shares: Sequence[ArmShare],
    block_sizes: Sequence[int],
    *,
    min_slots: int,
    rng: random.Random | None = None,
) -> list[list[int]]:
    """Whole blocks, each of a size drawn at random from ``block_sizes``, until at least
    ``min_slots`` arms are listed. ``rng`` is for tests; the server always uses the OS's."""
    check_design(shares, block_sizes)
    generator = rng if rng is not None else secrets.SystemRandom()
    sizes = list(block_sizes)
    blocks: list[list[int]] = []
    count = 0
    while count < min_slots:
        block = permuted_block(shares, generator.choice(sizes), generator)
        blocks.append(block)
        count += len(block)
    return blocks


def study_shares(study: Study) -> list[ArmShare]:
    return [ArmShare(arm_id=arm.pk, ratio=arm.ratio) for arm in Arm.objects.filter(study=study)]


def sequence_extend(
    sequence: AllocationSequence,
    *,
    study: Study,
    min_slots: int = INITIAL_SLOTS,
    rng: random.Random | None = None,
) -> int:
    """Append whole blocks to a stratum's sequence; returns how many slots were added.

    Callers hold the sequence row's lock (or have just created it), so positions and block
    numbers continue without gaps.
    """
    last = (
        AllocationSlot.objects.filter(sequence=sequence)
        .order_by("-position")
        .values_list("position", "block_number")
        .first()
    )
    position, block_number = last if last is not None else (0, 0)
    blocks = make_blocks(study_shares(study), study.block_sizes, min_slots=min_slots, rng=rng)
    slots: list[AllocationSlot] = []
    for block in blocks:
        block_number += 1
        for arm_id in block:
            position += 1
            slots.append(
                AllocationSlot(
                    sequence=sequence,
                    position=position,
                    block_number=block_number,
                    block_size=len(block),
                    arm_id=arm_id,
                )
            )
    AllocationSlot.objects.bulk_create(slots, batch_size=500)
    return len(slots)


@transaction.atomic
def sequences_generate(
    study: Study, *, min_slots: int = INITIAL_SLOTS, rng: random.Random | None = None
) -> dict[str, int]:
    """Make a sequence for every foreseeable stratum that has none; returns slots per stratum."""
    made: dict[str, int] = {}
    for stratum in known_strata(study):
        sequence, created = AllocationSequence.objects.get_or_create(study=study, stratum=stratum)
        if created:
            made[stratum] = sequence_extend(sequence, study=study, min_slots=min_slots, rng=rng)
    return made


def take_next_slot(
    study: Study, stratum: str, *, now: datetime | None = None, rng: random.Random | None = None
) -> AllocationSlot:
    """Lock the stratum's sequence, mark its first unused slot used, and return it.

    Must run inside the caller's transaction (the randomisation service), so the slot and the
    Allocation that records it commit together or not at all. The row lock serialises every
    randomisation in one stratum: a second caller waits, then sees the first one's slot as
    used and takes the next.
    """
    now = now or timezone.now()
    sequence = (
        AllocationSequence.objects.select_for_update().filter(study=study, stratum=stratum).first()
    )
    if sequence is None:
        # A stratum nobody foresaw (a new site): made now, still on the server.
        AllocationSequence.objects.get_or_create(study=study, stratum=stratum)
        sequence = AllocationSequence.objects.select_for_update().get(study=study, stratum=stratum)
    slot = (
        AllocationSlot.objects.select_for_update()
        .filter(sequence=sequence, used_at__isnull=True)
        .order_by("position")
        .first()
    )
    if slot is None:
        added = sequence_extend(sequence, study=study, rng=rng)
        # How much, for which stratum; never which arms.
        audit_record(
            actor=None,
            action="study_sequence_extend",
            target_kind="study",
            target_id=study.pk,
            detail={"stratum": stratum, "slots": added},
        )
        slot = (
            AllocationSlot.objects.select_for_update()
            .filter(sequence=sequence, used_at__isnull=True)
            .order_by("position")
            .first()
        )
        assert slot is not None  # noqa: S101 - just extended by at least one block
    slot.used_at = now
    slot.save(update_fields=["used_at"])
    return slot


def participant_levels(study: Study, *, site: str, baseline_score: float | None) -> dict[str, str]:
    """The participant's level of each of the study's factors."""
    levels: dict[str, str] = {}
    for factor in study.stratification_factors:
        if factor == SITE:
            levels[factor] = site or NO_SITE
        elif factor == BASELINE_SEVERITY:
            measure = severity_measure(study)
            levels[factor] = severity_level(measure or "", baseline_score)
    return levels
