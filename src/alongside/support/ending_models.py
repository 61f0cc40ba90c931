"""Planned endings, the member's feedback to the organisation, and supporters' own tasks.

Feedback is for the organisation, never a public star rating of a supporter (ratings get
weaponised): administrators and supervisors read it without the member's handle, and a
supporter sees only an aggregate once enough people have given feedback. Reflections and
comments are encrypted at rest.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField


class EndingReflection(models.Model):
    """One person's reflection on a support relationship as it ends (one each, optional)."""

    relationship = models.ForeignKey(
        "support.SupportRelationship", on_delete=models.CASCADE, related_name="reflections"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["relationship", "by"], name="one_reflection_each")
        ]

    def __str__(self) -> str:
        return f"reflection on support {self.relationship_id} by {self.by_id}"


class SupportFeedback(models.Model):
    """The member's feedback after an ending, for the organisation only."""

    relationship = models.OneToOneField(
        "support.SupportRelationship", on_delete=models.CASCADE, related_name="feedback"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comments = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"feedback on support {self.relationship_id}"


class SupporterTask(models.Model):
    """Something a supporter means to do: a follow-up they promised, a write-up, anything.

    Sessions to write up are also listed without a row here (see ``ending_selectors``).
    """

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("A follow-up I promised")
        WRITE_UP = "write_up", _("Something to write up")
        CUSTOM = "custom", _("Something else")

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_tasks"
    )
    relationship = models.ForeignKey(
        "support.SupportRelationship",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    text = EncryptedTextField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["done_at", "due_at", "id"]
        indexes: ClassVar = [models.Index(fields=["supporter", "done_at"])]

    def __str__(self) -> str:
        return f"task {self.pk} of {self.supporter_id}"


class WeeklySummarySent(models.Model):
    """Remembers that a supporter's weekly summary went out, so the job runs safely twice."""

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    week_start = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["supporter", "week_start"], name="one_summary_a_week")
        ]

    def __str__(self) -> str:
        return f"weekly summary for {self.supporter_id} ({self.week_start})"

    @staticmethod
    def week_of(day: date) -> date:
        return date.fromordinal(day.toordinal() - day.weekday())


__all__ = ["EndingReflection", "SupportFeedback", "SupporterTask", "WeeklySummarySent"]
