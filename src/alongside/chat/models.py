"""Live conversations: one-to-one, always-open group rooms and scheduled facilitated sessions.

Delivery rests on one number per conversation, ``Conversation.last_seq``: every change in a
conversation (a message sent, edited, removed, reacted to, approved) takes the next number
inside the transaction that makes it, and the message row keeps the number of its latest
change in ``updated_seq``. A client that remembers the highest number it has seen can always
ask for everything after it, so nothing is lost across a dropped connection and nothing
arrives twice. ``docs/realtime.md`` explains the whole path.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.communities.models import Group, ModerationState, Reaction


class Conversation(models.Model):
    """A place where people talk live. Rooms and sessions belong to a group."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("One-to-one")
        ROOM = "room", _("Group room")
        SESSION = "session", _("Facilitated session")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_rooms"
    )
    title = models.CharField(_("name"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The number of the latest change; taken under a row lock, so gapless and in commit order.
    last_seq = models.PositiveBigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)

    # Facilitation (rooms and sessions).
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_rooms",
    )
    ground_rules = models.TextField(_("ground rules"), max_length=2000, blank=True)
    slow_mode_seconds = models.PositiveIntegerField(_("slow mode (seconds)"), default=0)
    # A facilitator ended the session (or closed the room): no sending until then.
    closed_until = models.DateTimeField(null=True, blank=True)

    # The weekly schedule of a facilitated session, in its own time zone.
    schedule_weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # 0 = Monday
    schedule_start = models.TimeField(null=True, blank=True)
    schedule_minutes = models.PositiveSmallIntegerField(default=60)
    schedule_timezone = models.CharField(max_length=64, default="Europe/London")

    class Meta:
        indexes: ClassVar = [models.Index(fields=["group", "kind"])]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"

    @property
    def is_direct(self) -> bool:
        return self.kind == self.Kind.DIRECT


class Participant(models.Model):
    """Someone in a conversation, with how far they have read."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_seq = models.PositiveBigIntegerField(default=0)
    # Muted by the facilitator for this session (or a while, in an always-open room).
    muted_until = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_participant_each")
        ]
        indexes: ClassVar = [models.Index(fields=["user", "left_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    """One message, or a notice the platform adds (a safety warning both people see)."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Message")
        NOTICE = "notice", _("Notice")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_messages",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MEMBER)
    notice_code = models.CharField(max_length=40, blank=True)
    # The sender's own id for this message: a retry after a dropped connection finds the
    # message already sent instead of sending a second copy.
    client_id = models.CharField(max_length=64, blank=True)
    body = models.TextField(_("message"), max_length=4000)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_warning = models.CharField(_("content warning"), max_length=120, blank=True)
    moderation_state = models.CharField(
        max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED
    )
    seq = models.PositiveBigIntegerField()
    updated_seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="one_message_per_seq"),
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=~Q(client_id=""),
                name="one_message_per_client_id",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["conversation", "updated_seq"])]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.conversation_id}"


class MessageReaction(models.Model):
    """A supportive reaction to a message: the same four as on posts."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Reaction.Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["message", "user", "kind"], name="unique_message_reaction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.message_id}"


class ChatPreferences(models.Model):
    """Who may start a one-to-one with a member, and who may see when they are online."""

    class WhoMayMessage(models.TextChoices):
        NOBODY = "nobody", _("Nobody")
        SUPPORTERS = "supporters", _("Peer supporters only")
        GROUPS = "groups", _("Members of my groups and peer supporters")

    class PresenceVisibility(models.TextChoices):
        NOBODY = "nobody", _("Nobody")
        DIRECT = "direct", _("People in my one-to-one conversations")
        CONVERSATIONS = "conversations", _("Also people in the group rooms I'm in")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_preferences"
    )
    who_may_message = models.CharField(
        _("Who may start a one-to-one conversation with me"),
        max_length=12,
        choices=WhoMayMessage.choices,
        default=WhoMayMessage.GROUPS,
    )
    presence_visibility = models.CharField(
        _("Who may see when I'm online"),
        max_length=14,
        choices=PresenceVisibility.choices,
        default=PresenceVisibility.DIRECT,
    )

    def __str__(self) -> str:
        return f"chat preferences of {self.user_id}"


class DirectMessagingApproval(models.Model):
    """A moderator let a new account open one-to-one conversations before the usual bar."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="direct_approval"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"direct messaging approved for {self.user_id}"


class ConversationShare(models.Model):
    """A participant who left and reported chose to let moderators read the conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="shares")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(
        "safety.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"conversation {self.conversation_id} shared by {self.shared_by_id}"
