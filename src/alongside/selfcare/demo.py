"""Invented self-care for a demo member: six weeks of check-ins, two goals, a list, a plan.

Rows are written directly rather than through ``services`` because the demo needs the past:
check-ins on earlier days and ratings spread over weeks, which the services (rightly) date
now. Everything is invented; nothing is a real person's words.

Idempotent part by part: a member who already has check-ins, goals, a list or a plan keeps
theirs untouched, so running the demo twice (or after the member tried the pages) changes
nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from alongside.selfcare.models import (
    CheckIn,
    Goal,
    GoalRating,
    GoalStep,
    HelpfulThing,
    SafetyPlan,
)

if TYPE_CHECKING:
    from alongside.accounts.models import User

DAYS = 40
# Days with no check-in, counted back from yesterday: nobody checks in every day.
MISSED = frozenset({6, 17, 18, 31})
NOTES: dict[int, str] = {
    38: "Couldn't face the shop today. Stayed in with the radio.",
    33: "Bad night, awake from 3. Work was a blur.",
    27: "Saw Dee for coffee. Didn't say much but it helped to be out.",
    21: "First swim in a year. Ten minutes, then sat in the café.",
    15: "Rained all day and I felt it. Early night.",
    10: "Rang my sister. We laughed about Mum's old car.",
    5: "Bills came. Made a list instead of panicking.",
    2: "Walked the long way home by the river. Felt lighter.",
}
OWN_TAGS = ("swimming", "sister", "garden", "bus")
SUGGESTED = ("sleep", "work", "family", "friends", "health", "money", "weather")


@dataclass(frozen=True)
class GoalSpec:
    title: str
    why: str
    days_ago: int
    steps: tuple[tuple[str, bool], ...]  # (text, done)
    ratings: tuple[tuple[int, int, str], ...]  # (days ago, 0-10, note)


GOALS: tuple[GoalSpec, ...] = (
    GoalSpec(
        title="Get back to swimming once a week",
        why="It used to clear my head better than anything.",
        days_ago=36,
        steps=(
            ("Find my old goggles", True),
            ("Check the pool's quiet times", True),
            ("Go once, even just for ten minutes", True),
            ("Go two weeks in a row", False),
        ),
        ratings=(
            (36, 1, "Haven't been since last spring."),
            (29, 2, "Found the goggles at least."),
            (21, 4, "Went! Only ten minutes."),
            (12, 5, ""),
            (3, 6, "Twice this month."),
        ),
    ),
    GoalSpec(
        title="Ring my sister on Sunday evenings",
        why="We drifted apart when I stopped answering.",
        days_ago=30,
        steps=(
            ("Put a reminder on my phone", True),
            ("Think of one thing to tell her beforehand", False),
        ),
        ratings=(
            (30, 3, ""),
            (23, 3, "Missed it. Felt bad, then let it go."),
            (10, 6, "Long chat, it was easy."),
            (2, 7, ""),
        ),
    ),
)
HELPFUL = (
    "Walking the long way home by the river",
    "Ringing my sister, even for five minutes",
    "Radio 3 and a cup of tea",
    "Writing down what's worrying me, then closing the notebook",
)
PLAN: dict[str, list[str]] = {
    "warning_signs": [
        "Not sleeping for two or three nights",
        "Cancelling on people and staying in",
        "Thinking everyone would be better off without me",
    ],
    "coping": ["Cold water on my face", "The rain sounds playlist", "A slow walk round the block"],
    "distractions": ["The library on the high street", "Dee's kitchen table", "The park café"],
    "people_to_ask": ["My sister Ana, by phone any evening", "Dee, by text"],
    "professionals": ["My GP surgery, weekdays 8 to 6", "The crisis line, any time"],
    "safer_surroundings": ["Ask Ana to keep my spare tablets at hers"],
    "reasons_for_living": ["My niece Sofia", "My dog Pip", "Seeing the sea again next summer"],
}


def _moment(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() - timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _check_ins(member: User, rng: random.Random) -> None:
    if CheckIn.objects.filter(member=member).exists():
        return
    rows = []
    for back in range(DAYS, 0, -1):
        if back in MISSED:
            continue
        # Slowly better over the weeks, with ordinary ups and downs and a harder patch.
        trend = 2.2 + 1.5 * (DAYS - back) / DAYS
        dip = -1.0 if back in (33, 34, 15) else 0.0
        mood = max(1, min(5, round(trend + dip + rng.uniform(-0.9, 0.9))))
        tags = rng.sample(SUGGESTED, k=rng.choice((0, 1, 1, 2)))
        if back in NOTES and rng.random() < 0.5:
            tags.append(rng.choice(OWN_TAGS))
        at = _moment(back, rng.choice((8, 13, 19, 21)))
        rows.append(
            CheckIn(
                member=member,
                day=at.date(),
                mood=mood,
                note=NOTES.get(back, ""),
                tags=tags,
                created_at=at,
                updated_at=at,
            )
        )
    CheckIn.objects.bulk_create(rows, ignore_conflicts=True)


def _goals(member: User) -> None:
    if Goal.objects.filter(member=member).exists():
        return
    for spec in GOALS:
        created = _moment(spec.days_ago, 20)
        goal = Goal.objects.create(
            member=member, title=spec.title, why=spec.why, created_at=created
        )
        GoalStep.objects.bulk_create(
            GoalStep(
                goal=goal,
                text=text,
                position=position,
                done_at=created + timedelta(days=3 * (position + 1)) if done else None,
            )
            for position, (text, done) in enumerate(spec.steps)
        )
        GoalRating.objects.bulk_create(
            GoalRating(goal=goal, rating=rating, note=note, rated_at=_moment(back, 20))
            for back, rating, note in spec.ratings
        )


def _helpful(member: User) -> None:
    if HelpfulThing.objects.filter(member=member).exists():
        return
    HelpfulThing.objects.bulk_create(
        HelpfulThing(member=member, text=text, position=position)
        for position, text in enumerate(HELPFUL)
    )


def _plan(member: User) -> None:
    if SafetyPlan.objects.filter(member=member).exists():
        return
    SafetyPlan.objects.create(member=member, sections=PLAN, created_at=_moment(25, 18))


@transaction.atomic
def ensure_demo_selfcare(member: User) -> None:
    """Give ``member`` invented self-care, leaving any part they already have alone."""
    rng = random.Random(f"alongside-selfcare-{member.handle}")  # noqa: S311 - demo data only
    _check_ins(member, rng)
    _goals(member)
    _helpful(member)
    _plan(member)
