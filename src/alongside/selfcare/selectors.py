"""Reads of a member's own self-care, and the only way to get one of its objects.

Every function takes the member and filters by them in the query: there is no role that
sees another member's check-ins, goals, list or safety plan, moderators and administrators
included. An object that is not the member's is "not found" (404), the same as one that never
existed, so the page does not even confirm it is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from alongside.core import crisis
from alongside.selfcare import safety_plan
from alongside.selfcare.models import (
    CheckIn,
    Goal,
    GoalRating,
    GoalStep,
    HelpfulThing,
    SafetyPlan,
)
from alongside.selfcare.services import member_today

if TYPE_CHECKING:
    from alongside.accounts.models import User

HISTORY_DAYS = 60


# --- Check-ins ------------------------------------------------------------------------------


def check_in_today(member: User) -> CheckIn | None:
    return CheckIn.objects.filter(member=member, day=member_today(member)).first()


def check_ins_recent(member: User, days: int = HISTORY_DAYS) -> list[CheckIn]:
    """The member's check-ins of the last ``days`` days (today included), newest first."""
    since = member_today(member) - timedelta(days=days - 1)
    return list(CheckIn.objects.filter(member=member, day__gte=since).order_by("-day"))


def parse_day(value: str) -> date:
    """A ``YYYY-MM-DD`` from a URL, or 404."""
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise Http404 from error


def access_check_in(member: User, day: date) -> CheckIn:
    return get_object_or_404(CheckIn, member=member, day=day)


# --- Goals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRow:
    """A goal with what its list row shows: the latest rating and steps done."""

    goal: Goal
    latest: GoalRating | None
    steps_done: int
    steps_total: int


def _goals(member: User) -> list[Goal]:
    return list(
        Goal.objects.filter(member=member)
        .order_by("-created_at", "-pk")
        .prefetch_related(
            Prefetch("ratings", queryset=GoalRating.objects.order_by("rated_at", "pk")),
            Prefetch("steps", queryset=GoalStep.objects.order_by("position", "pk")),
        )
    )


def _row(goal: Goal) -> GoalRow:
    ratings = list(goal.ratings.all())
    steps = list(goal.steps.all())
    return GoalRow(
        goal=goal,
        latest=ratings[-1] if ratings else None,
        steps_done=sum(1 for step in steps if step.done_at is not None),
        steps_total=len(steps),
    )


def goal_rows(member: User, *, status: str | None = None) -> list[GoalRow]:
    """The member's goals, newest first, each with its latest rating; three queries in all."""
    goals = _goals(member)
    if status is not None:
        goals = [goal for goal in goals if goal.status == status]
    return [_row(goal) for goal in goals]


def access_goal(member: User, goal_id: int) -> Goal:
    return get_object_or_404(Goal, pk=goal_id, member=member)


def goal_steps(member: User, goal: Goal) -> list[GoalStep]:
    return list(GoalStep.objects.filter(goal=goal, goal__member=member).order_by("position", "pk"))


def goal_ratings(member: User, goal: Goal) -> list[GoalRating]:
    """Oldest first: the history reads as a story from where the member started."""
    return list(
        GoalRating.objects.filter(goal=goal, goal__member=member).order_by("rated_at", "pk")
    )


def access_goal_step(member: User, goal: Goal, step_id: int) -> GoalStep:
    return get_object_or_404(GoalStep, pk=step_id, goal=goal, goal__member=member)


# --- What helps me --------------------------------------------------------------------------


def helpful_things(member: User) -> list[HelpfulThing]:
    return list(HelpfulThing.objects.filter(member=member).order_by("position", "pk"))


def access_helpful_thing(member: User, thing_id: int) -> HelpfulThing:
    return get_object_or_404(HelpfulThing, pk=thing_id, member=member)


# --- Safety plan ----------------------------------------------------------------------------


def safety_plan_for(member: User) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(member=member).first()


@dataclass(frozen=True)
class PlanSection:
    """One section of the plan as pages show it: its words and the member's entries."""

    section: safety_plan.Section
    entries: list[str]

    @property
    def key(self) -> str:
        return self.section.key


def plan_sections(plan: SafetyPlan | None) -> list[PlanSection]:
    stored = safety_plan.normalised(plan.sections if plan is not None else None)
    return [PlanSection(section=s, entries=stored[s.key]) for s in safety_plan.SECTIONS]


@dataclass(frozen=True)
class CrisisLines:
    """The lines the get-help page shows first for this member: the deployment's, then
    their region's."""

    deployment: list[crisis.Resource]
    region: crisis.RegionResources | None


def crisis_lines_for(member: User) -> CrisisLines:
    regions = crisis.regions_for(member.region or settings.DEFAULT_REGION)
    return CrisisLines(
        deployment=crisis.deployment_contacts(), region=regions[0] if regions else None
    )
