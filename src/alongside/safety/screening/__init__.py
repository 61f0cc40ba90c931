"""Screening engine: every piece of member text passes through here before anyone else sees it.

``screen(text, role=..., context=...)`` returns a ``Screening``: a crisis tier (``urgent``,
``review`` or ``none``), moderation flags, the reasons behind them in plain sentences, the model
probabilities and the rule ids. It is pure Python — no Django, no database, no network — so the
site's services, the ``alongside screen`` command and the benchmark all call the same function.

Importing this package is cheap; the classifiers load on the first call to ``screen`` (or
``warm_up``), and screening falls back to rules alone if they cannot be loaded.
"""

from __future__ import annotations

from typing import Literal

from alongside.safety.screening.decision import THRESHOLDS, decide
from alongside.safety.screening.misinformation import (
    ENV_VAR as MISINFORMATION_ENV_VAR,
)
from alongside.safety.screening.misinformation import (
    MisinformationConfigError,
    load_claims,
)
from alongside.safety.screening.models import models_version
from alongside.safety.screening.result import (
    FLAGS,
    HELD_FLAGS,
    AuthorContext,
    InfoCard,
    Reason,
    Screening,
    Tier,
)

__all__ = [
    "FLAGS",
    "HELD_FLAGS",
    "MISINFORMATION_ENV_VAR",
    "ROLES",
    "THRESHOLDS",
    "AuthorContext",
    "InfoCard",
    "MisinformationConfigError",
    "Reason",
    "Screening",
    "Tier",
    "screen",
    "warm_up",
]

ROLES: tuple[str, ...] = ("member", "supporter")


def screen(
    text: str,
    *,
    role: Literal["member", "supporter"] = "member",
    context: AuthorContext | None = None,
) -> Screening:
    """Screen one piece of text written by a member or a peer supporter.

    ``role="supporter"`` applies the supporter thresholds: asking someone directly about
    suicide is good practice, not risk, while giving methods or disclosing one's own intent
    still counts. ``context`` carries the author's recent behaviour for the spam and
    escalation checks.
    """
    if role not in ROLES:
        raise ValueError(f"role must be 'member' or 'supporter', not {role!r}")
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    return decide(text, role=role, context=context)


def warm_up() -> str:
    """Load the models and the claims list now (e.g. at process start); return the version."""
    load_claims()
    version = models_version()
    screen("warm up")
    return version
