"""The monthly moderation figures the community can read on "How we keep this space safe".

The periodic job calls ``statistics_refresh``; the public page reads the stored rows only,
never the action or alert tables at request time.
"""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from alongside.safety.models import Alert, ModerationAction, MonthlyStatistics, Report


def month_start(moment: datetime) -> date:
    """The first day of the month ``moment`` falls in, in UTC."""
    return moment.astimezone(UTC).date().replace(day=1)


def _bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = datetime(following.year, following.month, 1, tzinfo=UTC)
    return start, end


def _previous(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def _figures(month: date) -> tuple[dict[str, int], float | None]:
    start, end = _bounds(month)
    counts: dict[str, int] = dict.fromkeys(ModerationAction.Kind.values, 0)
    by_kind = (
        ModerationAction.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in by_kind:
        counts[row["kind"]] = row["n"]
    counts["reports"] = Report.objects.filter(created_at__gte=start, created_at__lt=end).count()
    alerts = Alert.objects.filter(created_at__gte=start, created_at__lt=end)
    counts["alerts"] = alerts.count()
    waits = [
        (acknowledged - created).total_seconds()
        for created, acknowledged in alerts.filter(acknowledged_at__isnull=False).values_list(
            "created_at", "acknowledged_at"
        )
        if acknowledged is not None
    ]
    median = float(statistics.median(waits)) if waits else None
    return counts, median


@transaction.atomic
def statistics_refresh(*, now: datetime | None = None) -> int:
    """Recount the current and the previous month (the previous one can still change for a
    while: an alert raised on the 31st may be acknowledged on the 1st). Returns how many
    months were written."""
    moment = now or timezone.now()
    current = month_start(moment)
    written = 0
    for month in (_previous(current), current):
        counts, median = _figures(month)
        MonthlyStatistics.objects.update_or_create(
            month=month,
            defaults={"counts": counts, "median_ack_seconds": median, "computed_at": moment},
        )
        written += 1
    return written
