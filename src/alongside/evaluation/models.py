"""Programmes an organisation runs, and the randomised evaluations that measure them.

A programme ("8-week peer support group") is described in the same terms the published
reviews of digital peer support use as moderators: its format (and so its interactivity), the
source of support (formal or informal), the intended dose and the duration. That is what lets
the organisation's own results sit beside the literature later.

A study randomises the members who consent to it between arms (e.g. access now vs a waitlist).
The allocation sequence is generated on the server when the study opens and kept only in
``AllocationSlot`` rows: no page or API shows it, and a participant's arm is revealed only by
creating their ``Allocation``, after consent and a complete baseline.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    """Something an organisation offers its members for a while, measured the same way each
    time it runs (through its cohorts and its programme-scoped measure schedule)."""

    class Format(models.TextChoices):
        FORUM = "forum", _("Forum (asynchronous posts)")
        LIVE_CHAT = "live_chat", _("Live chat")
        VIDEO = "video", _("Video sessions")
        ONE_TO_ONE = "one_to_one", _("One-to-one")

    class SupportSource(models.TextChoices):
        # The reviews' "formal vs informal" moderator.
        FORMAL = "formal", _("Trained peer supporters (formal)")
        INFORMAL = "informal", _("Other members (informal peers)")

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.FORUM)
    support_source = models.CharField(
        max_length=20, choices=SupportSource.choices, default=SupportSource.FORMAL
    )
    intended_sessions_per_week = models.FloatField(default=1.0)
    duration_weeks = models.PositiveSmallIntegerField(default=8)
    enrolment_opens = models.DateField(null=True, blank=True)
    enrolment_closes = models.DateField(null=True, blank=True)
    group = models.ForeignKey(
        "communities.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmes",
        help_text=_("The group where the programme runs, if any."),
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]
        permissions: ClassVar = [
            ("manage_programmes", "Can set up programmes and randomised evaluations"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def interactivity(self) -> str:
        """ "static" for a forum, "interactive" for live formats: the reviews' moderator."""
        return "static" if self.format == self.Format.FORUM else "interactive"

    def enrolment_open_on(self, day: date) -> bool:
        """Whether members may enrol on ``day``; an empty end of the window means no limit."""
        if not self.active:
            return False
        if self.enrolment_opens is not None and day < self.enrolment_opens:
            return False
        return not (self.enrolment_closes is not None and day > self.enrolment_closes)


class Cohort(models.Model):
    """One run of a programme. ``site`` is a free label ("North") so several sites' cohorts
    can be pooled, and used as a stratification factor, without a table of sites."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    site = models.CharField(max_length=60, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["programme", "starts_on", "name"]

    def __str__(self) -> str:
        return f"{self.programme} — {self.name}"


class Enrolment(models.Model):
    """A member taking part in a programme. Programme-scoped measure schedules count their
    occasions from ``started_at`` (enrolment, moved to randomisation for study participants),
    and apply to every live enrolment, whichever arm, so a waitlist is measured too."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Taking part")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_enrolments"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(default=timezone.now)
    # When the member gets the programme itself: now, or later for a waitlist arm.
    access_from = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["member", "programme"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="evaluation_one_live_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.programme_id} ({self.status})"


class Study(models.Model):
    """A randomised evaluation of one programme.

    ``stratification_factors`` are keys from ``alongside.evaluation.allocation.FACTORS``
    ("site", "baseline_severity"); ``block_sizes`` are the permitted permuted-block sizes,
    each a multiple of the arms' total ratio, one drawn at random for every block.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being set up")
        RECRUITING = "recruiting", _("Recruiting")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="studies")
    title = models.CharField(max_length=160)
    summary = models.TextField(
        help_text=_("The plain-language information sheet members read before deciding.")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    stratification_factors = models.JSONField(default=list, blank=True)
    block_sizes = models.JSONField(default=list)
    outcome_measures = models.JSONField(default=list)
    primary_outcome = models.CharField(max_length=40)
    # The primary follow-up, in weeks after randomisation (usually the programme's length).
    follow_up_weeks = models.PositiveSmallIntegerField(default=8)
    recruitment_target = models.PositiveIntegerField(null=True, blank=True)
    # Whether a member who declines the study may still join the programme outside it.
    allow_joining_outside_study = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.title


class Arm(models.Model):
    """One arm of a study; ``ratio`` is its share of every block (2 and 1 make 2:1)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="arms")
    name = models.CharField(max_length=80)
    description = models.TextField(
        blank=True, help_text=_("What a participant in this arm gets, in plain words.")
    )
    ratio = models.PositiveSmallIntegerField(default=1)
    is_control = models.BooleanField(default=False)
    # Weeks after randomisation before the participant gets the programme (a waitlist).
    access_delay_weeks = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["study", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.study} — {self.name}"


class StudyConsentDocument(models.Model):
    """One published version of a study's consent form, separate from the platform agreement:
    agreeing to use the site is not agreeing to be randomised."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consent_documents")
    version = models.CharField(max_length=20)
    body = models.TextField()
    # Optional comprehension checks: [{"key", "question", "answer": true|false}].
    comprehension_checks = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["study", "version"], name="evaluation_consent_version"),
        ]
        ordering: ClassVar = ["study", "-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.study} consent v{self.version}"


class StudyConsent(models.Model):
    """A member's consent to one version of a study's consent form.

    Withdrawing keeps the data already given unless the member asks for it to be left out;
    ``data_choice`` records which, so the analysis can honour it.
    """

    class DataChoice(models.TextChoices):
        KEEP = "keep", _("Keep what I have already given")
        REMOVE = "remove", _("Leave my answers out of the study")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_consents"
    )
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consents")
    document = models.ForeignKey(StudyConsentDocument, on_delete=models.PROTECT)
    consented_at = models.DateTimeField(default=timezone.now)
    comprehension_answers = models.JSONField(default=dict, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    data_choice = models.CharField(max_length=8, choices=DataChoice.choices, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["member", "study"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="evaluation_one_live_consent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} consents to {self.study_id} v{self.document_id}"


class Screening(models.Model):
    """A member assessed for a study (CONSORT's first box) and, if so, why they were excluded.

    Created when a member answers the study invitation (consent or decline) or is found
    ineligible at randomisation; randomised participants have an empty ``excluded_reason``.
    """

    class Reason(models.TextChoices):
        DECLINED = "declined", _("Declined to take part")
        BASELINE_INCOMPLETE = "baseline_incomplete", _("Baseline questionnaires not completed")
        RECRUITMENT_CLOSED = "recruitment_closed", _("Recruitment closed before randomisation")
        OTHER = "other", _("Other reasons")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_screenings"
    )
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="screenings")
    assessed_at = models.DateTimeField(default=timezone.now)
    excluded_reason = models.CharField(max_length=24, choices=Reason.choices, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["member", "study"], name="evaluation_one_screening"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} screened for {self.study_id}"


class AllocationSequence(models.Model):
    """The concealed list of arms for one stratum of a study. Never rendered anywhere."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sequences")
    # "site=North|baseline_severity=moderate", or "all" for an unstratified study.
    stratum = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["study", "stratum"], name="evaluation_one_sequence"),
        ]

    def __str__(self) -> str:
        return f"sequence {self.pk} ({self.stratum})"


class AllocationSlot(models.Model):
    """One position in a sequence: the arm the next participant in the stratum will get."""

    sequence = models.ForeignKey(AllocationSequence, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveIntegerField()
    block_number = models.PositiveIntegerField()
    block_size = models.PositiveSmallIntegerField()
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["sequence", "position"], name="evaluation_slot_pos"),
        ]
        ordering: ClassVar = ["sequence", "position"]

    def __str__(self) -> str:
        # Deliberately without the arm: a slot printed in a log must not reveal it.
        return f"slot {self.position} of sequence {self.sequence_id}"


class Allocation(models.Model):
    """A participant's randomised arm: created once, at randomisation, from the next slot."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_allocations"
    )
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="allocations")
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="allocations")
    stratum = models.CharField(max_length=200)
    slot = models.OneToOneField(AllocationSlot, on_delete=models.PROTECT, related_name="allocation")
    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="allocations"
    )
    allocated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["participant", "study"], name="evaluation_one_allocation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} randomised in {self.study_id}"
