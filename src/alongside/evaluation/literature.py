"""Published pooled effects of digital peer support, to read the organisation's results beside.

The numbers live in ``data/literature.json`` exactly as the reviews print them, with what their
sign meant. Reviews disagree on direction (a fall in depression is negative in one, a rise in
mental health is positive in another), so each entry also carries a *harmonised* value in which
positive always means benefit; the report shows both and says which is which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "literature.json"
HARMONISED = "positive = benefit"

# Which published outcome domain each shipped measure sits in. A measure with no close match
# is compared with the broad "mental health" pooled effect only.
MEASURE_DOMAINS: dict[str, str] = {
    "phq9": "depression",
    "phq8": "depression",
    "phq2": "depression",
    "gad7": "anxiety",
    "gad2": "anxiety",
    "qpr15": "personal_recovery",
}
BROAD_DOMAIN = "mental_health"


@dataclass(frozen=True)
class Review:
    key: str
    short: str
    authors: str
    title: str
    journal: str
    year: int
    volume: str
    article: str
    doi: str
    population: str
    model: str

    @property
    def citation(self) -> str:
        """The full reference in Vancouver style."""
        return (
            f"{self.authors}. {self.title}. {self.journal} {self.year};{self.volume}:"
            f"{self.article}. doi:{self.doi}"
        )


@dataclass(frozen=True)
class PublishedEffect:
    """One pooled effect as published, and the same effect with positive meaning benefit."""

    review: Review
    outcome: str
    domain: str
    measure: str
    estimate: float
    ci_lb: float
    ci_ub: float
    level: float
    direction_as_published: str
    flip: bool

    @property
    def harmonised_estimate(self) -> float:
        return -self.estimate if self.flip else self.estimate

    @property
    def harmonised_ci(self) -> tuple[float, float]:
        """The interval after the sign change (its ends swap when flipped)."""
        if self.flip:
            return (-self.ci_ub, -self.ci_lb)
        return (self.ci_lb, self.ci_ub)

    @property
    def label(self) -> str:
        return f"{self.review.short}: {self.outcome}"

    @property
    def harmonised_direction(self) -> str:
        if self.flip:
            return f"{HARMONISED} (sign reversed from the published value)"
        return f"{HARMONISED} (same sign as published)"


@cache
def published_effects() -> tuple[PublishedEffect, ...]:
    """Every shipped pooled effect, in the order of the data file."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    reviews = {each["key"]: Review(**each) for each in data["reviews"]}
    return tuple(
        PublishedEffect(
            review=reviews[row["review"]],
            outcome=row["outcome"],
            domain=row["domain"],
            measure=row["measure"],
            estimate=float(row["estimate"]),
            ci_lb=float(row["ci_lb"]),
            ci_ub=float(row["ci_ub"]),
            level=float(row["level"]),
            direction_as_published=row["direction_as_published"],
            flip=bool(row["flip"]),
        )
        for row in data["effects"]
    )


def reviews() -> tuple[Review, ...]:
    """The reviews cited, each once, in order of first appearance."""
    seen: dict[str, Review] = {}
    for effect in published_effects():
        seen.setdefault(effect.review.key, effect.review)
    return tuple(seen.values())


def references_for(measure_key: str) -> tuple[PublishedEffect, ...]:
    """The published effects worth showing beside results on ``measure_key``.

    The broad mental-health effect always; the domain-specific one when the measure has one.
    """
    wanted = {BROAD_DOMAIN, MEASURE_DOMAINS.get(measure_key, BROAD_DOMAIN)}
    return tuple(effect for effect in published_effects() if effect.domain in wanted)
