"""Reads for supporter care, with the access checks.

- A supporter sees their own debrief requests; supervisors see every open one.
- A handover summary is seen by the member it is about (who must agree to it), the supporter
  who wrote it or the supervisors, and, once the member has agreed, the new supporter.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from alongside.accounts.models import User
from alongside.support.care_models import DebriefRequest, HandoverSummary
from alongside.support.selectors import is_supervisor


def open_debriefs() -> QuerySet[DebriefRequest]:
    """Debriefs nobody has taken yet, oldest first: for supervisors."""
    return (
        DebriefRequest.objects.filter(taken_at__isnull=True)
        .select_related("supporter", "relationship")
        .order_by("created_at", "id")
    )


def debriefs_of(supporter: User) -> QuerySet[DebriefRequest]:
    return DebriefRequest.objects.filter(supporter=supporter).select_related("taken_by")


def access_debrief(user: User, debrief_id: int) -> DebriefRequest:
    debrief = DebriefRequest.objects.select_related("supporter").filter(pk=debrief_id).first()
    if debrief is None:
        raise Http404
    if debrief.supporter_id != user.pk and not is_supervisor(user):
        raise Http404
    return debrief


def can_see_handover(user: User, handover: HandoverSummary) -> bool:
    relationship = handover.relationship
    if relationship.member_id == user.pk:
        return True
    if relationship.supporter_id == user.pk:
        return True
    if handover.member_agreed_at is not None and handover.new_supporter_id == user.pk:
        return True
    return is_supervisor(user)


def access_handover(user: User, handover_id: int) -> HandoverSummary:
    handover = (
        HandoverSummary.objects.select_related(
            "relationship__member", "relationship__supporter", "new_supporter"
        )
        .filter(pk=handover_id)
        .first()
    )
    if handover is None or not can_see_handover(user, handover):
        raise Http404
    return handover


def pending_handover_for(relationship_id: int) -> HandoverSummary | None:
    return (
        HandoverSummary.objects.filter(
            relationship_id=relationship_id,
            member_agreed_at__isnull=True,
            member_declined_at__isnull=True,
        )
        .order_by("-created_at", "-id")
        .first()
    )
