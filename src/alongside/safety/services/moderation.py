"""Moderators' decisions: on content, on members, on sanctions and on appeals.

Each public function is one decision in one transaction. It checks that the actor holds
``safety.moderate_content`` (raising ``PermissionDenied``), validates what the moderator typed
(raising ``ValidationError`` with a message they can act on), and then, together:

- changes the content or the member's standing (content through the communities services,
  which keep the thread and group counters right);
- writes a ``ModerationAction`` and an ``AuditEntry``;
- resolves the queue item when the decision settles it, sets each pending report's outcome
  and tells each reporter in general terms (never who was sanctioned or how);
- tells the member, where they should know, with the reason the moderator gave;
- announces the change to open moderation pages after commit.

A moderator never decides about themselves: an item about their own content or account, or
an appeal against a sanction they issued, goes to someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.access import has_permission
from alongside.chat.models import Message
from alongside.communities.models import ModerationState, Post
from alongside.notifications.models import NotificationKind
from alongside.notifications.services import notify_message
from alongside.safety.live import announce_queue_change
from alongside.safety.models import (
    Appeal,
    ContentKind,
    ModerationAction,
    QueueItem,
    Report,
    Sanction,
)
from alongside.safety.services.audit import audit_record

if TYPE_CHECKING:
    from alongside.accounts.models import User

MODERATE_CONTENT = "safety.moderate_content"
REASON_MAX = 1000
NOTE_MAX = 2000
APPEAL_MAX = 2000
DAYS_MAX = 3650
# How long the middleware trusts its cached answer to "is this member suspended?". The
# services here forget it at once; this bounds a suspension written any other way.
SUSPENSION_CACHE_SECONDS = 60


# --- Checks ---------------------------------------------------------------------------------


def _require_moderator(actor: User) -> None:
    if not has_permission(actor, MODERATE_CONTENT):
        raise PermissionDenied(_("Only moderators can do this."))


def _require_not_about_self(actor: User, member: User | None) -> None:
    if member is not None and member.pk == actor.pk:
        raise PermissionDenied(_("This is about you, so another moderator needs to decide it."))


def _clean(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _required_text(value: str | None, *, field: str, maximum: int, message: str) -> str:
    text = _clean(value)
    if not text:
        raise ValidationError({field: message})
    if len(text) > maximum:
        raise ValidationError(
            {field: _("Please keep this under %(max)d characters.") % {"max": maximum}}
        )
    return text


def _optional_text(value: str | None, *, field: str, maximum: int) -> str:
    text = _clean(value)
    if len(text) > maximum:
        raise ValidationError(
            {field: _("Please keep this under %(max)d characters.") % {"max": maximum}}
        )
    return text


def _reason(value: str | None) -> str:
    return _required_text(
        value,
        field="reason",
        maximum=REASON_MAX,
        message=_("Please give a reason. The member will see it."),
    )


def _note(value: str | None) -> str:
    return _optional_text(value, field="note", maximum=NOTE_MAX)


def _days(value: int | None, *, required: bool) -> int | None:
    if value is None:
        if required:
            raise ValidationError({"days": _("Please say for how many days.")})
        return None
    if value < 1 or value > DAYS_MAX:
        raise ValidationError({"days": _("Choose between 1 and %(max)d days.") % {"max": DAYS_MAX}})
    return value


# --- The suspension cache the middleware reads ----------------------------------------------


def suspension_cache_key(user_id: int) -> str:
    return f"safety:suspension:{user_id}"


def forget_suspension(user_id: int) -> None:
    """Drop the middleware's cached answer now and again after commit."""
    key = suspension_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


# --- Content --------------------------------------------------------------------------------


def _lock(item: QueueItem) -> QueueItem:
    """The item as it is now, locked where the database can (two moderators, one decision)."""
    return QueueItem.objects.select_for_update().select_related("member").get(pk=item.pk)


def _post_for(item: QueueItem) -> Post:
    if item.kind != ContentKind.POST:
        raise ValidationError(_("This item is not a post."))
    post = (
        Post.objects.select_related("thread", "thread__group", "author")
        .filter(pk=item.object_id)
        .first()
    )
    if post is None:
        raise ValidationError(_("This post no longer exists."))
    if post.deleted_at is not None:
        raise ValidationError(_("The author removed this post, so there is nothing to change."))
    return post


def _message_for(item: QueueItem) -> Message:
    message = Message.objects.filter(pk=item.object_id).first()
    if message is None:
        raise ValidationError(_("This message no longer exists."))
    if message.deleted_at is not None:
        raise ValidationError(_("The message was removed, so there is nothing to change."))
    return message


def _content_state(item: QueueItem) -> str | None:
    """The content's moderation state: a post's or message's, or a bio's (held or published)."""
    if item.kind == ContentKind.MESSAGE:
        message_state = Message.objects.filter(pk=item.object_id).values_list(
            "moderation_state", flat=True
        )
        return message_state.first()
    if item.kind == ContentKind.POST:
        state = Post.objects.filter(pk=item.object_id).values_list("moderation_state", flat=True)
        return state.first()
    if item.kind == ContentKind.PROFILE:
        return ModerationState.HELD if item.member.bio_held else ModerationState.PUBLISHED
    return None


def _set_state(*, actor: User, item: QueueItem, state: str) -> None:
    """Publish, hold or hide the item's content through the service that owns it."""
    if item.kind == ContentKind.POST:
        from alongside.communities import services as communities_services

        communities_services.post_set_moderation_state(
            actor=actor, post=_post_for(item), state=state
        )
    elif item.kind == ContentKind.PROFILE:
        member = item.member
        member.bio_held = state != ModerationState.PUBLISHED
        member.save(update_fields=["bio_held"])
    elif item.kind == ContentKind.MESSAGE:
        from alongside.chat import services as chat_services

        chat_services.message_set_moderation_state(
            actor=actor, message=_message_for(item), state=state
        )
    else:
        raise ValidationError(_("This item is about a member, not a piece of content."))


def _content_words(item: QueueItem) -> str:
    """How the member's own content is named in a message to them."""
    if item.kind == ContentKind.PROFILE:
        return _("your profile bio")
    if item.kind == ContentKind.MESSAGE:
        return _("your chat message")
    if item.kind == ContentKind.CONVERSATION:
        return _("a conversation you were in")
    title = Post.objects.filter(pk=item.object_id).values_list("thread__title", flat=True).first()
    if title is None:
        return _("your post")
    return _("your post in “%(title)s”") % {"title": title}


def _content_link(item: QueueItem) -> str:
    if item.kind == ContentKind.PROFILE:
        return reverse("accounts:profile", args=[item.member.handle])
    if item.kind == ContentKind.MESSAGE:
        conversation_id = (
            Message.objects.filter(pk=item.object_id).values_list("conversation_id", flat=True)
        ).first()
        if conversation_id is None:
            return ""
        return reverse("chat:conversation", args=[conversation_id]) + f"#message-{item.object_id}"
    if item.kind != ContentKind.POST:
        return ""
    row = (
        Post.objects.filter(pk=item.object_id)
        .values_list("thread_id", "thread__group__slug")
        .first()
    )
    if row is None:
        return ""
    thread_id, slug = row
    thread_url = reverse("communities:thread_detail", kwargs={"slug": slug, "thread_id": thread_id})
    return f"{thread_url}?post={item.object_id}#post-{item.object_id}"


def _record(
    *,
    actor: User | None,
    kind: str,
    member: User | None,
    item: QueueItem | None = None,
    reason: str = "",
    note: str = "",
    detail: dict[str, object] | None = None,
) -> ModerationAction:
    """The ModerationAction and its audit entry, in the caller's transaction."""
    action = ModerationAction.objects.create(
        moderator=actor,
        kind=kind,
        item=item,
        member=member,
        content_kind=item.kind if item is not None else "",
        content_id=item.object_id if item is not None else None,
        reason=reason,
        note=note,
    )
    audit_detail: dict[str, object] = {"action_id": action.pk}
    if item is not None:
        audit_detail["item_id"] = item.pk
    if reason:
        audit_detail["reason"] = reason
    if note:
        audit_detail["note"] = note
    audit_detail.update(detail or {})
    audit_record(
        actor=actor,
        action=kind,
        target_kind=item.kind if item is not None else ContentKind.MEMBER,
        target_id=item.object_id if item is not None else (member.pk if member else None),
        member=member,
        detail=audit_detail,
    )
    return action


def _tell_reporters(*, item: QueueItem, outcome: str, now: datetime) -> None:
    """Set each pending report's outcome and tell the reporter, in general terms only."""
    if outcome == Report.Outcome.ACTION_TAKEN:
        message = _(
            "Thank you for your report. A moderator looked at it and took action under the "
            "community agreement. To protect everyone's privacy we don't share the details."
        )
    else:
        message = _(
            "Thank you for your report. A moderator looked at it carefully and decided it "
            "doesn't break the community agreement, so it stays as it is. You can always "
            "block or mute someone if you'd rather not see them."
        )
    pending = list(
        Report.objects.filter(item=item, outcome=Report.Outcome.PENDING).select_related("reporter")
    )
    for report in pending:
        report.outcome = outcome
        report.outcome_at = now
        report.save(update_fields=["outcome", "outcome_at"])
        notify_message(
            recipient=report.reporter,
            kind=NotificationKind.REPORT_OUTCOME,
            message=message,
            link=reverse("safety_member:reports"),
        )


def _acknowledge_alert(*, actor: User, item: QueueItem) -> None:
    """A decision on an urgent item answers its alert, so it stops escalating."""
    from alongside.safety.models import Alert

    alert = Alert.objects.filter(item=item, acknowledged_at__isnull=True).first()
    if alert is None:
        return
    from alongside.safety.services.alerts import alert_acknowledge

    alert_acknowledge(actor=actor, alert=alert)


def _resolve(*, actor: User, item: QueueItem, resolution: str, outcome: str) -> bool:
    """Close an open item with this resolution and its reports with this outcome.

    Returns False when the item was already resolved (a later decision, such as a sanction
    after hiding, does not reopen or re-resolve it).
    """
    if item.status != QueueItem.Status.OPEN:
        return False
    _acknowledge_alert(actor=actor, item=item)
    now = timezone.now()
    item.status = QueueItem.Status.RESOLVED
    item.resolved_at = now
    item.resolved_by = actor
    item.resolution = resolution
    item.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    _tell_reporters(item=item, outcome=outcome, now=now)
    return True


def _settle_content(
    *,
    actor: User,
    item: QueueItem,
    kind: str,
    outcome: str,
    reason: str = "",
    note: str = "",
    member_message: str = "",
    detail: dict[str, object] | None = None,
) -> ModerationAction:
    """The common end of every content decision."""
    action = _record(
        actor=actor,
        kind=kind,
        member=item.member,
        item=item,
        reason=reason,
        note=note,
        detail=detail,
    )
    _resolve(actor=actor, item=item, resolution=kind, outcome=outcome)
    if member_message:
        notify_message(
            recipient=item.member,
            kind=NotificationKind.MODERATION,
            message=member_message,
            link=_content_link(item),
        )
    announce_queue_change(item_id=item.pk, tier=item.tier, event="resolved")
    return action


@transaction.atomic
def item_approve(*, actor: User, item: QueueItem, note: str = "") -> ModerationAction:
    """Publish held content: a moderator looked and it is fine to show.

    Hidden content is restored with ``item_restore`` instead, so that undoing another
    moderator's decision is a decision of its own in the log.
    """
    _require_moderator(actor)
    item = _lock(item)
    _require_not_about_self(actor, item.member)
    note = _note(note)
    state = _content_state(item)
    if state == ModerationState.HIDDEN:
        raise ValidationError(_("A moderator hid this. Use “Restore” to show it again."))
    was_held = state == ModerationState.HELD
    if not was_held and item.status != QueueItem.Status.OPEN:
        raise ValidationError(_("This item was already resolved."))
    if was_held:
        _set_state(actor=actor, item=item, state=ModerationState.PUBLISHED)
    message = ""
    if was_held:
        message = _(
            "A moderator checked %(content)s and it is now visible to everyone. "
            "Thank you for your patience."
        ) % {"content": _content_words(item)}
    return _settle_content(
        actor=actor,
        item=item,
        kind=ModerationAction.Kind.APPROVE,
        outcome=Report.Outcome.NO_ACTION,
        note=note,
        member_message=message,
        detail={"was_held": was_held},
    )


@transaction.atomic
def item_hide(*, actor: User, item: QueueItem, reason: str, note: str = "") -> ModerationAction:
    """Hide the content from other members (its author and moderators still see it)."""
    _require_moderator(actor)
    item = _lock(item)
    _require_not_about_self(actor, item.member)
    reason, note = _reason(reason), _note(note)
    _set_state(actor=actor, item=item, state=ModerationState.HIDDEN)
    message = _(
        "A moderator hid %(content)s from other members. You can still see it. Reason: %(reason)s"
    ) % {"content": _content_words(item), "reason": reason}
    return _settle_content(
        actor=actor,
        item=item,
        kind=ModerationAction.Kind.HIDE,
        outcome=Report.Outcome.ACTION_TAKEN,
        reason=reason,
        note=note,
        member_message=message,
    )


@transaction.atomic
def item_restore(
    *, actor: User, item: QueueItem, reason: str = "", note: str = ""
) -> ModerationAction:
    """Show hidden or held content again (undoing a hide, say after an appeal or a mistake)."""
    _require_moderator(actor)
    item = _lock(item)
    _require_not_about_self(actor, item.member)
    reason, note = _optional_text(reason, field="reason", maximum=REASON_MAX), _note(note)
    if _content_state(item) == ModerationState.PUBLISHED:
        raise ValidationError(_("This is already visible to everyone."))
    _set_state(actor=actor, item=item, state=ModerationState.PUBLISHED)
    message = _("A moderator made %(content)s visible to everyone again.") % {
        "content": _content_words(item)
    }
    if reason:
        message += " " + _("Reason: %(reason)s") % {"reason": reason}
    return _settle_content(
        actor=actor,
        item=item,
        kind=ModerationAction.Kind.RESTORE,
        outcome=Report.Outcome.NO_ACTION,
        reason=reason,
        note=note,
        member_message=message,
    )


@transaction.atomic
def item_add_content_warning(
    *, actor: User, item: QueueItem, content_warning: str, reason: str, note: str = ""
) -> ModerationAction:
    """Put a content warning on a post, with a visible note saying a moderator added it.

    A held post stays held; publishing it is a separate decision (``item_approve``).
    """
    from alongside.communities import services as communities_services

    _require_moderator(actor)
    item = _lock(item)
    _require_not_about_self(actor, item.member)
    warning = _required_text(
        content_warning,
        field="content_warning",
        maximum=120,
        message=_("Please write the content warning."),
    )
    reason, note = _reason(reason), _note(note)
    post = _post_for(item)
    communities_services.post_moderator_edit(
        actor=actor,
        post=post,
        content_warning=warning,
        note=_("A moderator added a content warning."),
    )
    message = _(
        "A moderator added the content warning “%(warning)s” to %(content)s. Reason: %(reason)s"
    ) % {"warning": warning, "content": _content_words(item), "reason": reason}
    return _settle_content(
        actor=actor,
        item=item,
        kind=ModerationAction.Kind.CONTENT_WARNING,
        outcome=Report.Outcome.ACTION_TAKEN,
        reason=reason,
        note=note,
        member_message=message,
        detail={"content_warning": warning},
    )


@transaction.atomic
def item_edit(
    *, actor: User, item: QueueItem, body: str, visible_note: str, note: str = ""
) -> ModerationAction:
    """Edit a post's text; ``visible_note`` is shown under the post and sent to the author.

    The earlier text is kept as a revision by the communities service; the audit log holds
    ids and the note, never the text.
    """
    from alongside.communities import services as communities_services

    _require_moderator(actor)
    item = _lock(item)
    _require_not_about_self(actor, item.member)
    visible = _required_text(
        visible_note,
        field="visible_note",
        maximum=300,
        message=_("Please say why you edited it. Everyone will see this note."),
    )
    note = _note(note)
    post = _post_for(item)
    communities_services.post_moderator_edit(actor=actor, post=post, body=body, note=visible)
    message = _("A moderator edited %(content)s. Their note: %(note)s") % {
        "content": _content_words(item),
        "note": visible,
    }
    return _settle_content(
        actor=actor,
        item=item,
        kind=ModerationAction.Kind.EDIT,
        outcome=Report.Outcome.ACTION_TAKEN,
        reason=visible,
        note=note,
        member_message=message,
    )


@transaction.atomic
def item_dismiss(*, actor: User, item: QueueItem, note: str = "") -> ModerationAction:
    """No action needed. The member is not told (they may never have known about it).

    Held content cannot be dismissed: it would stay held with nobody looking. Approve or
    hide it instead.
    """
    _require_moderator(actor)
    item = _lock(item)
    _require_not_about_self(actor, item.member)
    note = _note(note)
    if _content_state(item) == ModerationState.HELD:
        raise ValidationError(
            _("This is still held back from members. Approve it or hide it instead.")
        )
    if item.status != QueueItem.Status.OPEN:
        raise ValidationError(_("This item was already resolved."))
    return _settle_content(
        actor=actor,
        item=item,
        kind=ModerationAction.Kind.DISMISS,
        outcome=Report.Outcome.NO_ACTION,
        note=note,
    )


# --- Sanctions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LadderStep:
    """One rung of ``settings.SAFETY_SANCTION_LADDER``: a warning, a mute or a suspension."""

    kind: str  # a Sanction.Kind value
    days: int | None = None

    @property
    def code(self) -> str:
        if self.kind == Sanction.Kind.WARNING:
            return "warning"
        name = "mute" if self.kind == Sanction.Kind.MUTE else "suspend"
        return f"{name}:{self.days}" if self.days else name

    @property
    def label(self) -> str:
        if self.kind == Sanction.Kind.WARNING:
            return _("a warning")
        if self.kind == Sanction.Kind.MUTE:
            return _("mute for %(days)d days") % {"days": self.days or 0}
        if self.days:
            return _("suspend for %(days)d days") % {"days": self.days}
        return _("suspend permanently")


def parse_ladder_step(text: str) -> LadderStep:
    """``"warning"``, ``"mute:DAYS"``, ``"suspend:DAYS"`` or ``"suspend"`` (permanent)."""
    name, _sep, days_text = text.strip().partition(":")
    days = int(days_text) if days_text.strip().isdigit() else None
    if days_text and days is None:
        raise ImproperlyConfigured(f"Sanction ladder step {text!r}: days must be a number.")
    if name == "warning" and days is None:
        return LadderStep(kind=Sanction.Kind.WARNING)
    if name == "mute" and days:
        return LadderStep(kind=Sanction.Kind.MUTE, days=days)
    if name == "suspend":
        return LadderStep(kind=Sanction.Kind.SUSPENSION, days=days or None)
    raise ImproperlyConfigured(
        f"Sanction ladder step {text!r}: use warning, mute:DAYS, suspend:DAYS or suspend."
    )


def sanction_ladder() -> list[LadderStep]:
    steps = [parse_ladder_step(step) for step in settings.SAFETY_SANCTION_LADDER]
    if not steps:
        raise ImproperlyConfigured("SAFETY_SANCTION_LADDER needs at least one step.")
    return steps


def ladder_next_step(member: User) -> LadderStep:
    """The step after the member's prior sanctions; lifted or overturned ones do not count.

    Past the last rung, the last rung again.
    """
    prior = Sanction.objects.filter(member=member, lifted_at__isnull=True).count()
    steps = sanction_ladder()
    return steps[min(prior, len(steps) - 1)]


def _ends_phrase(ends_at: datetime | None) -> str:
    if ends_at is None:
        return ""
    return timezone.localtime(ends_at).strftime("%d %B %Y, %H:%M")


@transaction.atomic
def member_sanction(
    *,
    actor: User,
    member: User,
    kind: str,
    reason: str,
    days: int | None = None,
    note: str = "",
    item: QueueItem | None = None,
) -> Sanction:
    """Warn, mute (for ``days``) or suspend (for ``days``, or permanently when None).

    The member is told with the reason and how to appeal; with an ``item``, the decision
    resolves it and its reporters hear that action was taken.
    """
    _require_moderator(actor)
    _require_not_about_self(actor, member)
    if kind not in Sanction.Kind.values:
        raise ValidationError({"kind": _("Choose a warning, a mute or a suspension.")})
    reason, note = _reason(reason), _note(note)
    if kind == Sanction.Kind.WARNING:
        days = None
    else:
        days = _days(days, required=kind == Sanction.Kind.MUTE)
    if item is not None:
        item = _lock(item)
        if item.member_id != member.pk:
            raise ValidationError(_("This item is about a different member."))
    now = timezone.now()
    ends_at = now + timedelta(days=days) if days else None
    action_kind = {
        Sanction.Kind.WARNING: ModerationAction.Kind.WARN,
        Sanction.Kind.MUTE: ModerationAction.Kind.MUTE,
        Sanction.Kind.SUSPENSION: ModerationAction.Kind.SUSPEND,
    }[Sanction.Kind(kind)]
    action = _record(
        actor=actor,
        kind=action_kind,
        member=member,
        item=item,
        reason=reason,
        note=note,
        detail={"days": days, "ends_at": ends_at.isoformat() if ends_at else None},
    )
    sanction = Sanction.objects.create(
        member=member,
        kind=kind,
        reason=reason,
        starts_at=now,
        ends_at=ends_at,
        issued_by=actor,
        action=action,
    )
    if item is not None:
        _resolve(
            actor=actor, item=item, resolution=action_kind, outcome=Report.Outcome.ACTION_TAKEN
        )
        announce_queue_change(item_id=item.pk, tier=item.tier, event="resolved")
    if kind == Sanction.Kind.SUSPENSION:
        forget_suspension(member.pk)
    notify_message(
        recipient=member,
        kind=NotificationKind.MODERATION,
        message=_sanction_message(sanction),
        link=reverse("safety_appeals:list"),
    )
    return sanction


def _sanction_message(sanction: Sanction) -> str:
    values = {"reason": sanction.reason, "until": _ends_phrase(sanction.ends_at)}
    if sanction.kind == Sanction.Kind.WARNING:
        text = _("A moderator has sent you a warning. Reason: %(reason)s") % values
    elif sanction.kind == Sanction.Kind.MUTE:
        text = (
            _(
                "A moderator has paused your posting until %(until)s. You can still read. "
                "Reason: %(reason)s"
            )
            % values
        )
    elif sanction.ends_at is not None:
        text = _("Your account is suspended until %(until)s. Reason: %(reason)s") % values
    else:
        text = _("Your account is suspended. Reason: %(reason)s") % values
    return text + " " + _("If you think this is wrong, you can appeal.")


@transaction.atomic
def member_apply_next_step(
    *, actor: User, member: User, reason: str, note: str = "", item: QueueItem | None = None
) -> Sanction:
    """Apply the step ``ladder_next_step`` proposes for this member."""
    step = ladder_next_step(member)
    return member_sanction(
        actor=actor,
        member=member,
        kind=step.kind,
        days=step.days,
        reason=reason,
        note=note,
        item=item,
    )


def _lift(*, actor: User, sanction: Sanction, reason: str, note: str = "") -> ModerationAction:
    now = timezone.now()
    sanction.lifted_at = now
    sanction.lifted_by = actor
    sanction.save(update_fields=["lifted_at", "lifted_by"])
    action = _record(
        actor=actor,
        kind=ModerationAction.Kind.LIFT,
        member=sanction.member,
        reason=reason,
        note=note,
        detail={"sanction_id": sanction.pk, "sanction_kind": sanction.kind},
    )
    if sanction.kind == Sanction.Kind.SUSPENSION:
        forget_suspension(sanction.member_id)
    return action


@transaction.atomic
def sanction_lift(
    *, actor: User, sanction: Sanction, reason: str, note: str = ""
) -> ModerationAction:
    """End a sanction early; it no longer counts on the member's ladder."""
    _require_moderator(actor)
    sanction = Sanction.objects.select_for_update().select_related("member").get(pk=sanction.pk)
    _require_not_about_self(actor, sanction.member)
    reason, note = _reason(reason), _note(note)
    if sanction.lifted_at is not None:
        raise ValidationError(_("This was already lifted."))
    action = _lift(actor=actor, sanction=sanction, reason=reason, note=note)
    notify_message(
        recipient=sanction.member,
        kind=NotificationKind.MODERATION,
        message=_("A moderator lifted the %(kind)s on your account. Reason: %(reason)s")
        % {"kind": sanction.get_kind_display().split(":")[0].lower(), "reason": reason},
        link=reverse("safety_appeals:list"),
    )
    return action


# --- Appeals --------------------------------------------------------------------------------


@transaction.atomic
def appeal_create(*, member: User, sanction: Sanction, text: str) -> Appeal:
    """A member asks for a second look at one of their sanctions, once per sanction.

    Works for suspended members too (they reach the form through the signed link the
    suspension page gives them; see ``safety.middleware``).
    """
    if sanction.member_id != member.pk:
        raise PermissionDenied(_("You can only appeal decisions about your own account."))
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    text = _required_text(
        text,
        field="text",
        maximum=APPEAL_MAX,
        message=_("Please tell us why you think the decision should change."),
    )
    if sanction.lifted_at is not None:
        raise ValidationError(_("This decision was already lifted, so there is nothing to appeal."))
    if Appeal.objects.filter(sanction=sanction).exists():
        raise ValidationError(_("You have already appealed this decision."))
    appeal = Appeal.objects.create(sanction=sanction, member=member, text=text)
    audit_record(
        actor=member,
        action="appeal_create",
        target_kind="sanction",
        target_id=sanction.pk,
        member=member,
        detail={"appeal_id": appeal.pk},
    )
    return appeal


@transaction.atomic
def appeal_decide(*, actor: User, appeal: Appeal, overturn: bool, note: str) -> Appeal:
    """Uphold or overturn, with a note the member reads; overturning lifts the sanction.

    Only a moderator other than the one who issued the sanction may decide.
    """
    _require_moderator(actor)
    appeal = (
        Appeal.objects.select_for_update().select_related("sanction", "member").get(pk=appeal.pk)
    )
    sanction = appeal.sanction
    if sanction.issued_by_id == actor.pk:
        raise PermissionDenied(
            _("You made this decision, so another moderator needs to decide the appeal.")
        )
    _require_not_about_self(actor, appeal.member)
    if appeal.status != Appeal.Status.OPEN:
        raise ValidationError(_("This appeal was already decided."))
    note = _required_text(
        note,
        field="note",
        maximum=NOTE_MAX,
        message=_("Please explain the decision. The member will read this."),
    )
    now = timezone.now()
    appeal.status = Appeal.Status.OVERTURNED if overturn else Appeal.Status.UPHELD
    appeal.decided_by = actor
    appeal.decided_at = now
    appeal.decision_note = note
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if overturn and sanction.lifted_at is None:
        _lift(actor=actor, sanction=sanction, reason=note, note=f"appeal {appeal.pk} overturned")
    audit_record(
        actor=actor,
        action="appeal_decide",
        target_kind="appeal",
        target_id=appeal.pk,
        member=appeal.member,
        detail={"sanction_id": sanction.pk, "status": appeal.status, "note": note},
    )
    if overturn:
        message = _(
            "A moderator looked at your appeal and overturned the decision. It no longer "
            "applies to your account. Their note: %(note)s"
        ) % {"note": note}
    else:
        message = _(
            "A moderator looked at your appeal and the decision stands. Their note: %(note)s"
        ) % {"note": note}
    notify_message(
        recipient=appeal.member,
        kind=NotificationKind.MODERATION,
        message=message,
        link=reverse("safety_appeals:list"),
    )
    return appeal


# --- Looking at held content ----------------------------------------------------------------


@transaction.atomic
def held_content_view_record(
    *,
    actor: User,
    item: QueueItem,
    post_ids: list[int] | None = None,
    message_ids: list[int] | None = None,
) -> None:
    """Write the audit entry for a moderator opening content other members cannot see."""
    _require_moderator(actor)
    detail: dict[str, object] = {"item_id": item.pk, "post_ids": post_ids or []}
    if message_ids:
        detail["message_ids"] = message_ids
    audit_record(
        actor=actor,
        action="view_held_content",
        target_kind=item.kind,
        target_id=item.object_id,
        member=item.member,
        detail=detail,
    )


def shared_conversation_read_record(
    *, actor: User, item: QueueItem, conversation_id: int, message_ids: list[int]
) -> None:
    """A moderator read a one-to-one that a participant shared when reporting: every
    reading is written to the audit log, with which messages were on the page."""
    _require_moderator(actor)
    audit_record(
        actor=actor,
        action="read_shared_conversation",
        target_kind=ContentKind.CONVERSATION,
        target_id=conversation_id,
        member=item.member,
        detail={"item_id": item.pk, "message_ids": message_ids},
    )
