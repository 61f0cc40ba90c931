"""Every change to a conversation, in one place each (Zulip's ``actions`` habit).

Each writing service follows the same path: check, screen (before the transaction, so the
single SQLite writer is not held while the models run), then in one transaction lock the
conversation row, take the next sequence number, write, record the screening, and only after
commit broadcast (``delivery``). See ``models`` for why the number makes delivery lossless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.chat import delivery, policy, schedule
from alongside.chat.models import (
    ChatPreferences,
    Conversation,
    ConversationShare,
    DirectMessagingApproval,
    Message,
    MessageReaction,
    Participant,
)
from alongside.chat.payloads import message_payload, reactions_by_message
from alongside.chat.selectors import can_facilitate, can_read, can_send_in_room, participant_for
from alongside.communities.models import Group, ModerationState, Reaction
from alongside.safety.models import ContentKind, Report
from alongside.safety.selectors.protection import is_blocked_between
from alongside.safety.selectors.standing import posting_restriction
from alongside.safety.services.audit import audit_record
from alongside.safety.services.screening import (
    ScreenedText,
    publication_state,
    record_screening,
    screen_text,
)
from alongside.safety.support import SupportNotice, support_notice
from alongside.support.safety_hooks import on_urgent_message as on_urgent_support_message

MESSAGE_MAX = 4000
CONTENT_WARNING_MAX = 120
CLIENT_ID_MAX = 64
# In a one-to-one, these flags also add a notice both people see.
CONTACT_FLAGS = frozenset({"contact_request", "personal_info"})


@dataclass(frozen=True)
class SendOutcome:
    """A sent (or already sent) message, and the note for its author, if any."""

    message: Message
    payload: dict[str, Any]
    notice: SupportNotice | None
    duplicate: bool = False


# --- Conversations --------------------------------------------------------------------------


def _participant_add(conversation: Conversation, user: User) -> Participant:
    participant, created = Participant.objects.get_or_create(conversation=conversation, user=user)
    if not created and participant.left_at is not None:
        participant.left_at = None
        participant.save(update_fields=["left_at"])
    return participant


def _existing_direct(first: User, second: User) -> Conversation | None:
    return (
        Conversation.objects.filter(kind=Conversation.Kind.DIRECT, participants__user=first)
        .filter(participants__user=second)
        .order_by("id")
        .first()
    )


@transaction.atomic
def direct_open(*, initiator: User, recipient: User) -> Conversation:
    """Open (or reopen) the one-to-one between two members, if the rules allow it."""
    policy.require_may_open_direct(initiator, recipient)
    conversation = _existing_direct(initiator, recipient)
    if conversation is None:
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.DIRECT, created_by=initiator
        )
    _participant_add(conversation, initiator)
    _participant_add(conversation, recipient)
    return conversation


def _validate_schedule(kind: str, weekday: int | None, start: Any, minutes: int, zone: str) -> None:
    if kind != Conversation.Kind.SESSION:
        return
    from zoneinfo import available_timezones

    errors: dict[str, str] = {}
    if weekday is None or not 0 <= weekday <= 6:
        errors["schedule_weekday"] = _("Please choose the day the session runs.")
    if start is None:
        errors["schedule_start"] = _("Please give the time the session starts.")
    if not 15 <= minutes <= 240:
        errors["schedule_minutes"] = _("A session lasts between 15 and 240 minutes.")
    if zone not in available_timezones():
        errors["schedule_timezone"] = _("Please choose a time zone from the list.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def room_create(
    *,
    actor: User,
    group: Group,
    title: str,
    kind: str = Conversation.Kind.ROOM,
    facilitator: User | None = None,
    ground_rules: str = "",
    schedule_weekday: int | None = None,
    schedule_start: Any = None,
    schedule_minutes: int = 60,
    schedule_timezone: str = "Europe/London",
) -> Conversation:
    """A group's always-open room or weekly facilitated session; group moderators make them."""
    from alongside.communities.selectors import can_moderate_group

    if not can_moderate_group(actor, group):
        raise PermissionDenied(_("Only the group's moderators can add rooms."))
    if kind not in (Conversation.Kind.ROOM, Conversation.Kind.SESSION):
        raise ValidationError({"kind": _("Please choose a room or a facilitated session.")})
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Please give the room a name.")})
    if kind == Conversation.Kind.SESSION and facilitator is None:
        raise ValidationError({"facilitator": _("A facilitated session needs a facilitator.")})
    _validate_schedule(kind, schedule_weekday, schedule_start, schedule_minutes, schedule_timezone)
    conversation = Conversation.objects.create(
        kind=kind,
        group=group,
        title=title[:120],
        created_by=actor,
        facilitator=facilitator,
        ground_rules=ground_rules.strip()[:2000],
        schedule_weekday=schedule_weekday,
        schedule_start=schedule_start,
        schedule_minutes=schedule_minutes,
        schedule_timezone=schedule_timezone,
    )
    if facilitator is not None:
        _participant_add(conversation, facilitator)
    audit_record(
        actor=actor,
        action="chat_room_create",
        target_kind=ContentKind.CONVERSATION,
        target_id=conversation.pk,
        detail={"kind": kind, "group_id": group.pk},
    )
    return conversation


def room_join(*, user: User, conversation: Conversation) -> Participant:
    """Join a group room (to send, and to have it in one's list with unread counts)."""
    if conversation.is_direct:
        raise PermissionDenied
    if not can_send_in_room(user, conversation):
        raise ValidationError(_("Join the group to take part in its rooms."))
    return _participant_add(conversation, user)


# --- Sending --------------------------------------------------------------------------------


def _clean_text(body: str, content_warning: str) -> tuple[str, str]:
    body = (body or "").replace("\r\n", "\n").strip()
    content_warning = (content_warning or "").strip()
    if not body:
        raise ValidationError({"body": _("Please write a message first.")})
    if len(body) > MESSAGE_MAX:
        raise ValidationError(
            {
                "body": _("Please keep a message to %(max)d characters; this one is %(length)d.")
                % {"max": MESSAGE_MAX, "length": len(body)}
            }
        )
    if len(content_warning) > CONTENT_WARNING_MAX:
        raise ValidationError(
            {"content_warning": _("Please keep the content warning to 120 characters.")}
        )
    return body, content_warning


def _direct_refusal(author: User, conversation: Conversation) -> str | None:
    others = list(
        Participant.objects.filter(conversation=conversation)
        .exclude(user=author)
        .select_related("user")
    )
    for other in others:
        if other.left_at is not None:
            return _("%(handle)s has left this conversation, so messages can't reach them.") % {
                "handle": other.user.handle
            }
        if is_blocked_between(author, other.user):
            return _("You can't send messages in this conversation any more.")
    return None


def _room_refusal(author: User, conversation: Conversation, now: datetime) -> str | None:
    if not can_send_in_room(author, conversation):
        return _("Join the group to take part in its rooms.")
    if not schedule.is_open(conversation, now):
        upcoming = schedule.next_occurrence(conversation, now)
        if conversation.kind == Conversation.Kind.SESSION and upcoming is not None:
            return _("This session is closed. It opens next on %(when)s.") % {
                "when": timezone.localtime(upcoming.starts_at).strftime("%A %d %B, %H:%M")
            }
        return _("The facilitator has closed this room for now.")
    participant = participant_for(author, conversation)
    if participant is None or can_facilitate(author, conversation):
        return None
    if participant.muted_until is not None and participant.muted_until > now:
        return _(
            "The facilitator has paused your messages for this session. You can keep reading, "
            "and talk to the facilitator or a moderator if you think this is a mistake."
        )
    wait = conversation.slow_mode_seconds
    if wait and participant.last_sent_at is not None:
        remaining = wait - (now - participant.last_sent_at).total_seconds()
        if remaining > 0:
            return _("Slow mode is on: you can send again in %(seconds)d seconds.") % {
                "seconds": int(remaining) + 1
            }
    return None


def require_may_send(author: User, conversation: Conversation) -> None:
    """Raise ValidationError saying why ``author`` may not send here now."""
    if not author.is_authenticated or not author.is_active:
        raise PermissionDenied
    if not can_read(author, conversation):
        raise PermissionDenied
    restriction = posting_restriction(author)
    if restriction:
        raise ValidationError(restriction)
    # The caller's copy may be old (a socket keeps one per subscription): read what a
    # facilitator may have changed since (slow mode, closing) from the database.
    conversation.refresh_from_db(fields=["slow_mode_seconds", "closed_until"])
    now = timezone.now()
    refusal = (
        _direct_refusal(author, conversation)
        if conversation.is_direct
        else _room_refusal(author, conversation, now)
    )
    if refusal:
        raise ValidationError(refusal)


def _already_sent(author: User, client_id: str) -> Message | None:
    if not client_id:
        return None
    return Message.objects.filter(author=author, client_id=client_id).first()


def _clean_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip()
    if len(client_id) > CLIENT_ID_MAX:
        raise ValidationError({"client_id": _("The message id is too long.")})
    return client_id


def _next_seq(conversation: Conversation, **also: Any) -> int:
    """Lock the conversation row and take its next number (in the caller's transaction);
    ``also`` are other fields of the row to set in the same update."""
    locked = Conversation.objects.select_for_update().only("pk", "last_seq").get(pk=conversation.pk)
    locked.last_seq += 1
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=locked.last_seq, **also)
    conversation.last_seq = locked.last_seq
    return locked.last_seq


def _reply_target(conversation: Conversation, reply_to_id: int | None) -> Message | None:
    if reply_to_id is None:
        return None
    target = Message.objects.filter(pk=reply_to_id, conversation=conversation).first()
    if target is None:
        raise ValidationError({"reply_to": _("That message isn't in this conversation.")})
    return target


def _existing_outcome(message: Message, conversation: Conversation) -> SendOutcome:
    if message.conversation_id != conversation.pk:
        # A client_id is unique per author, not per conversation: refuse rather than answer
        # with another conversation's message and leave this one unsent.
        raise ValidationError(
            {"client_id": _("This message id was already used in another conversation.")}
        )
    return SendOutcome(
        message=message,
        payload=message_payload(message, reactions_by_message([message.pk]).get(message.pk)),
        notice=None,
        duplicate=True,
    )


def message_send(
    *,
    author: User,
    conversation: Conversation,
    body: str,
    client_id: str = "",
    reply_to_id: int | None = None,
    content_warning: str = "",
) -> SendOutcome:
    """Send a message: screened first, saved, then delivered after commit.

    Sending the same ``client_id`` again (a retry after a dropped connection) returns the
    message already sent and delivers nothing twice. Held messages reach only their author;
    urgent ones alert moderators exactly as posts do, and the author gets crisis resources.
    """
    client_id = _clean_client_id(client_id)
    existing = _already_sent(author, client_id)
    if existing is not None:
        return _existing_outcome(existing, conversation)
    body, content_warning = _clean_text(body, content_warning)
    require_may_send(author, conversation)
    screened = screen_text(author=author, text=body)
    try:
        with transaction.atomic():
            message = _save_message(
                author=author,
                conversation=conversation,
                body=body,
                client_id=client_id,
                reply_to_id=reply_to_id,
                content_warning=content_warning,
                screened=screened,
            )
    except IntegrityError:
        existing = _already_sent(author, client_id)
        if existing is None:
            raise
        return _existing_outcome(existing, conversation)
    held = message.moderation_state == ModerationState.HELD
    return SendOutcome(
        message=message,
        payload=message_payload(message),
        notice=support_notice(screened=screened, held=held, user=author),
    )


def _save_message(
    *,
    author: User,
    conversation: Conversation,
    body: str,
    client_id: str,
    reply_to_id: int | None,
    content_warning: str,
    screened: ScreenedText,
) -> Message:
    now = timezone.now()
    seq = _next_seq(conversation, last_message_at=now)
    state = publication_state(screened=screened, group=conversation.group)
    message = Message.objects.create(
        conversation=conversation,
        author=author,
        client_id=client_id,
        body=body,
        reply_to=_reply_target(conversation, reply_to_id),
        content_warning=content_warning,
        moderation_state=state,
        seq=seq,
        updated_seq=seq,
        created_at=now,
    )
    held = state == ModerationState.HELD
    record_screening(
        kind=ContentKind.MESSAGE,
        object_id=message.pk,
        author=author,
        screened=screened,
        held=held,
        group=conversation.group,
    )
    if screened.tier == "urgent":  # a formal support one-to-one also tells the supervisor
        on_urgent_support_message(message)
    _participant_record_send(conversation, author, now, seq)
    delivery.publish_change(
        conversation_id=conversation.pk,
        seq=seq,
        message=message_payload(message),
        only=author.pk if held else None,
    )
    if conversation.is_direct and screened.holding_flags & CONTACT_FLAGS:
        _add_notice(conversation, "contact_warning")
    return message


def _participant_record_send(
    conversation: Conversation, author: User, now: datetime, seq: int
) -> None:
    """The author takes part (again, if they had left), has sent now and has read up to
    their own message: one update when they take part already, as they nearly always do."""
    updated = Participant.objects.filter(conversation=conversation, user=author).update(
        left_at=None, last_sent_at=now, last_read_seq=Greatest("last_read_seq", Value(seq))
    )
    if updated:
        return
    participant = _participant_add(conversation, author)
    participant.last_sent_at = now
    participant.last_read_seq = max(participant.last_read_seq, seq)
    participant.save(update_fields=["last_sent_at", "last_read_seq"])


def _add_notice(conversation: Conversation, code: str) -> Message:
    """A numbered notice everyone in the conversation sees (in the caller's transaction)."""
    seq = _next_seq(conversation)
    notice = Message.objects.create(
        conversation=conversation,
        kind=Message.Kind.NOTICE,
        notice_code=code,
        body="",
        seq=seq,
        updated_seq=seq,
    )
    delivery.publish_change(
        conversation_id=conversation.pk, seq=seq, message=message_payload(notice)
    )
    return notice


def _republish(message: Message) -> None:
    """Give a changed message the next number and broadcast its new state after commit."""
    seq = _next_seq(message.conversation)
    message.updated_seq = seq
    Message.objects.filter(pk=message.pk).update(updated_seq=seq)
    held = message.moderation_state == ModerationState.HELD
    delivery.publish_change(
        conversation_id=message.conversation_id,
        seq=seq,
        message=message_payload(message, reactions_by_message([message.pk]).get(message.pk)),
        only=message.author_id if held else None,
    )


# --- Changing messages ----------------------------------------------------------------------


def message_edit(
    *, actor: User, message: Message, body: str, content_warning: str | None = None
) -> SendOutcome:
    """The author edits within ``CHAT_EDIT_MINUTES``; the new text is screened again."""
    if message.author_id != actor.pk or message.kind != Message.Kind.MEMBER:
        raise PermissionDenied(_("You can only edit your own messages."))
    if message.deleted_at is not None:
        raise ValidationError(_("This message was removed, so it can't be edited."))
    window = timedelta(minutes=settings.CHAT_EDIT_MINUTES)
    if timezone.now() - message.created_at > window:
        raise ValidationError(
            _("Messages can be edited for %(minutes)s minutes after sending.")
            % {"minutes": f"{settings.CHAT_EDIT_MINUTES:g}"}
        )
    body, warning = _clean_text(
        body, message.content_warning if content_warning is None else content_warning
    )
    restriction = posting_restriction(actor)
    if restriction:
        raise ValidationError(restriction)
    screened = screen_text(author=actor, text=body)
    with transaction.atomic():
        message = Message.objects.select_related("conversation").get(pk=message.pk)
        state = publication_state(screened=screened, group=message.conversation.group)
        if message.moderation_state != ModerationState.PUBLISHED:
            # Held or hidden stays so until a moderator decides, as for posts: an edit that
            # reads clean must not slip a held message past the queue.
            state = message.moderation_state
        message.body = body
        message.content_warning = warning
        message.edited_at = timezone.now()
        message.moderation_state = state
        message.save(update_fields=["body", "content_warning", "edited_at", "moderation_state"])
        record_screening(
            kind=ContentKind.MESSAGE,
            object_id=message.pk,
            author=actor,
            screened=screened,
            held=state == ModerationState.HELD,
            group=message.conversation.group,
        )
        _republish(message)
    held = message.moderation_state == ModerationState.HELD
    return SendOutcome(
        message=message,
        payload=message_payload(message),
        notice=support_notice(screened=screened, held=held, user=actor),
    )


@transaction.atomic
def message_delete(*, actor: User, message: Message) -> Message:
    """The author removes their message, or a facilitator removes one (logged). The row
    stays: moderators can still read it in the queue."""
    message = Message.objects.select_related("conversation", "author").get(pk=message.pk)
    own = message.author_id == actor.pk
    if not own and not can_facilitate(actor, message.conversation):
        raise PermissionDenied(_("You can only remove your own messages."))
    if message.kind != Message.Kind.MEMBER:
        raise ValidationError(_("Notices can't be removed."))
    if message.deleted_at is not None:
        return message
    message.deleted_at = timezone.now()
    message.deleted_by = actor
    message.save(update_fields=["deleted_at", "deleted_by"])
    _republish(message)
    if not own:
        _facilitator_log(
            actor,
            message.conversation,
            "chat_message_remove",
            message.author,
            {"message_id": message.pk},
        )
        _add_notice(message.conversation, "message_removed")
    return message


@transaction.atomic
def reaction_toggle(*, user: User, message: Message, kind: str) -> bool:
    """Add the reaction, or take it back if already given; True when it is now there."""
    if kind not in Reaction.Kind.values:
        raise ValidationError({"kind": _("Please choose one of the reactions.")})
    message = Message.objects.select_related("conversation").get(pk=message.pk)
    if not can_read(user, message.conversation) or message.kind != Message.Kind.MEMBER:
        raise PermissionDenied
    if message.deleted_at is not None or message.moderation_state != ModerationState.PUBLISHED:
        raise ValidationError(_("This message can't take reactions."))
    restriction = posting_restriction(user)
    if restriction:
        raise ValidationError(restriction)
    deleted, _rows = MessageReaction.objects.filter(message=message, user=user, kind=kind).delete()
    added = not deleted
    if added:
        MessageReaction.objects.create(message=message, user=user, kind=kind)
    _republish(message)
    return added


def read_mark(*, user: User, conversation: Conversation, seq: int) -> int:
    """Move the member's read mark forward (never back); in one-to-ones the other person
    sees it as read state."""
    seq = min(int(seq), conversation.last_seq)
    updated = Participant.objects.filter(
        conversation=conversation, user=user, last_read_seq__lt=seq
    ).update(last_read_seq=seq)
    if updated and conversation.is_direct:
        delivery.publish_ephemeral(
            conversation_id=conversation.pk,
            event={
                "type": "chat.read",
                "conversation": conversation.pk,
                "user": user.pk,
                "seq": seq,
            },
        )
    return seq


def typing_announce(*, user: User, conversation: Conversation) -> None:
    delivery.publish_ephemeral(
        conversation_id=conversation.pk,
        event={
            "type": "chat.typing",
            "conversation": conversation.pk,
            "user": user.pk,
            "handle": user.handle,
        },
    )


# --- Facilitator tools ----------------------------------------------------------------------


def _require_facilitator(actor: User, conversation: Conversation) -> None:
    if not can_facilitate(actor, conversation):
        raise PermissionDenied(_("Only the facilitator or a moderator can do that."))


def _facilitator_log(
    actor: User,
    conversation: Conversation,
    action: str,
    member: User | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_kind=ContentKind.CONVERSATION,
        target_id=conversation.pk,
        member=member,
        detail=detail or {},
    )


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


@transaction.atomic
def rules_pin(*, actor: User, conversation: Conversation, ground_rules: str) -> Conversation:
    _require_facilitator(actor, conversation)
    ground_rules = ground_rules.replace("\r\n", "\n").strip()
    if len(ground_rules) > 2000:
        raise ValidationError(
            {"ground_rules": _("Please keep the ground rules to 2000 characters.")}
        )
    conversation = _locked(conversation)
    conversation.ground_rules = ground_rules
    conversation.save(update_fields=["ground_rules"])
    _facilitator_log(actor, conversation, "chat_rules_pin")
    _add_notice(conversation, "rules_pinned")
    return conversation


@transaction.atomic
def slow_mode_set(*, actor: User, conversation: Conversation, seconds: int) -> Conversation:
    _require_facilitator(actor, conversation)
    if not 0 <= seconds <= 600:
        raise ValidationError({"seconds": _("Slow mode is between 0 (off) and 600 seconds.")})
    conversation = _locked(conversation)
    conversation.slow_mode_seconds = seconds
    conversation.save(update_fields=["slow_mode_seconds"])
    _facilitator_log(actor, conversation, "chat_slow_mode", detail={"seconds": seconds})
    _add_notice(conversation, "slow_mode_on" if seconds else "slow_mode_off")
    return conversation


@transaction.atomic
def participant_mute(*, actor: User, conversation: Conversation, member: User) -> Participant:
    """Pause a participant's messages until the session ends (an hour in an open room)."""
    _require_facilitator(actor, conversation)
    if member.pk == actor.pk:
        raise ValidationError(_("You can't mute yourself."))
    participant = participant_for(member, conversation)
    if participant is None:
        raise ValidationError(_("%(handle)s isn't in this room.") % {"handle": member.handle})
    conversation = _locked(conversation)
    participant.muted_until = schedule.mute_end(conversation, timezone.now())
    participant.save(update_fields=["muted_until"])
    _facilitator_log(
        actor,
        conversation,
        "chat_participant_mute",
        member,
        {"until": participant.muted_until.isoformat()},
    )
    _add_notice(conversation, "participant_muted")
    return participant


@transaction.atomic
def session_end(*, actor: User, conversation: Conversation) -> Conversation:
    """Close the session until its slot ends (an open room: until reopened)."""
    _require_facilitator(actor, conversation)
    conversation = _locked(conversation)
    conversation.closed_until = schedule.session_end(conversation, timezone.now())
    conversation.save(update_fields=["closed_until"])
    _facilitator_log(actor, conversation, "chat_session_end")
    _add_notice(conversation, "session_ended")
    return conversation


@transaction.atomic
def room_reopen(*, actor: User, conversation: Conversation) -> Conversation:
    _require_facilitator(actor, conversation)
    conversation = _locked(conversation)
    conversation.closed_until = None
    conversation.save(update_fields=["closed_until"])
    _facilitator_log(actor, conversation, "chat_room_reopen")
    _add_notice(conversation, "session_reopened")
    return conversation


# --- Leaving, reporting, moderation ---------------------------------------------------------


def conversation_leave(
    *,
    user: User,
    conversation: Conversation,
    reason: str = "",
    note: str = "",
    reported: User | None = None,
    share: bool = False,
    block: bool = False,
) -> Report | None:
    """Leave, and optionally report someone in it, share it with moderators and block them.

    Sharing is the reporter's choice: only then may moderators read the whole conversation,
    and each reading is recorded in the audit log.
    """
    from alongside.safety.services.protection import block_create
    from alongside.safety.services.reports import report_create

    participant = participant_for(user, conversation)
    if participant is None or participant.left_at is not None:
        raise ValidationError(_("You're not in this conversation."))
    if (reason or share or block) and reported is None:
        raise ValidationError({"reported": _("Please choose who you are reporting.")})
    if share and not reason:
        # Sharing goes with a report (moderators read it from the report's queue item).
        raise ValidationError(
            {"reason": _("To share the conversation, please choose what's wrong as well.")}
        )
    if reported is not None and participant_for(reported, conversation) is None:
        raise ValidationError({"reported": _("That member isn't in this conversation.")})
    with transaction.atomic():
        report = None
        if reason and reported is not None:
            report = report_create(
                reporter=user, reason=reason, note=note, member=reported, conversation=conversation
            )
            if share:
                ConversationShare.objects.create(
                    conversation=conversation, shared_by=user, report=report
                )
        if block and reported is not None:
            block_create(blocker=user, blocked=reported)
        Participant.objects.filter(pk=participant.pk).update(left_at=timezone.now())
        if conversation.is_direct:
            _add_notice(conversation, "left")
    return report


@transaction.atomic
def message_set_moderation_state(*, actor: User, message: Message, state: str) -> Message:
    """A moderator's decision: publish (deliver a held message), hold or hide. The queue
    records the action; this changes the message and tells the conversation."""
    message = Message.objects.select_related("conversation").select_for_update().get(pk=message.pk)
    if message.moderation_state == state:
        return message
    message.moderation_state = state
    message.save(update_fields=["moderation_state"])
    _republish(message)
    return message


@transaction.atomic
def direct_approve(*, actor: User, member: User) -> DirectMessagingApproval:
    """A moderator lets a new account open one-to-ones before the usual bar."""
    from alongside.accounts.access import require_permission

    require_permission(actor, "safety.moderate_content")
    approval, _created = DirectMessagingApproval.objects.get_or_create(
        user=member, defaults={"approved_by": actor}
    )
    audit_record(
        actor=actor,
        action="chat_direct_approve",
        target_kind=ContentKind.MEMBER,
        target_id=member.pk,
        member=member,
    )
    return approval


def preferences_update(
    *, user: User, who_may_message: str, presence_visibility: str
) -> ChatPreferences:
    errors: dict[str, str] = {}
    if who_may_message not in ChatPreferences.WhoMayMessage.values:
        errors["who_may_message"] = _("Please choose who may start a conversation with you.")
    if presence_visibility not in ChatPreferences.PresenceVisibility.values:
        errors["presence_visibility"] = _("Please choose who may see when you're online.")
    if errors:
        raise ValidationError(errors)
    preferences, _created = ChatPreferences.objects.update_or_create(
        user=user,
        defaults={"who_may_message": who_may_message, "presence_visibility": presence_visibility},
    )
    return preferences
