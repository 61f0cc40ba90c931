"""Reads for schedules and invitations, each with its access check.

A member reaches an invitation only through ``access_own_invitation``: anyone else's is a 404,
as if it did not exist. Schedules are read only by people who may manage them.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from alongside.accounts.models import User
from alongside.measures.models import MeasureInvitation, MeasureSchedule
from alongside.measures.schedules import can_manage_schedules


def due_invitations(member: User, *, now: datetime | None = None) -> QuerySet[MeasureInvitation]:
    """The member's questionnaires waiting for them now, oldest first."""
    moment = now or timezone.now()
    return (
        MeasureInvitation.objects.filter(
            member=member,
            status=MeasureInvitation.Status.DUE,
            due_at__lte=moment,
            schedule__active=True,
        )
        .select_related("schedule")
        .order_by("due_at", "pk")
    )


def access_own_invitation(member: User, invitation_id: int) -> MeasureInvitation:
    """One of the member's own invitations; anyone else's is a 404."""
    invitation = MeasureInvitation.objects.filter(pk=invitation_id, member=member).first()
    if invitation is None:
        raise Http404
    return invitation


def schedules_for_manager(user: User) -> QuerySet[MeasureSchedule]:
    """Every schedule, active ones first, for someone who may manage them (403 otherwise)."""
    if not can_manage_schedules(user):
        raise PermissionDenied
    return MeasureSchedule.objects.select_related("group", "programme").order_by(
        "-active", "name", "pk"
    )


def access_schedule(user: User, schedule_id: int) -> MeasureSchedule:
    """One schedule, for someone who may manage them (403 otherwise; 404 when missing)."""
    schedule = schedules_for_manager(user).filter(pk=schedule_id).first()
    if schedule is None:
        raise Http404
    return schedule
