"""Reads for formal peer support, with the access checks: the one door to requests and
relationships.

- A member sees their own requests and relationships.
- A supporter sees a request only while it is offered to them (or after they took it), and the
  relationships they are part of.
- Supervisors (``support.supervise``) see everything here: they coordinate and supervise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from alongside.accounts.access import has_permission
from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.support.models import (
    ProbationReview,
    SupporterProfile,
    SupportRelationship,
    SupportRequest,
    TrainingRecord,
)

SUPERVISE = "support.supervise"


def is_supervisor(user: User) -> bool:
    return has_permission(user, SUPERVISE)


def can_see_request(user: User, request: SupportRequest) -> bool:
    if request.member_id == user.pk:
        return True
    if request.chosen_supporter_id == user.pk:
        return True
    if request.relationships.filter(supporter=user).exists():
        return True
    return is_supervisor(user)


def access_request(user: User, request_id: int) -> SupportRequest:
    """The request, if ``user`` may see it; otherwise 404 (never revealing that it exists)."""
    request = (
        SupportRequest.objects.select_related("member", "chosen_supporter")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not can_see_request(user, request):
        raise Http404
    return request


def can_see_relationship(user: User, relationship: SupportRelationship) -> bool:
    if relationship.member_id == user.pk:
        return True
    if relationship.supporter_id == user.pk:
        return True
    return is_supervisor(user)


def access_relationship(user: User, relationship_id: int) -> SupportRelationship:
    relationship = (
        SupportRelationship.objects.select_related("member", "supporter", "request")
        .filter(pk=relationship_id)
        .first()
    )
    if relationship is None or not can_see_relationship(user, relationship):
        raise Http404
    return relationship


def requests_of(member: User) -> QuerySet[SupportRequest]:
    """The member's own requests, newest first."""
    return SupportRequest.objects.filter(member=member).select_related("chosen_supporter")


def offers_for(supporter: User) -> QuerySet[SupportRequest]:
    """Requests waiting for this supporter's yes or no."""
    return SupportRequest.objects.filter(
        chosen_supporter=supporter,
        status__in=[SupportRequest.Status.OFFERED, SupportRequest.Status.ESCALATED],
    ).select_related("member")


def relationships_of(user: User) -> QuerySet[SupportRelationship]:
    """Relationships the user is in, either side."""
    return SupportRelationship.objects.filter(Q(member=user) | Q(supporter=user)).select_related(
        "member", "supporter"
    )


def escalated_requests() -> QuerySet[SupportRequest]:
    return SupportRequest.objects.filter(status=SupportRequest.Status.ESCALATED).select_related(
        "member", "chosen_supporter"
    )


def supporters_for_supervision() -> QuerySet[User]:
    """Everyone with the peer supporter role, with their profiles, for the supervisor's list."""
    return (
        User.objects.filter(groups__name=Role.PEER_SUPPORTER, is_active=True)
        .select_related("supporter_profile")
        .order_by("handle")
        .distinct()
    )


def access_supporter(user: User, supporter_id: int) -> User:
    """A peer supporter's record, for supervisors only."""
    if not is_supervisor(user):
        raise Http404
    supporter = supporters_for_supervision().filter(pk=supporter_id).first()
    if supporter is None:
        raise Http404
    return supporter


def profile_of(user: User) -> SupporterProfile | None:
    return SupporterProfile.objects.filter(user=user).first()


def training_of(supporter: User) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(supporter=supporter).select_related("recorded_by")


def reviews_of(supporter: User) -> QuerySet[ProbationReview]:
    return ProbationReview.objects.filter(supporter=supporter).select_related("reviewer")


@dataclass(frozen=True)
class FlaggedRelationship:
    """A relationship a supervisor should look at, and why (never the words that flagged it)."""

    relationship: SupportRelationship
    risk_noted: bool
    urgent_open: bool


def flagged_relationships(*, days: int = 30) -> list[FlaggedRelationship]:
    """Open relationships with a session note that recorded a risk in the last ``days`` days,
    or an urgent safety item still open on a message in their one-to-one. For the supervision
    page (callers check ``support.supervise``); three queries whatever the numbers."""
    from alongside.chat.models import Message
    from alongside.safety.models import ContentKind, QueueItem, Tier
    from alongside.support.session_models import SessionNote

    since = timezone.now() - timedelta(days=days)
    noted = set(
        SessionNote.objects.filter(risk_flag=True, created_at__gte=since).values_list(
            "session__relationship_id", flat=True
        )
    )
    urgent_items = QueueItem.objects.filter(
        kind=ContentKind.MESSAGE, tier=Tier.URGENT, status=QueueItem.Status.OPEN
    ).values("object_id")
    urgent_conversations = set(
        Message.objects.filter(pk__in=urgent_items).values_list("conversation_id", flat=True)
    )
    relationships = (
        SupportRelationship.objects.filter(status__in=SupportRelationship.OPEN_STATUSES)
        .filter(Q(pk__in=noted) | Q(conversation_id__in=urgent_conversations))
        .select_related("member", "supporter")
        .order_by("-started_at")
    )
    return [
        FlaggedRelationship(
            relationship=relationship,
            risk_noted=relationship.pk in noted,
            urgent_open=relationship.conversation_id in urgent_conversations,
        )
        for relationship in relationships
    ]
