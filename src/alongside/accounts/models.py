"""Members, their pseudonymous profiles, recovery codes and policy acceptances.

A member is a handle and a password. There is no real-name field anywhere, and email is
optional: it is used only for account recovery and the notifications a member asks for.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.accounts.roles import Role

handle_validator = RegexValidator(
    regex=r"^[A-Za-z0-9_]{3,30}$",
    message=_("Use 3 to 30 letters, numbers or underscores."),
)


class UserManager(DjangoUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Handles are unique regardless of case, so log in regardless of case too.
        return self.get(handle__iexact=username)

    def create_user(  # type: ignore[override]
        self, handle: str, password: str | None = None, **extra: object
    ) -> User:
        user = self.model(handle=handle, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, handle: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(handle, password, **extra)


class AgeBand(models.TextChoices):
    """Asked at sign-up only where a deployment admits under-18s (``ALONGSIDE_ADMITS_UNDER_18``).

    A band, not a birth date: enough to keep adults from opening private conversations with
    young people, and nothing more.
    """

    UNDER_16 = "13_15", _("13 to 15")
    UNDER_18 = "16_17", _("16 or 17")
    ADULT = "18_plus", _("18 or over")


MINOR_AGE_BANDS = frozenset({AgeBand.UNDER_16, AgeBand.UNDER_18})


class User(AbstractBaseUser, PermissionsMixin):
    """A member of the community, known only by a handle they chose."""

    handle = models.CharField(_("handle"), max_length=30, validators=[handle_validator])
    email = models.EmailField(_("email address"), blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    bio = models.TextField(_("short bio"), max_length=500, blank=True)
    # Screening held the bio back: only the member and moderators see it until reviewed.
    bio_held = models.BooleanField(default=False)
    lived_experience = models.JSONField(_("lived experience"), default=list, blank=True)
    language = models.CharField(_("preferred language"), max_length=10, blank=True)
    region = models.CharField(
        _("region"),
        max_length=2,
        blank=True,
        help_text=_("Decides which crisis lines are shown first."),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Blank where the deployment does not ask (adults only).
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices, blank=True)
    # Set by an administrator once a peer supporter's background check (for work with young
    # people) has cleared; only such supporters may talk one-to-one with under-18s.
    background_check_cleared_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "handle"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("handle"), name="unique_handle_ignoring_case"),
        ]
        permissions: ClassVar = [
            ("support_members", "Can act as a trained peer supporter"),
            ("view_member_details", "Can see members' account details for moderation"),
            ("assign_roles", "Can give and take away roles"),
            ("publish_policies", "Can publish new versions of the policies"),
            ("view_research_data", "Can view de-identified, aggregate research data"),
        ]

    def __str__(self) -> str:
        return self.handle

    def get_username(self) -> str:
        return self.handle

    @property
    def is_minor(self) -> bool:
        return self.age_band in MINOR_AGE_BANDS


class RecoveryCode(models.Model):
    """A one-time code, shown once at sign-up, for members who gave no email address."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code for {self.user_id}"


class PolicyDocument(models.Model):
    """One published version of the community agreement or the privacy notice."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Community agreement")
        PRIVACY = "privacy", _("Privacy notice")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=120)
    body = models.TextField(help_text=_("Markdown"))
    summary_of_changes = models.TextField(blank=True)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "version"], name="unique_policy_version"),
        ]
        ordering: ClassVar = ["kind", "-published_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class PolicyAcceptance(models.Model):
    """The record that a member accepted one version of a policy, and when."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="policy_acceptances")
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "document"], name="unique_acceptance"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.document_id}"


class RoleChange(models.Model):
    """Audit row: who gave or took away which role, and when."""

    class Action(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        REMOVED = "removed", _("Removed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_changes")
    # Null when the change was made by an operator at the server's command line.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    action = models.CharField(max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.role} {self.action} for {self.user_id}"
