"""Engagement as dose: how much of the programme each participant actually took part in.

The reviews of digital peer support treat dose and uptake as moderators, so the analysis needs
the same thing per participant: active days (a day with any post, chat message, check-in or
facilitated session attended), posts, chat messages, check-ins and sessions attended, each
counted inside the participant's own window (usually enrolment to the end of the programme).

Everything is read with a fixed number of grouped queries, whatever the number of
participants: each source is counted per (member, day) by the database over the span of all
the windows, and the per-member windows are applied to those small rows in Python. Nothing here
reads a message body.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from alongside.chat.models import Conversation, Message, Participant
from alongside.communities.models import Post
from alongside.selfcare.models import CheckIn


@dataclass(frozen=True)
class Window:
    """Inclusive calendar days (UTC) in which a participant's activity counts."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Engagement:
    active_days: int = 0
    posts: int = 0
    chat_messages: int = 0
    check_ins: int = 0
    sessions_attended: int = 0


@dataclass
class _Tally:
    days: set[date]
    posts: int = 0
    messages: int = 0
    check_ins: int = 0
    sessions: set[tuple[int, date]] | None = None


def _span(windows: Mapping[int, Window]) -> tuple[datetime, datetime]:
    first = min(each.start for each in windows.values())
    last = max(each.end for each in windows.values())
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    return start, datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)


def _per_day(rows: Iterable[Mapping[str, Any]], who: str) -> list[tuple[int, date, int]]:
    return [(row[who], row["day"], row["n"]) for row in rows]


def _session_local(row: Mapping[str, Any], moment: datetime) -> date | None:
    """The session's local date if ``moment`` falls in its weekly slot, else None."""
    weekday = row["conversation__schedule_weekday"]
    start = row["conversation__schedule_start"]
    minutes = int(row["conversation__schedule_minutes"] or 60)
    try:
        zone = ZoneInfo(str(row["conversation__schedule_timezone"] or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    if weekday is None or not isinstance(start, time):
        # An unscheduled session: any activity in it counts, on its local day.
        return local.date()
    if local.weekday() != weekday:
        return None
    opens = datetime.combine(local.date(), start, tzinfo=zone)
    # A few minutes' grace either side: people join early and stay to say goodbye.
    grace = timedelta(minutes=15)
    if opens - grace <= local <= opens + timedelta(minutes=minutes) + grace:
        return local.date()
    return None


_SLOT_FIELDS = (
    "conversation_id",
    "conversation__schedule_weekday",
    "conversation__schedule_start",
    "conversation__schedule_minutes",
    "conversation__schedule_timezone",
)


def engagement_for(windows: Mapping[int, Window]) -> dict[int, Engagement]:
    """Engagement per member id, each counted in its own window (six queries in all)."""
    if not windows:
        return {}
    ids = list(windows)
    start, end = _span(windows)
    tallies = {member_id: _Tally(days=set(), sessions=set()) for member_id in ids}

    posts = (
        Post.objects.filter(author_id__in=ids, created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at"))
        .values("author_id", "day")
        .annotate(n=Count("id"))
    )
    for member_id, day, n in _per_day(posts, "author_id"):
        if day in windows[member_id]:
            tallies[member_id].posts += n
            tallies[member_id].days.add(day)

    messages = (
        Message.objects.filter(
            author_id__in=ids,
            kind=Message.Kind.MEMBER,
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(day=TruncDate("created_at"))
        .values("author_id", "day")
        .annotate(n=Count("id"))
    )
    for member_id, day, n in _per_day(messages, "author_id"):
        if day in windows[member_id]:
            tallies[member_id].messages += n
            tallies[member_id].days.add(day)

    check_ins = (
        CheckIn.objects.filter(member_id__in=ids, day__gte=start.date(), day__lt=end.date())
        .values("member_id", "day")
        .annotate(n=Count("id"))
    )
    for member_id, day, n in _per_day(check_ins, "member_id"):
        if day in windows[member_id]:
            tallies[member_id].check_ins += n
            tallies[member_id].days.add(day)

    _count_sessions(windows, tallies, start, end)
    return {
        member_id: Engagement(
            active_days=len(tally.days),
            posts=tally.posts,
            chat_messages=tally.messages,
            check_ins=tally.check_ins,
            sessions_attended=len(tally.sessions or ()),
        )
        for member_id, tally in tallies.items()
    }


def _count_sessions(
    windows: Mapping[int, Window], tallies: dict[int, _Tally], start: datetime, end: datetime
) -> None:
    """A session is attended when the member wrote in it, or joined it, during its slot.

    Grouped by (member, session, hour) in the database so a lively session is one row per hour
    rather than one per message; the slot check needs the session's own time zone, so it is
    done here, on the first and last message of each hour.
    """
    ids = list(windows)
    sent = (
        Message.objects.filter(
            author_id__in=ids,
            kind=Message.Kind.MEMBER,
            conversation__kind=Conversation.Kind.SESSION,
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(hour=TruncHour("created_at"))
        .values("author_id", "hour", *_SLOT_FIELDS)
        .annotate(first=Min("created_at"), last=Max("created_at"))
    )
    joined = Participant.objects.filter(
        user_id__in=ids,
        conversation__kind=Conversation.Kind.SESSION,
        joined_at__gte=start,
        joined_at__lt=end,
    ).values("user_id", "joined_at", *_SLOT_FIELDS)
    attended: defaultdict[int, set[tuple[int, date]]] = defaultdict(set)
    for row in sent:
        for moment in (row["first"], row["last"]):
            local_day = _session_local(row, moment)
            if local_day is not None:
                attended[row["author_id"]].add((row["conversation_id"], local_day))
    for row in joined:
        local_day = _session_local(row, row["joined_at"])
        if local_day is not None:
            attended[row["user_id"]].add((row["conversation_id"], local_day))
    for member_id, sessions in attended.items():
        window = windows[member_id]
        for conversation_id, local_day in sessions:
            if local_day in window:
                tally = tallies[member_id]
                assert tally.sessions is not None  # noqa: S101 - set in engagement_for
                tally.sessions.add((conversation_id, local_day))
                tally.days.add(local_day)
