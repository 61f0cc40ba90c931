"""Known harmful health claims: matched when asserted, left alone when debunked or quoted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alongside.safety.screening import MISINFORMATION_ENV_VAR, MisinformationConfigError, screen
from alongside.safety.screening.misinformation import load_claims


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        ("just stop your sertraline cold turkey, it's fine", "stop-medication-abruptly"),
        ("ditch the meds, tapering is a myth", "stop-medication-abruptly"),
        ("turmeric supplements cure depression, forget the pills", "miracle-cure"),
        ("ADHD isn't real, kids just need discipline", "condition-not-real"),
        ("depression is just laziness tbh", "illness-is-weakness"),
        ("his psychosis is caused by demons, he needs deliverance", "demons-cause-psychosis"),
        ("antidepressants are poison", "medication-is-poison"),
        (
            "pray instead of taking your meds and god will heal the bipolar",
            "prayer-instead-of-treatment",
        ),
        ("autism is caused by vaccines", "vaccines-cause-autism"),
        ("self harm is just attention seeking", "self-harm-attention-seeking"),
        ("you can't get addicted to weed", "cannot-be-addicted"),
    ],
)
def test_claims_are_flagged_with_a_card(text: str, claim_id: str) -> None:
    result = screen(text)
    assert "misinformation" in result.flags
    assert claim_id in {card.claim_id for card in result.info_cards}
    assert not result.is_held  # answered with a card, not hidden
    card = next(card for card in result.info_cards if card.claim_id == claim_id)
    assert card.title and card.body


@pytest.mark.parametrize(
    "text",
    [
        "my GP said never stop sertraline cold turkey, so I'm tapering",
        "please don't stop your meds cold turkey, talk to your prescriber",
        "people say ADHD isn't real but that's nonsense",
        "it's a myth that depression is just laziness",
        "My aunt thinks antidepressants are poison, which is rubbish",
        "I stopped my meds cold turkey last year and it was awful",
        "Someone told me 'vaccines cause autism' and I didn't know what to say",
        "drinking causes brain damage, my doctor warned me",
    ],
)
def test_debunking_quoting_and_experience_are_not_flagged(text: str) -> None:
    assert "misinformation" not in screen(text).flags


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_env_var_replaces_the_packaged_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = _write(
        tmp_path / "claims.json",
        [
            {
                "id": "bleach-cures",
                "title": "Drinking bleach cures illness",
                "patterns": ["bleach (?:cures|fixes) \\w+"],
                "card": {"title": "Bleach is poisonous", "body": "Never drink bleach."},
            }
        ],
    )
    monkeypatch.setenv(MISINFORMATION_ENV_VAR, str(custom))
    assert [claim.id for claim in load_claims()] == ["bleach-cures"]
    result = screen("bleach cures anxiety, trust me")
    assert result.flags == ("misinformation",)
    assert result.info_cards[0].title == "Bleach is poisonous"
    # the packaged claims are no longer in force
    assert "misinformation" not in screen("antidepressants are poison").flags


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"title": "t", "patterns": ["x"], "card": {"title": "a", "body": "b"}}, "'id'"),
        (
            {
                "id": "bad-regex",
                "title": "t",
                "patterns": ["(unclosed"],
                "card": {"title": "a", "body": "b"},
            },
            "pattern 1 is not a valid regular expression",
        ),
        (
            {
                "id": "no-patterns",
                "title": "t",
                "patterns": [],
                "card": {"title": "a", "body": "b"},
            },
            "'patterns' must be a non-empty list",
        ),
        ({"id": "no-card", "title": "t", "patterns": ["x"]}, "'card' must be an object"),
    ],
)
def test_bad_file_names_the_bad_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: dict[str, object], message: str
) -> None:
    good = {"id": "ok", "title": "t", "patterns": ["x"], "card": {"title": "a", "body": "b"}}
    path = _write(tmp_path / "claims.json", [good, entry])
    monkeypatch.setenv(MISINFORMATION_ENV_VAR, str(path))
    with pytest.raises(MisinformationConfigError) as error:
        load_claims()
    assert "entry 1" in str(error.value)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_file_that_is_not_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "claims.json"
    path.write_text("[{not json", encoding="utf-8")
    monkeypatch.setenv(MISINFORMATION_ENV_VAR, str(path))
    with pytest.raises(MisinformationConfigError, match="not valid JSON"):
        load_claims()


def test_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MISINFORMATION_ENV_VAR, str(tmp_path / "nope.json"))
    with pytest.raises(MisinformationConfigError, match=r"nope\.json"):
        load_claims()


def test_duplicate_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {"id": "same", "title": "t", "patterns": ["x"], "card": {"title": "a", "body": "b"}}
    monkeypatch.setenv(MISINFORMATION_ENV_VAR, str(_write(tmp_path / "c.json", [entry, entry])))
    with pytest.raises(MisinformationConfigError, match="duplicate id 'same'"):
        load_claims()


def test_packaged_list_covers_the_required_claims() -> None:
    ids = {claim.id for claim in load_claims()}
    assert {
        "stop-medication-abruptly",
        "miracle-cure",
        "condition-not-real",
        "illness-is-weakness",
        "demons-cause-psychosis",
        "medication-is-poison",
        "prayer-instead-of-treatment",
        "vaccines-cause-autism",
        "self-harm-attention-seeking",
    } <= ids
