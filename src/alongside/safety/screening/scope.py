"""Scope checks that keep keyword matches honest: who is speaking, when, and whether they mean it.

A peer-support forum is full of risk words that carry no risk: "I'm not suicidal any more", a
film quote, a friend's story, a recovery anniversary, "this exam is killing me". The rules ask
these helpers before they alert. Each helper looks at a small window — the clause or sentence a
match sits in — because a negation three sentences earlier says nothing about this one.

Masking keeps character offsets: masked spans become spaces, so a match found in masked text
points at the same place in the normalised text and its evidence can be cut from there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "Sentence",
    "has_distance_cue",
    "has_recency_cue",
    "is_negated",
    "mask",
    "mask_hyperbole",
    "mask_questions",
    "mask_quotes",
    "mask_second_person_questions",
    "recovery_story",
    "sentences",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|(?<=[.!?])(?=[\"'][A-Za-z])")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the (masked) text and where it starts, for evidence offsets."""

    start: int
    text: str


def sentences(text: str) -> Iterator[Sentence]:
    """Split on sentence punctuation and line breaks; good enough for chat-style text."""
    last = 0
    for match in _SENTENCE_END.finditer(text):
        if text[last : match.start()].strip():
            yield Sentence(last, text[last : match.start()])
        last = match.end()
    if text[last:].strip():
        yield Sentence(last, text[last:])


def mask(text: str, start: int, end: int) -> str:
    """Blank ``text[start:end]`` with spaces, keeping every other offset where it was."""
    return text[:start] + " " * (end - start) + text[end:]


def _mask_all(text: str, pattern: re.Pattern[str]) -> str:
    for match in pattern.finditer(text):
        text = mask(text, match.start(), match.end())
    return text


# Quoted speech, lyrics, titles: someone else's words, not the author's state.
_QUOTED = re.compile(r"\"[^\"\n]{1,400}\"|(?<![\w])'(?=[^'\n]{8,300}'(?!\w))[^'\n]+'")
_REPORTED = re.compile(
    r"\b(?:asked|asks|asking|ask|question(?:ed|s)?|screen(?:ed|ing)?) (?:me |us |him |her |them |"
    r"you )?(?:if|whether|how|about|what|when|why)\b[^.!?\n,]*"
    r"|\b(?:lyrics?|song|sings?|sang|singing|chorus|quote|quoting|film|movie|episode|"
    r"(?:tv |the |a )show|character|novel|(?:the|a|this|that) book|poem|podcast|documentary|"
    r"article|headline|(?:on|in|from) the news|meme|video game|tv)\b[^.!?\n]*"
)


def mask_quotes(text: str) -> str:
    """Blank quoted spans, and the rest of a sentence after a media or reported-question cue.

    Only what follows the cue is blanked ("my GP asked whether …", "the song goes …"): a crisis
    statement before it in the same sentence still counts.
    """
    text = _mask_all(text, _QUOTED)
    return _mask_all(text, _REPORTED)


# Idioms and hyperbole that use death words for everyday feelings.
_HYPERBOLE = re.compile(
    r"""
    \b(?:is|are|was|were|it's|that's|this|these|those|\w+'s|\w+s)\s+(?:literally\s+|actually\s+|
        honestly\s+|absolutely\s+|seriously\s+|slowly\s+|just\s+|really\s+|so\s+)?
        kill(?:ing|s)\s+me\b
    | \b(?:kill|shoot)\s+me\s+now\b | \bjust\s+shoot\s+me\b
    | \b(?:going\s+to|gonna|will|'ll)\s+kill\s+me\s+(?:when|if|for|once)\b
    | \bcould\s+(?:murder|kill|eat)\s+(?:a|an|some|for)\b | \b(?:would|'d)\s+kill\s+for\b
    | \b(?:murder|destroy|demolish)\s+(?:a|an|some)\s+(?:pizza|burger|curry|pint|coffee|
        kebab|cake|takeaway|sandwich|beer|tea)
    | \bdy(?:ing|e|ed)\s+(?:of|from|with)\s+(?:embarrassment|laughter|laughing|boredom|the\s+heat|
        heat|thirst|hunger|cringe|shame|curiosity|envy|jealousy|cuteness)
    | \b(?:i'm\s+|i\s+am\s+|am\s+)?dying\s+(?:to|for)\s+(?:\w+) | \bto\s+die\s+for\b
    | \bdied\s+(?:laughing|of\s+laughter|a\s+little)
    | \b(?:nearly|almost|literally|actually|practically|basically)\s+died\b
    | \b(?:i'm|i\s+am|im)\s+(?:literally\s+)?dead\s+(?:lol|lmao|haha|skull|face\s+with\s+tears)
    | \bdead\s+(?:tired|serious|easy|on|set|good|funny|end|ringer|weight|heat|of\s+night)
    | \b(?:bored|scared|sick|worried|frozen|tickled|loved|stressed|tired)\s+to\s+death
    | \bkill(?:ed|ing|s)?\s+it\b | \bdrop\s+dead\s+gorgeous | \bover\s+my\s+dead\s+body
    | \bdead\s+to\s+me | \b(?:i'd|i\s+would|would|i'll|i\s+will)\s+(?:rather|sooner)\s+die\s+than
    | \b(?:kill(?:ing)?|killed)\s+(?:time|the\s+vibe|two\s+birds|the\s+mood|the\s+lights|
        the\s+engine|the\s+process|a\s+process|the\s+spider|a\s+spider|the\s+plant|my\s+plants?)
    | \b(?:the\s+)?death\s+of\s+me | \bif\s+looks\s+could\s+kill
    | \bkill(?:ing)?\s+myself\s+laughing | \blaughing\s+to\s+death
    | \bsuicide\s+(?:squad|mission|doors|run|drills?|sprints?|king|blonde)
    | \b(?:battery|phone|laptop|car|plant|plants|batteries|tablet|charger|headphones|wifi|
        motivation|social\s+life|vibe|group\s+chat|thread|forum|conversation)\s+(?:is\s+|has\s+|
        just\s+|was\s+)*(?:dead|died|dying)
    | \boverdos(?:e|ed|ing)\s+on\s+(?:chocolate|coffee|caffeine|netflix|sugar|christmas|tv|
        cake|sweets|candy|memes|true\s+crime|cheese|pizza)
    | \b(?:ending|end|ended|end\s+it|ending\s+it|ending\s+things|end\s+things)\s+with\s+
        (?:him|her|them|my\s+\w+|\w+)
    | \b(?:cut|cutting)\s+(?:my\s+)?(?:hair|fringe|bangs|nails|losses|ties|carbs|sugar|down|
        back|out|off\s+(?:contact|ties)|costs|corners|class)
    | \bkill\s+(?:the|this|that)\s+(?:exam|interview|presentation|test|game|match|set)
    | \bi\s+(?:could|can)\s+(?:kill|murder|strangle)\s+(?:him|her|them|my\s+\w+)
        (?:\s+(?:sometimes|honestly|lol|haha))?
    | \bgo(?:ing)?\s+to\s+die\s+of\s+\w+
    | \b(?:going\s+to|gonna|will|'ll)\s+die\s+(?:if|unless)\s+i\s+(?:don't|do\s+not|can't|have\s+to)
    | \b(?:i'll|i\s+will|gonna|going\s+to)\s+kill\s+myself\s+(?:haha|lol|lmao|jk)
    | \bif\s+i\s+(?:have\s+to|hear|see|get)\b[^.!?\n]{0,60}\bone\s+more\s+time\b[^.!?\n]*
    | \b(?:phone|battery|laptop)(?:'s|\s+is)?\s+(?:about\s+to|going\s+to|gonna)\s+die
    | \bmy\s+\w+\s+(?:is|are)\s+(?:going\s+to|gonna)\s+
        kill\s+me
    """,
    re.VERBOSE,
)


def mask_hyperbole(text: str) -> str:
    """Blank everyday idioms ("this exam is killing me") so crisis rules do not see them."""
    return _mask_all(text, _HYPERBOLE)


_SECOND_PERSON_QUESTION = re.compile(
    r"(?:^|(?<=[.!?\n:]))\s*(?:and\s+|so\s+|but\s+|hey,?\s+|also,?\s+|can\s+i\s+ask,?\s+)?"
    r"(?:are|do|have|did|were|would|could|will|is|has|can|how|what|when|where|if|when|have)"
    r"\b[^.!?\n]*\byou(?:r|rself|'re|'ve)?\b[^.!?\n]*\?"
)


def mask_second_person_questions(text: str) -> str:
    """Blank questions put to someone else ("are you thinking about suicide?").

    Asking directly is what good peer support does; it is not the asker's risk.
    """
    return _mask_all(text, _SECOND_PERSON_QUESTION)


_NEGATION = re.compile(
    r"\b(?:not|never|no|nor|without|don't|dont|doesn't|didn't|won't|wouldn't|isn't|aren't|"
    r"wasn't|weren't|haven't|hasn't|can't|cannot|shouldn't|no\s+longer|nothing|nobody|"
    r"stop(?:ped)?|quit|anymore)\b"
)
_NEGATION_EXCEPTIONS = re.compile(
    r"\b(?:not|no)\s+(?:sure|certain|really\s+sure|gonna\s+lie|going\s+to\s+lie|even\s+sure|"
    r"(?:even\s+)?joking|kidding|lying|joke|word\s+of\s+a\s+lie|exaggerating|"
    r"just|only|ok|okay|fine|coping|good|great|well|safe|doing\s+well)\b|"
    r"\b(?:don't|dont|do\s+not)\s+(?:know|think\s+i\s+can|care|see|get\s+why)\b|"
    r"\b(?:can't|cannot)\s+(?:stop|help|keep|cope|take|do|go|stand|bear|handle|face|see|sleep|"
    r"breathe|think|anymore)\b|\bno\s+one\b|\bnothing\s+(?:helps|matters|works|left)\b|"
    r"\bnobody\s+(?:cares|would|will|loves|wants)\b|\bnever\s+(?:wake|get\s+better)\b"
)
_CLAUSE_BREAK = re.compile(r"[,;:()\-]|\b(?:but|though|although|however|yet|and|so)\b")


def is_negated(text: str, start: int, window_words: int = 5) -> bool:
    """Is there a negation cue shortly before ``start``, within the same clause?"""
    prefix = text[max(0, start - 80) : start]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    if breaks:
        prefix = prefix[breaks[-1].end() :]
    prefix = _NEGATION_EXCEPTIONS.sub(" ", prefix)
    words = prefix.split()[-window_words:]
    return bool(_NEGATION.search(" ".join(words)))


_DISTANCE = re.compile(
    r"\b(?:(?:\d+|a|an|two|three|four|five|six|seven|eight|nine|ten|several|many|few|couple\s+"
    r"of)\s+(?:years?|months?|decades?)\s+ago|when\s+i\s+was\b|used\s+to\b|back\s+(?:then|in|when)"
    r"|in\s+(?:19|20)\d\d|as\s+a\s+(?:teen|teenager|kid|child|student)|in\s+the\s+past|last\s+year"
    r"|growing\s+up|in\s+my\s+(?:teens|twenties|thirties|20s|30s|early|late|school)|"
    r"(?:years?|months?)\s+back|(?:\d+|a|few|several|many)\s+(?:years?|months?)\s+since|(?:first|second|last|previous)\s+"
    r"(?:attempt|admission|time\s+i)|(?:years?|months?)\s+(?:before|earlier)|long\s+time\s+ago|"
    r"(?:a|one|that|the)\s+(?:bad|dark)\s+(?:year|time|period|patch|place)|at\s+my\s+lowest|"
    r"after\s+my\s+(?:attempt|overdose)|my\s+(?:attempt|overdose)|in\s+hospital\s+(?:back|"
    r"after))\b"
)
_RECENCY = re.compile(
    r"\b(?:last\s+night|yesterday|today|tonight|this\s+(?:morning|afternoon|evening|week)|"
    r"earlier|just\s+now|right\s+now|an?\s+(?:hour|few\s+hours|minutes?)\s+ago|\d+\s+(?:hours?|"
    r"minutes?|mins?)\s+ago|again|just|now|currently|still|at\s+the\s+moment|every\s+(?:day|night)|"
    r"lately|recently|keep|keeps|these\s+days|this\s+weekend|few\s+days\s+ago|last\s+week|"
    r"(?:two|2|three|3)\s+days\s+ago)\b"
)
_RECOVERY = re.compile(
    r"\b(?:now\s+i(?:'m|\s+am)?|these\s+days|since\s+then|today\s+i(?:'m|\s+am)|i(?:'m|\s+am)\s+"
    r"(?:now\s+)?(?:\w+\s+)?(?:clean|sober|in\s+recovery|recovered|doing\s+(?:much\s+|a\s+lot\s+|"
    r"so\s+much\s+)?better|okay\s+now|ok\s+now|glad|grateful|still\s+here|alive|thriving|proud)|"
    r"recovery|recovering|survived|survivor|it\s+gets\s+better|made\s+it\s+through|got\s+through|"
    r"(?:years?|months?|days?)\s+(?:clean|free|sober|self\s+harm\s+free)|anniversary|milestone|"
    r"looking\s+back|i\s+never\s+thought\s+i'd|if\s+you're\s+where\s+i\s+was|hang\s+in\s+there|"
    r"there\s+is\s+hope|there's\s+hope)\b"
)


def has_distance_cue(text: str) -> bool:
    """Does the text place events in the past ("two years ago", "when I was 15")?"""
    return bool(_DISTANCE.search(text))


def has_recency_cue(text: str) -> bool:
    """Does the text place events now or in the last day or so ("last night", "again")?"""
    return bool(_RECENCY.search(text))


_RELAPSE = re.compile(r"\b(?:relapsed?|relapsing|again|back to|started\s+\w+ing\s+again)\b")


def recovery_story(text: str) -> bool:
    """Does the text read as a look back from a better place ("now I'm two years clean")?

    A relapse ("relapsed after 4 months clean") is not a recovery story, whatever else it says.
    """
    return bool(_RECOVERY.search(text)) and not _RELAPSE.search(text)


def mask_questions(text: str) -> str:
    """Blank every question; used for supporters, whose questions are how they check on risk."""
    return _mask_all(text, _ANY_QUESTION)


_ANY_QUESTION = re.compile(r"(?:^|(?<=[.!?\n:]))[^.!?\n:]*\?")
