"""Normalisation: disguises undone, ordinary text left alone."""

from __future__ import annotations

import pytest

from alongside.safety.screening.normalise import normalise, normalise_for_model


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # spaced, dotted and hyphenated letters
        ("I want to k.i.l.l myself", "i want to kill myself"),
        ("k i l l", "kill"),
        ("s-u-i-c-i-d-e", "suicide"),
        ("k m s tonight", "kill myself tonight"),
        ("the s/u/i thoughts are bad", "the suicide thoughts are bad"),
        # leetspeak inside mixed tokens
        ("I might d1e tonight", "i might die tonight"),
        ("k1ll", "kill"),
        ("su1c1de thoughts", "suicide thoughts"),
        ("$h again", "self harm again"),
        ("se1f h@rm", "self harm"),
        ("t0night i end it. th3 p1lls are r3ady", "tonight i end it. the pills are ready"),
        ("i want to d!e", "i want to die"),
        # masked letters
        ("k*ll myself", "kill myself"),
        ("s*icide", "suicide"),
        # emoji become words
        ("🔪💊", "kitchen knife pill"),
        ("🪢 in the garage", "knot in the garage"),
        # algospeak and slang
        ("I'm going to unalive myself", "i'm going to kill myself"),
        ("kms", "kill myself"),
        ("kys loser", "kill yourself loser"),
        ("sewer slide", "suicide"),
        ("thinking about ctb", "thinking about suicide"),
        ("s/h urges", "self harm urges"),
        ("relapsed on sh", "relapsed on self harm"),
        ("I'm going to od", "i'm going to overdose"),
        ("back from my grippy sock vacation", "back from my psychiatric hospital"),
        ("gonna catch the bus tonight", "going to suicide tonight"),
        ("i wanna dieeeee", "i want to die"),
        # zero-width characters and typographic quotes
        ("k\u200bi\u200bll myself", "kill myself"),
        ("I\u2019m fine", "i'm fine"),
    ],
)
def test_disguises_are_undone(raw: str, expected: str) -> None:
    assert normalise_for_model(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("took 5mg at 3am, covid19", "took 5mg at 3am, covid19"),
        ("plan A b c", "plan a b c"),
        ("1 2 3 4", "1 2 3 4"),
        ("sh is hard to spell", "sh is hard to spell"),
        ("i need to catch the bus to work", "i need to catch the bus to work"),
        ("I'll catch the bus home", "i'll catch the bus home"),
        ("wow!!! great", "wow!!! great"),
        ("I-I-I don't know", "i i i don't know"),
    ],
)
def test_ordinary_text_is_left_alone(raw: str, expected: str) -> None:
    assert normalise_for_model(raw) == expected


def test_links_and_emails_keep_their_spelling() -> None:
    text = "visit www.sp4m-site.example/b1g or email j0hn@ex4mple.com"
    assert normalise_for_model(text) == text


def test_rich_result_names_the_disguises() -> None:
    result = normalise("i want to k1ll mys3lf 🔪 unalive")
    assert result.original == "i want to k1ll mys3lf 🔪 unalive"
    assert {"leet", "emoji", "slang"} <= set(result.obfuscations)
    assert result.emoji == ("kitchen knife",)
    assert "unalive" in result.slang
    assert "kill" in result.tokens


def test_slang_can_be_turned_off_for_other_languages() -> None:
    # Polish "od" means "from"; German "im" means "in the".
    assert normalise("od rana", expand_slang=False).text == "od rana"
    assert normalise("im Moment", expand_slang=False).text == "im moment"


def test_model_text_is_one_line() -> None:
    assert normalise_for_model("line one\n\nline two") == "line one line two"
