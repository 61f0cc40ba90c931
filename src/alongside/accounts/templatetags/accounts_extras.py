"""Small template filters for account pages."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(value: timedelta | None) -> int:
    """A duration in whole minutes, rounded up (so "try again in 15 minutes" is never early)."""
    if not isinstance(value, timedelta):
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
