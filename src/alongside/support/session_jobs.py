"""Session reminders: a day before and an hour before, at most one of each, to both people.

Run from the periodic jobs (``alongside.safety.jobs``). Safe to run twice at once: rows are
taken with ``skip_locked`` and marked in the same transaction that creates the notifications,
so a second run finds nothing left to do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.support import session_selectors as selectors
from alongside.support.session_models import SupportSession
from alongside.support.session_services import NOTIFICATION_KIND, sessions_link, when_text

DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)


def _remind(session: SupportSession, person: User, zone: str, soon: bool) -> None:
    from alongside.notifications.services import notify_message

    with translation.override(person.language or settings.LANGUAGE_CODE):
        when = when_text(session.starts_at, zone, person.language)
        if soon:
            message = _("Your support session starts within the hour: %(when)s.")
        else:
            message = _("A reminder: you have a support session tomorrow, %(when)s.")
        notify_message(
            recipient=person,
            kind=NOTIFICATION_KIND,
            message=message % {"when": when},
            link=sessions_link(session.relationship),
            email_subject=_("A reminder about your support session"),
        )


@transaction.atomic
def session_reminders_send(*, now: datetime | None = None) -> int:
    """Send the reminders that are due; returns how many sessions were reminded about.

    The hour-before reminder also counts as the day-before one, so a session booked late or a
    job that did not run for a while never produces two reminders at once.
    """
    now = now or timezone.now()
    due = (
        SupportSession.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("relationship__member", "relationship__supporter")
        .filter(
            status__in=SupportSession.ACTIVE_STATUSES,
            starts_at__gt=now,
            starts_at__lte=now + DAY_BEFORE,
        )
        .filter(reminder_hour_sent_at__isnull=True)
        .filter(Q(reminder_day_sent_at__isnull=True) | Q(starts_at__lte=now + HOUR_BEFORE))
    )
    count = 0
    for session in due:
        soon = session.starts_at <= now + HOUR_BEFORE
        relationship = session.relationship
        supporter_zone = selectors.supporter_zone(relationship)
        for person, zone in (
            (relationship.member, session.member_time_zone),
            (relationship.supporter, supporter_zone),
        ):
            if person.is_active:
                _remind(session, person, zone, soon)
        if soon:
            session.reminder_hour_sent_at = now
        if session.reminder_day_sent_at is None:
            session.reminder_day_sent_at = now
        session.save(update_fields=["reminder_day_sent_at", "reminder_hour_sent_at"])
        count += 1
    return count
