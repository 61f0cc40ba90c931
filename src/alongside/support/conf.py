"""Deployment choices for formal peer support, read when used (never at import).

``settings.SUPPORT_DEFAULT_WEEKS`` / ``SUPPORT_ESCALATE_HOURS`` win where a deployment's
settings define them; otherwise the ``ALONGSIDE_SUPPORT_WEEKS`` /
``ALONGSIDE_SUPPORT_ESCALATE_HOURS`` environment variables, then the defaults (8 weeks, 48
hours).
"""

from __future__ import annotations

import os

from django.conf import settings


def _number(setting: str, env: str, default: float) -> float:
    value = getattr(settings, setting, None)
    if value is None:
        value = os.environ.get(env, "") or default
    return max(0.0, float(value))


def default_weeks() -> float:
    """How long a support relationship runs by default, and how far a renewal extends it."""
    return _number("SUPPORT_DEFAULT_WEEKS", "ALONGSIDE_SUPPORT_WEEKS", 8) or 8


def escalate_hours() -> float:
    """How long a request may wait for a supporter before a coordinator is told."""
    return _number("SUPPORT_ESCALATE_HOURS", "ALONGSIDE_SUPPORT_ESCALATE_HOURS", 48)
