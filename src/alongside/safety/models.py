"""Screening results, the moderation queue, alerts, reports, sanctions, duty and the audit log.

Nothing here keeps a copy of what a member wrote: a screening result holds the tier, flags,
rule ids, scores and model version, and points at the content by kind and id. The content
itself stays where it lives (a post, a profile), under that app's own removal rules.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    REVIEW = "review", _("Review")
    NONE = "none", _("None")


class ContentKind(models.TextChoices):
    """What a queue item, report or screening result is about."""

    POST = "post", _("Post")
    PROFILE = "profile", _("Profile")
    MEMBER = "member", _("Member")
    MESSAGE = "message", _("Chat message")
    CONVERSATION = "conversation", _("Conversation")
    # A questionnaire answer that started the safety pathway (PHQ-9 item 9 above 0).
    MEASURE = "measure", _("Questionnaire answer")


class Screening(models.Model):
    """The stored outcome of screening one piece of text (never the text itself)."""

    kind = models.CharField(max_length=12, choices=ContentKind.choices)
    object_id = models.BigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="screenings"
    )
    role = models.CharField(max_length=12, default="member")
    tier = models.CharField(max_length=8, choices=Tier.choices)
    flags = models.JSONField(default=list)
    rule_ids = models.JSONField(default=list)
    # [{"id", "category", "text", "evidence": [short terms]}]
    reasons = models.JSONField(default=list)
    scores = models.JSONField(default=dict)
    language = models.CharField(max_length=8, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    # Whether the content was held back from other members when it was written.
    held = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["kind", "object_id"]),
            models.Index(fields=["author", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.tier} {self.flags}"

    @property
    def is_concerning(self) -> bool:
        return self.tier != Tier.NONE


class QueueItem(models.Model):
    """One piece of content, or one member, waiting for a moderator's decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    kind = models.CharField(max_length=12, choices=ContentKind.choices)
    object_id = models.BigIntegerField()
    # The member the item is about: the author of the content, or the reported member.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_items"
    )
    group = models.ForeignKey(
        "communities.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tier = models.CharField(max_length=8, choices=Tier.choices, default=Tier.NONE)
    flags = models.JSONField(default=list)
    # Higher first: urgent, then review, then flags and reports, each by weight.
    priority = models.FloatField(default=0)
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report_weight = models.FloatField(default=0)
    # The content is hidden from other members until a moderator decides.
    content_held = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["status", "-priority", "created_at"]),
            models.Index(fields=["kind", "object_id", "status"]),
        ]
        permissions: ClassVar = [
            ("moderate_content", "Can work the moderation queue and act on members"),
            ("view_audit_log", "Can read the moderation audit log"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.tier}, {self.status})"


class Alert(models.Model):
    """An urgent item: moderators are told at once and it escalates if nobody acknowledges."""

    item = models.OneToOneField(QueueItem, on_delete=models.CASCADE, related_name="alert")
    created_at = models.DateTimeField(default=timezone.now)
    escalate_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [models.Index(fields=["acknowledged_at", "escalate_at"])]

    def __str__(self) -> str:
        return f"alert {self.pk} for item {self.item_id}"


class Report(models.Model):
    """A member's report of a post or another member. The reported member never sees who."""

    class Reason(models.TextChoices):
        AT_RISK = "at_risk", _("Someone may be at risk")
        HARASSMENT = "harassment", _("Harassment or bullying")
        HATE = "hate", _("Hate or discrimination")
        SPAM = "spam", _("Spam or advertising")
        OFF_PLATFORM = "off_platform", _("Asking to move off Alongside or for personal details")
        MISINFORMATION = "misinformation", _("Harmful health information")
        PRIVACY = "privacy", _("Shares someone's personal information")
        OTHER = "other", _("Something else")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for a moderator")
        ACTION_TAKEN = "action_taken", _("A moderator acted on it")
        NO_ACTION = "no_action", _("A moderator looked and left it as it is")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    kind = models.CharField(max_length=12, choices=ContentKind.choices)
    object_id = models.BigIntegerField()
    reported_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_received"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    # From the reporter's track record: upheld reports count up, dismissed ones down.
    weight = models.FloatField(default=1.0)
    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="reports")
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["reporter", "created_at"])]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["reporter", "kind", "object_id"], name="one_report_per_thing"
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} of {self.kind} {self.object_id}"


class ModerationAction(models.Model):
    """One decision a moderator took; the member sees ``reason``, never ``note``."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        CONTENT_WARNING = "content_warning", _("Content warning added")
        EDIT = "edit", _("Edited with a note")
        DISMISS = "dismiss", _("No action needed")
        WARN = "warn", _("Warning")
        MUTE = "mute", _("Muted")
        SUSPEND = "suspend", _("Suspended")
        LIFT = "lift", _("Sanction lifted")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    item = models.ForeignKey(
        QueueItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation_actions",
    )
    content_kind = models.CharField(max_length=12, choices=ContentKind.choices, blank=True)
    content_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, max_length=1000)
    note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} by {self.moderator_id}"


class Sanction(models.Model):
    """A warning, mute or suspension on a member; no ``ends_at`` on a suspension: permanent."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        MUTE = "mute", _("Muted: can read but not post")
        SUSPENSION = "suspension", _("Suspended: cannot sign in")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.TextField(max_length=1000)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    # None when the system applied it (for example repeated spam from a new account).
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.ForeignKey(
        ModerationAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [models.Index(fields=["member", "kind", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.member_id}"

    def is_active_at(self, moment: Any) -> bool:
        if self.lifted_at is not None or self.starts_at > moment:
            return False
        return self.ends_at is None or self.ends_at > moment


class Appeal(models.Model):
    """A member's appeal against a sanction, decided by a moderator other than the issuer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        UPHELD = "upheld", _("The decision stands")
        OVERTURNED = "overturned", _("The decision was overturned")

    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="appeals")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals"
    )
    text = models.TextField(max_length=2000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)

    def __str__(self) -> str:
        return f"appeal {self.pk} ({self.status})"


class DutyPeriod(models.Model):
    """A stretch of time a moderator was on duty; ``ended_at`` None means on duty now."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_periods"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["ended_at"])]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["moderator"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_duty_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.moderator_id} on duty from {self.started_at:%Y-%m-%d %H:%M}"


class RotaSlot(models.Model):
    """A weekly slot on the moderator rota (times in the deployment's time zone)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rota_slots"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering: ClassVar = ["weekday", "starts"]

    def __str__(self) -> str:
        return f"{self.moderator_id} {self.weekday} {self.starts}-{self.ends}"


class HandoverNote(models.Model):
    """What the next shift should know; moderators only, never shown to members."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"handover {self.pk}"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")


class AuditEntry(models.Model):
    """An append-only record of a moderator action or a view of held content.

    Rows are only ever inserted: the queryset refuses updates and deletes, and ``save`` on an
    existing row raises, so a mistake in code cannot rewrite history. Members' accounts are
    referenced with ``SET_NULL`` plus the handle at the time, so erasing an account keeps the
    record of what moderators did without keeping the person.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_handle = models.CharField(max_length=30, blank=True)
    action = models.CharField(max_length=40)
    target_kind = models.CharField(max_length=20, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_handle = models.CharField(max_length=30, blank=True)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_handle} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")


class Block(models.Model):
    """One member blocking another: neither sees the other's posts, mentions or messages."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="unique_block"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class SafetyPreferences(models.Model):
    """A member's own protections: muted words, content warnings, taking a break."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_preferences"
    )
    muted_words = models.JSONField(default=list, blank=True)
    hide_content_warned = models.BooleanField(default=False)
    paused_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"safety preferences of {self.user_id}"


class MonthlyStatistics(models.Model):
    """Moderation figures for one calendar month, published to the community.

    Filled by the periodic job from the action and alert tables, so the public page never
    scans them at request time.
    """

    month = models.DateField(unique=True)  # first day of the month
    counts = models.JSONField(default=dict)  # {action kind: count, "reports": n, "alerts": n}
    median_ack_seconds = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-month"]

    def __str__(self) -> str:
        return f"moderation statistics {self.month:%Y-%m}"
