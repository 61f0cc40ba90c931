"""Sharing progress with a peer supporter: the member's consent, and the one door to it.

A member's scores are theirs. A peer supporter sees them only while the member has granted a
share to that supporter and not withdrawn it; moderators and administrators have no way in
(they are not the member's supporters, and the issue says so). ``progress_for_viewer`` is the
only function that hands one member's progress to another person: every other read in the
progress pages goes through it, and each time a supporter looks it writes an audit row.

What a share shows: scores and bands, goal titles and ratings, check-in moods. Never
item-level answers, check-in notes or rating notes; ``selfcare.progress`` does not read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.access import SUPPORT_MEMBERS, has_permission
from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat.models import Conversation
from alongside.measures.models import MeasureShare
from alongside.safety.services.audit import audit_record
from alongside.selfcare.progress import MemberProgress, member_progress

AUDIT_GRANT = "grant_progress_share"
AUDIT_WITHDRAW = "withdraw_progress_share"
AUDIT_READ = "read_shared_progress"


def is_peer_supporter(user: User) -> bool:
    """Holds the peer supporter's permission (asked by permission, never by role name)."""
    return has_permission(user, SUPPORT_MEMBERS)


# --- Services -------------------------------------------------------------------------------


@transaction.atomic
def share_grant(*, member: User, supporter: User) -> MeasureShare:
    """Let ``supporter`` see ``member``'s progress until the member withdraws it.

    Granting again while a share is in force changes nothing and returns that share. Refused
    (``ValidationError``) for oneself and for anyone who is not an active peer supporter.
    """
    if supporter.pk == member.pk:
        raise ValidationError(_("You can't share your progress with yourself."), code="self")
    if not supporter.is_active or not is_peer_supporter(supporter):
        raise ValidationError(
            _("%(handle)s is not a peer supporter, so you can't share your progress with them.")
            % {"handle": supporter.handle},
            code="not_supporter",
        )
    live = live_share(member=member, supporter=supporter)
    if live is not None:
        return live
    try:
        with transaction.atomic():
            share = MeasureShare.objects.create(member=member, supporter=supporter)
    except IntegrityError:
        # A second click raced the first; the constraint kept one live share.
        existing = live_share(member=member, supporter=supporter)
        if existing is None:
            raise
        return existing
    audit_record(
        actor=member,
        action=AUDIT_GRANT,
        target_kind="measure_share",
        target_id=share.pk,
        member=member,
        detail={"supporter": supporter.pk},
    )
    return share


@transaction.atomic
def share_withdraw(*, member: User, share: MeasureShare) -> MeasureShare:
    """End a share at once: from now the supporter's pages answer "not found"."""
    if share.member_id != member.pk:
        raise Http404
    if share.withdrawn_at is not None:
        return share
    share.withdrawn_at = timezone.now()
    share.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=member,
        action=AUDIT_WITHDRAW,
        target_kind="measure_share",
        target_id=share.pk,
        member=member,
        detail={"supporter": share.supporter_id},
    )
    return share


# --- Selectors ------------------------------------------------------------------------------


def live_share(*, member: User, supporter: User) -> MeasureShare | None:
    return MeasureShare.objects.filter(
        member=member, supporter=supporter, withdrawn_at__isnull=True
    ).first()


def shares_for(member: User) -> QuerySet[MeasureShare]:
    """The member's shares in force, newest first, with each supporter."""
    return (
        MeasureShare.objects.filter(member=member, withdrawn_at__isnull=True)
        .select_related("supporter")
        .order_by("-granted_at", "-pk")
    )


def share_for_member(*, member: User, share_id: int) -> MeasureShare:
    """One of the member's own live shares, or 404."""
    share = shares_for(member).filter(pk=share_id).first()
    if share is None:
        raise Http404
    return share


def shares_received(supporter: User) -> QuerySet[MeasureShare]:
    """Who shares their progress with this supporter now, by handle."""
    return (
        MeasureShare.objects.filter(
            supporter=supporter, withdrawn_at__isnull=True, member__is_active=True
        )
        .select_related("member")
        .order_by("member__handle")
    )


@dataclass(frozen=True)
class SupporterChoice:
    handle: str
    has_chat: bool


def supporters_offered(member: User, *, limit: int = 20) -> list[SupporterChoice]:
    """Peer supporters the member could share with: those they already chat one-to-one first.

    Those already shared with are left out (they are listed with a "stop sharing" button).
    """
    already = set(shares_for(member).values_list("supporter_id", flat=True))
    supporters = (
        User.objects.filter(groups__name=Role.PEER_SUPPORTER, is_active=True)
        .exclude(pk=member.pk)
        .exclude(pk__in=already)
        .distinct()
    )
    chatted = set(
        supporters.filter(
            chat_participations__conversation__kind=Conversation.Kind.DIRECT,
            chat_participations__conversation__participants__user=member,
        ).values_list("pk", flat=True)
    )
    rows = list(supporters.order_by("handle").values_list("pk", "handle")[: limit * 5])
    rows.sort(key=lambda row: (row[0] not in chatted, row[1].lower()))
    return [SupporterChoice(handle, pk in chatted) for pk, handle in rows[:limit]]


def supporter_by_handle(handle: str) -> User | None:
    return User.objects.filter(handle__iexact=handle.strip(), is_active=True).first()


def progress_for_viewer(*, viewer: User, member: User, part: str = "page") -> MemberProgress:
    """The one door to a member's progress: theirs, or a supporter's under a live share.

    Anyone else, moderators and administrators included, gets a 404 rather than a 403, so the
    answer does not even say whether the member has answered any questionnaire. Each viewing
    by a supporter is written to the audit log, with ``part`` saying what was read (the page,
    or one chart).
    """
    if viewer.pk == member.pk:
        return member_progress(member)
    if not member.is_active:
        raise Http404
    if not is_peer_supporter(viewer):
        raise Http404
    share = live_share(member=member, supporter=viewer)
    if share is None:
        raise Http404
    audit_record(
        actor=viewer,
        action=AUDIT_READ,
        target_kind="measure_share",
        target_id=share.pk,
        member=member,
        detail={"part": part},
    )
    return member_progress(member)
