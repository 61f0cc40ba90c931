"""A facilitated session's weekly slot: the week boundary, summer time, ending and muting.

Times are written in UTC; the sessions run on London time, which is UTC in winter and UTC+1
from the last Sunday of March (30 March 2025) to the last Sunday of October (26 October 2025).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from alongside.chat import schedule
from alongside.chat.models import Conversation

MONDAY, SATURDAY, SUNDAY = 0, 5, 6


def session(
    weekday: int, start: time, minutes: int = 60, zone: str = "Europe/London"
) -> Conversation:
    return Conversation(
        kind=Conversation.Kind.SESSION,
        title="Monday evening drop-in",
        schedule_weekday=weekday,
        schedule_start=start,
        schedule_minutes=minutes,
        schedule_timezone=zone,
    )


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def span(slot: schedule.Occurrence | None) -> tuple[datetime, datetime]:
    assert slot is not None
    return slot.starts_at.astimezone(UTC), slot.ends_at.astimezone(UTC)


# --- The current and the next slot ----------------------------------------------------------


def test_inside_the_slot_it_is_current_and_next() -> None:
    monday = session(MONDAY, time(19, 0))
    now = utc(2025, 1, 13, 19, 30)  # Monday 13 January, 19:30 in London

    assert span(schedule.current_occurrence(monday, now)) == (
        utc(2025, 1, 13, 19),
        utc(2025, 1, 13, 20),
    )
    assert schedule.next_occurrence(monday, now) == schedule.current_occurrence(monday, now)
    assert schedule.is_open(monday, now) is True


@pytest.mark.parametrize(
    "now",
    [utc(2025, 1, 13, 18, 59), utc(2025, 1, 13, 20, 0), utc(2025, 1, 15, 19, 30)],
    ids=["a minute early", "at the end", "another day"],
)
def test_outside_the_slot_there_is_no_current_one(now: datetime) -> None:
    monday = session(MONDAY, time(19, 0))

    assert schedule.current_occurrence(monday, now) is None
    assert schedule.is_open(monday, now) is False


def test_after_this_weeks_slot_the_next_is_next_week() -> None:
    monday = session(MONDAY, time(19, 0))

    assert span(schedule.next_occurrence(monday, utc(2025, 1, 13, 20, 0)))[0] == utc(
        2025, 1, 20, 19
    )
    assert span(schedule.next_occurrence(monday, utc(2025, 1, 14, 9)))[0] == utc(2025, 1, 20, 19)


def test_on_sunday_the_next_monday_is_tomorrow_not_six_days_ago() -> None:
    monday = session(MONDAY, time(19, 0))

    assert span(schedule.next_occurrence(monday, utc(2025, 1, 19, 22)))[0] == utc(2025, 1, 20, 19)


def test_a_sunday_night_slot_runs_on_past_midnight_into_the_next_week() -> None:
    late = session(SUNDAY, time(23, 30), minutes=90)
    after_midnight = utc(2025, 1, 20, 0, 30)  # Monday: a new week has begun

    assert span(schedule.current_occurrence(late, after_midnight)) == (
        utc(2025, 1, 19, 23, 30),
        utc(2025, 1, 20, 1, 0),
    )
    assert schedule.is_open(late, after_midnight) is True
    assert span(schedule.next_occurrence(late, utc(2025, 1, 20, 1, 0)))[0] == utc(
        2025, 1, 26, 23, 30
    )


def test_the_slot_is_kept_in_the_sessions_own_time_zone() -> None:
    new_york = session(MONDAY, time(19, 0), zone="America/New_York")
    sydney = session(MONDAY, time(9, 0), zone="Australia/Sydney")
    now = utc(2025, 1, 13, 12)  # Monday noon in London; Monday night in Sydney

    assert span(schedule.next_occurrence(new_york, now))[0] == utc(2025, 1, 14, 0)
    # 09:00 Monday in Sydney (UTC+11 in January) is 22:00 Sunday in UTC: already over.
    assert span(schedule.next_occurrence(sydney, now))[0] == utc(2025, 1, 19, 22)


def test_rooms_and_unscheduled_conversations_have_no_slot() -> None:
    room = Conversation(kind=Conversation.Kind.ROOM, title="Open room")
    now = utc(2025, 1, 13, 19, 30)

    assert schedule.current_occurrence(room, now) is None
    assert schedule.next_occurrence(room, now) is None
    assert schedule.is_open(room, now) is True


# --- Summer time ----------------------------------------------------------------------------


def test_the_slot_keeps_its_local_time_across_the_spring_change() -> None:
    monday = session(MONDAY, time(19, 0))

    before = schedule.next_occurrence(monday, utc(2025, 3, 24, 12))
    after = schedule.next_occurrence(monday, utc(2025, 3, 24, 20, 30))

    assert span(before) == (utc(2025, 3, 24, 19), utc(2025, 3, 24, 20))  # GMT
    assert span(after) == (utc(2025, 3, 31, 18), utc(2025, 3, 31, 19))  # BST
    assert schedule.is_open(monday, utc(2025, 3, 31, 18, 30)) is True
    assert schedule.is_open(monday, utc(2025, 3, 31, 19, 30)) is False


def test_the_slot_keeps_its_local_time_across_the_autumn_change() -> None:
    monday = session(MONDAY, time(19, 0))

    assert span(schedule.next_occurrence(monday, utc(2025, 10, 20, 12)))[0] == utc(2025, 10, 20, 18)
    assert span(schedule.next_occurrence(monday, utc(2025, 10, 21, 12)))[0] == utc(2025, 10, 27, 19)


def test_a_slot_spanning_the_spring_change_lasts_its_full_length() -> None:
    # Saturday 29 March 23:30 GMT for two and a half hours: the clocks go forward at 01:00 UTC.
    night = session(SATURDAY, time(23, 30), minutes=150)
    starts_at, ends_at = span(schedule.next_occurrence(night, utc(2025, 3, 29, 12)))

    assert (starts_at, ends_at) == (utc(2025, 3, 29, 23, 30), utc(2025, 3, 30, 2, 0))
    assert schedule.is_open(night, utc(2025, 3, 30, 1, 45)) is True
    assert schedule.is_open(night, utc(2025, 3, 30, 2, 0)) is False


def test_a_slot_spanning_the_autumn_change_lasts_its_full_length() -> None:
    # Sunday 26 October 00:30 BST (23:30 UTC on Saturday) for two hours: the clocks go back.
    night = session(SUNDAY, time(0, 30), minutes=120)
    starts_at, ends_at = span(schedule.next_occurrence(night, utc(2025, 10, 25, 12)))

    assert ends_at - starts_at == timedelta(hours=2)
    assert (starts_at, ends_at) == (utc(2025, 10, 25, 23, 30), utc(2025, 10, 26, 1, 30))
    assert schedule.is_open(night, utc(2025, 10, 26, 2, 0)) is False


# --- Ending the session and muting ----------------------------------------------------------


def test_ending_a_session_closes_it_until_the_slot_ends() -> None:
    monday = session(MONDAY, time(19, 0))
    now = utc(2025, 1, 13, 19, 40)

    monday.closed_until = schedule.session_end(monday, now)

    assert monday.closed_until == utc(2025, 1, 13, 20)
    assert schedule.is_open(monday, now) is False
    # The slot it ended is skipped: the next one is a week on, and it opens as usual.
    assert span(schedule.next_occurrence(monday, now))[0] == utc(2025, 1, 20, 19)
    assert schedule.is_open(monday, utc(2025, 1, 20, 19, 5)) is True


def test_ending_an_open_room_closes_it_until_reopened() -> None:
    room = Conversation(kind=Conversation.Kind.ROOM, title="Open room")
    now = utc(2025, 1, 13, 19, 40)

    room.closed_until = schedule.session_end(room, now)

    assert room.closed_until == now + schedule.CLOSED_INDEFINITELY
    assert schedule.is_open(room, now + timedelta(days=365)) is False


def test_muting_lasts_the_session_or_an_hour() -> None:
    monday = session(MONDAY, time(19, 0))
    room = Conversation(kind=Conversation.Kind.ROOM, title="Open room")
    during = utc(2025, 1, 13, 19, 40)
    outside = utc(2025, 1, 14, 10)

    assert schedule.mute_end(monday, during) == utc(2025, 1, 13, 20)
    assert schedule.mute_end(monday, outside) == outside + schedule.ROOM_MUTE
    assert schedule.mute_end(room, during) == during + timedelta(hours=1)


def test_mute_end_in_a_slot_over_the_spring_change_is_the_real_end() -> None:
    night = session(SATURDAY, time(23, 30), minutes=150)

    assert schedule.mute_end(night, utc(2025, 3, 30, 0, 30)) == utc(2025, 3, 30, 2, 0)
    assert schedule.session_end(night, utc(2025, 3, 30, 0, 30)) == utc(2025, 3, 30, 2, 0)
