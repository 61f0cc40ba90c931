"""Monthly moderation figures, counted by the periodic job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from alongside.accounts.models import User
from alongside.safety.models import Alert, ModerationAction, MonthlyStatistics
from alongside.safety.services.statistics import statistics_refresh
from alongside.safety.tests.moderation_helpers import make_item, make_report

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def _action(kind: str, when: datetime) -> ModerationAction:
    return ModerationAction.objects.create(kind=kind, created_at=when)


def _alert(member: User, created: datetime, seconds: float | None) -> Alert:
    return Alert.objects.create(
        item=make_item(member),
        created_at=created,
        escalate_at=created + timedelta(minutes=5),
        acknowledged_at=created + timedelta(seconds=seconds) if seconds is not None else None,
    )


def test_counts_by_month_with_the_median_time_to_acknowledge(
    member: User, make_user: MakeUser
) -> None:
    march = datetime(2025, 3, 2, tzinfo=UTC)
    february = datetime(2025, 2, 27, tzinfo=UTC)
    _action(ModerationAction.Kind.HIDE, march)
    _action(ModerationAction.Kind.HIDE, march + timedelta(days=1))
    _action(ModerationAction.Kind.WARN, march)
    _action(ModerationAction.Kind.DISMISS, february)
    _action(ModerationAction.Kind.APPROVE, datetime(2025, 1, 15, tzinfo=UTC))  # too old
    for seconds in (60, 120, 600):
        _alert(member, march, seconds)
    _alert(member, march, None)  # waiting: counted, but not in the median
    _alert(member, february, 30)
    item = make_item(member)
    report = make_report(item, make_user("sam"))
    report.created_at = march
    report.save(update_fields=["created_at"])

    assert statistics_refresh(now=NOW) == 2

    current = MonthlyStatistics.objects.get(month=date(2025, 3, 1))
    assert current.counts["hide"] == 2
    assert current.counts["warn"] == 1
    assert current.counts["dismiss"] == 0
    assert current.counts["alerts"] == 4
    assert current.counts["reports"] == 1
    assert current.median_ack_seconds == 120
    previous = MonthlyStatistics.objects.get(month=date(2025, 2, 1))
    assert previous.counts["dismiss"] == 1
    assert previous.counts["alerts"] == 1
    assert previous.counts["approve"] == 0
    assert previous.median_ack_seconds == 30
    assert not MonthlyStatistics.objects.filter(month=date(2025, 1, 1)).exists()


def test_refreshing_again_updates_rather_than_duplicates(member: User) -> None:
    statistics_refresh(now=NOW)
    _action(ModerationAction.Kind.HIDE, NOW)
    statistics_refresh(now=NOW)
    assert MonthlyStatistics.objects.count() == 2
    row = MonthlyStatistics.objects.get(month=date(2025, 3, 1))
    assert row.counts["hide"] == 1
    assert row.median_ack_seconds is None


def test_january_looks_back_to_december() -> None:
    _action(ModerationAction.Kind.LIFT, datetime(2024, 12, 31, 23, 0, tzinfo=UTC))
    statistics_refresh(now=datetime(2025, 1, 1, 0, 30, tzinfo=UTC))
    assert MonthlyStatistics.objects.get(month=date(2024, 12, 1)).counts["lift"] == 1
    assert MonthlyStatistics.objects.get(month=date(2025, 1, 1)).counts["lift"] == 0


def test_the_periodic_jobs_run_it() -> None:
    from alongside.safety.jobs import run_periodic_jobs

    run_periodic_jobs()
    assert MonthlyStatistics.objects.count() == 2
