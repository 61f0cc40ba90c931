"""JSON endpoints for a member's own self-management, under /api/v1/me/.

Everything a phone app needs to do what the "Looking after myself" and progress pages do:
check-ins, goals with steps and ratings, the "what helps me" list, the safety plan, progress
and sharing it with a peer supporter. Only ever the signed-in member's own: every object comes
through ``selfcare.selectors`` (or ``sharing.share_for_member``), which filter by the member
in the query, so another member's object is a 404, the same as one that never existed. Every
change goes through ``selfcare.services`` or ``selfcare.sharing``; the root API turns their
``ValidationError`` into a 422 naming the field.

A check-in note that reads as a crisis gets the same answer the page gives, at once and in the
reply itself: ``reads_as_crisis`` and ``support`` with the crisis lines. As on the page,
nobody else is told (a private note is not a post).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from alongside.accounts.models import User
from alongside.api_schemas import CrisisLineOut, ErrorOut, ValidationErrorOut
from alongside.measures.models import MeasureShare
from alongside.safety import support
from alongside.selfcare import safety_plan, selectors, services, sharing
from alongside.selfcare.models import CheckIn, Goal, GoalRating, GoalStep, HelpfulThing
from alongside.selfcare.progress import (
    GoalProgress,
    MeasureProgress,
    MoodProgress,
    goal_sentence,
    measure_sentence,
    mood_sentence,
)

router = Router(tags=["selfcare"])

READS: dict[int | str, Any] = {401: ErrorOut, 404: ErrorOut}
WRITES: dict[int | str, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
CHECK_IN_DAYS_MAX = 366


# --- Schemas: check-ins ---------------------------------------------------------------------


class SelfcareChoiceOut(Schema):
    value: str
    label: str


class SelfcareMoodChoiceOut(Schema):
    value: int
    label: str


class SelfcareCheckInOptionsOut(Schema):
    moods: list[SelfcareMoodChoiceOut] = Field(description="1 (very low) to 5 (very good).")
    suggested_tags: list[SelfcareChoiceOut]
    tags_max: int
    tag_max_length: int
    note_max_length: int
    today: date = Field(description="Today in the member's own day.")


class SelfcareCheckInOut(Schema):
    day: date
    mood: int = Field(description="1 (very low) to 5 (very good).")
    mood_label: str
    note: str = Field(description="Private: only I see it.")
    tags: list[str]
    tag_labels: list[str] = Field(description="The tags in my language, in the same order.")
    created_at: datetime
    updated_at: datetime


class SelfcareCheckInIn(Schema):
    mood: int = Field(description="1 (very low) to 5 (very good).")
    note: str = ""
    tags: list[str] = Field(default_factory=list, description="Suggested keys or my own words.")


class SelfcareSupportOut(Schema):
    """What the check-in page shows when a note reads as a crisis."""

    message: str
    lines: list[CrisisLineOut]
    emergency: str = Field(description="The emergency number for my region.")
    get_help_url: str
    safety_plan_url: str
    has_safety_plan: bool = Field(description='False: the app offers "Make a safety plan".')
    private: str = Field(description="Says that nobody else has been told.")


class SelfcareCheckInSavedOut(Schema):
    check_in: SelfcareCheckInOut
    created: bool = Field(description="False when it replaced that day's check-in.")
    reads_as_crisis: bool = Field(description="The note reads as if I may be at risk.")
    support: SelfcareSupportOut | None = Field(
        description="Crisis lines to show at once; set when reads_as_crisis is true."
    )


class SelfcareCheckInDeletedOut(Schema):
    day: date
    deleted: bool


# --- Schemas: goals -------------------------------------------------------------------------


class SelfcareGoalRatingOut(Schema):
    id: int
    rating: int = Field(description="0 (not started) to 10 (goal reached).")
    note: str
    rated_at: datetime


class SelfcareGoalStepOut(Schema):
    id: int
    text: str
    position: int
    done: bool
    done_at: datetime | None


class SelfcareGoalOut(Schema):
    id: int
    title: str
    why: str
    status: str = Field(description="active, achieved or set_aside.")
    status_label: str
    created_at: datetime
    closed_at: datetime | None
    latest_rating: SelfcareGoalRatingOut | None
    steps_done: int
    steps_total: int


class SelfcareGoalDetailOut(SelfcareGoalOut):
    steps: list[SelfcareGoalStepOut]
    ratings: list[SelfcareGoalRatingOut] = Field(description="Oldest first.")


class SelfcareGoalsQuery(Schema):
    status: Literal["active", "achieved", "set_aside"] | None = Field(
        None, description="Only goals in this state."
    )


class SelfcareCheckInsQuery(Schema):
    days: int = Field(
        selectors.HISTORY_DAYS,
        ge=1,
        le=CHECK_IN_DAYS_MAX,
        description="How many days back, today included.",
    )


class SelfcareGoalCreateIn(Schema):
    title: str
    why: str = ""
    first_rating: int | None = Field(
        None, description="Where I feel I am now, 0 to 10 (the baseline rating)."
    )


class SelfcareGoalUpdateIn(Schema):
    title: str
    why: str = ""


class SelfcareGoalStatusIn(Schema):
    status: str = Field(description="active, achieved or set_aside.")


class SelfcareGoalRateIn(Schema):
    rating: int = Field(description="0 (not started) to 10 (goal reached).")
    note: str = ""


class SelfcareStepIn(Schema):
    text: str


class SelfcareStepDoneIn(Schema):
    done: bool = True


class SelfcareMoveIn(Schema):
    direction: Literal["up", "down"]


# --- Schemas: what helps me -----------------------------------------------------------------


class SelfcareHelpfulThingOut(Schema):
    id: int
    text: str
    position: int


class SelfcareHelpfulThingIn(Schema):
    text: str


# --- Schemas: safety plan -------------------------------------------------------------------


class SelfcarePlanSectionOut(Schema):
    key: str
    title: str
    prompt: str
    example: str
    entries: list[str]


class SelfcareSafetyPlanOut(Schema):
    exists: bool = Field(description="False until I write something in it.")
    updated_at: datetime | None
    sections: list[SelfcarePlanSectionOut] = Field(description="Every section, in plan order.")
    lines: list[CrisisLineOut] = Field(description="The crisis lines the plan shows.")
    emergency: str


class SelfcareSafetyPlanIn(Schema):
    sections: dict[str, list[str]] = Field(
        description="Section key to its entries, one short line each; a section left out is "
        "emptied. A plan with no entries at all is deleted."
    )


# --- Schemas: progress ----------------------------------------------------------------------


class SelfcareBandOut(Schema):
    lower: float
    upper: float
    label: str


class SelfcareScorePointOut(Schema):
    response_id: int
    day: date
    score: float
    band: str
    change: float | None = Field(description="Since the first valid score; null for it.")
    reliable: str = Field(
        description='"improved", "deteriorated", "no_reliable_change", or "" (first, unknown).'
    )
    reliable_label: str


class SelfcareInvalidScoreOut(Schema):
    day: date
    reason: str


class SelfcareMeasureProgressOut(Schema):
    key: str
    name: str
    short_name: str
    higher_is_worse: bool
    score_min: float
    score_max: float
    bands: list[SelfcareBandOut]
    direction: str = Field(description="Which way is better, in words.")
    sentence: str = Field(description="The chart in one sentence.")
    points: list[SelfcareScorePointOut] = Field(description="Oldest first.")
    invalid: list[SelfcareInvalidScoreOut] = Field(description="Answers that could not be scored.")


class SelfcareMoodDayOut(Schema):
    day: date
    mood: int
    average7: float = Field(description="Mean of the check-ins on this day and the six before.")


class SelfcareMoodProgressOut(Schema):
    start: date
    end: date
    days: list[SelfcareMoodDayOut]
    recent_average: float | None = Field(description="The last 30 days.")
    earlier_average: float | None = Field(description="The 30 days before those.")
    sentence: str


class SelfcareRatingPointOut(Schema):
    day: date
    rating: int


class SelfcareGoalProgressOut(Schema):
    goal_id: int
    title: str
    status: str
    status_label: str
    sentence: str
    ratings: list[SelfcareRatingPointOut] = Field(description="Oldest first.")


class SelfcareProgressOut(Schema):
    not_a_diagnosis: str
    measures: list[SelfcareMeasureProgressOut]
    mood: SelfcareMoodProgressOut | None
    goals: list[SelfcareGoalProgressOut]


# --- Schemas: sharing -----------------------------------------------------------------------


class SelfcareShareOut(Schema):
    id: int
    supporter: str = Field(description="The peer supporter's handle.")
    granted_at: datetime
    withdrawn_at: datetime | None = Field(description="Null while the share is in force.")


class SelfcareShareIn(Schema):
    handle: str = Field(description="The peer supporter's handle.")


class SelfcareSupporterOut(Schema):
    handle: str
    has_chat: bool = Field(description="I already talk with them one-to-one.")


# --- Shaping --------------------------------------------------------------------------------


def _member(request: HttpRequest) -> User:
    return cast(User, request.user)


def _check_in_out(check_in: CheckIn) -> SelfcareCheckInOut:
    tags = list(check_in.tags or [])
    return SelfcareCheckInOut(
        day=check_in.day,
        mood=check_in.mood,
        mood_label=services.mood_label(check_in.mood),
        note=check_in.note or "",
        tags=tags,
        tag_labels=[services.tag_label(tag) for tag in tags],
        created_at=check_in.created_at,
        updated_at=check_in.updated_at,
    )


def _support_out(member: User, outcome: services.CheckInOutcome) -> SelfcareSupportOut | None:
    """The page's crisis panel for a private check-in, or None when the note reads calmly."""
    if not outcome.reads_as_crisis or outcome.screened is None:
        return None
    notice = support.support_notice(screened=outcome.screened, held=False, user=member)
    lines = notice.lines if notice is not None else []
    return SelfcareSupportOut(
        message=_(
            "It sounds like things are really hard right now, and you don't have to face this "
            "alone. If you are thinking about ending your life or hurting yourself, you can "
            "talk to someone now."
        ),
        lines=[CrisisLineOut(**vars(line)) for line in lines],
        emergency=notice.emergency if notice is not None else "",
        get_help_url=reverse("core:get_help"),
        safety_plan_url=reverse("selfcare:safety_plan"),
        has_safety_plan=selectors.safety_plan_for(member) is not None,
        private=_(
            "Your check-ins are private, so no one else has been told about this, moderators "
            "included. If you'd like someone to know, you could tell a person you trust, or "
            "post in one of your groups."
        ),
    )


def _day(value: str, member: User) -> date:
    """``today`` or ``YYYY-MM-DD``; anything else is a 422 naming the day."""
    if value == "today":
        return services.member_today(member)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            {"day": _('Please give the day as YYYY-MM-DD, or "today".')}
        ) from None


def _rating_out(rating: GoalRating) -> SelfcareGoalRatingOut:
    return SelfcareGoalRatingOut(
        id=rating.pk, rating=rating.rating, note=rating.note or "", rated_at=rating.rated_at
    )


def _step_out(step: GoalStep) -> SelfcareGoalStepOut:
    return SelfcareGoalStepOut(
        id=step.pk,
        text=step.text or "",
        position=step.position,
        done=step.done_at is not None,
        done_at=step.done_at,
    )


def _goal_fields(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "title": goal.title or "",
        "why": goal.why or "",
        "status": goal.status,
        "status_label": str(goal.get_status_display()),
        "created_at": goal.created_at,
        "closed_at": goal.closed_at,
    }


def _goal_out(row: selectors.GoalRow) -> SelfcareGoalOut:
    return SelfcareGoalOut(
        **_goal_fields(row.goal),
        latest_rating=_rating_out(row.latest) if row.latest is not None else None,
        steps_done=row.steps_done,
        steps_total=row.steps_total,
    )


def _goal_detail(member: User, goal: Goal) -> SelfcareGoalDetailOut:
    steps = selectors.goal_steps(member, goal)
    ratings = selectors.goal_ratings(member, goal)
    return SelfcareGoalDetailOut(
        **_goal_fields(goal),
        latest_rating=_rating_out(ratings[-1]) if ratings else None,
        steps_done=sum(1 for step in steps if step.done_at is not None),
        steps_total=len(steps),
        steps=[_step_out(step) for step in steps],
        ratings=[_rating_out(rating) for rating in ratings],
    )


def _thing_out(thing: HelpfulThing) -> SelfcareHelpfulThingOut:
    return SelfcareHelpfulThingOut(id=thing.pk, text=thing.text or "", position=thing.position)


def _things_out(member: User) -> list[SelfcareHelpfulThingOut]:
    return [_thing_out(thing) for thing in selectors.helpful_things(member)]


def _plan_out(member: User) -> SelfcareSafetyPlanOut:
    plan = selectors.safety_plan_for(member)
    crisis = selectors.crisis_lines_for(member)
    resources = [*crisis.deployment, *(crisis.region.resources if crisis.region else [])]
    return SelfcareSafetyPlanOut(
        exists=plan is not None,
        updated_at=plan.updated_at if plan is not None else None,
        sections=[
            SelfcarePlanSectionOut(
                key=row.key,
                title=str(row.section.title),
                prompt=str(row.section.prompt),
                example=str(row.section.example),
                entries=row.entries,
            )
            for row in selectors.plan_sections(plan)
        ],
        lines=[
            CrisisLineOut(name=r.name, phone=r.phone, text=r.text, web=r.web, hours=r.hours)
            for r in resources
        ],
        emergency=crisis.region.emergency if crisis.region else "",
    )


def _measure_progress_out(each: MeasureProgress) -> SelfcareMeasureProgressOut:
    return SelfcareMeasureProgressOut(
        key=each.key,
        name=each.name,
        short_name=each.short_name,
        higher_is_worse=each.higher_is_worse,
        score_min=each.score_min,
        score_max=each.score_max,
        bands=[
            SelfcareBandOut(lower=band.lower, upper=band.upper, label=band.label)
            for band in each.bands
        ],
        direction=each.direction,
        sentence=measure_sentence(each),
        points=[
            SelfcareScorePointOut(
                response_id=point.response_id,
                day=point.day,
                score=point.score,
                band=point.band,
                change=point.change,
                reliable=point.reliable,
                reliable_label=point.reliable_label,
            )
            for point in each.points
        ],
        invalid=[SelfcareInvalidScoreOut(day=row.day, reason=row.reason) for row in each.invalid],
    )


def _mood_out(mood: MoodProgress | None) -> SelfcareMoodProgressOut | None:
    if mood is None:
        return None
    return SelfcareMoodProgressOut(
        start=mood.start,
        end=mood.end,
        days=[
            SelfcareMoodDayOut(day=row.day, mood=row.mood, average7=row.average7)
            for row in mood.days
        ],
        recent_average=mood.recent_average,
        earlier_average=mood.earlier_average,
        sentence=mood_sentence(mood, own=True),
    )


def _goal_progress_out(goal: GoalProgress) -> SelfcareGoalProgressOut:
    return SelfcareGoalProgressOut(
        goal_id=goal.goal_id,
        title=goal.title,
        status=goal.status,
        status_label=goal.status_label,
        sentence=goal_sentence(goal),
        ratings=[SelfcareRatingPointOut(day=p.day, rating=p.rating) for p in goal.ratings],
    )


def _share_out(share: MeasureShare) -> SelfcareShareOut:
    return SelfcareShareOut(
        id=share.pk,
        supporter=share.supporter.handle,
        granted_at=share.granted_at,
        withdrawn_at=share.withdrawn_at,
    )


# --- Check-ins ------------------------------------------------------------------------------


@router.get(
    "/check-in-options",
    response={200: SelfcareCheckInOptionsOut, 401: ErrorOut},
    summary="The moods and suggested tags a check-in offers",
    url_name="selfcare_check_in_options",
)
def check_in_options(request: HttpRequest) -> SelfcareCheckInOptionsOut:
    return SelfcareCheckInOptionsOut(
        moods=[
            SelfcareMoodChoiceOut(value=value, label=str(label)) for value, label in services.MOODS
        ],
        suggested_tags=[
            SelfcareChoiceOut(value=value, label=str(label))
            for value, label in services.SUGGESTED_TAGS
        ],
        tags_max=services.TAGS_MAX,
        tag_max_length=services.TAG_MAX,
        note_max_length=services.NOTE_MAX,
        today=services.member_today(_member(request)),
    )


@router.get(
    "/check-ins",
    response={200: list[SelfcareCheckInOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="My check-ins of the last days, newest first",
    url_name="selfcare_check_ins",
)
def list_check_ins(
    request: HttpRequest, query: Query[SelfcareCheckInsQuery]
) -> list[SelfcareCheckInOut]:
    member = _member(request)
    return [_check_in_out(each) for each in selectors.check_ins_recent(member, query.days)]


@router.get(
    "/check-ins/{day}",
    response={200: SelfcareCheckInOut, **READS, 422: ValidationErrorOut},
    summary="My check-in of one day",
    url_name="selfcare_check_in",
)
def get_check_in(request: HttpRequest, day: str) -> SelfcareCheckInOut:
    member = _member(request)
    return _check_in_out(selectors.access_check_in(member, _day(day, member)))


@router.put(
    "/check-ins/{day}",
    response={200: SelfcareCheckInSavedOut, 201: SelfcareCheckInSavedOut, **WRITES},
    summary="Record or change my check-in for a day (“today” or YYYY-MM-DD)",
    url_name="selfcare_check_in_put",
)
def put_check_in(
    request: HttpRequest, day: str, payload: SelfcareCheckInIn
) -> Status[SelfcareCheckInSavedOut]:
    member = _member(request)
    outcome = services.check_in_record(
        member=member,
        mood=payload.mood,
        note=payload.note,
        tags=payload.tags,
        day=_day(day, member),
    )
    saved = SelfcareCheckInSavedOut(
        check_in=_check_in_out(outcome.check_in),
        created=outcome.created,
        reads_as_crisis=outcome.reads_as_crisis,
        support=_support_out(member, outcome),
    )
    return Status(201 if outcome.created else 200, saved)


@router.delete(
    "/check-ins/{day}",
    response={200: SelfcareCheckInDeletedOut, **WRITES},
    summary="Delete my check-in for a day",
    url_name="selfcare_check_in_delete",
)
def delete_check_in(request: HttpRequest, day: str) -> SelfcareCheckInDeletedOut:
    member = _member(request)
    check_in = selectors.access_check_in(member, _day(day, member))
    services.check_in_delete(member=member, check_in=check_in)
    return SelfcareCheckInDeletedOut(day=check_in.day, deleted=True)


# --- Goals ----------------------------------------------------------------------------------


@router.get(
    "/goals",
    response={200: list[SelfcareGoalOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="My goals, newest first, each with its latest rating",
    url_name="selfcare_goals",
)
def list_goals(request: HttpRequest, filters: Query[SelfcareGoalsQuery]) -> list[SelfcareGoalOut]:
    return [_goal_out(row) for row in selectors.goal_rows(_member(request), status=filters.status)]


@router.post(
    "/goals",
    response={201: SelfcareGoalDetailOut, **WRITES},
    summary="Set a new goal",
    url_name="selfcare_goal_create",
)
def create_goal(
    request: HttpRequest, payload: SelfcareGoalCreateIn
) -> Status[SelfcareGoalDetailOut]:
    member = _member(request)
    goal = services.goal_create(
        member=member, title=payload.title, why=payload.why, first_rating=payload.first_rating
    )
    return Status(201, _goal_detail(member, goal))


@router.get(
    "/goals/{goal_id}",
    response={200: SelfcareGoalDetailOut, **READS},
    summary="One of my goals with its steps and ratings",
    url_name="selfcare_goal",
)
def get_goal(request: HttpRequest, goal_id: int) -> SelfcareGoalDetailOut:
    member = _member(request)
    return _goal_detail(member, selectors.access_goal(member, goal_id))


@router.put(
    "/goals/{goal_id}",
    response={200: SelfcareGoalDetailOut, **WRITES},
    summary="Change a goal's words",
    url_name="selfcare_goal_update",
)
def update_goal(
    request: HttpRequest, goal_id: int, payload: SelfcareGoalUpdateIn
) -> SelfcareGoalDetailOut:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    services.goal_update(member=member, goal=goal, title=payload.title, why=payload.why)
    return _goal_detail(member, goal)


@router.post(
    "/goals/{goal_id}/status",
    response={200: SelfcareGoalDetailOut, **WRITES},
    summary="Mark a goal as worked on, achieved or set aside",
    url_name="selfcare_goal_status",
)
def set_goal_status(
    request: HttpRequest, goal_id: int, payload: SelfcareGoalStatusIn
) -> SelfcareGoalDetailOut:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    services.goal_set_status(member=member, goal=goal, status=payload.status)
    return _goal_detail(member, goal)


@router.delete(
    "/goals/{goal_id}",
    response={200: list[SelfcareGoalOut], **WRITES},
    summary="Delete a goal with its steps and ratings; answers my remaining goals",
    url_name="selfcare_goal_delete",
)
def delete_goal(request: HttpRequest, goal_id: int) -> list[SelfcareGoalOut]:
    member = _member(request)
    services.goal_delete(member=member, goal=selectors.access_goal(member, goal_id))
    return [_goal_out(row) for row in selectors.goal_rows(member)]


@router.post(
    "/goals/{goal_id}/ratings",
    response={201: SelfcareGoalRatingOut, **WRITES},
    summary="Rate how far towards a goal I feel, 0 to 10",
    url_name="selfcare_goal_rate",
)
def rate_goal(
    request: HttpRequest, goal_id: int, payload: SelfcareGoalRateIn
) -> Status[SelfcareGoalRatingOut]:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    rating = services.goal_rate(member=member, goal=goal, rating=payload.rating, note=payload.note)
    return Status(201, _rating_out(rating))


@router.post(
    "/goals/{goal_id}/steps",
    response={201: SelfcareGoalStepOut, **WRITES},
    summary="Add a step to a goal",
    url_name="selfcare_goal_step_add",
)
def add_step(
    request: HttpRequest, goal_id: int, payload: SelfcareStepIn
) -> Status[SelfcareGoalStepOut]:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    step = services.goal_step_add(member=member, goal=goal, text=payload.text)
    return Status(201, _step_out(step))


@router.post(
    "/goals/{goal_id}/steps/{step_id}/done",
    response={200: SelfcareGoalStepOut, **WRITES},
    summary="Tick a step off (or untick it with done: false)",
    url_name="selfcare_goal_step_done",
)
def set_step_done(
    request: HttpRequest, goal_id: int, step_id: int, payload: SelfcareStepDoneIn
) -> SelfcareGoalStepOut:
    member = _member(request)
    step = selectors.access_goal_step(member, selectors.access_goal(member, goal_id), step_id)
    return _step_out(services.goal_step_set_done(member=member, step=step, done=payload.done))


@router.post(
    "/goals/{goal_id}/steps/{step_id}/move",
    response={200: list[SelfcareGoalStepOut], **WRITES},
    summary="Move a step one place up or down; answers the steps in their new order",
    url_name="selfcare_goal_step_move",
)
def move_step(
    request: HttpRequest, goal_id: int, step_id: int, payload: SelfcareMoveIn
) -> list[SelfcareGoalStepOut]:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    step = selectors.access_goal_step(member, goal, step_id)
    services.goal_step_move(member=member, step=step, direction=payload.direction)
    return [_step_out(each) for each in selectors.goal_steps(member, goal)]


@router.delete(
    "/goals/{goal_id}/steps/{step_id}",
    response={200: list[SelfcareGoalStepOut], **WRITES},
    summary="Remove a step; answers the goal's remaining steps",
    url_name="selfcare_goal_step_remove",
)
def remove_step(request: HttpRequest, goal_id: int, step_id: int) -> list[SelfcareGoalStepOut]:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    step = selectors.access_goal_step(member, goal, step_id)
    services.goal_step_remove(member=member, step=step)
    return [_step_out(each) for each in selectors.goal_steps(member, goal)]


# --- What helps me --------------------------------------------------------------------------


@router.get(
    "/helps",
    response={200: list[SelfcareHelpfulThingOut], 401: ErrorOut},
    summary="My “what helps me” list, in my order",
    url_name="selfcare_helps",
)
def list_helps(request: HttpRequest) -> list[SelfcareHelpfulThingOut]:
    return _things_out(_member(request))


@router.post(
    "/helps",
    response={201: SelfcareHelpfulThingOut, **WRITES},
    summary="Add to the end of my “what helps me” list",
    url_name="selfcare_help_add",
)
def add_help(
    request: HttpRequest, payload: SelfcareHelpfulThingIn
) -> Status[SelfcareHelpfulThingOut]:
    thing = services.helpful_thing_add(member=_member(request), text=payload.text)
    return Status(201, _thing_out(thing))


@router.put(
    "/helps/{thing_id}",
    response={200: SelfcareHelpfulThingOut, **WRITES},
    summary="Change one thing on my list",
    url_name="selfcare_help_update",
)
def update_help(
    request: HttpRequest, thing_id: int, payload: SelfcareHelpfulThingIn
) -> SelfcareHelpfulThingOut:
    member = _member(request)
    thing = selectors.access_helpful_thing(member, thing_id)
    return _thing_out(services.helpful_thing_update(member=member, thing=thing, text=payload.text))


@router.delete(
    "/helps/{thing_id}",
    response={200: list[SelfcareHelpfulThingOut], **WRITES},
    summary="Remove one thing from my list; answers the list",
    url_name="selfcare_help_remove",
)
def remove_help(request: HttpRequest, thing_id: int) -> list[SelfcareHelpfulThingOut]:
    member = _member(request)
    thing = selectors.access_helpful_thing(member, thing_id)
    services.helpful_thing_remove(member=member, thing=thing)
    return _things_out(member)


@router.post(
    "/helps/{thing_id}/move",
    response={200: list[SelfcareHelpfulThingOut], **WRITES},
    summary="Move one thing a place up or down; answers the list in its new order",
    url_name="selfcare_help_move",
)
def move_help(
    request: HttpRequest, thing_id: int, payload: SelfcareMoveIn
) -> list[SelfcareHelpfulThingOut]:
    member = _member(request)
    thing = selectors.access_helpful_thing(member, thing_id)
    services.helpful_thing_move(member=member, thing=thing, direction=payload.direction)
    return _things_out(member)


# --- Safety plan ----------------------------------------------------------------------------


@router.get(
    "/safety-plan",
    response={200: SelfcareSafetyPlanOut, 401: ErrorOut},
    summary="My safety plan, every section with its entries, and crisis lines",
    url_name="selfcare_safety_plan",
)
def get_safety_plan(request: HttpRequest) -> SelfcareSafetyPlanOut:
    return _plan_out(_member(request))


@router.put(
    "/safety-plan",
    response={200: SelfcareSafetyPlanOut, **WRITES},
    summary="Replace my safety plan",
    url_name="selfcare_safety_plan_put",
    description="Section keys: " + ", ".join(safety_plan.SECTION_KEYS) + ".",
)
def put_safety_plan(request: HttpRequest, payload: SelfcareSafetyPlanIn) -> SelfcareSafetyPlanOut:
    member = _member(request)
    services.safety_plan_update(member=member, sections=payload.sections)
    return _plan_out(member)


@router.delete(
    "/safety-plan",
    response={200: SelfcareSafetyPlanOut, **WRITES},
    summary="Delete my safety plan",
    url_name="selfcare_safety_plan_delete",
)
def delete_safety_plan(request: HttpRequest) -> SelfcareSafetyPlanOut:
    member = _member(request)
    services.safety_plan_delete(member=member)
    return _plan_out(member)


# --- Progress -------------------------------------------------------------------------------


@router.get(
    "/progress",
    response={200: SelfcareProgressOut, 401: ErrorOut},
    summary="My scores, check-in moods and goal ratings over time",
    url_name="selfcare_progress",
)
def get_progress(request: HttpRequest) -> SelfcareProgressOut:
    me = _member(request)
    progress = sharing.progress_for_viewer(viewer=me, member=me)
    return SelfcareProgressOut(
        not_a_diagnosis=_(
            "Questionnaire scores are not a diagnosis. They show how things felt when the "
            "questions were answered, and can help you notice changes over time or talk with "
            "someone you trust. The bands (such as “mild” or “moderate”) are the "
            "questionnaires' own names for ranges of scores."
        ),
        measures=[_measure_progress_out(each) for each in progress.measures],
        mood=_mood_out(progress.mood),
        goals=[_goal_progress_out(goal) for goal in progress.goals],
    )


# --- Sharing --------------------------------------------------------------------------------


@router.get(
    "/shares",
    response={200: list[SelfcareShareOut], 401: ErrorOut},
    summary="The peer supporters who can see my progress now",
    url_name="selfcare_shares",
)
def list_shares(request: HttpRequest) -> list[SelfcareShareOut]:
    return [_share_out(share) for share in sharing.shares_for(_member(request))]


@router.get(
    "/shares/supporters",
    response={200: list[SelfcareSupporterOut], 401: ErrorOut},
    summary="Peer supporters I could share my progress with",
    url_name="selfcare_share_supporters",
)
def list_share_supporters(request: HttpRequest) -> list[SelfcareSupporterOut]:
    return [
        SelfcareSupporterOut(handle=choice.handle, has_chat=choice.has_chat)
        for choice in sharing.supporters_offered(_member(request))
    ]


@router.post(
    "/shares",
    response={201: SelfcareShareOut, **WRITES},
    summary="Let a peer supporter see my progress until I withdraw it",
    url_name="selfcare_share_grant",
)
def grant_share(request: HttpRequest, payload: SelfcareShareIn) -> Status[SelfcareShareOut]:
    member = _member(request)
    supporter = sharing.supporter_by_handle(payload.handle)
    if supporter is None:
        raise ValidationError({"handle": _("No one has that handle.")})
    try:
        share = sharing.share_grant(member=member, supporter=supporter)
    except ValidationError as error:
        raise ValidationError({"handle": error.messages}) from error
    return Status(201, _share_out(share))


@router.delete(
    "/shares/{share_id}",
    response={200: SelfcareShareOut, **WRITES},
    summary="Withdraw a share: the supporter can no longer see my progress",
    url_name="selfcare_share_withdraw",
)
def withdraw_share(request: HttpRequest, share_id: int) -> SelfcareShareOut:
    member = _member(request)
    share = sharing.share_for_member(member=member, share_id=share_id)
    return _share_out(sharing.share_withdraw(member=member, share=share))
