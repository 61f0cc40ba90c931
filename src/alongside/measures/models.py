"""Questionnaire answers, the schedules that ask for them, and each occasion a measure is due.

A measure itself (items, options, scoring rules) is data, loaded by ``alongside.measures.engine``
from JSON definitions; these tables only name it by key and version. Item-level answers are the
member's and are encrypted at rest; the total and band are kept in the clear so progress charts
and (later) de-identified research can use them without decrypting anything.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.core.fields import EncryptedJSON


class MeasureSchedule(models.Model):
    """When an organisation asks its members (or one group's members) to fill in measures.

    Occasions are counted from the member's start: joining the site, or joining ``group`` when
    one is set. ``at_joining`` asks at week 0; ``every_weeks`` (2 or 4, 0 for never) repeats
    until ``end_weeks``; the end occasion is at ``end_weeks``; the follow-up is
    ``follow_up_weeks`` after the end. With ``programme`` set, occasions count from each
    participant's enrolment in the programme instead (see ``alongside.evaluation``).
    """

    name = models.CharField(max_length=120)
    measures = models.JSONField(default=list, help_text="Measure keys, in the order asked.")
    group = models.ForeignKey(
        "communities.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measure_schedules",
    )
    # A programme's schedule: occasions count from each participant's enrolment (or
    # randomisation) and apply to its live enrolments, every study arm included.
    programme = models.ForeignKey(
        "evaluation.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measure_schedules",
    )
    at_joining = models.BooleanField(default=True)
    every_weeks = models.PositiveSmallIntegerField(default=0)
    end_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    follow_up_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions: ClassVar = [
            ("manage_measure_schedules", "Can set when outcome measures are due"),
        ]

    def __str__(self) -> str:
        return self.name


class MeasureInvitation(models.Model):
    """One measure due for one member on one occasion of a schedule; the member may skip it."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        COMPLETED = "completed", _("Completed")
        SKIPPED = "skipped", _("Skipped")
        # The next occasion came before this one was answered: no longer asked for.
        LAPSED = "lapsed", _("Lapsed")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_invitations"
    )
    schedule = models.ForeignKey(
        MeasureSchedule, on_delete=models.CASCADE, related_name="invitations"
    )
    # "baseline", "week-4", "end", "follow-up": stable, so the job never asks twice.
    occasion = models.CharField(max_length=20)
    measure = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["member", "schedule", "occasion", "measure"],
                name="measures_one_invitation_per_occasion",
            )
        ]
        indexes: ClassVar = [models.Index(fields=["member", "status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.measure} for {self.member_id} ({self.occasion}, {self.status})"


class MeasureResponse(models.Model):
    """One completed questionnaire and its score, exactly as the engine computed it then."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_responses"
    )
    measure = models.CharField(max_length=40)
    measure_version = models.CharField(max_length=20)
    # Item responses in the definition's item order; None where the member left one blank.
    answers = EncryptedJSON(null=True, blank=True)
    # The reported score (after any conversion table) and the raw item total. None when the
    # score is invalid (too many items missing); ``invalid_reason`` then says why.
    score = models.FloatField(null=True, blank=True)
    raw_total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    valid = models.BooleanField(default=True)
    invalid_reason = models.CharField(max_length=300, blank=True)
    prorated = models.BooleanField(default=False)
    flags = models.JSONField(default=list, blank=True)
    invitation = models.ForeignKey(
        MeasureInvitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
    )
    completed_at = models.DateTimeField(default=timezone.now)
    # Safety pathway (an answer above 0 to a risk item such as PHQ-9 item 9): when it began,
    # the queue item that told the responder, and the member's answers to the follow-up
    # questions (encrypted: they are as sensitive as the items).
    safety_started_at = models.DateTimeField(null=True, blank=True)
    safety_item = models.ForeignKey(
        "safety.QueueItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up = EncryptedJSON(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["member", "measure", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.measure} {self.score} for {self.member_id} at {self.completed_at:%Y-%m-%d}"


class MeasureShare(models.Model):
    """A member's explicit consent that one peer supporter may see their scores and progress.

    Answers are the member's. A peer supporter sees them only while a share is in force; the
    member may withdraw it at any time, and every viewing is written to the audit log. The
    formal support issue ties shares to support relationships.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_shares"
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_shares_received"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["member", "supporter"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="measures_one_live_share_per_supporter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} shares with {self.supporter_id}"
