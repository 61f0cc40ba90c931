"""Periodic jobs for supporters' tools: a weekly summary and reminders for tasks falling due.

Run from the periodic jobs (``alongside.safety.jobs``). Both are idempotent: a summary is
remembered per supporter and week (``WeeklySummarySent``) and a task reminder on the task
(``reminded_at``), in the same transaction that creates the notification.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.notifications.services import notify_message
from alongside.support import ending_selectors as selectors
from alongside.support.ending_models import SupporterTask, WeeklySummarySent
from alongside.support.models import SupportRelationship
from alongside.support.session_models import SupportSession

KIND = "support"
TASK_REMINDER_AHEAD = timedelta(hours=24)


def _supporters_with_work() -> list[User]:
    ids = set(
        SupportRelationship.objects.filter(
            status__in=SupportRelationship.OPEN_STATUSES
        ).values_list("supporter_id", flat=True)
    ) | set(
        SupporterTask.objects.filter(done_at__isnull=True).values_list("supporter_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def weekly_summary_text(supporter: User, *, now: datetime) -> str:
    week_end = now + timedelta(days=7)
    sessions = SupportSession.objects.filter(
        relationship__supporter=supporter,
        status__in=SupportSession.ACTIVE_STATUSES,
        starts_at__gte=now,
        starts_at__lt=week_end,
    ).count()
    write_ups = selectors.sessions_to_write_up(supporter).count()
    due = selectors.open_tasks(supporter).filter(due_at__lt=week_end).count()
    return _(
        "Your week: %(sessions)d sessions in the next seven days, %(notes)d session notes to "
        "write up, %(tasks)d tasks due."
    ) % {"sessions": sessions, "notes": write_ups, "tasks": due}


def weekly_summaries_send(*, now: datetime | None = None) -> int:
    """Send each supporter with open work one summary a week; returns how many were sent."""
    now = now or timezone.now()
    week_start = WeeklySummarySent.week_of(now.date())
    sent = 0
    for supporter in _supporters_with_work():
        try:
            with transaction.atomic():
                WeeklySummarySent.objects.create(
                    supporter=supporter, week_start=week_start, sent_at=now
                )
                with translation.override(supporter.language or settings.LANGUAGE_CODE):
                    notify_message(
                        recipient=supporter,
                        kind=KIND,
                        message=weekly_summary_text(supporter, now=now),
                        link=reverse("support_endings:tasks"),
                        email_subject=_("Your week as a peer supporter"),
                    )
        except IntegrityError:
            continue  # already sent this week (perhaps by a run at the same moment)
        sent += 1
    return sent


@transaction.atomic
def task_reminders_send(*, now: datetime | None = None) -> int:
    """Remind supporters once about each open task due within a day (or overdue)."""
    now = now or timezone.now()
    due = (
        SupporterTask.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("supporter")
        .filter(
            done_at__isnull=True, reminded_at__isnull=True, due_at__lte=now + TASK_REMINDER_AHEAD
        )
    )
    count = 0
    for task in due:
        if task.supporter.is_active:
            with translation.override(task.supporter.language or settings.LANGUAGE_CODE):
                notify_message(
                    recipient=task.supporter,
                    kind=KIND,
                    message=_("A reminder: one of your tasks is due soon."),
                    link=reverse("support_endings:tasks"),
                    email_subject=_("A task reminder"),
                )
        task.reminded_at = now
        task.save(update_fields=["reminded_at"])
        count += 1
    return count
