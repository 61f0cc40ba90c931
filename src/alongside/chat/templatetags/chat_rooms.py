"""Rooms and sessions in words: the schedule, whether it is open, and the viewer's place.

Times are shown in the session's own time zone, with the zone named: members may live
anywhere, and the facilitator set the schedule in that zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.chat import schedule, selectors
from alongside.chat.forms_rooms import SLOW_MODE_CHOICES
from alongside.chat.models import Conversation

register = template.Library()

MOMENT_FORMAT = "l j F, H:i"


@dataclass(frozen=True)
class RoomSchedule:
    """What the header and the group page say about when a room can be used."""

    is_session: bool
    is_open: bool
    closed_by_facilitator: bool
    zone: str
    # "Every Tuesday, 19:00 to 20:00 (Europe/London time)"; empty for an always-open room.
    weekly: str
    # When a closed session opens next; empty when open, or for a room.
    opens_next: str
    # The time an open session ends; empty otherwise.
    open_until: str


def zone_label(conversation: Conversation) -> str:
    return conversation.schedule_timezone.replace("_", " ")


def _in_zone(moment: datetime, conversation: Conversation) -> datetime:
    return moment.astimezone(ZoneInfo(conversation.schedule_timezone))


def _weekly(conversation: Conversation) -> str:
    start = conversation.schedule_start
    if conversation.kind != Conversation.Kind.SESSION or start is None:
        return ""
    end = datetime.combine(date(2000, 1, 3), start) + timedelta(
        minutes=conversation.schedule_minutes
    )
    return _("Every %(day)s, %(start)s to %(end)s (%(zone)s time)") % {
        "day": WEEKDAYS[conversation.schedule_weekday or 0],
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "zone": zone_label(conversation),
    }


def _closed_by_facilitator(conversation: Conversation, now: datetime) -> bool:
    return conversation.closed_until is not None and now < conversation.closed_until


@register.simple_tag
def room_schedule(conversation: Conversation) -> RoomSchedule:
    now = timezone.now()
    is_session = conversation.kind == Conversation.Kind.SESSION
    is_open = schedule.is_open(conversation, now)
    opens_next = open_until = ""
    if is_session and not is_open:
        upcoming = schedule.next_occurrence(conversation, now)
        if upcoming is not None:
            opens_next = date_format(_in_zone(upcoming.starts_at, conversation), MOMENT_FORMAT)
    if is_session and is_open:
        current = schedule.current_occurrence(conversation, now)
        if current is not None:
            open_until = _in_zone(current.ends_at, conversation).strftime("%H:%M")
    return RoomSchedule(
        is_session=is_session,
        is_open=is_open,
        closed_by_facilitator=_closed_by_facilitator(conversation, now),
        zone=zone_label(conversation),
        weekly=_weekly(conversation),
        opens_next=opens_next,
        open_until=open_until,
    )


@register.simple_tag
def room_moment(value: str | datetime | None, conversation: Conversation) -> str:
    """A moment (an ISO string from ``selectors.room_state``, or a datetime) in the room's
    zone, as "Tuesday 14 May, 20:00"; empty for none."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return date_format(_in_zone(moment, conversation), MOMENT_FORMAT)


@dataclass(frozen=True)
class RoomViewer:
    is_participant: bool
    may_join: bool


@register.simple_tag(takes_context=True)
def room_viewer(context: template.Context, conversation: Conversation) -> RoomViewer:
    """Whether the person looking has joined the room, or could join it now."""
    user: Any = context.get("user")
    if user is None or not user.is_authenticated or conversation.is_direct:
        return RoomViewer(is_participant=False, may_join=False)
    joined = selectors.is_active_participant(user, conversation)
    return RoomViewer(
        is_participant=joined,
        may_join=not joined and selectors.can_send_in_room(user, conversation),
    )


@register.simple_tag
def slow_mode_choices() -> tuple[tuple[int, Any], ...]:
    return SLOW_MODE_CHOICES
