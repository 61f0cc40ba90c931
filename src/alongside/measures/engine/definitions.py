"""What a measure is, as the engine holds it: immutable values built from a JSON definition.

A measure is data, not code: the same few classes describe the PHQ-9, a one-item screen and a
licensed measure an organisation keeps in its own folder. Everything here is frozen, so a
definition loaded once can be shared by every request without anyone changing it underneath.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class UnknownMeasure(LookupError):
    """No shipped or organisation definition has this key."""


class DefinitionError(ValueError):
    """A definition file is malformed; the message names the file and the field."""


class ResponseError(ValueError):
    """Answers that cannot belong to the measure: the wrong number, or a value not on offer."""


@dataclass(frozen=True)
class ResponseOption:
    """One answer a person can give to an item, and the value it scores."""

    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question. ``number`` is 1-based, as printed on the questionnaire."""

    key: str
    number: int
    text: str
    options: tuple[ResponseOption, ...]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.options)

    def label_for(self, value: int) -> str:
        """The label of the option scoring ``value`` ("" when there is none)."""
        for option in self.options:
            if option.value == value:
                return option.label
        return ""


@dataclass(frozen=True)
class Band:
    """A named score range, inclusive at both ends, on the reported score."""

    lower: float
    upper: float
    label: str

    def contains(self, score: float) -> bool:
        return self.lower <= score <= self.upper


@dataclass(frozen=True)
class SafetyItem:
    """An item whose answer at or above ``min_response`` starts a safety ``pathway``."""

    item_key: str
    min_response: int
    pathway: str


@dataclass(frozen=True)
class MissingRule:
    """How many items may be unanswered, and how the total is then made.

    ``max_missing`` 0 means every item must be answered. With ``prorate`` the total is the mean
    of the answered items times the number of items, rounded as ``rounding`` says
    (``"half_up"``: to the nearest whole number, halves upwards; ``"none"``: not rounded).
    ``source`` cites the manual or guidance the rule comes from.
    """

    max_missing: int = 0
    prorate: bool = False
    rounding: str = "half_up"
    source: str = ""


@dataclass(frozen=True)
class Conversion:
    """A table from each possible raw total to the score that is reported (e.g. a metric).

    Held as sorted pairs rather than a dict so the definition stays hashable and frozen.
    """

    table: tuple[tuple[int, float], ...]
    source: str = ""

    def convert(self, raw_total: int) -> float:
        for raw, reported in self.table:
            if raw == raw_total:
                return reported
        raise KeyError(raw_total)


@dataclass(frozen=True)
class MeasureDefinition:
    """One measure: its items, how it is scored and what the scores mean.

    ``score_min``/``score_max`` and the bands are on the reported score, which is the raw item
    total unless ``conversion`` maps it to another scale. ``caseness`` is the cut-off at or
    above which (at or below, when ``higher_is_worse`` is false) a score counts as a case;
    ``reliable_change_threshold`` is the smallest change between two scores that is more than
    measurement error. Either is None when no published value exists.
    """

    key: str
    name: str
    short_name: str
    version: str
    licence: str
    source: str
    instructions: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    score_min: float
    score_max: float
    higher_is_worse: bool
    caseness: float | None
    reliable_change_threshold: float | None
    safety_items: tuple[SafetyItem, ...] = ()
    missing: MissingRule = field(default_factory=MissingRule)
    conversion: Conversion | None = None
    caseness_source: str = ""
    reliable_change_source: str = ""
    # Where the definition was read from; "shipped" for the repository's own measures.
    origin: str = "shipped"
    # Anything else the file carries that the engine does not interpret (e.g. a recall period).
    extra: tuple[tuple[str, Any], ...] = ()

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def raw_min(self) -> int:
        return sum(min(item.values) for item in self.items)

    @property
    def raw_max(self) -> int:
        return sum(max(item.values) for item in self.items)

    def item(self, key: str) -> Item:
        """The item with this key; KeyError when there is none."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def band_for(self, score: float) -> str:
        """The label of the band holding ``score`` ("" when no band does)."""
        for band in self.bands:
            if band.contains(score):
                return band.label
        return ""

    def is_case(self, score: float) -> bool | None:
        """Whether ``score`` is at caseness; None when the measure has no caseness cut-off."""
        if self.caseness is None:
            return None
        if self.higher_is_worse:
            return score >= self.caseness
        return score <= self.caseness
