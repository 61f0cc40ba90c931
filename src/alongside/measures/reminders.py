"""Telling members, once, that questionnaires are waiting, and the periodic job that does it.

A reminder is an offer, not a demand: one notification per member per run however many
measures came due, at most one reminder per invitation, no counts of what was missed, no
streaks, points or badges. Members can switch these reminders off (in the app and by email);
email goes only to members who gave an address and asked for it, and never names a measure.
A member taking a break gets their reminder when the break ends.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.accounts.models import User
from alongside.measures.models import MeasureInvitation
from alongside.measures.schedules import invitations_create_due
from alongside.notifications.models import NotificationKind
from alongside.notifications.services import notify_optional_messages

logger = logging.getLogger(__name__)


def reminder_text(count: int) -> str:
    """What the notification says: how many are ready, and that there is no hurry."""
    return ngettext(
        "A questionnaire is ready when you want it. You can answer it or skip it.",
        "%(count)d questionnaires are ready when you want them. You can answer or skip each one.",
        count,
    ) % {"count": count}


@transaction.atomic
def reminders_send(*, now: datetime | None = None) -> int:
    """Remind each member with unreminded questionnaires due; returns how many were reminded.

    ``reminded_at`` is set on every invitation the run covered, whether or not the member has
    reminders switched on, so nobody is reminded twice about the same one.
    """
    from alongside.safety.models import SafetyPreferences

    now = now or timezone.now()
    pending = MeasureInvitation.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        status=MeasureInvitation.Status.DUE,
        due_at__lte=now,
        reminded_at__isnull=True,
        schedule__active=True,
    )
    rows = list(pending.values_list("pk", "member_id"))
    if not rows:
        return 0
    by_member: dict[int, list[int]] = defaultdict(list)
    for invitation_id, member_id in rows:
        by_member[member_id].append(invitation_id)
    on_break = set(
        SafetyPreferences.objects.filter(
            user_id__in=list(by_member), paused_until__gt=now
        ).values_list("user_id", flat=True)
    )
    members = User.objects.filter(pk__in=[pk for pk in by_member if pk not in on_break])
    by_language: dict[str, list[User]] = defaultdict(list)
    for member in members:
        by_language[member.language or settings.LANGUAGE_CODE].append(member)
    link = reverse("measures:index")
    reminded_ids: list[int] = []
    for language, group in by_language.items():
        with translation.override(language):
            notify_optional_messages(
                kind=NotificationKind.MEASURE_DUE,
                messages=[(member, reminder_text(len(by_member[member.pk]))) for member in group],
                link=link,
                email_subject=_("A reminder from %(site)s") % {"site": settings.SITE_NAME},
            )
        for member in group:
            reminded_ids.extend(by_member[member.pk])
    MeasureInvitation.objects.filter(pk__in=reminded_ids).update(reminded_at=now)
    return sum(len(group) for group in by_language.values())


def run_measure_jobs(*, now: datetime | None = None) -> int:
    """The periodic job: invite for occasions that came due, then remind. A failure in the
    first is logged and the reminders still go out. Returns invitations plus reminders."""
    moment = now or timezone.now()
    created = 0
    try:
        created = invitations_create_due(now=moment)
    except Exception:
        logger.exception("Creating due measure invitations failed")
    return created + reminders_send(now=moment)
