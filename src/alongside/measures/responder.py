"""The deployment's named responder for questionnaire safety answers, and what that decides.

PHQ-9 item 9 asks about thoughts of being better off dead or of self-harm. Asking it is only
right where a person will act on a positive answer, so the site offers the PHQ-9 only when a
responder is configured (``ALONGSIDE_MEASURES_RESPONDER``: the handle of an active account that
can work the moderation queue). Otherwise it offers the PHQ-8, the same questionnaire without
item 9, scored on its own published bands.
"""

from __future__ import annotations

from django.conf import settings

from alongside.accounts.models import User

# Measures that carry a risk item, and the version without it offered when nobody can respond.
WITHOUT_RISK_ITEM = {"phq9": "phq8"}


def named_responder() -> User | None:
    """The configured responder, if the handle names an active account that can moderate."""
    from alongside.safety.selectors.queue import moderators

    handle = settings.MEASURES_RESPONDER
    if not handle:
        return None
    return moderators().filter(handle__iexact=handle).first()


def offered_measure_key(key: str) -> str:
    """The measure to ask for in place of ``key``: PHQ-8 for PHQ-9 when nobody can respond."""
    if key in WITHOUT_RISK_ITEM and named_responder() is None:
        return WITHOUT_RISK_ITEM[key]
    return key
