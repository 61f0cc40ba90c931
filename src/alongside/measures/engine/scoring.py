"""Scoring answers against a definition, reliable change, and the NHS Talking Therapies outcome.

Everything here is pure: no settings, no database. The same functions score an answer on the
site, in the ``alongside score`` command and in the tests, so a score means one thing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from alongside.measures.engine.definitions import MeasureDefinition, ResponseError

IMPROVED = "improved"
DETERIORATED = "deteriorated"
NO_RELIABLE_CHANGE = "no_reliable_change"


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring one completed questionnaire.

    ``score`` is the reported score (after any conversion table) and ``raw_total`` the item
    total it came from; both are None when the answers cannot be scored, and ``reason`` then
    says why in plain words. ``risk_items`` lists the safety items endorsed, worked out whatever
    the total and whether or not the score is valid: a risk answer never waits on the rest.
    """

    measure: str
    version: str
    score: float | None
    raw_total: float | None
    band: str
    valid: bool
    reason: str
    prorated: bool
    flags: list[str] = field(default_factory=list)
    caseness: bool | None = None
    risk_items: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (the names are the attribute names)."""
        return asdict(self)


def round_half_up(value: float) -> int:
    """Round to the nearest whole number, halves upwards (Python's round() goes to even)."""
    return math.floor(value + 0.5)


def _whole(value: float) -> float:
    """``value`` as an int when it is whole, so JSON shows 11 rather than 11.0."""
    if float(value).is_integer():
        return int(value)
    return value


def check_responses(definition: MeasureDefinition, responses: Sequence[int | None]) -> None:
    """Raise ResponseError unless there is one answer per item, each on offer or None."""
    name = definition.short_name
    count = definition.item_count
    if isinstance(responses, str | bytes):
        raise ResponseError(f"{name}: answers must be a list, not text")
    if len(responses) != count:
        given = len(responses)
        raise ResponseError(
            f"{name} has {count} items but {given} "
            f"{'answer was' if given == 1 else 'answers were'} given"
        )
    for item, response in zip(definition.items, responses, strict=True):
        if response is None:
            continue
        if isinstance(response, bool) or not isinstance(response, int):
            raise ResponseError(
                f"{name} item {item.number} ({item.key}): {response!r} is not a whole number"
            )
        if response not in item.values:
            allowed = ", ".join(str(value) for value in item.values)
            raise ResponseError(
                f"{name} item {item.number} ({item.key}): {response} is out of range; "
                f"the answers are {allowed}"
            )


def risk_items(definition: MeasureDefinition, responses: Sequence[int | None]) -> list[str]:
    """Keys of the safety items answered at or above their threshold."""
    by_key = {
        item.key: response for item, response in zip(definition.items, responses, strict=True)
    }
    endorsed = []
    for safety in definition.safety_items:
        response = by_key.get(safety.item_key)
        if response is not None and response >= safety.min_response:
            endorsed.append(safety.item_key)
    return endorsed


def _missing_reason(definition: MeasureDefinition, missing: int) -> str:
    name = definition.short_name
    count = definition.item_count
    verb = "is" if missing == 1 else "are"
    allowed = definition.missing.max_missing
    if allowed == 0:
        rule = f"the {name} can only be scored with every item answered"
    else:
        rule = f"the {name} scoring rules allow at most {allowed}"
    return f"{missing} of {count} items {verb} unanswered; {rule}"


def score(definition: MeasureDefinition, responses: Sequence[int | None]) -> ScoreResult:
    """Score one set of answers (in item order; None where an item was left unanswered).

    Raises ResponseError for the wrong number of answers or a value not on offer. Too many
    unanswered items is not an error: the result is invalid and ``reason`` says why.
    """
    check_responses(definition, responses)
    endorsed = risk_items(definition, responses)
    risk_flags = [f"risk:{key}" for key in endorsed]
    answered = [response for response in responses if response is not None]
    missing = definition.item_count - len(answered)
    rule = definition.missing

    if missing > rule.max_missing or not answered:
        return ScoreResult(
            measure=definition.key,
            version=definition.version,
            score=None,
            raw_total=None,
            band="",
            valid=False,
            reason=_missing_reason(definition, missing),
            prorated=False,
            flags=risk_flags,
            caseness=None,
            risk_items=endorsed,
        )

    prorated = missing > 0
    raw: float
    if prorated:
        mean = sum(answered) / len(answered)
        raw = mean * definition.item_count
        if rule.rounding == "half_up":
            raw = round_half_up(raw)
    else:
        raw = sum(answered)

    reported: float = raw
    if definition.conversion is not None:
        reported = definition.conversion.convert(int(raw))

    reported = _whole(reported)
    band = definition.band_for(reported)
    case = definition.is_case(reported)
    flags: list[str] = []
    if prorated:
        flags.append("prorated")
    if case:
        flags.append("caseness")
    flags.extend(risk_flags)
    return ScoreResult(
        measure=definition.key,
        version=definition.version,
        score=reported,
        raw_total=_whole(raw),
        band=band,
        valid=True,
        reason="",
        prorated=prorated,
        flags=flags,
        caseness=case,
        risk_items=endorsed,
    )


def reliable_change(definition: MeasureDefinition, before: float, after: float) -> str:
    """ "improved", "deteriorated" or "no_reliable_change" between two reported scores.

    A change of exactly the threshold counts (NHS Talking Therapies: a fall of 6 or more on the
    PHQ-9). The direction follows ``higher_is_worse``. A measure with no published threshold
    never shows reliable change, so this returns "no_reliable_change" for it; callers that
    need to tell the two apart check ``definition.reliable_change_threshold is None``.
    """
    threshold = definition.reliable_change_threshold
    if threshold is None:
        return NO_RELIABLE_CHANGE
    fall = before - after
    if not definition.higher_is_worse:
        fall = -fall
    if fall >= threshold:
        return IMPROVED
    if -fall >= threshold:
        return DETERIORATED
    return NO_RELIABLE_CHANGE


@dataclass(frozen=True)
class TalkingTherapiesOutcome:
    """The NHS Talking Therapies paired outcome from first and last PHQ-9 and GAD-7 totals.

    ``recovery`` and ``reliable_recovery`` are None when the person was not a case at the start
    on either measure: recovery is not defined for them (they are left out of recovery rates).
    """

    case_at_start: bool
    case_at_end: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    recovery: bool | None
    reliable_recovery: bool | None
    phq9_change: str
    gad7_change: str

    @property
    def summary(self) -> str:
        """One plain label, the most specific that applies."""
        if self.reliable_recovery:
            return "reliable recovery"
        if self.recovery:
            return "recovery"
        if self.reliable_improvement:
            return "reliable improvement"
        if self.reliable_deterioration:
            return "reliable deterioration"
        return "no reliable change"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary}


def talking_therapies_outcome(
    phq9_before: float, phq9_after: float, gad7_before: float, gad7_after: float
) -> TalkingTherapiesOutcome:
    """The paired outcome exactly as NHS Talking Therapies defines it (see docs/measures.md).

    Caseness: PHQ-9 of 10 or more, or GAD-7 of 8 or more. Recovery: a case at the start on at
    least one measure and a case on neither at the end. Reliable improvement: a reliable fall
    (PHQ-9 by 6 or more, GAD-7 by 4 or more) on at least one measure and no reliable rise on
    either. Reliable deterioration: a reliable rise on at least one and no reliable fall on
    either. Reliable recovery: both recovery and reliable improvement.
    """
    from alongside.measures.engine.loader import get_definition

    phq9 = get_definition("phq9")
    gad7 = get_definition("gad7")
    for definition, value in (
        (phq9, phq9_before),
        (phq9, phq9_after),
        (gad7, gad7_before),
        (gad7, gad7_after),
    ):
        if not definition.score_min <= value <= definition.score_max:
            raise ResponseError(
                f"{definition.short_name} total {value} is outside "
                f"{_whole(definition.score_min)} to {_whole(definition.score_max)}"
            )
    phq9_change = reliable_change(phq9, phq9_before, phq9_after)
    gad7_change = reliable_change(gad7, gad7_before, gad7_after)
    changes = (phq9_change, gad7_change)
    case_at_start = bool(phq9.is_case(phq9_before) or gad7.is_case(gad7_before))
    case_at_end = bool(phq9.is_case(phq9_after) or gad7.is_case(gad7_after))
    improvement = IMPROVED in changes and DETERIORATED not in changes
    deterioration = DETERIORATED in changes and IMPROVED not in changes
    recovery = (not case_at_end) if case_at_start else None
    reliable_recovery = (bool(recovery) and improvement) if case_at_start else None
    return TalkingTherapiesOutcome(
        case_at_start=case_at_start,
        case_at_end=case_at_end,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        recovery=recovery,
        reliable_recovery=reliable_recovery,
        phq9_change=phq9_change,
        gad7_change=gad7_change,
    )
