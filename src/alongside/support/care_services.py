"""Writes for supporter care: debriefs after hard conversations and warm handovers.

A warm handover happens in two steps. The current supporter (or a supervisor) writes a short
summary, a goodbye and, when the support moves on, names the new supporter. Nothing is passed
on until the member agrees: then the goodbye is posted in the conversation, the relationship
is marked handed over (or ended, when nobody takes it on) and, where there is a new supporter,
a new relationship begins with them, within their caseload cap.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.access import has_permission, is_peer_supporter
from alongside.accounts.models import User
from alongside.notifications.services import notify_message
from alongside.safety.services.audit import audit_record
from alongside.support.care_models import DebriefRequest, HandoverSummary
from alongside.support.models import SupporterProfile, SupportRelationship
from alongside.support.services import SUPERVISE, SUPPORT_KIND, _open_conversation, coordinators

NOTE_MAX = 2000
SUMMARY_MAX = 2000
GOODBYE_MAX = 1000


def _require_supervisor(user: User) -> None:
    if not has_permission(user, SUPERVISE):
        raise PermissionDenied


# --- Debriefs -------------------------------------------------------------------------------


@transaction.atomic
def debrief_request(
    *, supporter: User, note: str = "", relationship: SupportRelationship | None = None
) -> DebriefRequest:
    """A supporter asks for a debrief; the relationship's supervisor (or every supervisor)
    is told that someone is waiting, never what the note says."""
    if not is_peer_supporter(supporter):
        raise PermissionDenied
    if relationship is not None and relationship.supporter_id != supporter.pk:
        raise PermissionDenied
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("Please keep the note under %(max)d characters.") % {"max": NOTE_MAX}
        )
    debrief = DebriefRequest.objects.create(
        supporter=supporter, relationship=relationship, note=note or None
    )
    if relationship is not None and relationship.supervisor is not None:
        supervisors = [relationship.supervisor]
    else:
        supervisors = coordinators()
    link = reverse("support_care:debriefs")
    for supervisor in supervisors:
        if supervisor.pk == supporter.pk:
            continue
        notify_message(
            recipient=supervisor,
            kind=SUPPORT_KIND,
            actor=supporter,
            message=_("%(handle)s has asked for a debrief after a hard conversation.")
            % {"handle": supporter.handle},
            link=link,
        )
    audit_record(
        actor=supporter,
        action="support.debrief_request",
        target_kind="debrief_request",
        target_id=debrief.pk,
        detail={"relationship": relationship.pk if relationship else None},
    )
    return debrief


@transaction.atomic
def debrief_take(*, actor: User, debrief: DebriefRequest) -> DebriefRequest:
    """A supervisor takes the debrief on and the supporter hears who will be in touch."""
    _require_supervisor(actor)
    debrief = DebriefRequest.objects.select_for_update().get(pk=debrief.pk)
    if debrief.taken_at is not None:
        raise ValidationError(_("Someone has already taken this debrief."))
    debrief.taken_by = actor
    debrief.taken_at = timezone.now()
    debrief.save(update_fields=["taken_by", "taken_at"])
    notify_message(
        recipient=debrief.supporter,
        kind=SUPPORT_KIND,
        actor=actor,
        message=_("%(handle)s will be in touch for your debrief.") % {"handle": actor.handle},
        link=reverse("support_care:debrief_new"),
    )
    audit_record(
        actor=actor,
        action="support.debrief_take",
        target_kind="debrief_request",
        target_id=debrief.pk,
    )
    return debrief


# --- Warm handovers -------------------------------------------------------------------------


def _require_may_hand_over(user: User, relationship: SupportRelationship) -> None:
    if relationship.supporter_id == user.pk:
        return
    _require_supervisor(user)


@transaction.atomic
def handover_propose(
    *,
    actor: User,
    relationship: SupportRelationship,
    summary: str,
    goodbye: str,
    new_supporter: User | None = None,
) -> HandoverSummary:
    """The supporter (or a supervisor) writes the summary and goodbye; the member is asked."""
    relationship = SupportRelationship.objects.select_for_update().get(pk=relationship.pk)
    _require_may_hand_over(actor, relationship)
    if relationship.status not in (
        SupportRelationship.Status.ACTIVE,
        SupportRelationship.Status.ENDING,
    ):
        raise ValidationError(_("Only an open support relationship can be handed over."))
    summary, goodbye = summary.strip(), goodbye.strip()
    if not summary:
        raise ValidationError(_("Please write a short summary for the member to read."))
    if not goodbye:
        raise ValidationError(_("Please write a goodbye for the member."))
    if len(summary) > SUMMARY_MAX or len(goodbye) > GOODBYE_MAX:
        raise ValidationError(_("Please keep the summary and goodbye shorter."))
    if new_supporter is not None:
        if new_supporter.pk in (relationship.supporter_id, relationship.member_id):
            raise ValidationError(_("Choose a different supporter to hand over to."))
        if not is_peer_supporter(new_supporter):
            raise ValidationError(
                _("%(handle)s is not a peer supporter.") % {"handle": new_supporter.handle}
            )
    HandoverSummary.objects.filter(
        relationship=relationship, member_agreed_at__isnull=True, member_declined_at__isnull=True
    ).update(member_declined_at=timezone.now())
    handover = HandoverSummary.objects.create(
        relationship=relationship,
        text=summary,
        goodbye=goodbye,
        new_supporter=new_supporter,
        created_by=actor,
    )
    notify_message(
        recipient=relationship.member,
        kind=SUPPORT_KIND,
        actor=actor,
        message=_(
            "%(handle)s has written a summary of your support. Please read it: nothing is "
            "passed on unless you agree."
        )
        % {"handle": relationship.supporter.handle},
        link=reverse("support_care:handover", args=[handover.pk]),
    )
    audit_record(
        actor=actor,
        action="support.handover_propose",
        target_kind="handover_summary",
        target_id=handover.pk,
        member=relationship.member,
        detail={
            "relationship": relationship.pk,
            "new_supporter": new_supporter.pk if new_supporter else None,
        },
    )
    return handover


def _require_room(supporter: User) -> None:
    """The new supporter's caseload cap, with their profile row locked."""
    profile = SupporterProfile.objects.select_for_update().filter(user=supporter).first()
    if profile is None:
        raise ValidationError(
            _("%(handle)s has no supporter profile yet.") % {"handle": supporter.handle}
        )
    taken = SupportRelationship.objects.filter(
        supporter=supporter, status__in=SupportRelationship.OPEN_STATUSES
    ).count()
    if taken >= profile.effective_cap:
        raise ValidationError(
            _("%(handle)s's caseload is full, so the handover can't happen yet.")
            % {"handle": supporter.handle}
        )


def _post_goodbye(relationship: SupportRelationship, goodbye: str) -> None:
    from alongside.chat.services import message_send

    if relationship.conversation is None:
        return
    try:
        message_send(
            author=relationship.supporter, conversation=relationship.conversation, body=goodbye
        )
    except (ValidationError, PermissionDenied):
        # The member may have left or blocked; the handover still goes ahead.
        return


@transaction.atomic
def handover_agree(*, member: User, handover: HandoverSummary) -> HandoverSummary:
    """The member agrees: the goodbye is posted, the relationship is handed over (or ends) and
    the new supporter's relationship begins, with the summary passed on to them."""
    handover = HandoverSummary.objects.select_for_update().get(pk=handover.pk)
    relationship = SupportRelationship.objects.select_for_update().get(pk=handover.relationship_id)
    if relationship.member_id != member.pk:
        raise PermissionDenied
    if not handover.is_pending:
        raise ValidationError(_("This summary has already been answered."))
    if relationship.status not in SupportRelationship.OPEN_STATUSES:
        raise ValidationError(_("This support relationship has already ended."))
    new_supporter = handover.new_supporter
    now = timezone.now()
    new_relationship = None
    if new_supporter is not None:
        _require_room(new_supporter)
        remaining = max(relationship.expected_end - now, timedelta(weeks=1))
        new_relationship = SupportRelationship.objects.create(
            member=member,
            supporter=new_supporter,
            request=relationship.request,
            focus=relationship.focus,
            started_at=now,
            expected_end=now + remaining,
            status=SupportRelationship.Status.ACTIVE,
            conversation=_open_conversation(new_supporter, member),
            supervisor=relationship.supervisor,
        )
    _post_goodbye(relationship, handover.goodbye or "")
    relationship.status = (
        SupportRelationship.Status.HANDED_OVER
        if new_relationship is not None
        else SupportRelationship.Status.ENDED
    )
    relationship.ended_at = now
    relationship.save(update_fields=["status", "ended_at"])
    handover.member_agreed_at = now
    handover.new_relationship = new_relationship
    handover.save(update_fields=["member_agreed_at", "new_relationship"])
    if new_relationship is not None and new_supporter is not None:
        notify_message(
            recipient=new_supporter,
            kind=SUPPORT_KIND,
            actor=member,
            message=_("%(handle)s's support has been handed over to you, with a summary.")
            % {"handle": member.handle},
            link=reverse("support_care:handover", args=[handover.pk]),
        )
    notify_message(
        recipient=relationship.supporter,
        kind=SUPPORT_KIND,
        actor=member,
        message=_("%(handle)s agreed to your handover summary.") % {"handle": member.handle},
        link=reverse("support:relationship", args=[relationship.pk]),
    )
    audit_record(
        actor=member,
        action="support.handover_agree",
        target_kind="handover_summary",
        target_id=handover.pk,
        member=member,
        detail={
            "relationship": relationship.pk,
            "new_relationship": new_relationship.pk if new_relationship else None,
        },
    )
    return handover


@transaction.atomic
def handover_decline(*, member: User, handover: HandoverSummary) -> HandoverSummary:
    """The member does not agree: the summary goes nowhere and the supporter is asked to talk
    it through with them."""
    handover = HandoverSummary.objects.select_for_update().get(pk=handover.pk)
    relationship = handover.relationship
    if relationship.member_id != member.pk:
        raise PermissionDenied
    if not handover.is_pending:
        raise ValidationError(_("This summary has already been answered."))
    handover.member_declined_at = timezone.now()
    handover.save(update_fields=["member_declined_at"])
    notify_message(
        recipient=relationship.supporter,
        kind=SUPPORT_KIND,
        actor=member,
        message=_(
            "%(handle)s didn't agree to your handover summary. Please talk it through with them."
        )
        % {"handle": member.handle},
        link=reverse("support:relationship", args=[relationship.pk]),
    )
    audit_record(
        actor=member,
        action="support.handover_decline",
        target_kind="handover_summary",
        target_id=handover.pk,
        member=member,
    )
    return handover
