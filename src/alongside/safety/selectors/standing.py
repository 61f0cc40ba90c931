"""Whether a member may post now: mutes, suspensions and a break they chose to take.

The communities services (and later chat) ask ``posting_restriction`` before writing, so a
sanction or a break applies everywhere a member can write, from the site and the API alike.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.safety.models import SafetyPreferences, Sanction


def active_sanctions(user: User, *, now: datetime | None = None) -> QuerySet[Sanction]:
    """Mutes and suspensions in force now (warnings never restrict anything)."""
    moment = now or timezone.now()
    return (
        Sanction.objects.filter(
            member=user,
            kind__in=[Sanction.Kind.MUTE, Sanction.Kind.SUSPENSION],
            lifted_at__isnull=True,
            starts_at__lte=moment,
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=moment))
        .order_by("-starts_at")
    )


def paused_until(user: User, *, now: datetime | None = None) -> datetime | None:
    """The end of the break the member chose, if they are on one."""
    moment = now or timezone.now()
    until = (
        SafetyPreferences.objects.filter(user=user, paused_until__gt=moment)
        .values_list("paused_until", flat=True)
        .first()
    )
    return until


def posting_restriction(user: User, *, now: datetime | None = None) -> str | None:
    """A sentence saying why the member cannot post now, or None when they can."""
    if not user.is_authenticated:
        return _("Please sign in to post.")
    sanction = active_sanctions(user, now=now).first()
    if sanction is not None:
        if sanction.ends_at is None:
            return _("Your account can no longer post. Reason: %(reason)s") % {
                "reason": sanction.reason
            }
        return _("You can post again from %(until)s. Reason: %(reason)s") % {
            "until": timezone.localtime(sanction.ends_at).strftime("%d %B %Y, %H:%M"),
            "reason": sanction.reason,
        }
    until = paused_until(user, now=now)
    if until is not None:
        return _("You are taking a break until %(until)s. You can end it in your settings.") % {
            "until": timezone.localtime(until).strftime("%d %B %Y, %H:%M")
        }
    return None
