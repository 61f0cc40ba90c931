"""When a facilitated session is open: a weekly slot in the session's own time zone.

Kept apart from the services so the arithmetic (time zones, the week boundary, summer time)
can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from alongside.chat.models import Conversation

# A facilitator who ends an always-open room closes it until they open it again.
CLOSED_INDEFINITELY = timedelta(days=365 * 100)
# "Mute for the session" in an always-open room: this long.
ROOM_MUTE = timedelta(hours=1)


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    ends_at: datetime


def _occurrence_in_week_of(conversation: Conversation, moment: datetime) -> Occurrence:
    zone = ZoneInfo(conversation.schedule_timezone)
    local = moment.astimezone(zone)
    weekday = conversation.schedule_weekday or 0
    day = local.date() + timedelta(days=weekday - local.weekday())
    start_time = conversation.schedule_start
    assert start_time is not None  # noqa: S101 - only called for scheduled sessions
    starts_at = datetime.combine(day, start_time, tzinfo=zone)
    # Add the length in UTC: arithmetic on a zoned datetime is wall-clock time, which makes
    # a session that spans a clock change an hour too long or too short.
    length = timedelta(minutes=conversation.schedule_minutes)
    return Occurrence(starts_at, (starts_at.astimezone(UTC) + length).astimezone(zone))


def current_occurrence(conversation: Conversation, now: datetime) -> Occurrence | None:
    """The session's slot that contains ``now``, if any (it may have begun last week)."""
    if conversation.schedule_start is None:
        return None
    for weeks in (0, -1):
        slot = _occurrence_in_week_of(conversation, now + timedelta(weeks=weeks))
        if slot.starts_at <= now < slot.ends_at:
            return slot
    return None


def next_occurrence(conversation: Conversation, now: datetime) -> Occurrence | None:
    """The next slot that has not ended (the current one while it runs)."""
    if conversation.schedule_start is None:
        return None
    for weeks in (0, 1):
        slot = _occurrence_in_week_of(conversation, now + timedelta(weeks=weeks))
        if slot.ends_at > now and not _ended_early(conversation, slot):
            return slot
    return _occurrence_in_week_of(conversation, now + timedelta(weeks=2))


def _ended_early(conversation: Conversation, slot: Occurrence) -> bool:
    return conversation.closed_until is not None and conversation.closed_until >= slot.ends_at


def is_open(conversation: Conversation, now: datetime) -> bool:
    """Whether messages may be sent now: not closed by the facilitator, and for a session,
    inside its slot."""
    if conversation.closed_until is not None and now < conversation.closed_until:
        return False
    if conversation.kind == Conversation.Kind.SESSION:
        return current_occurrence(conversation, now) is not None
    return True


def session_end(conversation: Conversation, now: datetime) -> datetime:
    """Until when "end the session" closes it: the end of this (or the next) slot; an
    always-open room, until the facilitator opens it again."""
    if conversation.kind != Conversation.Kind.SESSION:
        return now + CLOSED_INDEFINITELY
    # Outside its slot, ending a session cancels the next one, never all of them.
    slot = current_occurrence(conversation, now) or next_occurrence(conversation, now)
    return slot.ends_at if slot is not None else now


def mute_end(conversation: Conversation, now: datetime) -> datetime:
    """Until when "mute for the session" lasts."""
    slot = current_occurrence(conversation, now)
    if conversation.kind == Conversation.Kind.SESSION and slot is not None:
        return slot.ends_at
    return now + ROOM_MUTE
