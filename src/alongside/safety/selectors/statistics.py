"""Reads of the monthly moderation figures, for the public transparency page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from alongside.safety.models import ModerationAction, MonthlyStatistics

MONTHS_SHOWN = 6


@dataclass(frozen=True)
class StatisticsLine:
    label: str
    values: list[str]


@dataclass(frozen=True)
class StatisticsTable:
    """Months across, one line per figure: reports, alerts, each action, time to respond."""

    months: list[date]
    lines: list[StatisticsLine]

    @property
    def is_empty(self) -> bool:
        return not self.months


def _rounded(value: float) -> int:
    """Halves round up, as people expect (150 seconds is 3 minutes, not 2)."""
    return math.floor(value + 0.5)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return _("%(n)d seconds") % {"n": _rounded(seconds)}
    if seconds < 3600:
        return _("%(n)d minutes") % {"n": _rounded(seconds / 60)}
    return _("%(n).1f hours") % {"n": seconds / 3600}


def statistics_table(*, months: int = MONTHS_SHOWN) -> StatisticsTable:
    """The last ``months`` months that have figures, oldest first (one query)."""
    rows = list(MonthlyStatistics.objects.order_by("-month")[:months])[::-1]
    lines = [
        StatisticsLine(
            label=_("Reports from members"),
            values=[str(row.counts.get("reports", 0)) for row in rows],
        ),
        StatisticsLine(
            label=_("Urgent alerts"),
            values=[str(row.counts.get("alerts", 0)) for row in rows],
        ),
        StatisticsLine(
            label=_("Median time until a moderator answered an urgent alert"),
            values=[_duration(row.median_ack_seconds) for row in rows],
        ),
    ]
    lines += [
        StatisticsLine(label=str(label), values=[str(row.counts.get(kind, 0)) for row in rows])
        for kind, label in ModerationAction.Kind.choices
    ]
    return StatisticsTable(months=[row.month for row in rows], lines=lines)
