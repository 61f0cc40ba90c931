"""The public ``screen`` contract: tiers, flags, context, languages and the stored shape."""

from __future__ import annotations

import json

import pytest

from alongside.safety.screening import FLAGS, AuthorContext, Screening, screen


def test_result_shape_and_json() -> None:
    result = screen("I've saved up my tablets and I'm taking them all tonight")
    assert isinstance(result, Screening)
    assert result.tier == "urgent"
    data = result.to_json()
    assert set(data) == {
        "tier",
        "flags",
        "reasons",
        "scores",
        "rule_ids",
        "language",
        "model_version",
    }
    assert json.loads(json.dumps(data)) == data
    assert data["language"] == "en"
    assert data["model_version"]
    for reason in data["reasons"]:
        assert set(reason) == {"id", "category", "text", "evidence"}
        assert reason["category"] in ("crisis", *FLAGS)
    assert all(0.0 <= value <= 1.0 for value in result.scores.values())
    assert all(round(value, 4) == value for value in result.scores.values())


def test_ordinary_post_is_clear() -> None:
    result = screen("small win: I went to the shop on my own today")
    assert (result.tier, result.flags, result.reasons, result.rule_ids) == ("none", (), (), ())
    assert not result.is_held


def test_bad_role_is_rejected() -> None:
    with pytest.raises(ValueError, match="role"):
        screen("hello", role="moderator")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("add me on snap, same name as here", True),
        ("you're a pathetic loser", True),
        ("text me on 07700 900222", True),
        ("antidepressants are poison", False),
        ("my dad hits me and I'm scared to go home", False),
    ],
)
def test_is_held_follows_the_flags(text: str, held: bool) -> None:
    assert screen(text).is_held is held


def test_safeguarding_disclosure_goes_to_review() -> None:
    result = screen("my partner locks me in the flat when he goes out and takes my phone")
    assert result.tier == "review"
    assert "safeguarding" in result.flags


def test_grooming_flags_without_raising_the_tier() -> None:
    result = screen("you're 13 right? don't tell your mum, we can chat on whatsapp instead")
    assert result.tier == "none"
    assert set(result.flags) == {"safeguarding", "contact_request"}


class TestSupporters:
    @pytest.mark.parametrize(
        "text",
        [
            "Are you thinking about suicide?",
            "Do you have a plan?",
            "Are you safe right now?",
            "Have you hurt yourself today, or are you thinking about hurting yourself?",
        ],
    )
    def test_asking_directly_is_good_practice(self, text: str) -> None:
        assert screen(text, role="supporter").tier == "none"

    def test_giving_methods_is_urgent(self) -> None:
        text = "Honestly if you've decided, hanging is quicker than pills."
        assert screen(text, role="supporter").tier == "urgent"

    def test_own_disclosure_of_intent_is_urgent(self) -> None:
        text = "Sorry, I can't support tonight. I'm going to take all my pills after my shift."
        assert screen(text, role="supporter").tier == "urgent"


class TestContext:
    def test_second_concerning_post_in_a_day_is_urgent(self) -> None:
        text = "everyone would be better off without me"
        assert screen(text).tier == "review"
        escalated = screen(text, context=AuthorContext(concerning_last_24h=1))
        assert escalated.tier == "urgent"
        assert "CONTEXT-REPEATED-CONCERN" in escalated.rule_ids

    def test_context_does_not_escalate_an_ordinary_post(self) -> None:
        result = screen("had a good walk today", context=AuthorContext(concerning_last_24h=3))
        assert result.tier == "none"

    def test_link_from_a_new_account_is_spam(self) -> None:
        text = "this guide helped me: calm-guide.example/sleep"
        assert "spam" in screen(text, context=AuthorContext(account_age_days=0.5)).flags
        assert "spam" not in screen(text, context=AuthorContext(account_age_days=400)).flags
        assert "spam" not in screen(text).flags

    def test_repeated_text_is_spam(self) -> None:
        text = "does anyone have tips for exam stress?"
        context = AuthorContext(recent_texts=(text, text.upper(), "something else entirely"))
        assert "SPAM-REPEATED-TEXT" in screen(text, context=context).rule_ids
        once = AuthorContext(recent_texts=(text,), account_age_days=300)
        assert "spam" not in screen(text, context=once).flags
        newcomer = AuthorContext(recent_texts=(text,), account_age_days=0.2)
        assert "spam" in screen(text, context=newcomer).flags

    def test_velocity_is_spam(self) -> None:
        assert "spam" in screen("hi all", context=AuthorContext(posts_last_10_minutes=8)).flags
        assert "spam" not in screen("hi all", context=AuthorContext(posts_last_10_minutes=7)).flags


class TestLanguages:
    @pytest.mark.parametrize(
        ("text", "tier"),
        [
            ("Je vais me suicider ce soir, j'ai tout préparé", "urgent"),
            ("je veux mourir", "review"),
            ("Heute Nacht nehme ich alle Tabletten, die ich gesammelt habe", "urgent"),
            ("ich will nicht mehr leben", "review"),
            ("quiero suicidarme", "review"),
            ("Esta noche me voy a tomar todas las pastillas", "urgent"),
            ("voglio morire", "review"),
            ("quero me matar", "review"),
            ("ik wil dood", "review"),
            ("chcę umrzeć", "review"),
            ("Jutro rano skaczę z mostu", "urgent"),
        ],
    )
    def test_covered_languages_have_crisis_rules(self, text: str, tier: str) -> None:
        assert screen(text).tier == tier

    @pytest.mark.parametrize(
        "text",
        [
            "Je meurs de faim",
            "Diese Prüfung bringt mich noch um",
            "Me muero de risa",
            "Umieram z głodu",
            "Ik ga bijna dood van de hitte",
        ],
    )
    def test_idioms_in_covered_languages_are_quiet(self, text: str) -> None:
        assert screen(text).tier == "none"

    @pytest.mark.parametrize(
        "text",
        [
            "Jag vill inte leva längre",
            "Artık yaşamak istemiyorum, intihar etmeyi düşünüyorum",  # noqa: RUF001 - Turkish
            "Bu gece tüm ilaçlarımı içeceğim 💊💊",  # noqa: RUF001 - Turkish
            "Už nechci žít",
        ],
    )
    def test_uncovered_language_with_risk_cues_goes_to_review(self, text: str) -> None:
        result = screen(text)
        assert result.tier == "review"
        assert "CRISIS-LANGUAGE-NOT-COVERED" in result.rule_ids
        assert result.language not in ("en", "und")

    def test_uncovered_language_ordinary_post_is_clear(self) -> None:
        assert screen("Jag sov bra i natt för första gången på länge").tier == "none"
