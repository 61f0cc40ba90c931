"""Known harmful health claims, matched with care for negation, quotation and debunking.

The list lives in a JSON file that a deployment can edit or replace (``ALONGSIDE_MISINFORMATION_
FILE``), because which claims circulate differs by community and changes over time. A match
flags the post for review and attaches an information card; the post is answered, not removed.
A post that debunks a claim ("my GP said never stop sertraline cold turkey") must not match, so
negation before the match and debunking words around it veto it.

File format: a JSON list of ``{"id", "title", "patterns": [regex…], "card": {"title", "body",
"link"?}}``. Patterns are regular expressions matched as whole words against normalised text
(lower case, slang expanded, single spaces); a plain phrase is a valid pattern.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from alongside.safety.screening import scope
from alongside.safety.screening.result import InfoCard

__all__ = [
    "ENV_VAR",
    "Claim",
    "MisinformationConfigError",
    "MisinformationMatch",
    "find_claims",
    "load_claims",
]

ENV_VAR = "ALONGSIDE_MISINFORMATION_FILE"

_DEBUNK = re.compile(
    r"\b(?:myths?|not true|isn't true|is false|untrue|nonsense|rubbish|misinformation|"
    r"(?:people|some|they|folks|others|my \w+) (?:\w+ )?(?:say|said|says|think|thinks|claim|claims|"
    r"told me|believe|believes)|used to (?:think|believe)|that's wrong|is wrong|debunk\w*|"
    r"don't believe|do not believe|not a (?:cure|choice)|never (?:stop|quit)|please don't|"
    r"don't listen)\b"
)


class MisinformationConfigError(ValueError):
    """The claims file is missing, not JSON, or has an entry that does not fit the format."""


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    card: InfoCard


@dataclass(frozen=True)
class MisinformationMatch:
    claim: Claim
    evidence: str


def _fail(source: str, index: int, entry: Any, problem: str) -> MisinformationConfigError:
    name = entry.get("id") if isinstance(entry, dict) else None
    label = f"entry {index}" + (f" (id {name!r})" if name else "")
    return MisinformationConfigError(f"misinformation file {source}: {label}: {problem}")


def _text_field(source: str, index: int, entry: dict[str, Any], data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, index, entry, f"{key!r} must be a non-empty string")
    return value


def _parse_claim(source: str, index: int, entry: Any, seen: set[str]) -> Claim:
    if not isinstance(entry, dict):
        raise _fail(source, index, entry, "must be an object")
    claim_id = _text_field(source, index, entry, entry, "id")
    if claim_id in seen:
        raise _fail(source, index, entry, f"duplicate id {claim_id!r}")
    seen.add(claim_id)
    title = _text_field(source, index, entry, entry, "title")
    raw_patterns = entry.get("patterns")
    if not isinstance(raw_patterns, list) or not raw_patterns:
        raise _fail(source, index, entry, "'patterns' must be a non-empty list of strings")
    patterns: list[re.Pattern[str]] = []
    for number, raw in enumerate(raw_patterns, start=1):
        if not isinstance(raw, str) or not raw.strip():
            raise _fail(source, index, entry, f"pattern {number} must be a non-empty string")
        try:
            patterns.append(re.compile(rf"(?<![\w'])(?:{raw})(?![\w'])", re.IGNORECASE))
        except re.error as error:
            raise _fail(
                source, index, entry, f"pattern {number} is not a valid regular expression: {error}"
            ) from error
    card_data = entry.get("card")
    if not isinstance(card_data, dict):
        raise _fail(source, index, entry, "'card' must be an object with 'title' and 'body'")
    link = card_data.get("link", "")
    if not isinstance(link, str):
        raise _fail(source, index, entry, "'card.link' must be a string")
    card = InfoCard(
        claim_id=claim_id,
        title=_text_field(source, index, entry, card_data, "title"),
        body=_text_field(source, index, entry, card_data, "body"),
        link=link,
    )
    return Claim(id=claim_id, title=title, patterns=tuple(patterns), card=card)


def parse_claims(raw: str, source: str) -> tuple[Claim, ...]:
    """Validate and compile a claims file's text; raise ``MisinformationConfigError`` if bad."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise MisinformationConfigError(
            f"misinformation file {source}: not valid JSON: {error}"
        ) from error
    if not isinstance(data, list):
        raise MisinformationConfigError(f"misinformation file {source}: must be a JSON list")
    seen: set[str] = set()
    return tuple(_parse_claim(source, index, entry, seen) for index, entry in enumerate(data))


@lru_cache(maxsize=4)
def _load(path: str, _mtime: float) -> tuple[Claim, ...]:
    if path == "<packaged>":
        raw = resources.files("alongside.safety.data").joinpath("misinformation.json")
        return parse_claims(raw.read_text("utf-8"), "misinformation.json (packaged)")
    try:
        text = Path(path).read_text("utf-8")
    except OSError as error:
        raise MisinformationConfigError(f"misinformation file {path}: {error}") from error
    return parse_claims(text, path)


def load_claims() -> tuple[Claim, ...]:
    """The claims in force: ``$ALONGSIDE_MISINFORMATION_FILE`` if set, else the packaged list.

    Cached per file and modification time, so an edited file is picked up without a restart.
    """
    override = os.environ.get(ENV_VAR, "").strip()
    if not override:
        return _load("<packaged>", 0.0)
    try:
        mtime = Path(override).stat().st_mtime
    except OSError as error:
        raise MisinformationConfigError(f"misinformation file {override}: {error}") from error
    return _load(override, mtime)


def _debunked(sentence: str, start: int, end: int) -> bool:
    around = sentence[:start] + " " + sentence[end:]
    return bool(_DEBUNK.search(around)) or scope.is_negated(sentence, start)


def find_claims(text: str) -> list[MisinformationMatch]:
    """Claims asserted in ``text`` (normalised, quotes masked), at most one match per claim."""
    matches: list[MisinformationMatch] = []
    claims = load_claims()
    sentences = list(scope.sentences(text))
    for claim in claims:
        hit = _first_hit(claim, sentences)
        if hit is not None:
            matches.append(MisinformationMatch(claim, hit))
    return matches


def _first_hit(claim: Claim, sentences: list[scope.Sentence]) -> str | None:
    for sentence in sentences:
        for pattern in claim.patterns:
            for match in pattern.finditer(sentence.text):
                if not _debunked(sentence.text, match.start(), match.end()):
                    return match.group(0)
    return None
