"""Every change to groups, memberships, threads, posts, reactions and read state.

Each function is one transaction. It checks that the actor may do what they ask (raising
``PermissionDenied``), validates text (raising ``ValidationError`` with a message a member
can act on, keyed by field where there is one), keeps the counters on ``Group`` and
``Thread`` in step, and tells the notifications app what happened in the same transaction:
``notify_*`` only writes rows, and any email it sends waits for the commit.

Views and API endpoints get their objects from the access helpers in ``selectors`` and pass
them here; nothing else writes these models.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Model
from django.db.models.functions import Greatest, Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.communities import selectors
from alongside.communities.models import (
    Group,
    Membership,
    ModerationState,
    Post,
    PostRevision,
    Reaction,
    Thread,
    ThreadReadState,
)
from alongside.core.markdown import find_mentions, render_markdown
from alongside.notifications.services import notify_mentions, notify_reaction, notify_reply
from alongside.safety.models import ContentKind
from alongside.safety.selectors.standing import posting_restriction
from alongside.safety.services.audit import audit_record
from alongside.safety.services.screening import (
    publication_state,
    record_screening,
    screen_text,
)

TITLE_MAX = 140
BODY_MAX = 20_000
CONTENT_WARNING_MAX = 120
MODERATOR_NOTE_MAX = 300
NAME_MAX = 80
DESCRIPTION_MAX = 1000
RULES_MAX = 10_000
# More handles than this in one post are not linked or notified: a post is not a mailing list.
MENTIONS_MAX = 20
# Group slugs that would collide with the app's own URLs.
RESERVED_SLUGS = frozenset({"new", "feed", "posts", "threads", "join", "members", "edit"})


# --- Validation and rendering ---------------------------------------------------------------


def _text(value: str | None) -> str:
    """Trim and use one kind of line ending, whatever the browser sent."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _too_long(length: int, maximum: int) -> str:
    return _("Please keep this to %(max)d characters; it is %(length)d now.") % {
        "max": maximum,
        "length": length,
    }


def _validate(fields: dict[str, tuple[str, int, str | None]]) -> None:
    """Check every field and report all problems at once: {field: (value, max, if_empty)}."""
    errors: dict[str, str] = {}
    for name, (value, maximum, if_empty) in fields.items():
        if if_empty is not None and not value:
            errors[name] = if_empty
        elif len(value) > maximum:
            errors[name] = _too_long(len(value), maximum)
    if errors:
        raise ValidationError(errors)


def _body_check(body: str) -> tuple[str, int, str | None]:
    return (body, BODY_MAX, _("Please write something before posting."))


def _content_warning_check(content_warning: str) -> tuple[str, int, str | None]:
    return (content_warning, CONTENT_WARNING_MAX, None)


def _title_check(title: str) -> tuple[str, int, str | None]:
    return (title, TITLE_MAX, _("Please give your thread a title."))


def _profile_url(handle: str) -> str:
    return reverse("accounts:profile", args=[handle])


def _mentioned_readers(*, group: Group, text: str) -> list[User]:
    """Active members mentioned by @handle who can read the group's threads."""
    handles = sorted(find_mentions(text))[:MENTIONS_MAX]
    if not handles:
        return []
    users: list[User] = list(
        User.objects.annotate(handle_lower=Lower("handle")).filter(
            handle_lower__in=handles, is_active=True
        )
    )
    if group.visibility == Group.Visibility.OPEN:
        return users
    members = set(
        Membership.objects.filter(
            group=group, user__in=users, status=Membership.Status.ACTIVE
        ).values_list("user_id", flat=True)
    )
    return [
        user
        for user in users
        if user.pk in members or user.has_perm("communities.moderate_all_groups")
    ]


def _render(text: str, *, mentioned: Iterable[User] = ()) -> str:
    return render_markdown(
        text, mention_handles=[user.handle for user in mentioned], profile_url=_profile_url
    )


def _decrement(model: type[Model], pk: int, field: str) -> None:
    """Counter minus one, never below zero."""
    model._default_manager.filter(pk=pk, **{f"{field}__gt": 0}).update(**{field: F(field) - 1})


def _increment(model: type[Model], pk: int, field: str) -> None:
    model._default_manager.filter(pk=pk).update(**{field: F(field) + 1})


def _require_active_account(user: User) -> None:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied


def _require_may_post(user: User) -> None:
    """An active account with no mute or suspension in force and not on a break."""
    _require_active_account(user)
    restriction = posting_restriction(user)
    if restriction is not None:
        raise PermissionDenied(restriction)


def _screened_text(title: str, body: str) -> str:
    return f"{title}\n\n{body}" if title else body


# --- Groups ---------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "group"
    taken = set(Group.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _new_invite_token() -> str:
    return secrets.token_urlsafe(32)  # 43 characters, the field's length


def _group_fields(
    *, name: str, description: str, rules: str, visibility: str
) -> tuple[str, str, str, str]:
    name, description, rules = _text(name), _text(description), _text(rules)
    _validate(
        {
            "name": (name, NAME_MAX, _("Please give the group a name.")),
            "description": (description, DESCRIPTION_MAX, None),
            "rules": (rules, RULES_MAX, None),
        }
    )
    if visibility not in Group.Visibility.values:
        raise ValidationError({"visibility": _("Please choose who can find and join the group.")})
    return name, description, rules, visibility


def _risky_post_policy(value: str) -> str:
    if value not in Group.RiskyPostPolicy.values:
        raise ValidationError(
            {"risky_post_policy": _("Please choose what happens to posts that may show risk.")}
        )
    return value


@transaction.atomic
def group_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    rules: str = "",
    visibility: str = Group.Visibility.OPEN,
    risky_post_policy: str | None = None,
) -> Group:
    """A new group, with the actor as its first member and group moderator."""
    if not selectors.can_create_groups(actor):
        raise PermissionDenied
    name, description, rules, visibility = _group_fields(
        name=name, description=description, rules=rules, visibility=visibility
    )
    group = Group.objects.create(
        slug=_unique_slug(name),
        name=name,
        description=description,
        rules=rules,
        rules_html=_render(rules),
        visibility=visibility,
        risky_post_policy=_risky_post_policy(
            risky_post_policy or Group.RiskyPostPolicy.POST_MODERATE
        ),
        invite_token=_new_invite_token() if visibility != Group.Visibility.OPEN else "",
        created_by=actor,
        member_count=1,
    )
    Membership.objects.create(
        group=group,
        user=actor,
        role=Membership.Role.MODERATOR,
        status=Membership.Status.ACTIVE,
    )
    selectors.forget_memberships(actor)
    return group


@transaction.atomic
def group_update(
    *,
    actor: User,
    group: Group,
    name: str | None = None,
    description: str | None = None,
    rules: str | None = None,
    visibility: str | None = None,
    risky_post_policy: str | None = None,
) -> Group:
    """Change a group's name, description, rules, visibility or risky-post policy (its
    moderators only).

    The slug stays, so links people have saved keep working. A group that stops being open
    gets an invitation token if it has none.
    """
    if not selectors.can_moderate_group(actor, group):
        raise PermissionDenied
    name, description, rules, visibility = _group_fields(
        name=group.name if name is None else name,
        description=group.description if description is None else description,
        rules=group.rules if rules is None else rules,
        visibility=group.visibility if visibility is None else visibility,
    )
    group.name = name
    group.description = description
    if rules != group.rules:
        group.rules = rules
        group.rules_html = _render(rules)
    group.visibility = visibility
    if risky_post_policy is not None:
        group.risky_post_policy = _risky_post_policy(risky_post_policy)
    if visibility != Group.Visibility.OPEN and not group.invite_token:
        group.invite_token = _new_invite_token()
    group.save(
        update_fields=[
            "name",
            "description",
            "rules",
            "rules_html",
            "visibility",
            "risky_post_policy",
            "invite_token",
        ]
    )
    return group


@transaction.atomic
def group_invite_reset(*, actor: User, group: Group) -> str:
    """A new invitation token; links with the old one stop working."""
    if not selectors.can_moderate_group(actor, group):
        raise PermissionDenied
    group.invite_token = _new_invite_token()
    group.save(update_fields=["invite_token"])
    return group.invite_token


@transaction.atomic
def group_join(*, user: User, group: Group, invite_token: str | None = None) -> Membership:
    """Join a group, or ask to.

    Open groups, and any group with its current invitation token: an active membership.
    Restricted groups without a token: a request the group's moderators approve or decline.
    Hidden groups without a valid token: as if the group did not exist (``Http404``).
    """
    _require_active_account(user)
    existing = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if existing is not None and existing.status == Membership.Status.ACTIVE:
        return existing
    if group.visibility == Group.Visibility.OPEN or selectors.invite_token_matches(
        group, invite_token
    ):
        status = Membership.Status.ACTIVE
    elif group.visibility == Group.Visibility.HIDDEN:
        raise Http404
    elif invite_token:
        raise ValidationError(
            _("This invitation link is no longer valid. You can ask to join instead.")
        )
    else:
        status = Membership.Status.PENDING
    selectors.forget_memberships(user)
    if existing is not None:
        if status == Membership.Status.PENDING:
            return existing
        existing.status = Membership.Status.ACTIVE
        existing.joined_at = timezone.now()
        existing.save(update_fields=["status", "joined_at"])
        _increment(Group, group.pk, "member_count")
        return existing
    membership = Membership.objects.create(group=group, user=user, status=status)
    if status == Membership.Status.ACTIVE:
        _increment(Group, group.pk, "member_count")
    return membership


@transaction.atomic
def group_leave(*, user: User, group: Group) -> None:
    """Leave a group, or withdraw a request to join. Posts stay, as in any conversation."""
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    selectors.forget_memberships(user)
    if membership is None:
        return
    membership.delete()
    if membership.status == Membership.Status.ACTIVE:
        _decrement(Group, group.pk, "member_count")


@transaction.atomic
def membership_approve(*, actor: User, membership: Membership) -> Membership:
    """Let a member who asked to join in."""
    if not selectors.can_moderate_group(actor, membership.group):
        raise PermissionDenied
    if membership.status == Membership.Status.ACTIVE:
        return membership
    membership.status = Membership.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "joined_at"])
    _increment(Group, membership.group_id, "member_count")
    selectors.forget_memberships(membership.user)
    return membership


@transaction.atomic
def membership_decline(*, actor: User, membership: Membership) -> None:
    """Decline a request to join; the member may ask again later."""
    if not selectors.can_moderate_group(actor, membership.group):
        raise PermissionDenied
    if membership.status != Membership.Status.PENDING:
        raise ValidationError(_("Only requests that are still waiting can be declined."))
    membership.delete()
    selectors.forget_memberships(membership.user)


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Make an active member a group moderator, or a member again."""
    if not selectors.can_moderate_group(actor, membership.group):
        raise PermissionDenied
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Please choose member or group moderator.")})
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("Approve the request before giving this member a role."))
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        selectors.forget_memberships(membership.user)
    return membership


# --- Threads and posts ----------------------------------------------------------------------


def thread_create(
    *, author: User, group: Group, title: str, body: str, content_warning: str = ""
) -> Thread:
    """A new thread and its opening post; the author has read it, mentioned members are told.

    Checks, screening, mentions and markdown come before the transaction (see
    ``post_create``). When screening holds the opening post, the thread is held with it:
    only its author and moderators see it, and nobody is notified until it is approved.
    """
    _require_may_post(author)
    if not selectors.can_post_in(author, group):
        raise PermissionDenied(_("Join the group to start a thread in it."))
    title, body, content_warning = _text(title), _text(body), _text(content_warning)
    _validate(
        {
            "title": _title_check(title),
            "body": _body_check(body),
            "content_warning": _content_warning_check(content_warning),
        }
    )
    screened = screen_text(author=author, text=_screened_text(title, body))
    state = publication_state(screened=screened, group=group)
    mentioned = _mentioned_readers(group=group, text=body)
    body_html = _render(body, mentioned=mentioned)
    with transaction.atomic():
        now = timezone.now()
        thread = Thread.objects.create(
            group=group,
            author=author,
            title=title,
            created_at=now,
            last_activity_at=now,
            moderation_state=state,
        )
        post = Post.objects.create(
            thread=thread,
            author=author,
            is_opening=True,
            body=body,
            body_html=body_html,
            content_warning=content_warning,
            moderation_state=state,
            created_at=now,
        )
        thread.last_post_id = post.pk
        thread.save(update_fields=["last_post_id"])
        ThreadReadState.objects.create(user=author, thread=thread, last_read_post_id=post.pk)
        record_screening(
            kind=ContentKind.POST,
            object_id=post.pk,
            author=author,
            screened=screened,
            held=state == ModerationState.HELD,
            group=group,
        )
        if state == ModerationState.PUBLISHED:
            _increment(Group, group.pk, "thread_count")
            others = [user for user in mentioned if user.pk != author.pk]
            if others:
                notify_mentions(post=post, users=others)
    thread.screening = screened  # type: ignore[attr-defined]
    return thread


def post_create(*, author: User, thread: Thread, body: str, content_warning: str = "") -> Post:
    """A reply: the thread moves to the top of its group, its author and mentions are told.

    The checks, the screening, the mention look-up and the markdown run before the
    transaction opens: the embedded SQLite database has one writer at a time, so the write
    lock is held only for the writes. The thread's removal is checked again inside, by the
    counter update. A reply that screening holds is saved but not counted or notified: only
    its author and moderators see it until a moderator approves it.

    The screening result is on the returned post as ``post.screening`` so the caller can
    show the author support at once.
    """
    _require_may_post(author)
    if thread.deleted_at is not None:
        raise ValidationError(_("This thread was removed, so it can't take new replies."))
    if not selectors.can_post_in(author, thread.group):
        raise PermissionDenied(_("Join the group to reply."))
    body, content_warning = _text(body), _text(content_warning)
    _validate(
        {
            "body": _body_check(body),
            "content_warning": _content_warning_check(content_warning),
        }
    )
    screened = screen_text(author=author, text=body)
    state = publication_state(screened=screened, group=thread.group)
    mentioned = _mentioned_readers(group=thread.group, text=body)
    body_html = _render(body, mentioned=mentioned)
    with transaction.atomic():
        now = timezone.now()
        post = Post.objects.create(
            thread=thread,
            author=author,
            body=body,
            body_html=body_html,
            content_warning=content_warning,
            moderation_state=state,
            created_at=now,
        )
        record_screening(
            kind=ContentKind.POST,
            object_id=post.pk,
            author=author,
            screened=screened,
            held=state == ModerationState.HELD,
            group=thread.group,
        )
        if state == ModerationState.PUBLISHED:
            _publish_reply(post=post, thread=thread, author=author, mentioned=mentioned, now=now)
        elif not Thread.objects.filter(pk=thread.pk, deleted_at__isnull=True).exists():
            raise ValidationError(_("This thread was removed, so it can't take new replies."))
    post.screening = screened  # type: ignore[attr-defined]
    return post


def _publish_reply(
    *, post: Post, thread: Thread, author: User, mentioned: Iterable[User], now: datetime
) -> None:
    """Count a visible reply: the thread moves up, read state follows, people are told."""
    previous_last_post_id = thread.last_post_id
    updated = Thread.objects.filter(pk=thread.pk, deleted_at__isnull=True).update(
        reply_count=F("reply_count") + 1,
        last_activity_at=now,
        last_post_id=Greatest(F("last_post_id"), post.pk),
    )
    if not updated:  # removed since the page was loaded; the exception undoes the insert
        raise ValidationError(_("This thread was removed, so it can't take new replies."))
    thread.reply_count += 1
    thread.last_activity_at = now
    thread.last_post_id = max(previous_last_post_id, post.pk)
    # The author has read their own reply, and all before it if they were caught up.
    ThreadReadState.objects.filter(
        user=author, thread=thread, last_read_post_id__gte=previous_last_post_id
    ).update(last_read_post_id=post.pk)
    notify_reply(post=post)
    others = [user for user in mentioned if user.pk != author.pk]
    if others:
        notify_mentions(post=post, users=others)


@transaction.atomic
def post_edit(
    *,
    actor: User,
    post: Post,
    body: str,
    content_warning: str | None = None,
    title: str | None = None,
) -> Post:
    """Change a post's text (and, for an opening post, the thread's title).

    The author may edit their own post; the group's moderators may edit any. The old text is
    kept as a revision and the post shows "edited", except when the author fixes their post
    within ``EDIT_GRACE_SECONDS`` of writing it. ``None`` leaves a field as it is.
    """
    if post.deleted_at is not None:
        raise ValidationError(_("This post was removed, so it can't be edited."))
    if not selectors.can_edit_post(actor, post):
        raise PermissionDenied
    thread = post.thread
    if title is not None and not post.is_opening:
        raise ValidationError({"title": _("Only the opening post of a thread has a title.")})
    new_body = _text(body)
    new_warning = post.content_warning if content_warning is None else _text(content_warning)
    new_title = thread.title if title is None else _text(title)
    checks = {"body": _body_check(new_body), "content_warning": _content_warning_check(new_warning)}
    if post.is_opening:
        checks["title"] = _title_check(new_title)
    _validate(checks)
    if (new_body, new_warning, new_title) == (post.body, post.content_warning, thread.title):
        return post
    now = timezone.now()
    in_grace = (
        actor.pk == post.author_id
        and post.edited_at is None
        and now - post.created_at <= timedelta(seconds=settings.EDIT_GRACE_SECONDS)
    )
    if not in_grace:
        PostRevision.objects.create(
            post=post,
            body=post.body,
            content_warning=post.content_warning,
            title=thread.title if post.is_opening else "",
            edited_by=actor,
            replaced_at=now,
        )
        post.edited_at = now
    if actor.pk == post.author_id:
        _screen_edit(post=post, title=new_title if post.is_opening else "", body=new_body)
    mentioned_before = find_mentions(post.body)
    mentioned = _mentioned_readers(group=thread.group, text=new_body)
    post.body = new_body
    post.body_html = _render(new_body, mentioned=mentioned)
    post.content_warning = new_warning
    post.save(update_fields=["body", "body_html", "content_warning", "edited_at"])
    if post.is_opening and new_title != thread.title:
        thread.title = new_title
        thread.save(update_fields=["title"])
    # Tell newly mentioned members, but only when the author wrote the mention.
    if actor.pk == post.author_id:
        newly = [
            user
            for user in mentioned
            if user.handle.lower() not in mentioned_before and user.pk != post.author_id
        ]
        if newly:
            notify_mentions(post=post, users=newly)
    return post


def _screen_edit(*, post: Post, title: str, body: str) -> None:
    """Screen an author's edit like a new post; an edit that must be held holds the post."""
    screened = screen_text(author=post.author, text=_screened_text(title, body))
    state = publication_state(screened=screened, group=post.thread.group)
    held = state == ModerationState.HELD or not post.is_published
    record_screening(
        kind=ContentKind.POST,
        object_id=post.pk,
        author=post.author,
        screened=screened,
        held=held,
        group=post.thread.group,
    )
    if state == ModerationState.HELD and post.is_published:
        _change_state(post=post, state=ModerationState.HELD)
    post.screening = screened  # type: ignore[attr-defined]


def _newest_visible_post_id(thread: Thread) -> int:
    newest = Post.objects.filter(
        thread=thread, deleted_at__isnull=True, moderation_state=ModerationState.PUBLISHED
    ).aggregate(newest=Max("id"))["newest"]
    return int(newest or 0)


def _change_state(*, post: Post, state: str) -> None:
    """Move a post (and, for an opening post, its thread) between published, held and hidden,
    keeping the group's and thread's counts of visible content in step."""
    was_published, now_published = post.is_published, state == ModerationState.PUBLISHED
    post.moderation_state = state
    post.save(update_fields=["moderation_state"])
    thread = post.thread
    if post.is_opening:
        thread.moderation_state = state
        thread.save(update_fields=["moderation_state"])
        if thread.deleted_at is None and was_published != now_published:
            (_increment if now_published else _decrement)(Group, thread.group_id, "thread_count")
        return
    if post.deleted_at is not None or was_published == now_published:
        return
    if now_published:
        _increment(Thread, thread.pk, "reply_count")
        Thread.objects.filter(pk=thread.pk).update(
            last_post_id=Greatest(F("last_post_id"), post.pk), last_activity_at=timezone.now()
        )
    else:
        _decrement(Thread, thread.pk, "reply_count")
        Thread.objects.filter(pk=thread.pk).update(last_post_id=_newest_visible_post_id(thread))
    thread.refresh_from_db(fields=["reply_count", "last_post_id", "last_activity_at"])


@transaction.atomic
def post_set_moderation_state(*, actor: User, post: Post, state: str) -> Post:
    """A moderator publishes, holds or hides a post (an opening post takes its thread along).

    Publishing a held reply tells the thread's author and anyone mentioned, as posting would
    have. The caller (the moderation service) writes the audit entry for the decision.
    """
    if state not in ModerationState.values:
        raise ValidationError(_("Unknown moderation state."))
    if not selectors.can_moderate_group(actor, post.thread.group):
        raise PermissionDenied
    if post.moderation_state == state:
        return post
    was_held = post.moderation_state == ModerationState.HELD
    _change_state(post=post, state=state)
    if state == ModerationState.PUBLISHED and was_held and post.deleted_at is None:
        if not post.is_opening:
            notify_reply(post=post)
        mentioned = [
            user
            for user in _mentioned_readers(group=post.thread.group, text=post.body)
            if user.pk != post.author_id
        ]
        if mentioned:
            notify_mentions(post=post, users=mentioned)
    return post


@transaction.atomic
def post_moderator_edit(
    *,
    actor: User,
    post: Post,
    note: str,
    body: str | None = None,
    content_warning: str | None = None,
) -> Post:
    """A moderator edits a post or adds a content warning, with a note everyone sees.

    The earlier text is kept as a revision (moderators and the author can read it), and the
    note says a moderator changed it and why, so an edit is never silent.
    """
    note = _text(note)
    if not note:
        raise ValidationError({"note": _("Please say why, in a short note members will see.")})
    if len(note) > MODERATOR_NOTE_MAX:
        raise ValidationError({"note": _too_long(len(note), MODERATOR_NOTE_MAX)})
    if not selectors.can_moderate_group(actor, post.thread.group):
        raise PermissionDenied
    post_edit(
        actor=actor,
        post=post,
        body=post.body if body is None else body,
        content_warning=content_warning,
    )
    post.moderator_note = note
    post.save(update_fields=["moderator_note"])
    audit_record(
        actor=actor,
        action="post_moderator_edit",
        target_kind=ContentKind.POST,
        target_id=post.pk,
        member=post.author,
        detail={"note": note, "content_warning": post.content_warning},
    )
    return post


@transaction.atomic
def post_delete(*, actor: User, post: Post) -> None:
    """Remove a post: its text is kept for moderators; everyone else sees a placeholder.

    Removing a thread's opening post removes the whole thread.
    """
    if post.deleted_at is not None:
        return
    if not selectors.can_delete_post(actor, post):
        raise PermissionDenied
    now = timezone.now()
    post.deleted_at = now
    post.deleted_by = actor
    post.save(update_fields=["deleted_at", "deleted_by"])
    thread = post.thread
    if post.is_opening:
        if thread.deleted_at is None:
            thread.deleted_at = now
            thread.deleted_by = actor
            thread.save(update_fields=["deleted_at", "deleted_by"])
            if thread.moderation_state == ModerationState.PUBLISHED:
                _decrement(Group, thread.group_id, "thread_count")
        return
    if not post.is_published:  # held or hidden replies were never counted
        return
    newest = _newest_visible_post_id(thread)
    _decrement(Thread, thread.pk, "reply_count")
    Thread.objects.filter(pk=thread.pk).update(last_post_id=newest)
    thread.reply_count = max(thread.reply_count - 1, 0)
    thread.last_post_id = newest


# --- Reactions and read state ---------------------------------------------------------------


@transaction.atomic
def reaction_set(*, user: User, post: Post, kind: str, present: bool) -> bool:
    """Add or take back one reaction; returns whether it is there afterwards."""
    _require_active_account(user)
    if kind not in Reaction.Kind.values:
        raise ValidationError({"kind": _("Please choose one of the reactions offered.")})
    if post.deleted_at is not None or post.thread.deleted_at is not None:
        raise ValidationError(_("This post was removed, so it can't take reactions."))
    if not post.is_published:
        raise ValidationError(_("This post is waiting for a moderator; reactions come later."))
    if not selectors.can_post_in(user, post.thread.group):
        raise PermissionDenied(_("Join the group to react to posts."))
    if not present:
        Reaction.objects.filter(post=post, user=user, kind=kind).delete()
        return False
    reaction, created = Reaction.objects.get_or_create(post=post, user=user, kind=kind)
    if created and post.author_id != user.pk:
        notify_reaction(reaction=reaction)
    return True


@transaction.atomic
def reaction_toggle(*, user: User, post: Post, kind: str) -> bool:
    """Add the reaction if the member has not given it, take it back if they have."""
    exists = Reaction.objects.filter(post=post, user=user, kind=kind).exists()
    return reaction_set(user=user, post=post, kind=kind, present=not exists)


@transaction.atomic
def thread_mark_read(*, user: User, thread: Thread, last_post_id: int) -> None:
    """Move the member's read marker forward to ``last_post_id``; never backwards."""
    if not user.is_authenticated or last_post_id <= 0:
        return
    moved = ThreadReadState.objects.filter(
        user=user, thread=thread, last_read_post_id__lt=last_post_id
    ).update(last_read_post_id=last_post_id)
    if not moved:
        ThreadReadState.objects.get_or_create(
            user=user, thread=thread, defaults={"last_read_post_id": last_post_id}
        )
