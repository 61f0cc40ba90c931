"""Reads for notifications: a member's own notifications, described safely, and their preferences.

Every read here is scoped to ``recipient=user``; there is no way to fetch someone else's
notification. A notification only names the actor and the thread while the member can still
see the post: once the post or thread is deleted, or the member can no longer see the group,
it says "This post is no longer available" and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.communities import selectors as communities_selectors
from alongside.communities.models import Group, Membership, ModerationState, Reaction
from alongside.notifications.models import Notification, NotificationKind, NotificationPreference

# Short, so that even a worker that missed an invalidation (the in-process cache of a
# multi-worker install without Redis) corrects itself quickly.
UNREAD_COUNT_CACHE_SECONDS = 30

NOTIFICATIONS_PER_PAGE = 20


@dataclass(frozen=True)
class NotificationEntry:
    """One notification as the member may see it; ``url`` is empty when it is unavailable."""

    id: int
    kind: str
    text: str
    url: str
    available: bool
    is_read: bool
    created_at: datetime


@dataclass(frozen=True)
class NotificationPage:
    entries: list[NotificationEntry]
    number: int
    num_pages: int
    count: int
    has_previous: bool
    has_next: bool


@dataclass(frozen=True)
class PreferenceEntry:
    kind: str
    label: str
    in_app: bool
    email: bool


def unread_count_cache_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(*, user: User) -> int:
    """The header's unread count, cached per member; the services drop it on every change."""
    key = unread_count_cache_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_COUNT_CACHE_SECONDS)
    return int(count)


def _own_notifications(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related(
        "actor", "thread", "thread__group", "post"
    )


def _readable_group_ids(*, user: User, groups: Iterable[Group]) -> set[int]:
    """Of these groups, the ids whose threads the member can read now.

    The rule is the communities app's ``can_read_threads``; the member's memberships of all
    these groups are fetched in one query first, so asking it per group costs nothing more.
    """
    groups = list(groups)
    memberships = Membership.objects.filter(user=user, group__in=groups)
    communities_selectors._remember_memberships(user, memberships, [g.pk for g in groups])
    return {group.pk for group in groups if communities_selectors.can_read_threads(user, group)}


def _is_available(notification: Notification, readable_group_ids: set[int]) -> bool:
    thread = notification.thread
    post = notification.post
    if thread is None or post is None:
        return False
    if thread.deleted_at is not None:
        return False
    if post.deleted_at is not None:
        return False
    if not post.is_published or thread.moderation_state != ModerationState.PUBLISHED:
        return False
    return thread.group_id in readable_group_ids


def post_url(*, group_slug: str, thread_id: int, post_id: int) -> str:
    """The address of one post inside its thread, on the page that holds it."""
    thread_url = reverse(
        "communities:thread_detail", kwargs={"slug": group_slug, "thread_id": thread_id}
    )
    return f"{thread_url}?post={post_id}#post-{post_id}"


def _reaction_label(detail: str) -> str:
    if detail in Reaction.Kind.values:
        return str(Reaction.Kind(detail).label)
    return detail


# Kinds about safety and moderation, and about a member's own support relationship (an offer,
# a booked session): a member cannot switch them off (only their email copy), so they are not
# offered in the preferences.
ALWAYS_ON_KINDS = frozenset(
    {
        NotificationKind.MODERATION,
        NotificationKind.REPORT_OUTCOME,
        NotificationKind.SAFETY_ALERT,
        NotificationKind.SUPPORT,
    }
)
# Kinds that a member may switch off, in the app and by email, although they carry their own
# message: a reminder that questionnaires are waiting is an offer, never an obligation.
OPTIONAL_MESSAGE_KINDS = frozenset({NotificationKind.MEASURE_DUE})
# Kinds that carry their own message (and link) instead of pointing at a post.
MESSAGE_KINDS = ALWAYS_ON_KINDS | OPTIONAL_MESSAGE_KINDS


def _describe_message(notification: Notification) -> NotificationEntry:
    return NotificationEntry(
        id=notification.pk,
        kind=notification.kind,
        text=notification.message,
        url=notification.link,
        available=bool(notification.link),
        is_read=notification.read_at is not None,
        created_at=notification.created_at,
    )


def _describe(notification: Notification, available: bool) -> NotificationEntry:
    if notification.kind in MESSAGE_KINDS:
        return _describe_message(notification)
    text = _("This post is no longer available")
    url = ""
    if available:
        assert notification.thread is not None  # noqa: S101 - checked by _is_available
        assert notification.post is not None  # noqa: S101
        values = {
            "actor": notification.actor.handle if notification.actor else _("Someone"),
            "title": notification.thread.title,
            "reaction": _reaction_label(notification.detail),
        }
        if notification.kind == NotificationKind.MENTION:
            text = _("%(actor)s mentioned you in “%(title)s”") % values
        elif notification.kind == NotificationKind.REACTION:
            text = _("%(actor)s reacted “%(reaction)s” to your post in “%(title)s”") % values
        else:
            text = _("%(actor)s replied to your thread “%(title)s”") % values
        url = post_url(
            group_slug=notification.thread.group.slug,
            thread_id=notification.thread.pk,
            post_id=notification.post.pk,
        )
    return NotificationEntry(
        id=notification.pk,
        kind=notification.kind,
        text=text,
        url=url,
        available=available,
        is_read=notification.read_at is not None,
        created_at=notification.created_at,
    )


def _describe_all(*, user: User, notifications: list[Notification]) -> list[NotificationEntry]:
    groups = {n.thread.group_id: n.thread.group for n in notifications if n.thread is not None}
    readable = _readable_group_ids(user=user, groups=groups.values())
    return [_describe(n, _is_available(n, readable)) for n in notifications]


def notification_page(
    *,
    user: User,
    page: int | str | None = 1,
    unread_only: bool = False,
    per_page: int = NOTIFICATIONS_PER_PAGE,
) -> NotificationPage:
    """One page of the member's notifications, newest first, in a fixed number of queries."""
    queryset = _own_notifications(user=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    paginator = Paginator(queryset, per_page)
    current = paginator.get_page(page)
    return NotificationPage(
        entries=_describe_all(user=user, notifications=list(current.object_list)),
        number=current.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        has_previous=current.has_previous(),
        has_next=current.has_next(),
    )


def notification_for(*, user: User, notification_id: int) -> NotificationEntry:
    """One of the member's own notifications; anyone else's is a 404, as if it did not exist."""
    notification = _own_notifications(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    return _describe_all(user=user, notifications=[notification])[0]


def preferences_for(*, user: User) -> list[PreferenceEntry]:
    """Every kind a member may switch off, with their choice or the default (in the app, no
    email). Safety and moderation messages are always shown, so they are not listed."""
    rows = {row.kind: row for row in NotificationPreference.objects.filter(user=user)}
    entries = []
    for kind in NotificationKind:
        if kind in ALWAYS_ON_KINDS:
            continue
        row = rows.get(kind.value)
        entries.append(
            PreferenceEntry(
                kind=kind.value,
                label=str(kind.label),
                in_app=row.in_app if row else True,
                email=row.email if row else False,
            )
        )
    return entries
