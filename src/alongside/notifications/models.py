"""In-app notifications and each member's choice of which kinds they receive."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("Replies to my threads")
    MENTION = "mention", _("Mentions of my handle")
    REACTION = "reaction", _("Reactions to my posts")
    MODERATION = "moderation", _("Messages from the moderators")
    REPORT_OUTCOME = "report_outcome", _("What happened to my reports")
    SAFETY_ALERT = "safety_alert", _("Urgent safety alerts (moderators)")
    MEASURE_DUE = "measure_due", _("Questionnaires that are due")
    SUPPORT = "support", _("Peer support: requests, offers, relationships and sessions")


class Notification(models.Model):
    """Something that happened that one member may want to know about."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        "communities.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(
        "communities.Thread", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Reaction kind, for reaction notifications.
    detail = models.CharField(max_length=40, blank=True)
    # A message written for this member (a moderator's warning, a report's outcome), and
    # where opening the notification leads when it is not about a post.
    message = models.TextField(blank=True, max_length=2000)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreference(models.Model):
    """A member's choice for one kind; no row means the default (on in the app, no email)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_notification_pref"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
