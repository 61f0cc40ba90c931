"""A member's own self-management: daily check-ins, goals, what helps, and a safety plan.

Everything here is private to the member. Free text is encrypted at rest. Nothing is screened
for moderators: a private note is not a post. (A check-in note that reads as a crisis still
shows its author where help is, without telling anyone; see ``selfcare.services``.)
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField

from alongside.core.fields import EncryptedJSON


class CheckIn(models.Model):
    """How a member felt on one day: mood 1 (very low) to 5 (very good), a note, tags."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    day = models.DateField()
    mood = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = EncryptedTextField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["member", "day"], name="selfcare_one_check_in_a_day"),
            models.CheckConstraint(
                condition=models.Q(mood__gte=1, mood__lte=5), name="selfcare_mood_1_to_5"
            ),
        ]
        ordering: ClassVar = ["-day"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}: {self.mood}"


class Goal(models.Model):
    """A personal goal in the member's words, rated 0 to 10 over time (goal-based outcomes)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Working on it")
        ACHIEVED = "achieved", _("Achieved")
        SET_ASIDE = "set_aside", _("Set aside")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals"
    )
    title = EncryptedTextField(null=True, blank=True)
    why = EncryptedTextField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"goal {self.pk} of {self.member_id}"


class GoalStep(models.Model):
    """One small step towards a goal, ticked off when done."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = EncryptedTextField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["position", "pk"]

    def __str__(self) -> str:
        return f"step {self.pk} of goal {self.goal_id}"


class GoalRating(models.Model):
    """How far towards the goal the member feels, 0 (not at all) to 10 (goal reached)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    note = EncryptedTextField(null=True, blank=True)
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["rated_at", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=0, rating__lte=10), name="selfcare_rating_0_to_10"
            ),
        ]

    def __str__(self) -> str:
        return f"goal {self.goal_id}: {self.rating}"


class HelpfulThing(models.Model):
    """One entry on the member's "what helps me" list."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_things"
    )
    text = EncryptedTextField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["position", "pk"]

    def __str__(self) -> str:
        return f"helps {self.member_id}: {self.pk}"


class SafetyPlan(models.Model):
    """A personal safety plan in the recognised structure (Stanley & Brown's sections).

    ``sections`` maps each section key (see ``selfcare.safety_plan.SECTIONS``) to a list of
    the member's entries. Private: only the member sees it, unless they print or share it.
    """

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_plan"
    )
    sections = EncryptedJSON(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"safety plan of {self.member_id}"
