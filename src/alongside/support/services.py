"""Writes for formal peer support: profiles, training, probation, requests, relationships.

Every function is one transaction with its audit row. Caseload caps are enforced here (with
the supporter's profile row locked), not only by what the pages offer, so two members choosing
the same supporter at once cannot push them over their cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.access import has_permission, is_peer_supporter
from alongside.accounts.models import User
from alongside.notifications.services import notify_message
from alongside.safety.services.audit import audit_record
from alongside.support import matching
from alongside.support.conf import default_weeks, escalate_hours
from alongside.support.models import (
    ProbationReview,
    SupporterProfile,
    SupportRelationship,
    SupportRequest,
    TrainingRecord,
)

if TYPE_CHECKING:
    from alongside.safety.services.screening import ScreenedText

SUPERVISE = "support.supervise"
# Notification kind for everything about formal support.
SUPPORT_KIND = "support"
# Requests still waiting for a supporter.
WAITING = (
    SupportRequest.Status.OPEN,
    SupportRequest.Status.OFFERED,
    SupportRequest.Status.ESCALATED,
)
MAX_WEEKS = 26

PROFILE_FIELDS = (
    "lived_experience_areas",
    "languages",
    "gender",
    "availability",
    "time_zone",
    "caseload_cap",
    "on_duty",
    "accepting_requests",
)


def _require_supporter(user: User) -> None:
    if not is_peer_supporter(user):
        raise PermissionDenied


def _require_supervisor(user: User) -> None:
    if not has_permission(user, SUPERVISE):
        raise PermissionDenied


def _request_link(request: SupportRequest) -> str:
    return reverse("support:request", args=[request.pk])


# --- Supporters -----------------------------------------------------------------------------


@transaction.atomic
def profile_ensure(*, supporter: User) -> SupporterProfile:
    """The supporter's profile, created on first use (new supporters start on probation)."""
    _require_supporter(supporter)
    profile, _created = SupporterProfile.objects.get_or_create(user=supporter)
    return profile


@transaction.atomic
def profile_update(*, supporter: User, **changes: Any) -> SupporterProfile:
    """Change what the supporter says about themselves; probation is not theirs to change."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not editable by a supporter: {sorted(unknown)}")
    profile = profile_ensure(supporter=supporter)
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.updated_at = timezone.now()
    profile.save(update_fields=[*changes, "updated_at"])
    audit_record(
        actor=supporter,
        action="support.profile_update",
        target_kind="supporter_profile",
        target_id=profile.pk,
        detail={"fields": sorted(changes)},
    )
    return profile


@transaction.atomic
def training_record_add(
    *,
    actor: User,
    supporter: User,
    module: str,
    completed_on: date,
    expires_on: date | None = None,
) -> TrainingRecord:
    _require_supervisor(actor)
    if expires_on is not None and expires_on < completed_on:
        raise ValidationError(_("The expiry date is before the completion date."))
    record = TrainingRecord.objects.create(
        supporter=supporter,
        module=module.strip(),
        completed_on=completed_on,
        expires_on=expires_on,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="support.training_record",
        target_kind="training_record",
        target_id=record.pk,
        member=supporter,
    )
    return record


@transaction.atomic
def probation_review_record(
    *,
    actor: User,
    supporter: User,
    decision: str,
    note: str = "",
    relationship: SupportRelationship | None = None,
) -> ProbationReview:
    """Record a supervisor's review; enough approvals end probation (and its one-person cap)."""
    _require_supervisor(actor)
    if actor.pk == supporter.pk:
        raise ValidationError(_("Supervisors can't review their own conversations."))
    if relationship is not None and relationship.supporter_id != supporter.pk:
        raise ValidationError(_("That support relationship is someone else's."))
    profile = SupporterProfile.objects.select_for_update().get_or_create(user=supporter)[0]
    review = ProbationReview.objects.create(
        supporter=supporter,
        relationship=relationship,
        reviewer=actor,
        decision=decision,
        note=note.strip() or None,
    )
    approvals = ProbationReview.objects.filter(
        supporter=supporter, decision=ProbationReview.Decision.APPROVE
    ).count()
    if profile.on_probation and approvals >= profile.probation_reviews_required:
        profile.on_probation = False
        profile.save(update_fields=["on_probation"])
        notify_message(
            recipient=supporter,
            kind=SUPPORT_KIND,
            actor=actor,
            message=_(
                "Your probation is complete: you can now support up to %(cap)d people at once."
            )
            % {"cap": profile.caseload_cap},
            link=reverse("support:profile"),
        )
    audit_record(
        actor=actor,
        action="support.probation_review",
        target_kind="probation_review",
        target_id=review.pk,
        member=supporter,
        detail={"decision": decision, "probation_ended": not profile.on_probation},
    )
    return review


# --- Requests -------------------------------------------------------------------------------


def _clean_preferences(preferences: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    areas = [a for a in preferences.get("areas", []) if isinstance(a, str) and a]
    if areas:
        clean["areas"] = areas
    for key in ("language", "gender"):
        value = str(preferences.get(key) or "").strip()
        if value:
            clean[key] = value
    times = [t for t in preferences.get("times", []) if isinstance(t, str) and t]
    if times:
        clean["times"] = times
    return clean


@dataclass
class AskOutcome:
    """What ``request_ask`` did, and the screening of the member's words."""

    request: SupportRequest
    screened: ScreenedText | None

    @property
    def reads_as_crisis(self) -> bool:
        return self.screened is not None and self.screened.is_concerning


def request_ask(
    *, member: User, in_their_words: str, preferences: dict[str, Any] | None = None
) -> AskOutcome:
    """A member asks for support from the ask page. Their words are screened first (screening
    only reads, so outside the transaction): words that read as a crisis tell the coordinators
    at once rather than after the escalation time, and the page shows the member where help is.
    """
    from alongside.safety.services.screening import screen_text

    words = in_their_words.strip()
    screened = screen_text(author=member, text=words) if words else None
    request = request_create(
        member=member,
        in_their_words=words,
        preferences=preferences,
        reads_as_crisis=screened is not None and screened.is_concerning,
    )
    return AskOutcome(request=request, screened=screened)


@transaction.atomic
def request_create(
    *,
    member: User,
    in_their_words: str,
    preferences: dict[str, Any] | None = None,
    reads_as_crisis: bool = False,
) -> SupportRequest:
    """A member asks for support. One waiting request at a time keeps matching honest."""
    words = in_their_words.strip()
    if not words:
        raise ValidationError(_("Tell us a little about what you'd like support with."))
    if SupportRequest.objects.filter(member=member, status__in=WAITING).exists():
        raise ValidationError(
            _("You already have a request waiting. You can withdraw it and ask again.")
        )
    request = SupportRequest.objects.create(
        member=member,
        in_their_words=words,
        preferences=_clean_preferences(preferences or {}),
    )
    if reads_as_crisis:
        for coordinator in coordinators():
            notify_message(
                recipient=coordinator,
                kind=SUPPORT_KIND,
                message=_(
                    "A new request for support reads as if the member may be in crisis. "
                    "Please look at it now."
                ),
                link=_request_link(request),
            )
    audit_record(
        actor=member,
        action="support.request_create",
        target_kind="support_request",
        target_id=request.pk,
        member=member,
        detail={"reads_as_crisis": reads_as_crisis},
    )
    return request


def _locked_request(request: SupportRequest) -> SupportRequest:
    return SupportRequest.objects.select_for_update().select_related("member").get(pk=request.pk)


@transaction.atomic
def request_choose(*, actor: User, request: SupportRequest, supporter: User) -> SupportRequest:
    """The member (or a coordinator, once escalated) offers the request to one supporter."""
    request = _locked_request(request)
    coordinator = has_permission(actor, SUPERVISE) and actor.pk != request.member_id
    if actor.pk != request.member_id and not coordinator:
        raise PermissionDenied
    if request.status not in (SupportRequest.Status.OPEN, SupportRequest.Status.ESCALATED):
        raise ValidationError(_("This request isn't looking for a supporter any more."))
    if request.chosen_supporter_id is not None:
        raise ValidationError(_("This request is already waiting for a supporter's reply."))
    # Lock the supporter's profile so that two offers at once cannot pass their cap.
    SupporterProfile.objects.select_for_update().filter(user=supporter).first()
    if not matching.supporter_fits(request, supporter):
        raise ValidationError(
            _("%(handle)s can't take new people right now. Please choose someone else.")
            % {"handle": supporter.handle}
        )
    request.chosen_supporter = supporter
    request.offered_at = timezone.now()
    if request.status == SupportRequest.Status.OPEN:
        request.status = SupportRequest.Status.OFFERED
    request.save(update_fields=["chosen_supporter", "offered_at", "status"])
    notify_message(
        recipient=supporter,
        kind=SUPPORT_KIND,
        actor=None,
        message=_("Someone has asked you for support. Please accept or decline."),
        link=_request_link(request),
    )
    audit_record(
        actor=actor,
        action="support.request_offer",
        target_kind="support_request",
        target_id=request.pk,
        member=request.member,
        detail={"supporter": supporter.pk},
    )
    return request


@transaction.atomic
def request_withdraw(*, member: User, request: SupportRequest) -> SupportRequest:
    request = _locked_request(request)
    if request.member_id != member.pk:
        raise PermissionDenied
    if request.status not in WAITING:
        raise ValidationError(_("This request can't be withdrawn now."))
    supporter = request.chosen_supporter
    request.status = SupportRequest.Status.WITHDRAWN
    request.chosen_supporter = None
    request.save(update_fields=["status", "chosen_supporter"])
    if supporter is not None:
        notify_message(
            recipient=supporter,
            kind=SUPPORT_KIND,
            message=_("A request you were offered has been withdrawn. Nothing to do."),
        )
    audit_record(
        actor=member,
        action="support.request_withdraw",
        target_kind="support_request",
        target_id=request.pk,
        member=member,
    )
    return request


def _require_offered_to(supporter: User, request: SupportRequest) -> None:
    if request.chosen_supporter_id != supporter.pk:
        raise PermissionDenied
    if request.status not in (SupportRequest.Status.OFFERED, SupportRequest.Status.ESCALATED):
        raise ValidationError(_("This request is no longer waiting for you."))


@transaction.atomic
def request_decline(*, supporter: User, request: SupportRequest) -> SupportRequest:
    """The supporter says no: the request goes back to matching, and the member is told."""
    request = _locked_request(request)
    _require_offered_to(supporter, request)
    request.chosen_supporter = None
    request.offered_at = None
    request.declined_by = [*request.declined_by, supporter.pk]
    if request.status == SupportRequest.Status.OFFERED:
        request.status = SupportRequest.Status.OPEN
    request.save(update_fields=["chosen_supporter", "offered_at", "declined_by", "status"])
    notify_message(
        recipient=request.member,
        kind=SUPPORT_KIND,
        message=_(
            "%(handle)s can't take your request on right now. That's about their time, not about "
            "you. Please choose someone else from the suggestions."
        )
        % {"handle": supporter.handle},
        link=_request_link(request),
    )
    audit_record(
        actor=supporter,
        action="support.request_decline",
        target_kind="support_request",
        target_id=request.pk,
        member=request.member,
    )
    return request


def _open_conversation(supporter: User, member: User) -> Any:
    """The one-to-one for messages between them, opened by the supporter (who is exempt from
    the new-account bar). None where the member's chat settings or a block keep it shut: the
    relationship page then says so."""
    from alongside.chat.services import direct_open

    try:
        with transaction.atomic():
            return direct_open(initiator=supporter, recipient=member)
    except ValidationError:
        return None


@transaction.atomic
def request_accept(
    *,
    supporter: User,
    request: SupportRequest,
    focus: str,
    weeks: float | None = None,
) -> SupportRelationship:
    """The supporter says yes: a time-limited relationship with an agreed focus begins."""
    request = _locked_request(request)
    _require_offered_to(supporter, request)
    profile = SupporterProfile.objects.select_for_update().filter(user=supporter).first()
    if profile is None:
        raise ValidationError(_("Please fill in your supporter profile first."))
    taken = SupportRelationship.objects.filter(
        supporter=supporter, status__in=SupportRelationship.OPEN_STATUSES
    ).count()
    if taken >= profile.effective_cap:
        raise ValidationError(
            _("Your caseload is full (%(cap)d at once). Decline, or end a relationship first.")
            % {"cap": profile.effective_cap}
        )
    length = weeks if weeks else default_weeks()
    if not 0 < length <= MAX_WEEKS:
        raise ValidationError(
            _("Choose a length between 1 and %(max)d weeks.") % {"max": MAX_WEEKS}
        )
    now = timezone.now()
    relationship = SupportRelationship.objects.create(
        member=request.member,
        supporter=supporter,
        request=request,
        focus=focus.strip() or None,
        started_at=now,
        expected_end=now + timedelta(weeks=length),
        status=SupportRelationship.Status.ACTIVE,
        conversation=_open_conversation(supporter, request.member),
    )
    request.status = SupportRequest.Status.MATCHED
    request.save(update_fields=["status"])
    notify_message(
        recipient=request.member,
        kind=SUPPORT_KIND,
        actor=supporter,
        message=_("%(handle)s has accepted your request for support.")
        % {"handle": supporter.handle},
        link=reverse("support:relationship", args=[relationship.pk]),
    )
    audit_record(
        actor=supporter,
        action="support.request_accept",
        target_kind="support_relationship",
        target_id=relationship.pk,
        member=request.member,
        detail={"request": request.pk},
    )
    return relationship


@transaction.atomic
def relationship_renew_agree(
    *, user: User, relationship: SupportRelationship
) -> SupportRelationship:
    """One side agrees to renew; when both have, the expected end moves on by the default
    length from whichever is later, the old end or now."""
    relationship = SupportRelationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status != SupportRelationship.Status.ACTIVE:
        raise ValidationError(_("Only an active support relationship can be renewed."))
    now = timezone.now()
    if user.pk == relationship.member_id:
        relationship.renewal_member_agreed_at = now
        other = relationship.supporter
    elif user.pk == relationship.supporter_id:
        relationship.renewal_supporter_agreed_at = now
        other = relationship.member
    else:
        raise PermissionDenied
    renewed = bool(
        relationship.renewal_member_agreed_at and relationship.renewal_supporter_agreed_at
    )
    if renewed:
        relationship.expected_end = max(relationship.expected_end, now) + timedelta(
            weeks=default_weeks()
        )
        relationship.renewed_count += 1
        relationship.renewal_member_agreed_at = None
        relationship.renewal_supporter_agreed_at = None
    relationship.save(
        update_fields=[
            "renewal_member_agreed_at",
            "renewal_supporter_agreed_at",
            "expected_end",
            "renewed_count",
        ]
    )
    link = reverse("support:relationship", args=[relationship.pk])
    message = (
        _("You have both agreed: your support continues until %(day)s.")
        % {"day": relationship.expected_end.date().isoformat()}
        if renewed
        else _("%(handle)s would like to carry on your support. Do you agree?")
        % {"handle": user.handle}
    )
    notify_message(recipient=other, kind=SUPPORT_KIND, actor=user, message=message, link=link)
    audit_record(
        actor=user,
        action="support.relationship_renew",
        target_kind="support_relationship",
        target_id=relationship.pk,
        member=relationship.member,
        detail={"renewed": renewed},
    )
    return relationship


# --- Coordination ---------------------------------------------------------------------------


def coordinators() -> list[User]:
    """Everyone who holds ``support.supervise`` through a role (supervisors, administrators)."""
    return list(
        User.objects.filter(
            is_active=True,
            groups__permissions__codename="supervise",
            groups__permissions__content_type__app_label="support",
        )
        .distinct()
        .order_by("handle")
    )


@transaction.atomic
def escalate_unmatched_requests() -> int:
    """Hand requests nobody has taken within ``SUPPORT_ESCALATE_HOURS`` to the coordinators
    and tell the member honestly what happens next. Each request escalates once."""
    hours = escalate_hours()
    cutoff = timezone.now() - timedelta(hours=hours)
    due = list(
        SupportRequest.objects.select_for_update()
        .filter(
            status__in=[SupportRequest.Status.OPEN, SupportRequest.Status.OFFERED],
            escalated_at__isnull=True,
            created_at__lte=cutoff,
        )
        .select_related("member")
    )
    if not due:
        return 0
    people = coordinators()
    now = timezone.now()
    for request in due:
        request.status = SupportRequest.Status.ESCALATED
        request.escalated_at = now
        request.save(update_fields=["status", "escalated_at"])
        notify_message(
            recipient=request.member,
            kind=SUPPORT_KIND,
            message=member_escalation_text(),
            link=_request_link(request),
        )
        for coordinator in people:
            notify_message(
                recipient=coordinator,
                kind=SUPPORT_KIND,
                message=_("A request for support has waited %(hours)g hours without a match.")
                % {"hours": hours},
                link=_request_link(request),
            )
        audit_record(
            actor=None,
            action="support.request_escalate",
            target_kind="support_request",
            target_id=request.pk,
            member=request.member,
        )
    return len(due)


def member_escalation_text() -> str:
    return _(
        "Nobody has been able to take this yet. A coordinator has been told and will be in touch "
        "within two working days; meanwhile you can still use the groups and the crisis lines."
    )
