"""Spell a few dialect and chat forms in standard English for the rules only.

Scots and northern English ("ah cannae dae this nae mair", "gonnae end it the night") and
dropped-g chat ("goin to the bridge") carry the same risk as the standard wording, but the
rules are written in standard spelling. This runs after ``normalise`` and only on the text the
rules read; ``normalise_for_model`` is untouched, so the models see what they were trained on.
"""

from __future__ import annotations

import re

__all__ = ["standardise"]

_WORDS: dict[str, str] = {
    "gonnae": "going to",
    "gaun tae": "going to",
    "wannae": "want to",
    "cannae": "can't",
    "canna": "can't",
    "dinnae": "don't",
    "dinna": "don't",
    "didnae": "didn't",
    "widnae": "wouldn't",
    "wouldnae": "wouldn't",
    "willnae": "won't",
    "isnae": "isn't",
    "wisnae": "wasn't",
    "dae": "do",
    "tae": "to",
    "nae mair": "no more",
    "nae more": "no more",
    "ony mair": "any more",
    "the nicht": "tonight",
    "the morra": "tomorrow",
    "masel": "myself",
    "mysel": "myself",
    "goin": "going",
    "gon": "going",
    "doin": "doing",
    "endin": "ending",
    "killin": "killing",
    "takin": "taking",
}
_WORD = re.compile(
    r"(?<![\w'])(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")(?![\w'])"
)
# "ah" is "I" only before a verb; elsewhere it is an exclamation ("ah well").
_AH = re.compile(
    r"(?<![\w'])ah(?= (?:just|want|can't|cannae|am|don't|dinnae|need|wish|think|know|feel|hate|"
    r"really|will|wanted|have|had|wis|was)\b)"
)
# In Scots "the night" is "tonight"; read it so only when the post is written in Scots.
_SCOTS = re.compile(r"(?<![\w'])(?:gonnae|cannae|dinnae|wannae|didnae|isnae|wisnae|nae)(?![\w'])")
_THE_NIGHT = re.compile(r"(?<![\w'])the night(?![\w'])")


def standardise(text: str) -> str:
    """Rewrite the dialect forms above in standard spelling (casefolded input)."""
    if not _WORD.search(text) and not _AH.search(text):
        return text
    scots = bool(_SCOTS.search(text))
    text = _AH.sub("i", text)
    text = _WORD.sub(lambda m: _WORDS[m.group(0)], text)
    if scots:
        text = _THE_NIGHT.sub("tonight", text)
    return text
