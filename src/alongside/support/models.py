"""Formal peer support: trained supporters, requests for support, and support relationships.

Informal support (members helping each other in groups) needs no structure. Formal support
from trained peer supporters does: a member asks in their own words, matching suggests
supporters and says why in plain words, the member chooses, the supporter accepts, and a
time-limited support relationship with an agreed focus begins. Free text a member writes
about themselves is encrypted at rest.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField


class SupporterProfile(models.Model):
    """What matching needs to know about a peer supporter, kept by the supporter themselves.

    Training and probation are set by supervisors (``TrainingRecord``, ``ProbationReview``);
    the background check lives on ``User.background_check_cleared_at``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporter_profile"
    )
    # Vocabulary: settings.LIVED_EXPERIENCE_AREAS, the same words members choose from.
    lived_experience_areas = models.JSONField(_("lived experience"), default=list, blank=True)
    # Language codes (settings.LANGUAGES) the supporter is comfortable supporting in.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Self-described and optional; matching only looks at it when a member asks for it.
    gender = models.CharField(_("gender (optional)"), max_length=60, blank=True)
    # [{"weekday": 0-6 (Monday 0), "start": "HH:MM", "end": "HH:MM"}] in ``time_zone``.
    availability = models.JSONField(_("weekly availability"), default=list, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    caseload_cap = models.PositiveSmallIntegerField(_("most people supported at once"), default=5)
    on_duty = models.BooleanField(_("on duty"), default=False)
    accepting_requests = models.BooleanField(_("taking new people"), default=True)
    # New supporters take one person at a time until a supervisor has approved their first
    # conversations this many times.
    on_probation = models.BooleanField(default=True)
    probation_reviews_required = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions: ClassVar = [
            ("supervise", "Can supervise peer supporters (training, probation, coordination)"),
        ]

    def __str__(self) -> str:
        return f"supporter profile of {self.user_id}"

    @property
    def effective_cap(self) -> int:
        """The most people this supporter may support at once (one while on probation)."""
        return min(1, self.caseload_cap) if self.on_probation else self.caseload_cap


class TrainingRecord(models.Model):
    """One training module a supporter completed, recorded by a supervisor."""

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    module = models.CharField(_("module"), max_length=120)
    completed_on = models.DateField(_("completed on"))
    # Some training (safeguarding, first aid) must be refreshed.
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.module} ({self.completed_on})"


class ProbationReview(models.Model):
    """A supervisor's review of a supporter on probation, usually of one relationship.

    Enough approvals (``SupporterProfile.probation_reviews_required``) end probation and lift
    the one-person limit.
    """

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Good to go: approve this conversation")
        CONTINUE = "continue", _("Keep reviewing")

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="probation_reviews"
    )
    relationship = models.ForeignKey(
        "support.SupportRelationship",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="probation_reviews",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"probation review of {self.supporter_id}: {self.decision}"


class SupportRequest(models.Model):
    """A member asking for formal support, in their own words."""

    class Status(models.TextChoices):
        OPEN = "open", _("Looking for a supporter")
        OFFERED = "offered", _("Waiting for the supporter to reply")
        MATCHED = "matched", _("Matched")
        ESCALATED = "escalated", _("With a coordinator")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CLOSED = "closed", _("Closed")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_requests"
    )
    in_their_words = EncryptedTextField(null=True, blank=True)
    # {"areas": [...], "language": "cy", "gender": "...", "times": "evenings"}; all optional.
    preferences = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The supporter the member chose; they are asked to accept while status is OFFERED.
    chosen_supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_requests_offered",
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    # Supporters who said no: matching does not suggest them again for this request.
    declined_by = models.JSONField(default=list, blank=True)
    coordinator_note = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"support request {self.pk} ({self.status})"


class SupportRelationship(models.Model):
    """A time-limited piece of support between one member and one supporter.

    Time-limited by default (``SUPPORT_DEFAULT_WEEKS``) because the benefits of peer support
    fade with longer dosage; renewed only when both agree.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ENDING = "ending", _("Ending")
        ENDED = "ended", _("Ended")
        HANDED_OVER = "handed_over", _("Handed over")

    # Statuses that take up a place in the supporter's caseload.
    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (Status.PROPOSED, Status.ACTIVE, Status.ENDING)

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_received"
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_given"
    )
    request = models.ForeignKey(
        SupportRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="relationships",
    )
    focus = EncryptedTextField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    # Set by ``relationship services`` from SUPPORT_DEFAULT_WEEKS; moved on by each renewal.
    expected_end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    renewed_count = models.PositiveSmallIntegerField(default=0)
    # Renewal needs both people: each confirmation is remembered until the other agrees.
    renewal_member_agreed_at = models.DateTimeField(null=True, blank=True)
    renewal_supporter_agreed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The one-to-one chat used for asynchronous messages between them.
    conversation = models.ForeignKey(
        "chat.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_relationships",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_supervised",
    )

    class Meta:
        ordering: ClassVar = ["-started_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["supporter", "status"])]

    def __str__(self) -> str:
        return f"support {self.pk}: {self.supporter_id} with {self.member_id}"


# Sessions and notes, endings and tasks, fidelity checks, debriefs and handovers live in their
# own modules; importing them here registers their models with this app.
from alongside.support import (  # noqa: E402
    care_models,  # noqa: F401
    ending_models,  # noqa: F401
    fidelity_models,  # noqa: F401
    session_models,  # noqa: F401
)
