"""Who may open a one-to-one conversation with whom: the anti-grooming rules in one place.

One-to-one chat between strangers is where the worst harms in online peer support have
happened, so the rules are strict by default and every refusal says why in words a member
can act on:

1. A new account must pass the deployment's bar (account age and participation, or a
   moderator's approval) before it may start private conversations.
2. Each member chooses who may start one with them (nobody / peer supporters / members of
   their groups).
3. Where under-18s are admitted, adults other than background-checked peer supporters can
   never open a one-to-one with them, whatever anyone's settings say.
4. Blocks work both ways and are never revealed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.access import has_permission, is_peer_supporter
from alongside.accounts.models import User
from alongside.chat.models import ChatPreferences, Conversation, DirectMessagingApproval, Message
from alongside.communities.models import Membership, ModerationState, Post
from alongside.safety.selectors.protection import is_blocked_between
from alongside.safety.selectors.standing import posting_restriction


def preferences_for(user: User) -> ChatPreferences:
    """The member's chat preferences, or the defaults (unsaved) if they never chose."""
    found = ChatPreferences.objects.filter(user=user).first()
    return found if found is not None else ChatPreferences(user=user)


def _exempt_from_bar(user: User) -> bool:
    return is_peer_supporter(user) or has_permission(user, "safety.moderate_content")


def contributions(user: User) -> int:
    """Published posts and group-room messages: the participation half of the bar."""
    posts = Post.objects.filter(
        author=user, deleted_at__isnull=True, moderation_state=ModerationState.PUBLISHED
    ).count()
    messages = (
        Message.objects.filter(
            author=user,
            kind=Message.Kind.MEMBER,
            deleted_at__isnull=True,
            moderation_state=ModerationState.PUBLISHED,
        )
        .exclude(conversation__kind=Conversation.Kind.DIRECT)
        .count()
    )
    return posts + messages


def direct_bar_refusal(user: User) -> str | None:
    """Why this account may not start one-to-one conversations yet, or None if it may."""
    if _exempt_from_bar(user) or DirectMessagingApproval.objects.filter(user=user).exists():
        return None
    if settings.CHAT_DIRECT_REQUIRE_APPROVAL:
        return _(
            "To keep everyone safe, a moderator approves each account before it can start "
            "one-to-one conversations. You can talk in group rooms and threads meanwhile, and "
            "anyone can still start a conversation with you."
        )
    old_enough = timezone.now() - user.date_joined >= timedelta(
        days=settings.CHAT_DIRECT_MIN_ACCOUNT_DAYS
    )
    if old_enough and contributions(user) >= settings.CHAT_DIRECT_MIN_CONTRIBUTIONS:
        return None
    return _(
        "To keep everyone safe, new accounts can start one-to-one conversations once they are "
        "%(days)s days old and have written %(count)d posts or group-room messages. Until then "
        "you can talk in group rooms and threads, and peer supporters can start a conversation "
        "with you."
    ) % {
        "days": f"{settings.CHAT_DIRECT_MIN_ACCOUNT_DAYS:g}",
        "count": settings.CHAT_DIRECT_MIN_CONTRIBUTIONS,
    }


def _age_refusal(first: User, second: User) -> str | None:
    """Adults other than vetted supporters never talk one-to-one with under-18s."""
    if first.is_minor == second.is_minor:
        return None
    adult = second if first.is_minor else first
    if is_peer_supporter(adult) and adult.background_check_cleared_at is not None:
        return None
    return _(
        "One-to-one conversations between adults and members under 18 are only possible with "
        "a background-checked peer supporter. You can still talk in group rooms."
    )


def _shares_a_group(first: User, second: User) -> bool:
    mine = Membership.objects.filter(user=first, status=Membership.Status.ACTIVE).values("group")
    return Membership.objects.filter(
        user=second, status=Membership.Status.ACTIVE, group__in=mine
    ).exists()


def _preference_refusal(initiator: User, recipient: User) -> str | None:
    choice = preferences_for(recipient).who_may_message
    refusal = _(
        "%(handle)s isn't taking new one-to-one conversations from you right now. You can "
        "still reply to them in groups."
    ) % {"handle": recipient.handle}
    if choice == ChatPreferences.WhoMayMessage.NOBODY:
        return refusal
    if is_peer_supporter(initiator):
        return None
    if choice == ChatPreferences.WhoMayMessage.SUPPORTERS:
        return refusal
    return None if _shares_a_group(initiator, recipient) else refusal


def require_may_open_direct(initiator: User, recipient: User) -> None:
    """Raise ValidationError with the reason if ``initiator`` may not open a one-to-one with
    ``recipient``."""
    if initiator.pk == recipient.pk:
        raise ValidationError(_("You can't start a conversation with yourself."))
    if not recipient.is_active:
        raise ValidationError(_("This member's account is no longer active."))
    restriction = posting_restriction(initiator)
    if restriction:
        raise ValidationError(restriction)
    if is_blocked_between(initiator, recipient):
        raise ValidationError(_("You can't start a conversation with this member."))
    for refusal in (
        direct_bar_refusal(initiator),
        _age_refusal(initiator, recipient),
        _preference_refusal(initiator, recipient),
    ):
        if refusal:
            raise ValidationError(refusal)


def may_open_direct(initiator: User, recipient: User) -> bool:
    try:
        require_may_open_direct(initiator, recipient)
    except ValidationError:
        return False
    return True
