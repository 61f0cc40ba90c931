"""Looking after supporters and endings done well: debriefs and warm handovers.

Supporting someone through a hard conversation takes something out of the supporter, so a
supporter can ask a supervisor for a debrief. When a relationship moves to another supporter,
or ends early, the supporter writes a short summary that is passed on only once the member
has read and agreed to it. Free text is encrypted at rest.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField


class DebriefRequest(models.Model):
    """A supporter asking a supervisor to talk a hard conversation through."""

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="debrief_requests"
    )
    relationship = models.ForeignKey(
        "support.SupportRelationship",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="debrief_requests",
    )
    note = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="debriefs_taken",
    )
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["taken_at", "created_at"])]

    def __str__(self) -> str:
        return f"debrief request {self.pk} from {self.supporter_id}"

    @property
    def is_open(self) -> bool:
        return self.taken_at is None


class HandoverSummary(models.Model):
    """What the current supporter would pass on, waiting for the member's agreement.

    ``new_supporter`` is empty when the relationship ends early rather than moving on.
    """

    relationship = models.ForeignKey(
        "support.SupportRelationship", on_delete=models.CASCADE, related_name="handovers"
    )
    text = EncryptedTextField(null=True, blank=True)
    # The goodbye posted in the conversation once the member agrees.
    goodbye = EncryptedTextField(null=True, blank=True)
    new_supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handovers_received",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    member_agreed_at = models.DateTimeField(null=True, blank=True)
    member_declined_at = models.DateTimeField(null=True, blank=True)
    # The relationship with the new supporter, once the handover is done.
    new_relationship = models.ForeignKey(
        "support.SupportRelationship",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handed_over_from",
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"handover {self.pk} of relationship {self.relationship_id}"

    @property
    def is_pending(self) -> bool:
        return self.member_agreed_at is None and self.member_declined_at is None
