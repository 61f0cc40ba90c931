"""Reading conversations: who may see what, catch-up by number, lists with unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from alongside.accounts.access import has_permission
from alongside.accounts.models import User
from alongside.chat import schedule
from alongside.chat.models import Conversation, Message, Participant
from alongside.chat.payloads import payloads
from alongside.communities.models import Group, ModerationState
from alongside.communities.selectors import can_moderate_group, can_post_in, can_read_threads

CATCH_UP_BATCH = 200


def participant_for(user: User, conversation: Conversation) -> Participant | None:
    return Participant.objects.filter(conversation=conversation, user=user).first()


def is_active_participant(user: User, conversation: Conversation) -> bool:
    return Participant.objects.filter(
        conversation=conversation, user=user, left_at__isnull=True
    ).exists()


def can_read(user: User, conversation: Conversation) -> bool:
    """One-to-one: its two people (while they stay). Rooms: whoever may read the group."""
    if not user.is_authenticated or not user.is_active:
        return False
    if conversation.is_direct:
        return is_active_participant(user, conversation)
    assert conversation.group is not None  # noqa: S101 - rooms always have a group
    return can_read_threads(user, conversation.group)


def can_send_in_room(user: User, conversation: Conversation) -> bool:
    assert conversation.group is not None  # noqa: S101
    return can_post_in(user, conversation.group)


def can_facilitate(user: User, conversation: Conversation) -> bool:
    """The named facilitator, the group's moderators, and the site's moderators."""
    if conversation.is_direct or not user.is_authenticated:
        return False
    if conversation.facilitator_id == user.pk:
        return True
    assert conversation.group is not None  # noqa: S101
    return can_moderate_group(user, conversation.group) or has_permission(
        user, "safety.moderate_content"
    )


def access_conversation(user: User, conversation_id: int) -> Conversation:
    """The conversation if ``user`` may read it; 404 otherwise (never reveal it exists)."""
    conversation = (
        Conversation.objects.select_related("group", "facilitator")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or not can_read(user, conversation):
        raise Http404
    return conversation


def access_message(user: User, message_id: int) -> Message:
    message = (
        Message.objects.select_related("conversation", "conversation__group", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is None or not can_read(user, message.conversation):
        raise Http404
    if not _visible_to(user, message):
        raise Http404
    return message


def _visible_to(user: User, message: Message) -> bool:
    return message.moderation_state != ModerationState.HELD or message.author_id == user.pk


def visible_messages(user: User, conversation: Conversation) -> QuerySet[Message]:
    """Messages ``user`` is shown: everything published (removed ones as placeholders), plus
    their own held messages, marked."""
    return Message.objects.filter(conversation=conversation).filter(
        ~Q(moderation_state=ModerationState.HELD) | Q(author=user)
    )


def changes_after(
    user: User, conversation: Conversation, after: int, *, upto: int | None = None
) -> list[dict[str, Any]]:
    """Every message whose latest change is numbered above ``after`` (and at most ``upto``),
    in number order: what a client that has seen up to ``after`` has missed."""
    rows = visible_messages(user, conversation).filter(updated_seq__gt=after)
    if upto is not None:
        rows = rows.filter(updated_seq__lte=upto)
    found = list(
        rows.select_related("author", "reply_to", "reply_to__author").order_by("updated_seq")[
            :CATCH_UP_BATCH
        ]
    )
    return payloads(found)


def recent_messages(
    user: User, conversation: Conversation, *, before_seq: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The latest ``limit`` messages (before ``before_seq``), oldest first, for a page."""
    rows = visible_messages(user, conversation)
    if before_seq is not None:
        rows = rows.filter(seq__lt=before_seq)
    found = list(
        rows.select_related("author", "reply_to", "reply_to__author").order_by("-seq")[:limit]
    )
    found.reverse()
    return payloads(found)


def other_participants(conversation: Conversation, user: User) -> list[Participant]:
    return list(
        Participant.objects.filter(conversation=conversation, left_at__isnull=True)
        .exclude(user=user)
        .select_related("user")
    )


@dataclass(frozen=True)
class ConversationRow:
    conversation: Conversation
    title: str
    unread: int
    last_read_seq: int


def _title_for(conversation: Conversation, user: User, others: dict[int, list[str]]) -> str:
    if conversation.kind != Conversation.Kind.DIRECT:
        return conversation.title
    names = others.get(conversation.pk, [])
    return ", ".join(names) or "—"


def unread_count(user: User, participant: Participant) -> int:
    return (
        Message.objects.filter(
            conversation_id=participant.conversation_id,
            seq__gt=participant.last_read_seq,
            kind=Message.Kind.MEMBER,
            moderation_state=ModerationState.PUBLISHED,
            deleted_at__isnull=True,
        )
        .exclude(author=user)
        .count()
    )


def conversations_for(user: User) -> list[ConversationRow]:
    """The member's conversations, latest first, with unread counts (three queries)."""
    participations = list(
        Participant.objects.filter(user=user, left_at__isnull=True)
        .select_related("conversation", "conversation__group")
        .order_by("-conversation__last_message_at", "-conversation_id")
    )
    conversation_ids = [p.conversation_id for p in participations]
    others: dict[int, list[str]] = {}
    for conversation_id, handle in (
        Participant.objects.filter(conversation_id__in=conversation_ids)
        .exclude(user=user)
        .values_list("conversation_id", "user__handle")
    ):
        others.setdefault(conversation_id, []).append(handle)
    last_read = {p.conversation_id: p.last_read_seq for p in participations}
    unread = _unread_by_conversation(user, last_read)
    return [
        ConversationRow(
            conversation=p.conversation,
            title=_title_for(p.conversation, user, others),
            unread=unread.get(p.conversation_id, 0),
            last_read_seq=p.last_read_seq,
        )
        for p in participations
    ]


def _unread_by_conversation(user: User, last_read: dict[int, int]) -> dict[int, int]:
    """{conversation id: messages from others after the member's read mark}, one query."""
    if not last_read:
        return {}
    after_mark = Q()
    for conversation_id, seq in last_read.items():
        after_mark |= Q(conversation_id=conversation_id, seq__gt=seq)
    rows = (
        Message.objects.filter(after_mark)
        .filter(
            kind=Message.Kind.MEMBER,
            moderation_state=ModerationState.PUBLISHED,
            deleted_at__isnull=True,
        )
        .exclude(author=user)
        .values("conversation_id")
        .annotate(n=Count("id"))
    )
    return {row["conversation_id"]: row["n"] for row in rows}


def total_unread(user: User) -> int:
    return sum(row.unread for row in conversations_for(user))


def rooms_for_group(user: User, group: Group) -> list[Conversation]:
    if not can_read_threads(user, group):
        return []
    return list(
        Conversation.objects.filter(group=group)
        .exclude(kind=Conversation.Kind.DIRECT)
        .select_related("facilitator")
        .order_by("kind", "title")
    )


def room_state(user: User, conversation: Conversation) -> dict[str, Any]:
    """What a client shows around the messages: open or not, rules, slow mode, its own mute."""
    now = timezone.now()
    participant = participant_for(user, conversation)
    muted_until = participant.muted_until if participant is not None else None
    upcoming = schedule.next_occurrence(conversation, now)
    return {
        "conversation": conversation.pk,
        "kind": conversation.kind,
        "open": schedule.is_open(conversation, now),
        "next_opens_at": upcoming.starts_at.isoformat() if upcoming is not None else None,
        "ground_rules": conversation.ground_rules,
        "slow_mode_seconds": conversation.slow_mode_seconds,
        "muted_until": muted_until.isoformat() if muted_until and muted_until > now else None,
        "last_seq": conversation.last_seq,
        "can_facilitate": can_facilitate(user, conversation),
    }
