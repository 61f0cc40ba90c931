"""Groups, their threads and posts, reactions, edit history and read state.

A thread is a title plus an ordered list of posts; its first post is the opening message and
every later post is a reply. Keeping one ``Post`` model for both means editing, deleting,
reactions, mentions and (later) safety screening have one code path.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModerationState(models.TextChoices):
    """Whether other members can see a thread or post.

    Screening or a moderator can hold content back; its author and moderators still see it,
    marked, and nothing is ever deleted by the screening.
    """

    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for a moderator")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Group(models.Model):
    """A peer-support group: a topic, its rules and its members."""

    class RiskyPostPolicy(models.TextChoices):
        POST_MODERATE = "post", _("Publish with support shown, and alert moderators")
        PRE_MODERATE = "pre", _("Hold until a moderator has looked")

    class Visibility(models.TextChoices):
        OPEN = "open", _("Open: any member can join")
        RESTRICTED = "restricted", _("Restricted: join by invitation or approval")
        HIDDEN = "hidden", _("Hidden: invitation only, not listed")

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    rules = models.TextField(_("rules (markdown)"), blank=True)
    rules_html = models.TextField(blank=True, editable=False)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.OPEN
    )
    invite_token = models.CharField(max_length=43, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    risky_post_policy = models.CharField(
        _("posts that may show someone at risk"),
        max_length=4,
        choices=RiskyPostPolicy.choices,
        default=RiskyPostPolicy.POST_MODERATE,
    )
    member_count = models.PositiveIntegerField(default=0)
    thread_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["name"]
        permissions: ClassVar = [
            ("moderate_all_groups", "Can moderate content in every group"),
            ("view_hidden_groups", "Can see hidden groups"),
            ("create_groups", "Can create groups"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A member's place in a group: active, or waiting for a group moderator's approval."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MODERATOR = "moderator", _("Group moderator")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Waiting for approval")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["group", "user"], name="unique_membership"),
        ]
        indexes: ClassVar = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id} ({self.status})"


class Thread(models.Model):
    """A conversation in a group, started by one member."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=140)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    # Visible posts after the opening one; kept in step by the services.
    reply_count = models.PositiveIntegerField(default=0)
    # Id of the newest visible post, compared with read state for unread markers.
    last_post_id = models.BigIntegerField(default=0)
    # Follows the opening post: a held opening post holds the whole thread.
    moderation_state = models.CharField(
        max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["group", "-last_activity_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """The opening message of a thread or a reply in it."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    is_opening = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=20000)
    # Rendered once when written, so reading a page never runs the markdown parser.
    body_html = models.TextField(editable=False)
    content_warning = models.CharField(_("content warning"), max_length=120, blank=True)
    moderation_state = models.CharField(
        max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED
    )
    # Shown under the post when a moderator edited it or added a content warning.
    moderator_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [models.Index(fields=["thread", "id"])]

    def __str__(self) -> str:
        return f"post {self.pk} in thread {self.thread_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_published(self) -> bool:
        return self.moderation_state == ModerationState.PUBLISHED


class PostRevision(models.Model):
    """The text of a post before an edit: edit history a moderator can read."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    content_warning = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=140, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-replaced_at"]

    def __str__(self) -> str:
        return f"revision of post {self.post_id} at {self.replaced_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    """A supportive reaction. Shown as who reacted; never counted into a ranking."""

    class Kind(models.TextChoices):
        RELATE = "relate", _("I relate")
        STRENGTH = "strength", _("Sending strength")
        THANKS = "thanks", _("Thank you")
        HUG = "hug", _("Hugs, if wanted")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="unique_reaction"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.post_id}"


class ThreadReadState(models.Model):
    """The last post a member has seen in a thread, for unread markers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_post_id = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "thread"], name="unique_read_state"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} to {self.last_read_post_id}"
