"""A second, larger paraphrase set for generalisation, measured as rates rather than exact tiers.

``test_screen_paraphrases`` pins exact outcomes for a regression corpus; this file asks the
question the dev set cannot answer honestly (its rules were written while reading it): how does
the engine do on crisis language it has not seen? The messages below were invented for this
set — many voices and registers, indirect phrasings (decisions made, belongings given away,
goodbyes, means "in the drawer"), passive ideation and current self-harm — together with as
many hard negatives that share the vocabulary: hyperbole, idioms, negation, recovery stories,
third-person worry, lyrics and titles, diagnoses, and supporters asking directly about suicide.

Each case has a stable id; the targets are rates, and a failure lists the ids that missed.
Figures when the set was written, before the rules were broadened: urgent recall 0.244 (11/45),
crisis recall 0.482 (41/85), false alerts 0.045 (3/66). After: urgent 0.956 (43/45), crisis 0.988
(84/85), false alerts 0.000 (0/66). The targets below leave room for honest misses.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from alongside.safety.screening import Screening, screen

URGENT_RECALL = 0.85
CRISIS_RECALL = 0.90
MAX_FALSE_ALERTS = 0.05


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    tier: str  # expected: "urgent", "review" or "none"
    role: str = "member"


def _u(cid: str, text: str, role: str = "member") -> Case:
    return Case(cid, text, "urgent", role)


def _r(cid: str, text: str, role: str = "member") -> Case:
    return Case(cid, text, "review", role)


def _n(cid: str, text: str, role: str = "member") -> Case:
    return Case(cid, text, "none", role)


CASES: tuple[Case, ...] = (
    # --- urgent: plan, means, timeframe, goodbye, final act, act under way -----------------
    _u("u01", "I've made my decision. Tonight's the night."),
    _u("u02", "sorted out who gets the dog. my sister will take good care of her."),
    _u("u03", "tonight's the night. i'm not scared anymore"),
    _u("u04", "I've got everything I need in the drawer, just waiting for them to go out"),
    _u("u05", "won't be around much longer. just wanted to say thanks to you lot"),
    _u("u06", "said my goodbyes to everyone today. they don't know it but I did."),
    _u("u07", "this is the last time you'll hear from me. take care of yourselves x"),
    _u("u08", "can't do this anymore and I know how I'm going to end it"),
    _u("u09", "I keep thinking about stepping in front of a train. there's one at 6:40 every day"),
    _u("u10", "i know exactly how i'm gonna do it and when. it's all worked out"),
    _u("u11", "the tablets are in the drawer next to my bed. tomorrow when mum's at work."),
    _u("u12", "i've written letters for my kids. they're in the kitchen drawer."),
    _u("u13", "ive been saving up my nans morphine for weeks now"),
    _u("u14", "Got a bottle of vodka and two boxes of paracetamol. This is it."),
    _u("u15", "I won't be here next week so don't bother replying"),
    _u("u16", "goin to the bridge after work. dont want anyone to stop me this time"),
    _u("u17", "I'm on the train tracks near my house. I'm so sorry."),
    _u("u18", "just swallowed everything in the cupboard. feel sick. sorry"),
    _u("u19", "my mind's made up, I'm doing it this weekend while my flatmate's away"),
    _u("u20", "I've picked the date. The 14th. It's my birthday so it feels right."),
    _u("u21", "Final goodbye from me. You've all been kinder than I deserved."),
    _u("u22", "took a load of my dad's heart pills about an hour ago, nobody knows"),
    _u("u23", "Gonna end it all tonight, I've got the rope"),
    _u("u24", "Ah cannae dae this nae mair. Gonnae end it the night."),
    _u("u25", "man i'm done fr. gonna take myself out tonight, no cap"),
    _u("u26", "I've decided to end my life on Sunday. I feel calm about it."),
    _u("u27", "When you read this I will already be gone. Please don't be sad."),
    _u("u28", "Left a note on the table for my husband. Heading out to the cliffs now."),
    _u("u29", "this is the last thing i'll ever post. i love you all"),
    _u("u30", "I'm going to drive into a wall on the motorway tonight"),
    _u(
        "u31", "Gave my PlayStation to my little brother and told him to look after mum. I'm ready."
    ),
    _u("u32", "i have the knife with me and i'm going to use it tonight"),
    _u("u33", "Going to take all my lithium when everyone's asleep"),
    _u("u34", "been planning it for months and I finally have a date"),
    _u("u35", "I've set the date and bought the rope. There's nothing left to say."),
    _u("u36", "not going to be alive by the end of the week. i've sorted everything"),
    _u("u37", "I just want to say sorry to my mum. I'm at the bridge now."),
    _u("u38", "bought a hose and some tape today, going to do it in the car tomorrow"),
    _u("u39", "I've cancelled my therapy and sorted out my will. No point in going back now."),
    _u("u40", "this time tomorrow i'll be dead. it's fine. i'm fine with it"),
    _u("u41", "The pills are lined up on my desk. I'm going to take them soon."),
    _u("u42", "i'm going to hang myself in the woods behind our house"),
    _u("u43", "my last night on earth. going to make it count then go"),
    _u("u44", "have a plan, have the means, just waiting for the right moment"),
    _u("u45", "I'm writing my suicide note now"),
    # --- review: passive ideation, intent without plan, current self-harm -------------------
    _r("r01", "I'd be fine if I didn't wake up tomorrow"),
    _r("r02", "what's the point of any of it"),
    _r("r03", "everyone would cope better without me"),
    _r("r04", "cut again last night, worse than before"),
    _r("r05", "relapsed on self harm after 8 months, feel like such a failure"),
    _r("r06", "i don't want to be here anymore"),
    _r("r07", "honestly if a bus hit me tomorrow i wouldn't mind"),
    _r("r08", "I just want everything to stop. forever."),
    _r("r09", "sometimes i think about how much easier it would be to not exist"),
    _r("r10", "my family would be better off if I was gone"),
    _r("r11", "Been having thoughts of ending it again"),
    _r("r12", "I keep thinking about killing myself and it scares me"),
    _r("r13", "I've been hurting myself again and I don't know how to stop"),
    _r("r14", "the urge to cut is so strong tonight"),
    _r("r15", "burnt my arm with a lighter earlier, it helps for a bit"),
    _r("r16", "I don't see a way out of this except dying"),
    _r("r17", "i'm so tired. i want to go to sleep and never wake up"),
    _r("r18", "No one would even notice if I was gone"),
    _r("r19", "What's the point in carrying on when nothing ever changes"),
    _r("r20", "i feel like i'm just taking up space. the world doesn't need me"),
    _r("r21", "I'm a waste of oxygen and everyone knows it"),
    _r("r22", "feeling really suicidal tonight"),
    _r("r23", "i kinda wish i could just go to sleep and not wake up"),
    _r("r24", "I wish I'd never been born"),
    _r("r25", "there's no point in anything anymore, I'm just existing"),
    _r("r26", "I hit myself in the head when I get like this, did it again today"),
    _r("r27", "I'm scared of what I might do to myself tonight"),
    _r("r28", "Ah just want tae die, man"),
    _r("r29", "i want out. of everything. of life."),
    _r("r30", "I scratched my arms until they bled again"),
    _r("r31", "I keep looking up ways to die"),
    _r("r32", "ngl i've been thinking about unaliving myself a lot lately"),
    _r("r33", "death seems like the only way this pain ends"),
    _r("r34", "I don't think I can keep going much longer"),
    _r("r35", "it feels like the world would be a better place without me in it"),
    _r("r36", "I relapsed. Cut my thighs last night."),
    _r("r37", "Everything feels pointless. I don't want to live like this."),
    _r("r38", "I'm not sure I want to be alive anymore"),
    _r("r39", "my kids deserve a better mum than me. they'd be better without me"),
    _r("r40", "part of me wants to just disappear for good"),
    # --- none: hyperbole and idioms -----------------------------------------------------------
    _n("n01", "this Monday is killing me, need coffee"),
    _n("n02", "I'm literally going to die if I don't get this job lol"),
    _n("n03", "I could've died of embarrassment when my boss read my text aloud"),
    _n("n04", "my feet are killing me after that hike"),
    _n("n05", "I'm dead, that video is hilarious"),
    _n("n06", "that comedian absolutely killed it last night"),
    _n("n07", "I'm so done with this group project"),
    _n("n08", "Tonight's the night! First date in two years, wish me luck"),
    _n("n09", "I've made my decision: I'm moving to Leeds"),
    _n("n10", "Sorted out who gets the dog while we're on holiday, my neighbour's a star"),
    _n("n11", "I've got everything I need for the camping trip in the car"),
    _n("n12", "said my goodbyes at the leaving do, gonna miss that team"),
    _n("n13", "Won't be around much this week, exams"),
    _n("n14", "this is the last time you'll hear me moan about my landlord, promise"),
    _n("n15", "I can't do this anymore, I'm switching to decaf"),
    _n("n16", "I'm taking the train to my parents tomorrow"),
    _n("n17", "last night of the holiday, gonna make it count"),
    _n("n18", "I keep thinking about quitting my job and travelling"),
    # --- none: negation and reassurance -------------------------------------------------------
    _n("n19", "I'm not suicidal, just really sad about the breakup"),
    _n("n20", "I don't want to die, I want to feel better"),
    _n("n21", "no thoughts of hurting myself, just exhausted"),
    _n("n22", "I'd never act on it, my kids need me"),
    _n("n23", "haven't self harmed in six months and I'm proud of it"),
    _n("n24", "To be clear I'm safe, I just need to rant about work"),
    # --- none: past tense and recovery ---------------------------------------------------------
    _n("n25", "Five years ago I stood on a bridge. Today I'm a mum of two and glad I stayed."),
    _n("n26", "I used to cut every night. I'm three years free now."),
    _n("n27", "After my overdose in 2018 I got real help, it gets better"),
    _n("n28", "I remember when I wanted to die every day. It doesn't feel like that now."),
    _n("n29", "when i was 16 i wrote a goodbye note. i'm 30 now and so glad i'm still here"),
    _n("n30", "one year since my attempt today, celebrating with cake"),
    # --- none: third person ---------------------------------------------------------------------
    _n("n31", "my best friend told me she's been cutting, how do I support her?"),
    _n("n32", "My brother keeps saying he wants to die and I'm scared for him"),
    _n("n33", "my mum attempted suicide last year and I still worry every day"),
    _n("n34", "A colleague took his own life last week and the office is in shock"),
    _n("n35", "how do i talk to my teenager about self harm?"),
    # --- none: lyrics, titles, media, discussion ----------------------------------------------
    _n("n36", "'Suicide is painless' is such an odd song for a comedy show"),
    _n("n37", "Just finished reading The Virgin Suicides, what a book"),
    _n("n38", "Anyone seen 13 Reasons Why? I think it handled suicide badly"),
    _n("n39", "Suicide prevention week starts Monday, our group is doing a walk"),
    _n("n40", "Read an article today about how means restriction saves lives"),
    # --- none: diagnoses, meds, everyday ------------------------------------------------------
    _n("n41", "I was diagnosed with BPD last month, any book recommendations?"),
    _n("n42", "Starting lithium tomorrow, a bit nervous about side effects"),
    _n("n43", "I've got my tablets in the drawer so I remember to take them"),
    _n("n44", "The pharmacy ran out of my sertraline again, so annoying"),
    _n("n45", "Tomorrow is the big day, court hearing at 10am. Nervous."),
    _n("n46", "writing a letter to my younger self for therapy homework"),
    _n("n47", "gave away loads of my clothes to the charity shop today"),
    _n("n48", "I'm at the bridge now, meeting friends for a picnic by the river"),
    _n("n49", "feeling low today but my plan is a bath and an early night"),
    _n("n50", "I'm ending my membership at the gym, can't afford it"),
    _n("n51", "Goodbye everyone, I'm moving over to the carers forum, thanks for everything!"),
    _n("n52", "my cat died this morning and I'm heartbroken"),
    _n("n53", "the last time I had a panic attack was on the train"),
    _n("n54", "I'm sick of living in this damp flat, landlord won't fix anything"),
    _n("n55", "My plan for tonight: pizza, a film, and bed by ten"),
    _n("n56", "I've got the knife sharpener out, the kitchen knives were so blunt"),
    # --- none: supporters ---------------------------------------------------------------------
    _n("s01", "Are you thinking about suicide right now?", "supporter"),
    _n("s02", "Have you made a plan or got anything you could use to hurt yourself?", "supporter"),
    _n("s03", "It sounds like you're saying goodbye. Are you safe tonight?", "supporter"),
    _n("s04", "When you say you won't be around much longer, what do you mean?", "supporter"),
    _n(
        "s05",
        "Lots of people have thoughts of ending their life. It's OK to talk about it here.",
        "supporter",
    ),
    _n(
        "s06",
        "If you've taken anything, please call 999 or get to A&E right away.",
        "supporter",
    ),
    _n("s07", "Could you put the tablets somewhere harder to reach for tonight?", "supporter"),
    _n(
        "s08",
        "I used to self harm too. What helped me was holding ice instead.",
        "supporter",
    ),
    _n("s09", "Thank you for telling us. Would you like to make a safety plan?", "supporter"),
    _n("s10", "Is there someone who can stay with you until the morning?", "supporter"),
)


def _outcome(case: Case) -> Screening:
    return screen(case.text, role=case.role)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    return {case.id: _outcome(case).tier for case in CASES}


def _rate(ids: list[str], hit: list[str]) -> str:
    missed = sorted(set(ids) - set(hit))
    return f"{len(hit)}/{len(ids)}; missed: {', '.join(missed) or '-'}"


def test_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


def test_set_is_large_and_balanced() -> None:
    tiers = [case.tier for case in CASES]
    assert len(CASES) >= 150
    assert tiers.count("none") >= 0.4 * len(CASES)


def test_urgent_recall(outcomes: dict[str, str]) -> None:
    ids = [c.id for c in CASES if c.tier == "urgent"]
    hit = [i for i in ids if outcomes[i] == "urgent"]
    assert len(hit) / len(ids) >= URGENT_RECALL, f"urgent recall {_rate(ids, hit)}"


def test_crisis_recall(outcomes: dict[str, str]) -> None:
    ids = [c.id for c in CASES if c.tier != "none"]
    hit = [i for i in ids if outcomes[i] != "none"]
    assert len(hit) / len(ids) >= CRISIS_RECALL, f"crisis recall {_rate(ids, hit)}"


def test_false_alerts(outcomes: dict[str, str]) -> None:
    ids = [c.id for c in CASES if c.tier == "none"]
    alerted = [i for i in ids if outcomes[i] != "none"]
    assert len(alerted) / len(ids) <= MAX_FALSE_ALERTS, (
        f"false alerts {len(alerted)}/{len(ids)}: {', '.join(alerted)}"
    )


def test_no_urgent_on_hard_negatives(outcomes: dict[str, str]) -> None:
    wrong = [c.id for c in CASES if c.tier == "none" and outcomes[c.id] == "urgent"]
    assert not wrong, f"urgent on hard negatives: {', '.join(wrong)}"
