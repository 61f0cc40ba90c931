"""Language detection on the short, informal texts a forum actually gets."""

from __future__ import annotations

import pytest

from alongside.safety.screening.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "kms",
        "help me",
        "lol ok",
        "omg same",
        "so tired",
        "RIP me",
        "thanks x",
        "sertraline 50mg",
        "hit me up on kik, same name",
        "I can't do this anymore",
        "ugh",
    ],
)
def test_short_english_is_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je veux mourir", "fr"),
        ("ich will nicht mehr leben", "de"),
        ("quiero suicidarme", "es"),
        ("voglio morire", "it"),
        ("quero me matar", "pt"),
        ("ik wil dood", "nl"),
        ("chcę umrzeć", "pl"),
        ("Jag vill inte leva längre", "sv"),
        ("Haluan kuolla", "fi"),
        ("Ölmek istiyorum", "tr"),
        ("Ne mogu više", "sr"),
        ("Я хочу умереть", "uk"),
    ],
)
def test_other_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_too_little_text_is_undetermined() -> None:
    assert detect_language("💊💊💊") == "und"
    assert detect_language("") == "und"


def test_links_do_not_decide_the_language() -> None:
    assert detect_language("Ez money free spins casino spinwin.example") == "en"
