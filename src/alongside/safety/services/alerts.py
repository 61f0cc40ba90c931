"""Urgent alerts: raised with the queue item, acknowledged by a moderator, escalated if not.

An alert's deadline is a row in the database (``escalate_at``), not a timer in a process, so
a restart or a worker that dies loses nothing: ``escalate_due_alerts`` runs from the periodic
jobs (``alongside worker``, or the thread ``alongside serve`` starts) and picks up whatever is
due. Emails carry no content, only that an alert is waiting and where.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.access import has_permission
from alongside.accounts.models import User
from alongside.notifications.models import NotificationKind
from alongside.notifications.services import notify_message
from alongside.safety.live import announce_queue_change
from alongside.safety.models import Alert, ContentKind, QueueItem
from alongside.safety.services.audit import audit_record


def _item_link(item: QueueItem) -> str:
    return reverse("safety_moderation:item", args=[item.pk])


def _tell(moderators: list[User], *, item: QueueItem, message: str) -> None:
    link = _item_link(item)
    for moderator in moderators:
        notify_message(
            recipient=moderator,
            kind=NotificationKind.SAFETY_ALERT,
            message=message,
            link=link,
            email_subject=_("[%(site)s] Urgent safety alert") % {"site": settings.SITE_NAME},
        )


def _alert_message(item: QueueItem) -> str:
    """Say what kind of thing raised the alert; never what it says."""
    if item.kind == ContentKind.MEASURE:
        return _("Urgent: a questionnaire answer shows someone may be at risk. Please look now.")
    if item.kind in (ContentKind.MESSAGE, ContentKind.CONVERSATION):
        return _("Urgent: a chat message may show someone at risk. Please look now.")
    return _("Urgent: a post may show someone at risk. Please look now.")


@transaction.atomic(savepoint=False)
def alert_raise(*, item: QueueItem) -> Alert:
    """Alert the moderators on duty about an urgent item (once per item)."""
    from alongside.safety.selectors.queue import moderators_on_duty

    existing = Alert.objects.filter(item=item).first()
    if existing is not None:
        return existing
    now = timezone.now()
    alert = Alert.objects.create(
        item=item,
        created_at=now,
        escalate_at=now + timedelta(minutes=settings.SAFETY_ESCALATION_MINUTES),
    )
    _tell(moderators_on_duty(), item=item, message=_alert_message(item))
    audit_record(
        actor=None,
        action="alert_raised",
        target_kind="queue_item",
        target_id=item.pk,
        member=item.member,
        detail={"alert": alert.pk, "escalate_at": alert.escalate_at.isoformat()},
    )
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    """A moderator takes the alert: escalation stops, and the log says who and when."""
    if not has_permission(actor, "safety.moderate_content"):
        raise PermissionDenied
    alert = Alert.objects.select_for_update().select_related("item").get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        raise ValidationError(
            _("%(handle)s already acknowledged this alert.")
            % {"handle": alert.acknowledged_by.handle if alert.acknowledged_by else _("Someone")}
        )
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit_record(
        actor=actor,
        action="alert_acknowledged",
        target_kind="queue_item",
        target_id=alert.item_id,
        member=alert.item.member,
        detail={
            "alert": alert.pk,
            "seconds": round((alert.acknowledged_at - alert.created_at).total_seconds(), 1),
        },
    )
    announce_queue_change(item_id=alert.item_id, tier=alert.item.tier, event="acknowledged")
    return alert


def escalate_due_alerts(*, now: datetime | None = None) -> int:
    """Send every unacknowledged alert past its deadline to the whole rota; returns how many."""
    moment = now or timezone.now()
    due = list(
        Alert.objects.filter(
            acknowledged_at__isnull=True, escalated_at__isnull=True, escalate_at__lte=moment
        ).values_list("pk", flat=True)
    )
    return sum(1 for alert_id in due if _escalate(alert_id, moment))


@transaction.atomic
def _escalate(alert_id: int, moment: datetime) -> bool:
    from alongside.safety.selectors.queue import moderators_on_rota

    # Updated only if still due, so two workers running the job escalate it once.
    claimed = Alert.objects.filter(
        pk=alert_id, acknowledged_at__isnull=True, escalated_at__isnull=True
    ).update(escalated_at=moment)
    if not claimed:
        return False
    alert = Alert.objects.select_related("item", "item__member").get(pk=alert_id)
    waited = int((moment - alert.created_at).total_seconds() // 60)
    _tell(
        moderators_on_rota(),
        item=alert.item,
        message=_(
            "Escalated: an urgent alert has waited %(minutes)d minutes without anyone "
            "acknowledging it. Please look now."
        )
        % {"minutes": waited},
    )
    audit_record(
        actor=None,
        action="alert_escalated",
        target_kind="queue_item",
        target_id=alert.item_id,
        member=alert.item.member,
        detail={"alert": alert.pk, "minutes_waiting": waited},
    )
    announce_queue_change(item_id=alert.item_id, tier=alert.item.tier, event="escalated")
    return True
