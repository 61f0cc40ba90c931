"""Language detection tuned for short forum and chat messages.

py3langid is accurate on paragraphs but guesses wildly on "kms tbh" or "help me". A wrong guess
matters here: it decides whether the English models and rules apply, so a short English post
misread as Breton would lose its screening. Common function words are strong evidence on short
text, so they are counted first and the statistical model is asked only when they are silent or
when the text is long enough for it to be reliable.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["COVERED_LANGUAGES", "detect_language"]

#: Languages with their own crisis rules (English also has the models).
COVERED_LANGUAGES = frozenset({"en", "fr", "de", "es", "it", "pt", "nl", "pl"})


# Function words that are frequent in one language and rare as words in the others. Words that
# are common in two of these languages ("de", "a", "in", "die", "la") are left out on purpose.
def _words(block: str) -> list[str]:
    return block.split()


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        _words(
            """i i'm i've i'd i'll me my myself you you're your we our they them their he she his
            her it it's is are was were be been being am have has had do does did
            don't doesn't didn't can't won't wouldn't isn't wasn't the and or but of
            to for with at on from by about this that these those what when where
            why how who which not no just so very really can will would should could
            if then than there here all any some more much too also feel feeling
            want know think anyone everyone anything something nothing today tonight
            like get got going been because after before again only even still ever
            never yes up out off back over into anyone please thanks thank sorry hi
            hey lol ok okay same anymore tired day week"""
        )
    ),
    "fr": frozenset(
        _words(
            """je j'ai j'en j'y tu il elle nous vous ils elles le les un une des du au aux et ou
            mais est sont suis es être avoir ai as avons avez ont pas ne n'est c'est
            ce cette ces mon ma mes ton ta tes son sa ses notre votre leur leurs qui
            que quoi dans pour avec sur sous chez plus très tout tous rien jamais
            toujours aussi moi toi lui mais comme veux peux fait"""
        )
    ),
    "de": frozenset(
        _words(
            """ich du er sie es wir ihr mich mir dich dir sich mein meine meinen meinem dein deine
            der das dem den des ein eine einen einem einer und oder aber nicht kein
            keine ist bin bist sind war waren habe hast hat haben wird werden kann
            will mehr noch schon auch nur mit für auf aus bei nach von zu zum zur
            über wie was wer warum wenn dass weil heute immer nie gar sehr ganz
            alles nichts jetzt hier"""
        )
    ),
    "es": frozenset(
        _words(
            """yo tú él ella nosotros vosotros ellos ellas me te se nos os mi mis tu tus su sus el
            los las un una unos unas y o pero no sí es son soy eres está estoy están
            estás era fue ser estar hay he ha han tengo tiene que qué quien quién
            como cómo cuando donde dónde por para con sin sobre muy más ya todo nada
            nadie nunca siempre también porque quiero puedo hoy esto eso esta este"""
        )
    ),
    "it": frozenset(
        _words(
            """io tu lui lei noi voi loro mi ti si ci vi il lo gli le un uno una e o ma non è sono
            sei siamo era ho hai ha abbiamo hanno che chi come quando dove perché
            per con su tra fra del della dei delle nel nella alla allo al più molto
            tutto niente nessuno mai sempre anche voglio posso oggi questo questa
            quello"""
        )
    ),
    "pt": frozenset(
        _words(
            """eu tu ele ela nós vós eles elas me te se nos meu minha meus minhas teu tua seu sua o
            os as um uma uns umas e ou mas não sim é são sou está estou estão era
            foi ser estar há tenho tem têm que quem como quando onde por para com
            sem sobre muito mais já tudo nada ninguém nunca sempre também porque
            quero posso hoje isso isto esta este você vocês"""
        )
    ),
    "nl": frozenset(
        _words(
            """ik jij je hij zij wij we jullie mij mijn jouw zijn haar ons onze het een en of maar
            niet geen ben bent is zijn was waren heb hebt heeft hebben wordt worden
            kan wil meer nog al ook alleen met voor op uit bij naar van tot over hoe
            wat wie waarom als dat omdat vandaag altijd nooit heel erg alles niets
            nu hier daar"""
        )
    ),
    "pl": frozenset(
        _words(
            """ja ty on ona my wy oni one mnie mi cię ci się mój moja moje twój twoja jego jej nasz
            i lub ale nie tak jest są jestem jesteś był była było być mam masz ma
            mamy mają że co kto jak kiedy gdzie dlaczego bo dla z ze w we na do od
            po przez przy o tylko już jeszcze bardzo wszystko nic nigdy zawsze też
            chcę mogę dziś dzisiaj to ten ta"""
        )
    ),
}
_AMBIGUOUS = frozenset(
    w
    for lang, words in _STOPWORDS.items()
    for w in words
    if sum(w in other for other in _STOPWORDS.values()) > 1
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_NOISE = re.compile(
    r"(?:https?://|www\.)\S+|\S{1,64}@\S{1,64}|@\w+|#\w+|\d+|\b[\w-]{1,63}(?:\.[\w-]{1,63}){0,4}\.(?:com|net|org|io|ly|"
    r"me|co|uk|example|info|biz|xyz|app|de|fr|es|it|nl|pl|pt)\b(?:/\S*)?"
)
_NON_ENGLISH_LETTERS = re.compile(r"[ß-öø-ÿāăąćčďđēėęěğīįıłńňōőœřśşšťūůűųźżž]")
# English-based creoles and Scots: py3langid's guess for short informal English.
_ENGLISH_VARIETIES = {"pcm": "en", "sco": "en", "jam": "en"}
# Close relatives py3langid splits its confidence between on short text.
_FAMILIES = {
    "sr": "bcs",
    "hr": "bcs",
    "bs": "bcs",
    "no": "nordic",
    "nn": "nordic",
    "da": "nordic",
    "ms": "malay",
    "id": "malay",
}
_LATIN = re.compile(r"[a-zß-öø-ÿāăąćčďđēėęěğīįıłńňōőœřśşšťūůűųźżž]")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _stopword_hits(words: list[str]) -> dict[str, int]:
    hits: dict[str, int] = {}
    for lang, vocabulary in _STOPWORDS.items():
        count = sum(1 for w in words if w in vocabulary and w not in _AMBIGUOUS)
        if count:
            hits[lang] = count
    return hits


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of ``text``, or ``"und"`` when there is too little to tell.

    Short Latin-script text without another language's function words is taken as English:
    that is the community's main language and the one with the fullest screening.
    """
    cleaned = _NOISE.sub(" ", text).casefold()
    words = _WORD.findall(cleaned)
    letters = sum(len(w) for w in words)
    if letters < 2:
        return "und"
    latin_share = len(_LATIN.findall(cleaned)) / max(letters, 1)
    hits = _stopword_hits(words)
    best_hit = max(hits, key=lambda lang: hits[lang]) if hits else None
    ranked_langs = _identifier().rank(" ".join(words))
    lang, confidence = str(ranked_langs[0][0]), float(ranked_langs[0][1])
    family = _FAMILIES.get(lang)
    if family:
        confidence = sum(float(p) for code, p in ranked_langs[:4] if _FAMILIES.get(code) == family)
    if best_hit is not None and latin_share > 0.8:
        ranked = sorted(hits.values(), reverse=True)
        clear = len(ranked) == 1 or ranked[0] >= 2 * ranked[1]
        share = ranked[0] / len(words)
        if ranked[0] == 1 and lang != best_hit and confidence >= 0.3:
            best_hit = None  # one shared-looking word against a confident model: the model wins
        elif clear and (share >= 0.2 or ranked[0] >= 3):
            return best_hit
    if latin_share > 0.8 and len(words) <= 6:
        if best_hit is not None:
            return best_hit
        if (confidence < 0.4 or lang in _ENGLISH_VARIETIES) and not _NON_ENGLISH_LETTERS.search(
            cleaned
        ):
            return "en"
    if best_hit is not None and confidence < 0.6:
        return best_hit
    return _ENGLISH_VARIETIES.get(lang, lang)
