"""Score the screening engine against a labelled development set.

Shared by ``tests/safety/test_devset.py`` (which asserts the targets) and ``bench/safety.py``
(which prints the table), so the figures in CI and in the benchmark are computed one way. The
set's format is documented in ``tests/safety/DEVSET.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alongside.safety.screening.result import FLAGS, AuthorContext, Screening

__all__ = [
    "DISCLOSURE_CATEGORIES",
    "ORDINARY_CATEGORIES",
    "SUPPORTER_CATEGORIES",
    "DevItem",
    "Outcome",
    "Report",
    "evaluate",
    "load_devset",
]

#: Hard negatives and everyday posts: the tier must be ``none``.
ORDINARY_CATEGORIES = frozenset(
    {
        "hyperbole",
        "quote",
        "negation",
        "third_person",
        "recovery",
        "disclosure",
        "ordinary",
        "swearing",
        "non_english_ordinary",
        "unknown_language_ordinary",
    }
)
SUPPORTER_CATEGORIES = frozenset({"supporter_question", "supporter_ordinary"})
DISCLOSURE_CATEGORIES = frozenset({"disclosure"})


@dataclass(frozen=True)
class DevItem:
    id: str
    text: str
    role: str
    category: str
    lang: str
    tier: str
    flags: frozenset[str]
    context: AuthorContext | None = None


@dataclass(frozen=True)
class Outcome:
    item: DevItem
    result: Screening

    @property
    def alerted(self) -> bool:
        return self.result.tier != "none"


def _context(raw: dict[str, Any] | None) -> AuthorContext | None:
    if not raw:
        return None
    return AuthorContext(
        account_age_days=raw.get("account_age_days"),
        recent_texts=tuple(raw.get("recent_texts") or ()),
        posts_last_10_minutes=int(raw.get("posts_last_10_minutes") or 0),
        concerning_last_24h=int(raw.get("concerning_last_24h") or 0),
    )


def load_devset(path: Path) -> list[DevItem]:
    """Read the JSON-lines development set."""
    items: list[DevItem] = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        items.append(
            DevItem(
                id=raw["id"],
                text=raw["text"],
                role=raw.get("role", "member"),
                category=raw["category"],
                lang=raw.get("lang", "en"),
                tier=raw["tier"],
                flags=frozenset(raw.get("flags") or ()),
                context=_context(raw.get("context")),
            )
        )
    return items


@dataclass(frozen=True)
class Rate:
    """A ratio with the ids behind the misses, so a failing check names its items."""

    hits: int
    total: int
    misses: tuple[str, ...] = ()

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0


def _rate(outcomes: Iterable[Outcome], ok: Callable[[Outcome], bool]) -> Rate:
    chosen = list(outcomes)
    misses = tuple(o.item.id for o in chosen if not ok(o))
    return Rate(len(chosen) - len(misses), len(chosen), misses)


def _expects(flag: str) -> Callable[[Outcome], bool]:
    return lambda outcome: flag in outcome.item.flags


def _finds(flag: str) -> Callable[[Outcome], bool]:
    return lambda outcome: flag in outcome.result.flags


@dataclass
class Report:
    outcomes: list[Outcome]
    urgent_recall: Rate = field(init=False)
    urgent_precision: Rate = field(init=False)
    crisis_recall: Rate = field(init=False)
    ordinary_false_alerts: Rate = field(init=False)
    supporter_false_alerts: Rate = field(init=False)
    disclosure_false_alerts: Rate = field(init=False)
    flag_precision: dict[str, Rate] = field(init=False)
    flag_recall: dict[str, Rate] = field(init=False)

    def __post_init__(self) -> None:
        out = self.outcomes
        self.urgent_recall = _rate(
            (o for o in out if o.item.tier == "urgent"), lambda o: o.result.tier == "urgent"
        )
        self.urgent_precision = _rate(
            (o for o in out if o.result.tier == "urgent"), lambda o: o.item.tier == "urgent"
        )
        self.crisis_recall = _rate((o for o in out if o.item.tier != "none"), lambda o: o.alerted)
        self.ordinary_false_alerts = _rate(
            (o for o in out if o.item.category in ORDINARY_CATEGORIES), lambda o: o.alerted
        )
        self.supporter_false_alerts = _rate(
            (o for o in out if o.item.category in SUPPORTER_CATEGORIES), lambda o: o.alerted
        )
        self.disclosure_false_alerts = _rate(
            (o for o in out if o.item.category in DISCLOSURE_CATEGORIES), lambda o: o.alerted
        )
        self.flag_precision = {
            flag: _rate((o for o in out if flag in o.result.flags), _expects(flag))
            for flag in FLAGS
        }
        self.flag_recall = {
            flag: _rate((o for o in out if flag in o.item.flags), _finds(flag)) for flag in FLAGS
        }

    def categories(self) -> list[tuple[str, int, float, float, float, float]]:
        """Per category: n, tier match, flags match, alert precision, alert recall.

        "Alert" means any tier above none or any flag; precision and recall are computed within
        the category (a hard-negative category has recall 1.0 by definition: nothing to find).
        """
        rows = []
        for category in sorted({o.item.category for o in self.outcomes}):
            group = [o for o in self.outcomes if o.item.category == category]
            tier_ok = sum(o.result.tier == o.item.tier for o in group) / len(group)
            flags_ok = sum(set(o.result.flags) == o.item.flags for o in group) / len(group)

            def expected(o: Outcome) -> bool:
                return o.item.tier != "none" or bool(o.item.flags)

            def got(o: Outcome) -> bool:
                return o.result.tier != "none" or bool(o.result.flags)

            predicted = [o for o in group if got(o)]
            wanted = [o for o in group if expected(o)]
            precision = sum(expected(o) for o in predicted) / len(predicted) if predicted else 1.0
            recall = sum(got(o) for o in wanted) / len(wanted) if wanted else 1.0
            rows.append((category, len(group), tier_ok, flags_ok, precision, recall))
        return rows


def evaluate(items: Iterable[DevItem], screen: Callable[..., Screening]) -> Report:
    """Screen every item with ``screen(text, role=..., context=...)`` and score the results."""
    outcomes = [
        Outcome(item, screen(item.text, role=item.role, context=item.context)) for item in items
    ]
    return Report(outcomes)
