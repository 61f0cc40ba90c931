"""Signals that need the original spelling or the author's recent behaviour, not just the words.

Personal information is matched on the original text (capital letters mark street names and
postcodes; normalisation would lose them). Spam often looks innocent word by word and shows
itself only in behaviour: a link from a day-old account, the same text again and again, a burst
of posts. Those checks read ``AuthorContext``, which the site fills from its own records.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from alongside.safety.screening.result import AuthorContext

__all__ = [
    "ContextSignal",
    "has_link",
    "personal_info_signals",
    "spam_context_signals",
]

NEW_ACCOUNT_DAYS = 2.0
VELOCITY_POSTS_10_MIN = 8
REPEAT_SIMILARITY = 0.9
_MIN_REPEAT_CHARS = 12


@dataclass(frozen=True)
class ContextSignal:
    id: str
    text: str
    evidence: str


# Quantifiers are bounded so a long run of letters or digits cannot make matching quadratic.
_EMAIL = re.compile(
    r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,4}\.[a-z]{2,24}\b", re.IGNORECASE
)
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{1,3}[\s.-]?\(?\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}"  # international
    r"|(?:\+?1[\s.-]?)?\(\d{3}\)\s?\d{3}[\s.-]\d{4}"  # (555) 010-0199
    r"|\b\d{3}[\s.-]\d{3}[\s.-]\d{4}"  # 555 010 0199
    r"|\b07\d{3}\s?\d{3}\s?\d{3}"  # UK mobile
    r"|\b0[1-9]\d{2,3}\s?\d{3}\s?\d{3,4}"  # UK landline (freephone excluded below)
    r"|\b\d{3}-\d{4}"  # US local: 555-0142
    r")(?![\w])"
)
# Free helplines and service numbers are signposting, not somebody's details.
_HELPLINE = re.compile(r"^(?:0800|0808|0300|0845|0330|1[\s.-]?800|1[\s.-]?888|116|111|999|988)")
_STREET_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court|Ct|Crescent|Place|Pl|"
    r"Terrace|Grove|Gardens|Boulevard|Blvd|Square|Sq|Hill|Row|Walk|Mews|Parade|Rise|View)"
)
_STREET = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][a-z'\u2019]+\s+){{1,3}}{_STREET_SUFFIX}\b(?!\s+(?:is|was))"
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")
_LINK = re.compile(
    r"(?:https?://|www\.)\S+|(?<![@\w.-])[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,4}\.(?:com|net|org|io|ly|"
    r"me|co|uk|example|info|biz|xyz|app|site|online|shop|store|link|click|top|gg|tv)\b(?:/\S*)?",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def has_link(text: str) -> bool:
    """Does the text contain a web address (e-mail addresses do not count)?"""
    return bool(_LINK.search(_EMAIL.sub(" ", _plain(text))))


def _mask_digits(value: str) -> str:
    """Evidence for a number or address keeps its shape, never the value itself."""
    return re.sub(r"\d", "#", value)


def personal_info_signals(text: str) -> list[ContextSignal]:
    """Phone numbers, e-mail addresses and street addresses written in the post."""
    plain = _plain(text)
    signals: list[ContextSignal] = []
    email = _EMAIL.search(plain)
    if email:
        domain = email.group(0).split("@", 1)[1]
        signals.append(
            ContextSignal("PERSONAL-INFO-EMAIL", "Contains an e-mail address.", f"…@{domain}")
        )
    without_emails = _EMAIL.sub(" ", plain)
    for match in _PHONE.finditer(without_emails):
        number = match.group(0)
        if _HELPLINE.match(number.lstrip("+ ")) or sum(c.isdigit() for c in number) < 7:
            continue
        signals.append(
            ContextSignal("PERSONAL-INFO-PHONE", "Contains a phone number.", _mask_digits(number))
        )
        break
    street = _STREET.search(plain)
    postcode = _POSTCODE.search(plain)
    if street or postcode:
        found = street.group(0) if street else postcode.group(0) if postcode else ""
        signals.append(
            ContextSignal(
                "PERSONAL-INFO-ADDRESS",
                "Contains a street address or postcode.",
                _mask_digits(found.split()[-1] if street else found),
            )
        )
    return signals


def _similar(a: str, b: str) -> bool:
    a, b = " ".join(a.casefold().split()), " ".join(b.casefold().split())
    if len(a) < _MIN_REPEAT_CHARS or len(b) < _MIN_REPEAT_CHARS:
        return False
    if a == b:
        return True
    return SequenceMatcher(None, a, b).ratio() >= REPEAT_SIMILARITY


def spam_context_signals(text: str, context: AuthorContext | None) -> list[ContextSignal]:
    """Behavioural spam signals: new account with a link, repeated text, posting velocity."""
    if context is None:
        return []
    signals: list[ContextSignal] = []
    age = context.account_age_days
    if age is not None and age < NEW_ACCOUNT_DAYS and has_link(text):
        signals.append(
            ContextSignal(
                "SPAM-NEW-ACCOUNT-LINK",
                f"Posts a link from an account less than {NEW_ACCOUNT_DAYS:g} days old.",
                "link",
            )
        )
    repeats = sum(1 for earlier in context.recent_texts if _similar(text, earlier))
    # From an established account one repeat is often an accidental double post; twice, once
    # with a link, or once from a brand-new account is a pattern.
    new_account = age is not None and age < NEW_ACCOUNT_DAYS
    if repeats >= 2 or (repeats == 1 and (has_link(text) or new_account)):
        signals.append(
            ContextSignal(
                "SPAM-REPEATED-TEXT",
                "Repeats the author's recent posts word for word or nearly so.",
                f"{repeats} repeat{'s' if repeats > 1 else ''}",
            )
        )
    if context.posts_last_10_minutes >= VELOCITY_POSTS_10_MIN:
        signals.append(
            ContextSignal(
                "SPAM-VELOCITY",
                f"Posted {VELOCITY_POSTS_10_MIN} or more times in 10 minutes.",
                f"{context.posts_last_10_minutes} posts",
            )
        )
    return signals
