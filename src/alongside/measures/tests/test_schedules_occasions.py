"""The occasion maths: pure functions, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alongside.measures.schedules import latest_due_occasion, occasion_weeks, occasions

START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
WEEK = timedelta(weeks=1)


@dataclass
class Shape:
    at_joining: bool = True
    every_weeks: int = 0
    end_weeks: int | None = None
    follow_up_weeks: int | None = None


def names(shape: Shape, **kwargs: int) -> list[str]:
    return [name for name, _week in occasion_weeks(shape, **kwargs)]


def test_baseline_only() -> None:
    assert occasion_weeks(Shape()) == [("baseline", 0)]


def test_every_four_weeks_until_the_end_then_follow_up() -> None:
    shape = Shape(every_weeks=4, end_weeks=12, follow_up_weeks=12)
    assert occasion_weeks(shape) == [
        ("baseline", 0),
        ("week-4", 4),
        ("week-8", 8),
        ("end", 12),
        ("follow-up", 24),
    ]


def test_every_two_weeks_repeats_fall_strictly_before_an_odd_end() -> None:
    shape = Shape(at_joining=False, every_weeks=2, end_weeks=7)
    assert names(shape) == ["week-2", "week-4", "week-6", "end"]


def test_end_on_a_repeat_week_is_asked_once_as_the_end() -> None:
    shape = Shape(every_weeks=2, end_weeks=6)
    assert names(shape) == ["baseline", "week-2", "week-4", "end"]


def test_end_without_follow_up() -> None:
    assert names(Shape(at_joining=False, end_weeks=10)) == ["end"]


def test_open_ended_repeats_count_only_up_to_the_week_asked() -> None:
    shape = Shape(every_weeks=4)
    assert names(shape, up_to_week=13) == ["baseline", "week-4", "week-8", "week-12"]
    assert names(shape, up_to_week=3) == ["baseline"]


def test_open_ended_repeats_need_a_limit() -> None:
    with pytest.raises(ValueError, match="up_to_week"):
        occasion_weeks(Shape(every_weeks=2))


def test_due_times_are_the_start_plus_whole_weeks_in_utc() -> None:
    shape = Shape(every_weeks=4, end_weeks=8, follow_up_weeks=4)
    result = occasions(shape, START)
    assert [(o.name, o.week, o.due_at) for o in result] == [
        ("baseline", 0, START),
        ("week-4", 4, START + 4 * WEEK),
        ("end", 8, START + 8 * WEEK),
        ("follow-up", 12, START + 12 * WEEK),
    ]
    assert all(o.due_at.tzinfo is UTC for o in result)


def test_until_keeps_only_occasions_already_due() -> None:
    shape = Shape(every_weeks=4, end_weeks=8, follow_up_weeks=4)
    just_before_week_4 = START + 4 * WEEK - timedelta(seconds=1)
    assert [o.name for o in occasions(shape, START, until=just_before_week_4)] == ["baseline"]
    assert [o.name for o in occasions(shape, START, until=START + 4 * WEEK)] == [
        "baseline",
        "week-4",
    ]
    assert occasions(shape, START, until=START - timedelta(days=1)) == []


def test_open_ended_occasions_go_up_to_now() -> None:
    shape = Shape(at_joining=False, every_weeks=2)
    now = START + 9 * WEEK
    assert [o.name for o in occasions(shape, START, until=now)] == [
        "week-2",
        "week-4",
        "week-6",
        "week-8",
    ]


def test_a_clock_change_does_not_move_an_occasion() -> None:
    """A member who joined in London winter time is asked at the same UTC instant each week,
    across the change to summer time (29 March 2026)."""
    london = ZoneInfo("Europe/London")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=london)  # 09:00 GMT = 09:00 UTC
    [_, week_4] = occasions(Shape(every_weeks=4, end_weeks=5), start)[:2]
    assert week_4.due_at == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert week_4.due_at - start == 4 * WEEK  # exactly 28 days, not 28 days minus an hour


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        occasions(Shape(), datetime(2026, 1, 5, 9, 30))  # noqa: DTZ001


def test_latest_due_occasion() -> None:
    shape = Shape(every_weeks=4, end_weeks=8, follow_up_weeks=26)
    assert latest_due_occasion(shape, START, now=START - WEEK) is None
    assert latest_due_occasion(shape, START, now=START + 5 * WEEK).name == "week-4"  # type: ignore[union-attr]
    late = latest_due_occasion(shape, START, now=START + 200 * WEEK)
    assert late is not None
    assert (late.name, late.week) == ("follow-up", 34)
