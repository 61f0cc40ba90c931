"""A supporter's short self-check against the peer support model, after a session.

Answers are ratings on the model's scale keyed by statement (``{"equals": 2, ...}``), kept with
the model's key and version so checks stay readable when a deployment changes its model. The
supporter's own note is encrypted at rest. Read only through ``fidelity_selectors``.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField


class FidelityCheck(models.Model):
    """One self-check by a supporter, usually about one completed session."""

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fidelity_checks"
    )
    relationship = models.ForeignKey(
        "support.SupportRelationship", on_delete=models.CASCADE, related_name="fidelity_checks"
    )
    session = models.ForeignKey(
        "support.SupportSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fidelity_checks",
    )
    model_key = models.CharField(max_length=100)
    model_version = models.CharField(max_length=40)
    answers = models.JSONField(default=dict)
    note = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["supporter", "created_at"])]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["supporter", "session"],
                condition=models.Q(session__isnull=False),
                name="one_fidelity_check_per_session",
            )
        ]

    def __str__(self) -> str:
        return f"fidelity check {self.pk} by {self.supporter_id}"
