"""Text normalisation shared by the screening rules and the safety models.

People who want to talk about self-harm on platforms that filter words write around the filters:
"k.i.l.l", "su1c1de", "unalive", "🔪". Screening is only as good as its view of what was meant,
so every piece of text is brought to one plain, casefolded form first. The transformations are
deliberately conservative: they act on short letter runs and on tokens that already mix letters
with digits or symbols, so ordinary words and numbers ("5mg", "3am", "covid19") are left alone.

``normalise_for_model`` is the stable entry point the classifiers are trained on: changing its
output means retraining them (see ``alongside.safety.training``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import emoji

__all__ = ["Normalised", "normalise", "normalise_for_model"]

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u034f\ufe0e\ufe0f]")
_QUOTE_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": " - ",
        "\u2014": " - ",
        "\u2212": "-",
    }
)
# Spans never rewritten: links and e-mail addresses keep their exact spelling for the spam and
# personal-information rules, and mangling them would only add noise for the models.
_PROTECTED = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}|\b[\w-]{1,63}\.(?:com|net|org|io|ly|me|co)\b"
    r"(?:/\S*)?",
    re.IGNORECASE,
)


def _words(block: str) -> list[str]:
    return block.split()


# Words that obfuscation is most often used to hide. A de-obfuscated or de-leeted candidate that
# lands on one of these is trusted even when the general rules would leave the token alone.
_LEXICON: frozenset[str] = frozenset(
    _words(
        """
    kill kills killed killing die died dying dead death suicide suicidal self harm harming cut
    cuts cutting cutter overdose overdosed pills pill hang hanging hanged noose rope bleed blood
    wrist wrists razor blade blades knife gun shoot jump bridge end life hate myself yourself
    sh kms kys ctb sui od unalive sewerslide ana mia purge purging starve starving fat ugly
    worthless hopeless suicide die alone goodbye bye gone dead drown poison
    fuck fucking fucker shit bitch bitches cunt slut whore dick bastard retard retarded idiot
    stupid loser faggot fag nigger nigga twat wanker prick asshole arsehole skank cock pussy
    the me be are ready tonight gone done bye goodbye live alive myself going
    sex nude nudes naked porn snap snapchat whatsapp telegram kik discord instagram insta
    """
    )
)

_LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "l",
    "+": "t",
    "€": "e",
}
_LEET_CHARS = "".join(re.escape(c) for c in _LEET)
_LEET_TOKEN = re.compile(
    rf"(?<![\w{_LEET_CHARS}])[a-z{_LEET_CHARS}]*[a-z0-9$@€][a-z{_LEET_CHARS}]*"
)
_LETTER_LEET_LETTER = re.compile(rf"[a-z][{_LEET_CHARS}]+[a-z]")

# "k.i.l.l", "k i l l", "s-u-i-c-i-d-e": single characters joined by one consistent separator.
_SPACED_RUN = re.compile(
    r"(?<![\w'])\w(?:(?P<sep>[ .\-_*·•~/]{1,2})\w(?![\w']))(?:(?P=sep)\w(?![\w']))+"
)
_MASKED = re.compile(r"(?<![\w*#])[a-z]+(?:[*#]+[a-z]*)+(?<![*#])|(?<![\w*#])[a-z]+[*#]+(?!\w)")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_HYPHEN_IN_WORD = re.compile(r"(?<=[a-z])-(?=[a-z])")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_WORD = re.compile(r"[\w']+")

# "sh" means self-harm only next to self-harm vocabulary; elsewhere it is "shh" or a typo.
_SH_AFTER = re.compile(
    r"\bsh\b(?=\s+(?:urges?|scars?|again|relapse[ds]?|wounds?|cuts?|marks?|free|clean|tools?|"
    r"blades?|kit|thoughts?|habits?|history|badly|recovery|streak)\b)"
)
_SH_BEFORE = re.compile(
    r"\b(?P<lead>to|did|do|some|any|my|of|on|from|about|no|and|or|urges|urge|relapsed|relapse|into|"
    r"the|with|"
    r"stop|stopped|started|months|days|weeks|years) sh\b"
)

# "ctb" is spelt out as "catch the bus" in some communities. Read that way only after an intent
# word and before an ending or a time ("gonna catch the bus tonight"), never "to work".
_CATCH_THE_BUS = re.compile(
    r"\b(?P<lead>(?:going to|gonna|i'm|im|i'll|i will|want to|wanna|ready to|about to|"
    r"thinking (?:about|of)|planning (?:to|on)|decided to|i) |^|(?<=[.!?] ))catch(?:ing)? the bus"
    r"(?!(?:\s+\w+){0,3}\s+(?:to|home|into|back|from|with|in)\b)"
    r"(?=\s*(?:$|[.!,;]|\btonight\b|\btomorrow\b|\btoday\b|\bsoon\b|\bthis (?:week|weekend)\b|"
    r"\bon (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\bnext (?:week|month)\b|\bbus\b|"
    r"\bafter\b|\bbefore\b|\bwhen\b))"
)


@dataclass(frozen=True)
class Normalised:
    """The result of normalising one text: what the rules match against, plus what was undone.

    ``obfuscations`` names the kinds of disguise undone (``"leet"``, ``"spaced_letters"``,
    ``"masked"``, ``"zero_width"``, ``"emoji"``, ``"slang"``); rules may treat a disguised risk
    word as a signal in itself, and moderators see it in the evidence.
    """

    original: str
    text: str
    tokens: tuple[str, ...]
    obfuscations: tuple[str, ...]
    emoji: tuple[str, ...]
    slang: tuple[str, ...]


@lru_cache(maxsize=1)
def _slang_table() -> tuple[re.Pattern[str], dict[str, str]]:
    raw = resources.files("alongside.safety.data").joinpath("slang.json").read_text("utf-8")
    phrases: dict[str, str] = json.loads(raw)["phrases"]
    keys = sorted(phrases, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w'])")
    return pattern, phrases


def _emoji_to_words(text: str, seen: list[str]) -> str:
    if text.isascii():
        return text  # no emoji possible; skips the emoji library's per-character scan

    def replace(chars: str, data: dict[str, str]) -> str:
        name = str(data.get("en", "")).strip(":").replace("_", " ").replace("-", " ")
        seen.append(name)
        return f" {name} "

    result: str = emoji.replace_emoji(text, replace=replace)
    return result


def _leet_candidates(token: str) -> list[str]:
    base = "".join(_LEET.get(c, c) for c in token)
    if "1" in token or "|" in token or "!" in token:
        alt = "".join("l" if c in "1!" else _LEET.get(c, c) for c in token)
        return [base, alt]
    return [base]


def _undo_leet(token: str) -> str | None:
    """Return the letters a mixed token stands for, or None to leave it as written."""
    if not any(c in _LEET for c in token) or not any(c.isalpha() for c in token):
        return None
    if any(c.isdigit() and c not in _LEET for c in token):
        return None  # "b2b", "mp3", "2nite": digits that are not letter stand-ins
    candidates = _leet_candidates(token)
    for candidate in candidates:
        if candidate in _LEXICON:
            return candidate
    if token[0].isdigit():
        return None  # "5mg", "3am", "4am": a number with a unit
    if _LETTER_LEET_LETTER.search(token):
        return candidates[0]  # "d1e", "h@te": a stand-in between letters
    return None


def _apply_leet(text: str, seen: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        core = token.rstrip("!|+")
        tail = token[len(core) :]
        fixed = _undo_leet(core) if core else None
        if fixed is None:
            return token
        seen.add("leet")
        return fixed + tail

    return _LEET_TOKEN.sub(replace, text)


def _join_spaced(text: str, seen: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        sep = match.group("sep")
        chars = run.split(sep)
        if sum(c.isalpha() for c in chars) < 2 or len(set(chars)) == 1:
            return run  # "1 2 3", "10.5.2", "I-I-I": numbers or a stammer, not a hidden word
        joined = "".join(chars)
        delettered = _undo_leet(joined) or joined
        if sep.strip() == "" and len(chars) < 4 and delettered not in _LEXICON:
            return run  # "a b c" in a list is more likely than a hidden three-letter word
        seen.add("spaced_letters")
        return delettered

    return _SPACED_RUN.sub(replace, text)


def _unmask(text: str, seen: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        pattern = re.compile(re.sub(r"[*#]", "[a-z]", re.escape(token).replace("\\*", "*")))
        hits = [word for word in _LEXICON if len(word) == len(token) and pattern.fullmatch(word)]
        if len(hits) == 1:
            seen.add("masked")
            return hits[0]
        return token

    return _MASKED.sub(replace, text)


def _unelongate(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return match.group(1) * 2

    def fix_word(match: re.Match[str]) -> str:
        word = match.group(0)
        if not _ELONGATED.search(word):
            return word
        double = _ELONGATED.sub(replace, word)
        single = _ELONGATED.sub(lambda m: m.group(1), word)
        if single in _LEXICON:
            return single
        if double in _LEXICON:
            return double
        squeezed = re.sub(r"([a-z])\1+", r"\1", word)
        return squeezed if squeezed in _LEXICON else double

    return _WORD.sub(fix_word, text)


def _expand_slang(text: str, seen_terms: list[str]) -> str:
    text = _CATCH_THE_BUS.sub(
        lambda m: (m.group("lead") or "") + _note(seen_terms, "catch the bus", "suicide"), text
    )
    text = _SH_AFTER.sub(lambda m: _note(seen_terms, m.group(0), "self harm"), text)
    text = _SH_BEFORE.sub(
        lambda m: m.group("lead") + " " + _note(seen_terms, "sh", "self harm"), text
    )
    pattern, phrases = _slang_table()
    return pattern.sub(lambda m: _note(seen_terms, m.group(0), phrases[m.group(0)]), text)


def _note(seen_terms: list[str], term: str, replacement: str) -> str:
    seen_terms.append(term)
    return replacement


def _map_unprotected(text: str, transform: Callable[[str], str]) -> str:
    """Apply ``transform`` to the text between links and e-mail addresses only."""
    parts: list[str] = []
    last = 0
    for match in _PROTECTED.finditer(text):
        parts.append(transform(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(transform(text[last:]))
    return "".join(parts)


def normalise(text: str, *, expand_slang: bool = True) -> Normalised:
    """Normalise ``text`` for the rules and say which disguises were undone.

    ``expand_slang`` applies the English slang table; the screening turns it off for text in
    another language, where "od" (Polish "from") or "im" (German "in the") are ordinary words.
    """
    seen: set[str] = set()
    emoji_names: list[str] = []
    slang_terms: list[str] = []

    work = _emoji_to_words(text, emoji_names)
    if emoji_names:
        seen.add("emoji")
    stripped = _ZERO_WIDTH.sub("", work)
    if stripped != work:
        seen.add("zero_width")
    work = unicodedata.normalize("NFKC", stripped).translate(_QUOTE_MAP).casefold()

    def clean(segment: str) -> str:
        segment = _join_spaced(segment, seen)
        segment = _unmask(segment, seen)
        segment = _apply_leet(segment, seen)
        segment = _unelongate(segment)
        segment = _HYPHEN_IN_WORD.sub(" ", segment)
        if expand_slang:
            segment = _expand_slang(segment, slang_terms)
        return segment

    work = _map_unprotected(work, clean)
    lines = [_SPACES.sub(" ", line).strip() for line in work.splitlines()]
    work = "\n".join(line for line in lines if line)
    if slang_terms:
        seen.add("slang")
    return Normalised(
        original=text,
        text=work,
        tokens=tuple(_WORD.findall(work)),
        obfuscations=tuple(sorted(seen)),
        emoji=tuple(emoji_names),
        slang=tuple(slang_terms),
    )


def normalise_for_model(text: str) -> str:
    """The normalised text the safety models are trained and scored on (one line, casefolded).

    Stable by contract: the classifiers are trained on this output, so a change here needs a
    retraining run.
    """
    return normalise(text).text.replace("\n", " ")
