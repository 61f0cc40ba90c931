"""Reads for endings, feedback and supporters' tools: the only door to them.

* The ending page and reflections: the relationship's member and supporter only; both see
  both reflections (they are written for each other). Anyone else gets a 404.
* Feedback: supervisors and administrators (``support.supervise``) read ratings and comments,
  never with the member's handle. A supporter sees an aggregate of the feedback about them only
  once at least ``MIN_FEEDBACK_FOR_SUMMARY`` people have given it, and never single ratings.
  There is no public rating of supporters anywhere.
* Tasks and the calendar: the supporter's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, QuerySet
from django.http import Http404
from django.utils import timezone

from alongside.accounts.access import has_permission
from alongside.accounts.models import User
from alongside.support.ending_models import (
    EndingReflection,
    SupporterTask,
    SupportFeedback,
)
from alongside.support.models import SupporterProfile, SupportRelationship
from alongside.support.session_models import SupportSession
from alongside.support.session_selectors import is_valid_zone

SUPERVISE = "support.supervise"
MIN_FEEDBACK_FOR_SUMMARY = 3
CALENDAR_WEEKS = 4


def is_party(user: User, relationship: SupportRelationship) -> bool:
    return user.pk in (relationship.member_id, relationship.supporter_id)


def access_relationship_as_party(user: User, relationship_id: int) -> SupportRelationship:
    """The relationship, if ``user`` is its member or supporter; otherwise 404."""
    relationship = (
        SupportRelationship.objects.select_related("member", "supporter")
        .filter(pk=relationship_id)
        .first()
    )
    if relationship is None or not is_party(user, relationship):
        raise Http404
    return relationship


def reflections_for(user: User, relationship: SupportRelationship) -> QuerySet[EndingReflection]:
    if not is_party(user, relationship):
        raise Http404
    return EndingReflection.objects.filter(relationship=relationship).select_related("by")


def feedback_of(relationship: SupportRelationship) -> SupportFeedback | None:
    return SupportFeedback.objects.filter(relationship=relationship).first()


# --- Feedback for the organisation ----------------------------------------------------------


@dataclass(frozen=True)
class FeedbackRow:
    """One piece of feedback as the organisation reads it: no member, no handle."""

    rating: int
    comments: str
    created_at: datetime
    supporter_handle: str


@dataclass(frozen=True)
class FeedbackOverview:
    count: int
    average: float | None
    by_rating: dict[int, int]
    rows: list[FeedbackRow]


def feedback_for_organisation(user: User) -> FeedbackOverview:
    """All feedback, for supervisors and administrators only (404 for anyone else)."""
    if not has_permission(user, SUPERVISE):
        raise Http404
    feedback = SupportFeedback.objects.select_related("relationship__supporter")
    by_rating = dict.fromkeys(range(1, 6), 0)
    for row in feedback.values("rating").annotate(n=Count("id")):
        by_rating[row["rating"]] = row["n"]
    average = feedback.aggregate(avg=Avg("rating"))["avg"]
    rows = [
        FeedbackRow(
            rating=item.rating,
            comments=item.comments or "",
            created_at=item.created_at,
            supporter_handle=item.relationship.supporter.handle,
        )
        for item in feedback
    ]
    return FeedbackOverview(
        count=len(rows),
        average=round(average, 1) if average is not None else None,
        by_rating=by_rating,
        rows=rows,
    )


@dataclass(frozen=True)
class SupporterFeedbackSummary:
    """What a supporter may know of feedback about them: how many, and how it leans."""

    count: int
    found_helpful: int  # how many rated 4 or 5
    mixed: int  # rated 3
    found_unhelpful: int  # rated 1 or 2


def feedback_summary_for_supporter(supporter: User) -> SupporterFeedbackSummary | None:
    """An aggregate only, and only from ``MIN_FEEDBACK_FOR_SUMMARY`` pieces of feedback up, so
    no single member's rating can be picked out."""
    ratings = list(
        SupportFeedback.objects.filter(relationship__supporter=supporter).values_list(
            "rating", flat=True
        )
    )
    if len(ratings) < MIN_FEEDBACK_FOR_SUMMARY:
        return None
    return SupporterFeedbackSummary(
        count=len(ratings),
        found_helpful=sum(1 for r in ratings if r >= 4),
        mixed=sum(1 for r in ratings if r == 3),
        found_unhelpful=sum(1 for r in ratings if r <= 2),
    )


# --- Supporter tools ------------------------------------------------------------------------


def sessions_to_write_up(supporter: User) -> QuerySet[SupportSession]:
    """Sessions marked as happened that have no note yet: each is a task to write one."""
    return (
        SupportSession.objects.filter(
            relationship__supporter=supporter,
            status=SupportSession.Status.COMPLETED,
            note__isnull=True,
        )
        .select_related("relationship__member")
        .order_by("starts_at", "id")
    )


def open_tasks(supporter: User) -> QuerySet[SupporterTask]:
    return (
        SupporterTask.objects.filter(supporter=supporter, done_at__isnull=True)
        .select_related("relationship__member")
        .order_by("due_at", "created_at", "id")
    )


def recently_done_tasks(supporter: User, *, now: datetime | None = None) -> QuerySet[SupporterTask]:
    now = now or timezone.now()
    return SupporterTask.objects.filter(
        supporter=supporter, done_at__gte=now - timedelta(days=7)
    ).order_by("-done_at")


def access_task(supporter: User, task_id: int) -> SupporterTask:
    task = SupporterTask.objects.filter(pk=task_id, supporter=supporter).first()
    if task is None:
        raise Http404
    return task


def own_relationships(supporter: User) -> QuerySet[SupportRelationship]:
    """The supporter's open relationships, for linking a task to one."""
    return SupportRelationship.objects.filter(
        supporter=supporter, status__in=SupportRelationship.OPEN_STATUSES
    ).select_related("member")


def zone_of_supporter(supporter: User) -> str:
    profile = SupporterProfile.objects.filter(user=supporter).first()
    if profile is not None and is_valid_zone(profile.time_zone):
        return profile.time_zone
    return "UTC"


@dataclass(frozen=True)
class CalendarEntry:
    session: SupportSession
    starts_local: datetime


@dataclass(frozen=True)
class CalendarWeek:
    week_start: date
    entries: list[CalendarEntry]


def calendar_weeks(
    supporter: User, *, now: datetime | None = None, weeks: int = CALENDAR_WEEKS
) -> tuple[str, list[CalendarWeek]]:
    """Upcoming sessions week by week (weeks start on Monday in the supporter's zone)."""
    now = now or timezone.now()
    zone = zone_of_supporter(supporter)
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    first = today - timedelta(days=today.weekday())
    result = [CalendarWeek(first + timedelta(weeks=i), []) for i in range(weeks)]
    end = datetime.combine(first + timedelta(weeks=weeks), datetime.min.time(), tzinfo=tz)
    sessions = (
        SupportSession.objects.filter(
            relationship__supporter=supporter,
            status__in=SupportSession.ACTIVE_STATUSES,
            starts_at__gte=now,
            starts_at__lt=end,
        )
        .select_related("relationship__member")
        .order_by("starts_at", "id")
    )
    for session in sessions:
        local = session.starts_at.astimezone(tz)
        index = (local.date() - first).days // 7
        result[index].entries.append(CalendarEntry(session=session, starts_local=local))
    return zone, result
