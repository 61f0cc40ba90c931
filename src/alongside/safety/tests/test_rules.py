"""Each screening rule with examples it must catch and look-alikes it must leave alone.

The examples are invented. Every rule id is exercised by at least one positive case, and the
hard negatives use the same words the rule looks for.
"""

from __future__ import annotations

import pytest

from alongside.safety.screening import screen


def _ids(text: str, role: str = "member") -> set[str]:
    return set(screen(text, role=role).rule_ids)  # type: ignore[arg-type]


POSITIVES = [
    ("CRISIS-INTENT-TIMEFRAME", "I'm going to kill myself on Saturday when the house is empty"),
    ("CRISIS-INTENT-TIMEFRAME", "suicide tomorrow morning, made my peace"),
    ("CRISIS-INTENT-METHOD", "i'm finally going to end it, there's a bridge near my work"),
    ("CRISIS-INTENT-PLAN", "I've decided to end my life. Everything is planned."),
    ("CRISIS-MEANS-READY", "been stockpiling my sleeping pills for a month for when i die"),
    ("CRISIS-MEANS-READY", "🔪 tonight. no more pretending"),
    ("CRISIS-PLAN-TIMEFRAME", "tonight's the night. got everything ready. goodbye"),
    ("CRISIS-ACT-UNDER-WAY", "just swallowed a whole box of my tablets, didn't want to be alone"),
    ("CRISIS-GOODBYE", "this is my last post. please don't blame yourselves"),
    (
        "CRISIS-GOODBYE",
        "I've written letters to my parents and my best friend. by the time you "
        "read this it will be over",
    ),
    ("CRISIS-METHOD-SEEKING", "what's the most painless way to kill myself?"),
    ("HARMFUL-ADVICE-METHOD", "if you've decided, jumping is more reliable than pills"),
    ("HARMFUL-ADVICE-CONCEAL", "wear long sleeves to school so nobody sees the cuts"),
    ("HARMFUL-ADVICE-PRO-ED", "fasting for 4 days is the quickest way to drop weight"),
    ("CRISIS-INTENT-NO-PLAN", "i'm going to kill myself"),
    ("CRISIS-IDEATION", "I just want to go to sleep and never wake up"),
    ("CRISIS-IDEATION", "everyone would be better off without me"),
    ("CRISIS-SELF-HARM", "i cut myself again last night"),
    ("SAFEGUARDING-ABUSE-DISCLOSURE", "my stepdad hits me when he's drunk"),
    ("SAFEGUARDING-GROOMING", "you're 14 but so mature. add me on snap, our secret"),
    ("CONTACT-OFF-PLATFORM", "let's move this chat to telegram"),
    ("ABUSE-TARGETED", "you're a pathetic idiot, nobody cares"),
    ("SPAM-PROMOTION", "Guaranteed returns!! crypto bot turns $100 into $5000"),
    ("PERSONAL-INFO-PHONE", "my number is 07700 900123"),
    ("PERSONAL-INFO-EMAIL", "write to sam@example.org"),
    ("PERSONAL-INFO-ADDRESS", "I live at 14 Mill Lane near the park"),
]


@pytest.mark.parametrize(("rule_id", "text"), POSITIVES)
def test_rule_fires(rule_id: str, text: str) -> None:
    assert rule_id in _ids(text)


NEGATIVES = [
    # negation
    ("CRISIS-IDEATION", "I'm not suicidal, just exhausted"),
    ("CRISIS-INTENT-NO-PLAN", "i'm not going to kill myself, promise"),
    ("CRISIS-INTENT-TIMEFRAME", "I'm not going to end my life, I just can't face work tomorrow"),
    # quotation and reported questions
    ("CRISIS-IDEATION", "The nurse asked 'do you wish you were dead?' and I said no"),
    ("CRISIS-IDEATION", "My GP asked if I'd had thoughts of suicide, I said no"),
    ("CRISIS-INTENT-NO-PLAN", "the chorus goes 'tonight I'm going to end it all' and it slaps"),
    # third person
    ("CRISIS-INTENT-NO-PLAN", "In the book he decides to kill himself"),
    # past tense and recovery
    ("CRISIS-SELF-HARM", "I used to cut every night as a teenager, I'm 30 now"),
    ("CRISIS-ACT-UNDER-WAY", "Three years ago I took a whole bottle of pills. Now I'm thriving."),
    ("CRISIS-GOODBYE", "I remember writing goodbye letters when I was 19, glad I'm still here"),
    # hyperbole and idioms
    ("CRISIS-INTENT-NO-PLAN", "i'm going to die if I don't get coffee soon"),
    ("CRISIS-IDEATION", "this exam is literally killing me"),
    ("CRISIS-SELF-HARM", "cut my own fringe last night, disaster"),
    ("CRISIS-INTENT-TIMEFRAME", "I'll kill myself haha if they play that song again tonight"),
    # everyday uses of goodbye and plan words
    ("CRISIS-GOODBYE", "Goodbye everyone, off to bed, see you tomorrow"),
    ("CRISIS-GOODBYE", "this is my last post before my holiday!"),
    ("CRISIS-GOODBYE", "gave my old clothes to charity today"),
    ("CRISIS-PLAN-TIMEFRAME", "made a plan for tomorrow: walk, lunch, then therapy"),
    ("CRISIS-ACT-UNDER-WAY", "I took 2 paracetamol for my headache"),
    # questions put to someone else
    ("CRISIS-IDEATION", "Are you thinking about suicide?"),
    # swearing about one's own feelings, and self-talk
    ("ABUSE-TARGETED", "I feel like absolute shit today"),
    ("ABUSE-TARGETED", "i feel like such a failure"),
    ("ABUSE-TARGETED", "this week can fuck right off"),
    ("ABUSE-TARGETED", "Do you have a plan for how you would kill yourself?"),
    ("ABUSE-TARGETED", "please don't kill yourself, we care about you"),
    # contact words that are not requests
    ("CONTACT-OFF-PLATFORM", "I'm 14 and a guy keeps asking me to talk on whatsapp"),
    ("CONTACT-OFF-PLATFORM", "my manager keeps emailing me at midnight"),
    # numbers that are not phone numbers, and helplines
    ("PERSONAL-INFO-PHONE", "you can call Samaritans on 116 123 any time"),
    ("PERSONAL-INFO-PHONE", "between 2019-2021 I was unwell"),
    ("PERSONAL-INFO-ADDRESS", "I spent 3 days on the road"),
    # an age with nothing grooming about it
    ("SAFEGUARDING-GROOMING", "I'm 15 and I love drawing"),
    ("SAFEGUARDING-ABUSE-DISCLOSURE", "my brother made me watch a horror film"),
    ("SPAM-PROMOTION", "Guaranteed the best thing I did was call my GP"),
]


@pytest.mark.parametrize(("rule_id", "text"), NEGATIVES)
def test_rule_stays_quiet(rule_id: str, text: str) -> None:
    assert rule_id not in _ids(text)


def test_supporter_questions_are_not_risk() -> None:
    for question in [
        "Are you thinking about killing yourself right now?",
        "Do you have a plan for how you would end your life?",
        "On a scale of 1 to 10, how strong are the urges to cut right now?",
        "Have you had thoughts that you'd be better off dead?",
    ]:
        assert _ids(question, role="supporter") == set(), question


def test_supporter_giving_methods_is_still_caught() -> None:
    ids = _ids("If you're set on it, the bridge is more certain than the tablets.", "supporter")
    assert "HARMFUL-ADVICE-METHOD" in ids


def test_supporters_own_intent_is_still_caught() -> None:
    ids = _ids("honestly I'm going to hang myself tonight, I can't keep doing this", "supporter")
    assert "CRISIS-INTENT-TIMEFRAME" in ids


def test_evidence_is_short_terms_not_the_post() -> None:
    text = (
        "I have been thinking about this for a long time and I have decided that tonight I am "
        "going to take all of my pills because nothing is ever going to change for me"
    )
    result = screen(text)
    assert result.tier == "urgent"
    for reason in result.reasons:
        for term in reason.evidence:
            assert len(term) <= 60
            assert term not in (text, text.casefold())
