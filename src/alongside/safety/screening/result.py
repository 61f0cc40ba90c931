"""The screening result types: what the site stores and what moderators read.

They are frozen dataclasses with no Django in sight, so the CLI, the bench and the site share
them. ``Screening.to_json`` is the stored shape; it deliberately carries short evidence terms and
never the text itself, because the site keeps the result, not a copy of what a member wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["FLAGS", "HELD_FLAGS", "AuthorContext", "InfoCard", "Reason", "Screening", "Tier"]

Tier = Literal["urgent", "review", "none"]
FLAGS: tuple[str, ...] = (
    "spam",
    "abuse",
    "contact_request",
    "misinformation",
    "personal_info",
    "safeguarding",
)
#: Flags that hold a post back from other members until a moderator has looked. Safeguarding and
#: misinformation go to review but stay visible: hiding a disclosure can silence a victim, and a
#: misinformation post is answered with an information card rather than removed.
HELD_FLAGS: frozenset[str] = frozenset({"spam", "abuse", "contact_request", "personal_info"})


@dataclass(frozen=True)
class Reason:
    """Why a post was tiered or flagged, in one sentence a moderator can read."""

    id: str
    category: str
    text: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class InfoCard:
    """Accurate information shown alongside a post that repeats a known harmful claim."""

    claim_id: str
    title: str
    body: str
    link: str = ""


@dataclass(frozen=True)
class AuthorContext:
    """What the site knows about the author's recent behaviour (no text is stored for this)."""

    account_age_days: float | None = None
    recent_texts: tuple[str, ...] = ()
    posts_last_10_minutes: int = 0
    concerning_last_24h: int = 0


@dataclass(frozen=True)
class Screening:
    """The outcome of screening one text."""

    tier: Tier
    flags: tuple[str, ...]
    reasons: tuple[Reason, ...]
    scores: dict[str, float] = field(hash=False)
    rule_ids: tuple[str, ...]
    language: str
    model_version: str
    info_cards: tuple[InfoCard, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The stored, JSON-serialisable form (no info cards: those are looked up by claim)."""
        return {
            "tier": self.tier,
            "flags": list(self.flags),
            "reasons": [
                {
                    "id": reason.id,
                    "category": reason.category,
                    "text": reason.text,
                    "evidence": list(reason.evidence),
                }
                for reason in self.reasons
            ],
            "scores": dict(self.scores),
            "rule_ids": list(self.rule_ids),
            "language": self.language,
            "model_version": self.model_version,
        }

    @property
    def is_held(self) -> bool:
        """Should the post wait for a moderator before others see it?"""
        return any(flag in HELD_FLAGS for flag in self.flags)
