"""Moderators' duty: going on and off duty, the weekly rota and handover notes.

Who is on duty decides who hears about an urgent alert first (``selectors.queue``); the rota
is who hears when nobody on duty answers in time. Every change here is a moderator action,
so each writes an audit entry in its own transaction.
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.access import has_permission
from alongside.accounts.models import User
from alongside.safety.models import DutyPeriod, HandoverNote, RotaSlot
from alongside.safety.services.audit import audit_record

MODERATE_CONTENT = "safety.moderate_content"
HANDOVER_MAX = 4000


def _require_moderator(actor: User) -> None:
    if not has_permission(actor, MODERATE_CONTENT):
        raise PermissionDenied(_("Only moderators can do this."))


@transaction.atomic
def duty_start(*, actor: User) -> DutyPeriod:
    """Go on duty; already on duty returns the open period unchanged."""
    _require_moderator(actor)
    current = DutyPeriod.objects.filter(moderator=actor, ended_at__isnull=True).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            period = DutyPeriod.objects.create(moderator=actor, started_at=timezone.now())
    except IntegrityError:  # a second tab pressed the button at the same moment
        return DutyPeriod.objects.get(moderator=actor, ended_at__isnull=True)
    audit_record(
        actor=actor,
        action="duty_start",
        target_kind="duty_period",
        target_id=period.pk,
    )
    return period


@transaction.atomic
def duty_end(*, actor: User) -> DutyPeriod | None:
    """Go off duty; returns the period that ended, or None when not on duty."""
    _require_moderator(actor)
    period = (
        DutyPeriod.objects.select_for_update()
        .filter(moderator=actor, ended_at__isnull=True)
        .first()
    )
    if period is None:
        return None
    period.ended_at = timezone.now()
    period.save(update_fields=["ended_at"])
    audit_record(
        actor=actor,
        action="duty_end",
        target_kind="duty_period",
        target_id=period.pk,
        detail={"minutes": round((period.ended_at - period.started_at).total_seconds() / 60)},
    )
    return period


@transaction.atomic
def duty_toggle(*, actor: User) -> bool:
    """On duty if off, off if on; returns whether the moderator is on duty afterwards."""
    if duty_end(actor=actor) is not None:
        return False
    duty_start(actor=actor)
    return True


@transaction.atomic
def rota_slot_add(
    *, actor: User, moderator: User, weekday: int, starts: time, ends: time
) -> RotaSlot:
    """Put a moderator on the weekly rota for one weekday, from ``starts`` to ``ends``.

    Any moderator may arrange the rota (it is a shared plan); the person on it must be a
    moderator too. A slot that runs past midnight is two slots, one each day.
    """
    _require_moderator(actor)
    if not has_permission(moderator, MODERATE_CONTENT):
        raise ValidationError({"moderator": _("Only moderators can be on the rota.")})
    if weekday not in RotaSlot.Weekday.values:
        raise ValidationError({"weekday": _("Choose a day of the week.")})
    if ends <= starts:
        raise ValidationError(
            {"ends": _("The end must be after the start. Split a night shift into two days.")}
        )
    overlapping = RotaSlot.objects.filter(
        moderator=moderator, weekday=weekday, starts__lt=ends, ends__gt=starts
    ).exists()
    if overlapping:
        raise ValidationError(
            _("%(handle)s is already on the rota at that time.") % {"handle": moderator.handle}
        )
    slot = RotaSlot.objects.create(moderator=moderator, weekday=weekday, starts=starts, ends=ends)
    audit_record(
        actor=actor,
        action="rota_add",
        target_kind="rota_slot",
        target_id=slot.pk,
        member=moderator,
        detail={"weekday": weekday, "starts": starts.isoformat(), "ends": ends.isoformat()},
    )
    return slot


@transaction.atomic
def rota_slot_remove(*, actor: User, slot: RotaSlot) -> None:
    _require_moderator(actor)
    audit_record(
        actor=actor,
        action="rota_remove",
        target_kind="rota_slot",
        target_id=slot.pk,
        member=slot.moderator,
        detail={
            "weekday": slot.weekday,
            "starts": slot.starts.isoformat(),
            "ends": slot.ends.isoformat(),
        },
    )
    slot.delete()


@transaction.atomic
def handover_write(*, actor: User, body: str) -> HandoverNote:
    """A note for the next shift. Moderators only; never shown to members."""
    _require_moderator(actor)
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"body": _("Please write what the next shift should know.")})
    if len(text) > HANDOVER_MAX:
        raise ValidationError(
            {"body": _("Please keep this under %(max)d characters.") % {"max": HANDOVER_MAX}}
        )
    note = HandoverNote.objects.create(author=actor, body=text, created_at=timezone.now())
    audit_record(actor=actor, action="handover_write", target_kind="handover", target_id=note.pk)
    return note
