"""The rule engine: named, readable patterns with the scope checks each one needs.

A rule is a regular expression plus the guards that stop it firing on the wrong text: negation
before the match, quotation, second-person questions, idioms, and — for past-tense patterns —
whether the event is recent or a look back at an old one. Keeping the guards declarative means
a reviewer can read a rule and know exactly when it fires, and every rule is tested alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from alongside.safety.screening import scope

__all__ = ["Role", "Rule", "RuleHit", "TextViews", "Tier", "evidence_of", "run_rules"]

Tier = Literal["urgent", "review", "none"]
Role = Literal["member", "supporter"]
View = Literal["guarded", "quotes_only", "raw"]
Tense = Literal["present", "past", "any"]

_MAX_EVIDENCE_CHARS = 48
_MAX_EVIDENCE_WORDS = 7


@dataclass(frozen=True)
class Rule:
    """One screening rule.

    ``view`` picks the text the rule reads: ``guarded`` (quotes, idioms and questions put to
    someone else blanked — for the author's own risk), ``quotes_only`` (for advice and abuse,
    which are harmful even when phrased as a question) or ``raw``. ``tense="past"`` marks patterns
    about something already done ("I took 30 pills"); these fire only when recent, or when the
    post gives no sign of being a look back. Every pattern in ``requires`` must also be found, in
    the same sentence or (``requires_in_post``) anywhere in the post. ``min_distinct`` asks for
    several different matches of ``pattern`` across the post (soft cues that only count together).
    ``needs_emoji`` accepts a match only where the words came from an emoji ("💊", not "pill").
    """

    id: str
    category: str
    tier: Tier
    text: str
    pattern: re.Pattern[str]
    view: View = "guarded"
    negatable: bool = True
    tense: Tense = "any"
    requires: tuple[re.Pattern[str], ...] = ()
    requires_in_post: bool = False
    min_distinct: int = 1
    roles: frozenset[str] = frozenset({"member", "supporter"})
    flags: tuple[str, ...] = ()
    languages: frozenset[str] = field(default_factory=lambda: frozenset({"en"}))
    needs_emoji: bool = False


@dataclass(frozen=True)
class RuleHit:
    rule: Rule
    evidence: str


@dataclass(frozen=True)
class TextViews:
    """The normalised text as each kind of rule should read it (same length, same offsets)."""

    raw: str
    quotes_only: str
    guarded: str
    recovery: bool
    emoji: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str, role: Role = "member", emoji: Iterable[str] = ()) -> TextViews:
        """Build the views; a supporter's questions are all blanked, a member's only when they
        are put to someone else ("are you safe?")."""
        quotes_only = scope.mask_quotes(text)
        guarded = scope.mask_second_person_questions(scope.mask_hyperbole(quotes_only))
        if role == "supporter":
            guarded = scope.mask_questions(guarded)
        return cls(
            raw=text,
            quotes_only=quotes_only,
            guarded=guarded,
            recovery=scope.recovery_story(text),
            emoji=frozenset(emoji),
        )

    def get(self, view: View) -> str:
        if view == "guarded":
            return self.guarded
        if view == "quotes_only":
            return self.quotes_only
        return self.raw


def evidence_of(text: str) -> str:
    """Cut a matched span down to a few words: moderators need the cue, not the post."""
    words = text.split()[:_MAX_EVIDENCE_WORDS]
    short = " ".join(words)
    return short[:_MAX_EVIDENCE_CHARS].rstrip(" ,.;:")


def _past_event_is_current(sentence: str, views: TextViews) -> bool:
    if scope.recovery_story(sentence):
        return False
    if scope.has_recency_cue(sentence):
        return not scope.has_distance_cue(sentence)
    return not scope.has_distance_cue(sentence) and not views.recovery


def _sentence_in_scope(rule: Rule, sentence: str, views: TextViews) -> bool:
    if rule.tense == "past":
        return _past_event_is_current(sentence, views)
    # Present-tense statements inside a sentence that looks back ("used to think everyone would
    # be better off without me") are part of the story, unless the sentence says "still"/"again".
    return not scope.has_distance_cue(sentence) or scope.has_recency_cue(sentence)


def _requirements_met(rule: Rule, where: str) -> bool:
    return all(pattern.search(where) for pattern in rule.requires)


def _rule_hit(rule: Rule, views: TextViews) -> RuleHit | None:
    text = views.get(rule.view)
    # Requirements are checked once per post or per sentence, not once per match: a long post
    # with many weak matches must stay linear in its length.
    if rule.requires_in_post and not _requirements_met(rule, text):
        return None
    found: list[str] = []
    for sentence in scope.sentences(text):
        if not rule.requires_in_post and not _requirements_met(rule, sentence.text):
            continue
        in_scope: bool | None = None  # worked out once per sentence, and only if needed
        for match in rule.pattern.finditer(sentence.text):
            if rule.negatable and scope.is_negated(sentence.text, match.start()):
                continue
            if rule.needs_emoji and match.group(0) not in views.emoji:
                continue
            if in_scope is None:
                in_scope = _sentence_in_scope(rule, sentence.text, views)
            if not in_scope:
                break
            if match.group(0) not in found:
                found.append(match.group(0))
            if len(found) >= rule.min_distinct:
                return RuleHit(rule, evidence_of(" / ".join(found)))
    return None


def run_rules(rules: Iterable[Rule], views: TextViews, *, role: Role, lang: str) -> list[RuleHit]:
    """Every rule that fires on ``views`` for an author in ``role`` writing in ``lang``."""
    hits: list[RuleHit] = []
    for rule in rules:
        if role not in rule.roles or lang not in rule.languages:
            continue
        hit = _rule_hit(rule, views)
        if hit is not None:
            hits.append(hit)
    return hits
