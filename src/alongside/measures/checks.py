"""System checks for questionnaires: a responder setting that names nobody is a quiet failure.

Where ``ALONGSIDE_MEASURES_RESPONDER`` is set but names no active account that can work the
moderation queue (a typo, a handle since changed, an account deactivated or without the
moderator role), the site offers the PHQ-8 in place of the PHQ-9 without telling anyone. The
check says so at start-up and in ``check``. Left empty, the PHQ-8 is the documented choice
and nothing is said.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.db import DatabaseError

RESPONDER_MISSING = "alongside.measures.W001"


def responder_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the configured responder handle matches no active moderator."""
    from alongside.measures.responder import named_responder

    handle = settings.MEASURES_RESPONDER
    if not handle:
        return []
    try:
        found = named_responder()
    except DatabaseError:
        # No tables yet (a first migrate): nothing to check against.
        return []
    if found is not None:
        return []
    return [
        Warning(
            f"ALONGSIDE_MEASURES_RESPONDER is {handle!r}, but no active account with that "
            "handle can work the moderation queue, so nobody would read a PHQ-9 item 9 "
            "answer. The site is offering the PHQ-8 instead of the PHQ-9.",
            hint="Give that account the moderator (or administrator) role, or set the "
            "handle of one that has it.",
            id=RESPONDER_MISSING,
        )
    ]
