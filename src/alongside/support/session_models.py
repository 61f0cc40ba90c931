"""Scheduled live sessions within a support relationship, and the supporter's notes after them.

Asynchronous messages need nothing here: they are the relationship's one-to-one conversation.
A session is a time both people agreed on, stored in UTC; each person sees it in their own time
zone (the supporter's profile zone; the zone the member chose when booking). Notes are
encrypted at rest and read only through ``session_selectors``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField


class SupportSession(models.Model):
    """One booked live session; moved or cancelled in place, with a reason."""

    class Mode(models.TextChoices):
        CHAT = "chat", _("Live chat (in your conversation)")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone call")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        RESCHEDULED = "rescheduled", _("Moved to a new time")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Happened")
        MISSED = "missed", _("Did not happen")

    # Sessions still to come (or running): they hold the supporter's time.
    ACTIVE_STATUSES: ClassVar[tuple[str, ...]] = (Status.BOOKED, Status.RESCHEDULED)

    relationship = models.ForeignKey(
        "support.SupportRelationship", on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=50)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.CHAT)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    # The zone the member sees times in (an IANA name); the supporter's is on their profile.
    member_time_zone = models.CharField(max_length=64, default="UTC")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    reschedule_reason = models.CharField(max_length=500, blank=True)
    # At most one reminder of each kind; both are cleared when the session moves.
    reminder_day_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_hour_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["starts_at", "id"]
        indexes: ClassVar = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"support session {self.pk} ({self.status})"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class SessionNote(models.Model):
    """The supporter's structured note after a session; every text field is encrypted."""

    session = models.OneToOneField(SupportSession, on_delete=models.CASCADE, related_name="note")
    talked_about = EncryptedTextField(null=True, blank=True)
    what_helped = EncryptedTextField(null=True, blank=True)
    next_steps = EncryptedTextField(null=True, blank=True)
    risk_noticed = EncryptedTextField(null=True, blank=True)
    risk_action = EncryptedTextField(null=True, blank=True)
    risk_flag = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note on session {self.session_id}"


__all__ = ["SessionNote", "SupportSession"]
