"""What a member's progress looks like: the numbers behind each chart, table and sentence.

Selectors only: they read scores, check-in moods and goal ratings and shape them for the
progress page, the charts, the shared view and the summary. They never read item-level
answers, check-in notes or rating notes (the querysets ``defer`` them), so nothing built here
can leak them to a peer supporter. Who may see whose progress is decided in
``selfcare.sharing.progress_for_viewer``; these functions trust their caller on that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.measures import engine
from alongside.measures.models import MeasureResponse
from alongside.selfcare.models import CheckIn, Goal, GoalRating

# The check-in chart looks back this far; the sentence compares two windows of 30 days.
MOOD_DAYS = 90
MOOD_WINDOW = 30
MOOD_AVERAGE_DAYS = 7


@dataclass(frozen=True)
class BandRange:
    """A shaded stripe on a measure's chart: the band's label and the scores it covers."""

    lower: float
    upper: float
    label: str


@dataclass(frozen=True)
class ScorePoint:
    """One valid score, as the chart plots it and the table lists it."""

    response_id: int
    day: date
    score: float
    band: str
    change: float | None  # since the first valid score; None for the first
    reliable: str  # "improved" | "deteriorated" | "no_reliable_change" | "" (first, or unknown)

    @property
    def reliable_label(self) -> str:
        return {
            "improved": _("Reliable improvement"),
            "deteriorated": _("Reliable worsening"),
            "no_reliable_change": _("No reliable change"),
        }.get(self.reliable, "")


@dataclass(frozen=True)
class InvalidResponse:
    """A questionnaire that could not be scored (too many items left out), and why."""

    day: date
    reason: str


@dataclass(frozen=True)
class MeasureProgress:
    """One measure's scores over time, with what the chart needs to draw and explain them."""

    key: str
    name: str
    short_name: str
    higher_is_worse: bool
    score_min: float
    score_max: float
    bands: tuple[BandRange, ...]
    reference: str
    points: tuple[ScorePoint, ...]
    invalid: tuple[InvalidResponse, ...]

    @property
    def latest(self) -> ScorePoint | None:
        return self.points[-1] if self.points else None

    @property
    def direction(self) -> str:
        """Plain words on which way is better, from the definition rather than per measure."""
        if self.higher_is_worse:
            return _("On this questionnaire a lower score means fewer difficulties.")
        return _("On this questionnaire a higher score means things are going better.")


@dataclass(frozen=True)
class MoodDay:
    """One check-in and the average of the check-ins in the seven days up to it."""

    day: date
    mood: int
    average7: float


@dataclass(frozen=True)
class MoodProgress:
    """Check-in moods over the last ``MOOD_DAYS`` days and the 30-day comparison."""

    days: tuple[MoodDay, ...]
    start: date
    end: date
    recent_average: float | None  # the last 30 days
    earlier_average: float | None  # the 30 days before those

    @property
    def empty(self) -> bool:
        return not self.days


@dataclass(frozen=True)
class RatingPoint:
    day: date
    rating: int


@dataclass(frozen=True)
class GoalProgress:
    """One goal's 0 to 10 ratings over time, oldest first."""

    goal_id: int
    title: str
    status: str
    status_label: str
    ratings: tuple[RatingPoint, ...]

    @property
    def first(self) -> RatingPoint | None:
        return self.ratings[0] if self.ratings else None

    @property
    def latest(self) -> RatingPoint | None:
        return self.ratings[-1] if self.ratings else None


@dataclass(frozen=True)
class MemberProgress:
    """Everything the progress page shows about one member."""

    member: User
    measures: tuple[MeasureProgress, ...] = ()
    mood: MoodProgress | None = None
    goals: tuple[GoalProgress, ...] = field(default=())

    @property
    def empty(self) -> bool:
        has_mood = self.mood is not None and not self.mood.empty
        return not self.measures and not has_mood and not self.goals

    def measure(self, key: str) -> MeasureProgress | None:
        for each in self.measures:
            if each.key == key:
                return each
        return None

    def goal(self, goal_id: int) -> GoalProgress | None:
        for each in self.goals:
            if each.goal_id == goal_id:
                return each
        return None


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _day(day: date) -> str:
    return date_format(day, "j M Y")


def _definition(key: str) -> engine.MeasureDefinition | None:
    try:
        return engine.get_definition(key)
    except engine.UnknownMeasure:
        # A response to a measure the organisation has since removed from its folder: still
        # the member's, still shown, just without bands.
        return None


def _reliable(definition: engine.MeasureDefinition | None, before: float, after: float) -> str:
    if definition is None or definition.reliable_change_threshold is None:
        return ""
    return engine.reliable_change(definition, before, after)


def _bands(definition: engine.MeasureDefinition) -> tuple[BandRange, ...]:
    return tuple(BandRange(band.lower, band.upper, band.label) for band in definition.bands)


def _measure_progress(key: str, responses: list[MeasureResponse]) -> MeasureProgress:
    definition = _definition(key)
    points: list[ScorePoint] = []
    invalid: list[InvalidResponse] = []
    first: float | None = None
    for response in responses:
        day = _local_day(response.completed_at)
        if not response.valid or response.score is None:
            invalid.append(
                InvalidResponse(day, response.invalid_reason or _("Not enough answers to score."))
            )
            continue
        score = response.score
        if first is None:
            first = score
            change, reliable = None, ""
        else:
            change, reliable = score - first, _reliable(definition, first, score)
        points.append(ScorePoint(response.pk, day, score, response.band, change, reliable))
    scores = [point.score for point in points]
    if definition is None:
        return MeasureProgress(
            key=key,
            name=key,
            short_name=key,
            higher_is_worse=True,
            score_min=min(scores, default=0.0),
            score_max=max(scores, default=1.0),
            bands=(),
            reference="",
            points=tuple(points),
            invalid=tuple(invalid),
        )
    return MeasureProgress(
        key=key,
        name=definition.name,
        short_name=definition.short_name,
        higher_is_worse=definition.higher_is_worse,
        score_min=definition.score_min,
        score_max=definition.score_max,
        bands=_bands(definition),
        reference=definition.source,
        points=tuple(points),
        invalid=tuple(invalid),
    )


def measure_progress(member: User) -> tuple[MeasureProgress, ...]:
    """Each measure the member has answered, in the order they first answered it."""
    responses = (
        MeasureResponse.objects.filter(member=member)
        .defer("answers", "follow_up")
        .order_by("completed_at", "pk")
    )
    by_key: dict[str, list[MeasureResponse]] = {}
    for response in responses:
        by_key.setdefault(response.measure, []).append(response)
    return tuple(_measure_progress(key, rows) for key, rows in by_key.items())


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def mood_progress(member: User, *, today: date | None = None) -> MoodProgress:
    """Check-in moods of the last ``MOOD_DAYS`` days, a 7-day average and two 30-day means.

    The 7-day average of a day is the mean of the check-ins on that day and the six before it
    (days without a check-in are left out rather than counted as zero).
    """
    today = today or timezone.localdate()
    start = today - timedelta(days=MOOD_DAYS - 1)
    earliest = min(start, today - timedelta(days=2 * MOOD_WINDOW - 1))
    rows = list(
        CheckIn.objects.filter(member=member, day__gte=earliest, day__lte=today)
        .order_by("day")
        .values_list("day", "mood")
    )
    moods = dict(rows)
    days: list[MoodDay] = []
    for day, mood in rows:
        if day < start:
            continue
        window = [
            moods[day - timedelta(days=back)]
            for back in range(MOOD_AVERAGE_DAYS)
            if day - timedelta(days=back) in moods
        ]
        days.append(MoodDay(day, mood, round(sum(window) / len(window), 2)))
    recent_from = today - timedelta(days=MOOD_WINDOW - 1)
    earlier_from = recent_from - timedelta(days=MOOD_WINDOW)
    recent = [mood for day, mood in rows if day >= recent_from]
    earlier = [mood for day, mood in rows if earlier_from <= day < recent_from]
    return MoodProgress(
        days=tuple(days),
        start=start,
        end=today,
        recent_average=_average(recent),
        earlier_average=_average(earlier),
    )


def mood_sentence(mood: MoodProgress, *, own: bool = True) -> str:
    """One sentence a person can read instead of the chart."""
    if mood.recent_average is None:
        if own:
            return _("You have not checked in during the last 30 days.")
        return _("No check-ins in the last 30 days.")
    recent = f"{mood.recent_average:.1f}"
    if mood.earlier_average is None:
        if own:
            return _("Your average mood over the last 30 days was %(recent)s.") % {"recent": recent}
        return _("The average mood over the last 30 days was %(recent)s.") % {"recent": recent}
    earlier = f"{mood.earlier_average:.1f}"
    values = {"recent": recent, "earlier": earlier}
    if mood.recent_average > mood.earlier_average:
        if own:
            return (
                _(
                    "Your average mood over the last 30 days was %(recent)s, "
                    "up from %(earlier)s the 30 days before."
                )
                % values
            )
        return (
            _(
                "The average mood over the last 30 days was %(recent)s, "
                "up from %(earlier)s the 30 days before."
            )
            % values
        )
    if mood.recent_average < mood.earlier_average:
        if own:
            return (
                _(
                    "Your average mood over the last 30 days was %(recent)s, "
                    "down from %(earlier)s the 30 days before."
                )
                % values
            )
        return (
            _(
                "The average mood over the last 30 days was %(recent)s, "
                "down from %(earlier)s the 30 days before."
            )
            % values
        )
    if own:
        return (
            _(
                "Your average mood over the last 30 days was %(recent)s, "
                "the same as the 30 days before."
            )
            % values
        )
    return (
        _("The average mood over the last 30 days was %(recent)s, the same as the 30 days before.")
        % values
    )


def goal_progress(member: User) -> tuple[GoalProgress, ...]:
    """The member's goals (active first, then the rest, newest first) with their ratings."""
    goals = list(Goal.objects.filter(member=member).defer("why").order_by("-created_at", "-pk"))
    ratings: dict[int, list[RatingPoint]] = {goal.pk: [] for goal in goals}
    for goal_id, rating, rated_at in (
        GoalRating.objects.filter(goal__in=[goal.pk for goal in goals])
        .order_by("rated_at", "pk")
        .values_list("goal_id", "rating", "rated_at")
    ):
        ratings[goal_id].append(RatingPoint(_local_day(rated_at), rating))
    goals.sort(key=lambda goal: goal.status != Goal.Status.ACTIVE)
    return tuple(
        GoalProgress(
            goal_id=goal.pk,
            title=goal.title or _("Untitled goal"),
            status=goal.status,
            status_label=str(goal.get_status_display()),
            ratings=tuple(ratings[goal.pk]),
        )
        for goal in goals
    )


def goal_sentence(goal: GoalProgress) -> str:
    """How far the goal has come, in words: first and latest ratings."""
    first, latest = goal.first, goal.latest
    if first is None or latest is None:
        return _("No ratings yet.")
    if len(goal.ratings) == 1:
        return _("Rated %(rating)s out of 10 on %(day)s.") % {
            "rating": first.rating,
            "day": _day(first.day),
        }
    values = {"first": first.rating, "latest": latest.rating}
    if latest.rating > first.rating:
        return _("Up from %(first)s to %(latest)s out of 10 since the first rating.") % values
    if latest.rating < first.rating:
        return _("Down from %(first)s to %(latest)s out of 10 since the first rating.") % values
    return _("At %(latest)s out of 10, the same as the first rating.") % values


def measure_sentence(progress: MeasureProgress) -> str:
    """The latest score and its band, and how it compares with the first, in words."""
    latest = progress.latest
    if latest is None:
        return _("No scores yet that could be worked out.")
    score = f"{latest.score:g}"
    if len(progress.points) == 1 or latest.change is None:
        if latest.band:
            return _("The score on %(day)s was %(score)s (%(band)s).") % {
                "day": _day(latest.day),
                "score": score,
                "band": latest.band,
            }
        return _("The score on %(day)s was %(score)s.") % {
            "day": _day(latest.day),
            "score": score,
        }
    first = progress.points[0]
    values = {"score": score, "first": f"{first.score:g}", "band": latest.band or "—"}
    sentence = _("The latest score was %(score)s (%(band)s); the first was %(first)s.") % values
    if latest.reliable_label:
        sentence = f"{sentence} {latest.reliable_label}."
    return sentence


def member_progress(member: User, *, today: date | None = None) -> MemberProgress:
    """The whole of one member's progress page; call it only through ``progress_for_viewer``."""
    return MemberProgress(
        member=member,
        measures=measure_progress(member),
        mood=mood_progress(member, today=today),
        goals=goal_progress(member),
    )
