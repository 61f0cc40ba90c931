"""Reads for groups, threads and posts, and the access helpers that guard them.

The ``access_*`` helpers are the only way a view or an API endpoint gets a group, thread or
post that a member asked for by slug or id: each raises ``Http404`` for something the member
may not know exists (hidden groups, removed threads) and ``PermissionDenied`` for something
they may know about but not read (the threads of a restricted group they have not joined).

The ``can_*`` predicates answer one question each, one condition per line. A member's
membership of a group is looked up once per request and kept on the user object, so the
several checks a page makes cost one query between them.

List reads (``thread_page``, ``post_page``, ``feed_for``) run a fixed number of queries
however many threads, replies or reactions there are; tests assert it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.crypto import constant_time_compare

from alongside.communities import links
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
from alongside.safety.selectors.protection import ReaderFilter, reader_filter

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from alongside.accounts.models import User

    Viewer: TypeAlias = User | AnonymousUser
else:
    Viewer: TypeAlias = Any

_MEMBERSHIP_CACHE = "_alongside_memberships"
FEED_LENGTH = 30


# --- Memberships and permissions ------------------------------------------------------------


def membership_for(user: Viewer, group: Group) -> Membership | None:
    """The member's membership of the group (active or pending), or None; cached per user."""
    if not user.is_authenticated:
        return None
    cache: dict[int, Membership | None] = user.__dict__.setdefault(_MEMBERSHIP_CACHE, {})
    if group.pk not in cache:
        cache[group.pk] = Membership.objects.filter(user=user, group=group).first()
    return cache[group.pk]


def forget_memberships(user: Viewer) -> None:
    """Drop the cached memberships; the services call this after changing one."""
    user.__dict__.pop(_MEMBERSHIP_CACHE, None)


def _remember_memberships(
    user: Viewer, memberships: Iterable[Membership], groups: Iterable[int]
) -> None:
    """Fill the cache from a query that already fetched the member's memberships."""
    cache: dict[int, Membership | None] = user.__dict__.setdefault(_MEMBERSHIP_CACHE, {})
    by_group = {membership.group_id: membership for membership in memberships}
    for group_id in groups:
        cache[group_id] = by_group.get(group_id)


def is_site_moderator(user: Viewer) -> bool:
    """Moderators and administrators look after every group."""
    if not user.is_authenticated:
        return False
    return user.has_perm("communities.moderate_all_groups")


def can_create_groups(user: Viewer) -> bool:
    if not user.is_authenticated:
        return False
    return user.has_perm("communities.create_groups")


def is_active_member(user: Viewer, group: Group) -> bool:
    membership = membership_for(user, group)
    if membership is None:
        return False
    return membership.status == Membership.Status.ACTIVE


def can_see_group(user: Viewer, group: Group) -> bool:
    """Whether the group's page (name, description, rules) may be shown at all."""
    if group.visibility != Group.Visibility.HIDDEN:
        return True
    if not user.is_authenticated:
        return False
    if membership_for(user, group) is not None:
        return True
    return user.has_perm("communities.view_hidden_groups")


def can_read_threads(user: Viewer, group: Group) -> bool:
    """Open groups' threads are for every signed-in member; others' for their members."""
    if not user.is_authenticated:
        return False
    if not can_see_group(user, group):
        return False
    if group.visibility == Group.Visibility.OPEN:
        return True
    if is_active_member(user, group):
        return True
    return is_site_moderator(user)


def can_post_in(user: Viewer, group: Group) -> bool:
    """Posting and reacting: active members, and the site's moderators."""
    if not user.is_authenticated:
        return False
    if is_active_member(user, group):
        return True
    return is_site_moderator(user)


def can_moderate_group(user: Viewer, group: Group) -> bool:
    """The group's own moderators, and the site's moderators and administrators."""
    if not user.is_authenticated:
        return False
    membership = membership_for(user, group)
    if (
        membership is not None
        and membership.status == Membership.Status.ACTIVE
        and membership.role == Membership.Role.MODERATOR
    ):
        return True
    return is_site_moderator(user)


def _is_author_or_moderator_of_standing_post(user: Viewer, post: Post) -> bool:
    if not user.is_authenticated:
        return False
    if post.deleted_at is not None:
        return False
    if post.author_id == user.pk:
        return True
    return can_moderate_group(user, post.thread.group)


def can_edit_post(user: Viewer, post: Post) -> bool:
    """Authors may always edit their own words; moderators may edit anyone's."""
    return _is_author_or_moderator_of_standing_post(user, post)


def can_delete_post(user: Viewer, post: Post) -> bool:
    """Authors may always take back what they shared; moderators may remove anything."""
    return _is_author_or_moderator_of_standing_post(user, post)


def can_view_history(user: Viewer, post: Post) -> bool:
    """Edit history: the author while the post stands, and the group's moderators."""
    if not user.is_authenticated:
        return False
    if can_moderate_group(user, post.thread.group):
        return True
    if post.deleted_at is not None:
        return False
    return post.author_id == user.pk


def invite_token_matches(group: Group, token: str | None) -> bool:
    if not token:
        return False
    if not group.invite_token:
        return False
    return constant_time_compare(token, group.invite_token)


# --- Access helpers -------------------------------------------------------------------------


def access_group_by_slug(user: Viewer, slug: str, *, invite_token: str | None = None) -> Group:
    """The group, if the member may see it; a valid invitation token shows a hidden group."""
    group = Group.objects.filter(slug=slug).first()
    if group is None:
        raise Http404
    if invite_token_matches(group, invite_token):
        return group
    if not can_see_group(user, group):
        raise Http404
    return group


def access_thread_by_id(user: Viewer, thread_id: int) -> Thread:
    """A thread the member may read. Removed threads exist only for moderators."""
    thread = Thread.objects.select_related("group", "author").filter(pk=thread_id).first()
    if thread is None:
        raise Http404
    if not can_see_group(user, thread.group):
        raise Http404
    if thread.deleted_at is not None and not can_moderate_group(user, thread.group):
        raise Http404
    if not _may_see_unpublished(user, thread.moderation_state, thread.author_id, thread.group):
        raise Http404
    if not can_read_threads(user, thread.group):
        raise PermissionDenied
    return thread


def access_post_by_id(user: Viewer, post_id: int) -> Post:
    """A post the member may read (it may be a removed one; the page shows a placeholder).

    Its author may always reach it while its thread stands, even after leaving the group.
    """
    post = (
        Post.objects.select_related("thread", "thread__group", "author").filter(pk=post_id).first()
    )
    if post is None:
        raise Http404
    group = post.thread.group
    if _is_own_standing_post(user, post):
        return post
    if not can_see_group(user, group):
        raise Http404
    if post.thread.deleted_at is not None and not can_moderate_group(user, group):
        raise Http404
    if not _may_see_unpublished(user, post.moderation_state, post.author_id, group):
        raise Http404
    if not _may_see_unpublished(user, post.thread.moderation_state, post.thread.author_id, group):
        raise Http404
    if not can_read_threads(user, group):
        raise PermissionDenied
    return post


def _may_see_unpublished(user: Viewer, state: str, author_id: int, group: Group) -> bool:
    """Held and hidden content: its author and the group's moderators only."""
    if state == ModerationState.PUBLISHED:
        return True
    if user.is_authenticated and user.pk == author_id:
        return True
    return can_moderate_group(user, group)


def _is_own_standing_post(user: Viewer, post: Post) -> bool:
    """Authors keep a way to their own words after leaving a group (to edit or remove them)."""
    if not user.is_authenticated:
        return False
    if post.author_id != user.pk:
        return False
    return post.thread.deleted_at is None


def access_membership_by_id(user: Viewer, group: Group, membership_id: int) -> Membership:
    """A membership of this group, for the group's moderators to approve, decline or change."""
    if not can_moderate_group(user, group):
        raise PermissionDenied
    membership = (
        Membership.objects.select_related("user", "group")
        .filter(pk=membership_id, group=group)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


# --- Groups ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    group: Group
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.status == Membership.Status.ACTIVE

    @property
    def is_pending(self) -> bool:
        return self.membership is not None and self.membership.status == Membership.Status.PENDING


def _visible_groups(user: Viewer) -> QuerySet[Group]:
    groups = Group.objects.all()
    if not user.is_authenticated:
        return groups.filter(visibility=Group.Visibility.OPEN)
    if user.has_perm("communities.view_hidden_groups"):
        return groups
    mine = Membership.objects.filter(group=OuterRef("pk"), user=user)
    return groups.filter(~Q(visibility=Group.Visibility.HIDDEN) | Q(Exists(mine)))


def group_list_for(user: Viewer) -> list[GroupRow]:
    """Groups the member may see, by name, each with the member's membership (two queries).

    Anonymous visitors see only open groups; signed-in members also see restricted groups,
    and hidden groups they belong to.
    """
    groups = list(_visible_groups(user))
    memberships: list[Membership] = []
    if user.is_authenticated:
        memberships = list(Membership.objects.filter(user=user))
        _remember_memberships(user, memberships, (group.pk for group in groups))
    by_group = {membership.group_id: membership for membership in memberships}
    return [GroupRow(group=group, membership=by_group.get(group.pk)) for group in groups]


def group_members(user: Viewer, group: Group) -> tuple[list[Membership], list[Membership]]:
    """Active members and pending requests, for the group's moderators only."""
    if not can_moderate_group(user, group):
        raise PermissionDenied
    memberships = list(
        Membership.objects.filter(group=group).select_related("user").order_by("user__handle")
    )
    active = [m for m in memberships if m.status == Membership.Status.ACTIVE]
    pending = [m for m in memberships if m.status == Membership.Status.PENDING]
    return active, pending


def pending_request_count(group: Group) -> int:
    return Membership.objects.filter(group=group, status=Membership.Status.PENDING).count()


# --- Threads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadRow:
    """One line of a thread list. ``unread`` is None where the reader does not track it."""

    thread: Thread
    unread: bool | None

    @property
    def url(self) -> str:
        return links.thread_url(self.thread.group.slug, self.thread.pk)


@dataclass(frozen=True)
class ThreadPage:
    rows: list[ThreadRow]
    page: Page[Thread]


def _unread_markers(
    user: Viewer, threads: Sequence[Thread], memberships: dict[int, Membership | None]
) -> dict[int, bool | None]:
    """Thread id to unread, with one query for all the threads' read states.

    Only active members track unread threads. A thread with no read state counts as unread
    only if something happened in it after the member joined the group, so joining a busy
    group does not mark every old thread as new.
    """
    tracked = [
        thread
        for thread in threads
        if (membership := memberships.get(thread.group_id)) is not None
        and membership.status == Membership.Status.ACTIVE
    ]
    markers: dict[int, bool | None] = {thread.pk: None for thread in threads}
    if not tracked:
        return markers
    read = dict(
        ThreadReadState.objects.filter(
            user_id=cast(int, user.pk), thread_id__in=[thread.pk for thread in tracked]
        ).values_list("thread_id", "last_read_post_id")
    )
    for thread in tracked:
        last_read = read.get(thread.pk)
        if last_read is None:
            membership = memberships[thread.group_id]
            assert membership is not None  # noqa: S101 - filtered above
            markers[thread.pk] = thread.last_activity_at >= membership.joined_at
        else:
            markers[thread.pk] = thread.last_post_id > last_read
    return markers


class CountedPaginator(Paginator):
    """A paginator told its total, for lists whose size a counter already keeps."""

    def __init__(self, object_list: Any, per_page: int, *, known_count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        return self.known_count


def thread_page(group: Group, user: Viewer, page: int | str | None = 1) -> ThreadPage:
    """A page of the group's threads, most recently active first, with unread markers.

    Queries: the page of threads with their authors, and the read states (members only),
    whatever the number of threads; moderators, who also see removed threads, add a COUNT.
    The caller has already checked access.
    """
    if not can_read_threads(user, group):
        raise PermissionDenied
    threads = (
        Thread.objects.filter(group=group)
        .select_related("author")
        .order_by("-last_activity_at", "-id")
    )
    if can_moderate_group(user, group):
        paginator = Paginator(threads, settings.THREADS_PER_PAGE)
    else:
        # The services keep the group's count of visible threads: no COUNT over a big group.
        paginator = CountedPaginator(
            threads.filter(deleted_at__isnull=True, moderation_state=ModerationState.PUBLISHED),
            settings.THREADS_PER_PAGE,
            known_count=group.thread_count,
        )
    current = paginator.get_page(page)
    rows_on_page = list(current.object_list)
    for thread in rows_on_page:
        thread.group = group  # already loaded; saves a join and lets rows build URLs
    markers = _unread_markers(user, rows_on_page, {group.pk: membership_for(user, group)})
    return ThreadPage(
        rows=[ThreadRow(thread=thread, unread=markers[thread.pk]) for thread in rows_on_page],
        page=current,
    )


@dataclass(frozen=True)
class Feed:
    """The "My groups" page: the member's groups and recent activity across them."""

    groups: list[GroupRow]
    rows: list[ThreadRow]


def feed_for(user: User) -> Feed:
    """The member's groups (active and pending) and recently active threads in the active ones.

    Three queries: memberships with their groups, the threads, and their read states.
    """
    memberships = list(
        Membership.objects.filter(user=user).select_related("group").order_by("group__name")
    )
    _remember_memberships(user, memberships, (m.group_id for m in memberships))
    active_group_ids = [m.group_id for m in memberships if m.status == Membership.Status.ACTIVE]
    threads: list[Thread] = []
    if active_group_ids:
        threads = list(
            Thread.objects.filter(
                group_id__in=active_group_ids,
                deleted_at__isnull=True,
                moderation_state=ModerationState.PUBLISHED,
            )
            .select_related("group", "author")
            .order_by("-last_activity_at", "-id")[:FEED_LENGTH]
        )
    markers = _unread_markers(user, threads, {m.group_id: m for m in memberships})
    return Feed(
        groups=[GroupRow(group=m.group, membership=m) for m in memberships],
        rows=[ThreadRow(thread=thread, unread=markers[thread.pk]) for thread in threads],
    )


# --- Posts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReactionSummary:
    """One reaction kind under a post: who reacted, and whether the reader did."""

    kind: str
    label: str
    handles: list[str]
    pressed: bool

    @property
    def who(self) -> str:
        return ", ".join(self.handles)


def reaction_labels() -> tuple[tuple[str, str], ...]:
    """Each reaction kind with its label in the current language, in the fixed order."""
    return tuple((kind.value, str(kind.label)) for kind in Reaction.Kind)


@dataclass(frozen=True)
class PostRow:
    post: Post
    # Removed or hidden, and the reader is neither a moderator nor (for hidden) the author:
    # show only "This post was removed".
    placeholder: bool
    # Newer than what the reader had read before this visit.
    is_new: bool
    reactions: dict[str, list[str]] = field(default_factory=dict)
    reacted: frozenset[str] = frozenset()
    can_edit: bool = False
    can_delete: bool = False
    can_react: bool = False
    can_view_history: bool = False
    can_report: bool = False
    # Why the reader's own safety settings fold or hide this post ("" when they don't):
    # see ``safety.selectors.protection.ReaderFilter.reason_for``.
    hidden_reason: str = ""
    # (kind, label) pairs, translated once for the whole page.
    labels: tuple[tuple[str, str], ...] = ()

    @cached_property
    def reaction_summaries(self) -> list[ReactionSummary]:
        """Every kind, always in the same order: never sorted by how many reacted."""
        return [
            ReactionSummary(
                kind=kind,
                label=label,
                handles=self.reactions.get(kind, []),
                pressed=kind in self.reacted,
            )
            for kind, label in self.labels or reaction_labels()
        ]


@dataclass(frozen=True)
class PostPage:
    rows: list[PostRow]
    page: Page[Post]
    # What the reader had read before this visit (None: never opened the thread).
    read_up_to: int | None
    # The newest post id on this page: where the read marker moves to.
    last_post_id_on_page: int

    @property
    def should_mark_read(self) -> bool:
        return self.last_post_id_on_page > (self.read_up_to or 0)


def _reactions_for(post_ids: list[int]) -> dict[int, dict[str, list[tuple[int, str]]]]:
    """Post id to {kind: [(user id, handle)]} in reaction order, in one query."""
    grouped: dict[int, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    if not post_ids:
        return grouped
    rows = (
        Reaction.objects.filter(post_id__in=post_ids)
        .order_by("created_at", "id")
        .values_list("post_id", "kind", "user_id", "user__handle")
    )
    for post_id, kind, user_id, handle in rows:
        grouped[post_id][kind].append((user_id, handle))
    return grouped


def read_state_for(user: Viewer, thread: Thread) -> int | None:
    if not user.is_authenticated:
        return None
    return (
        ThreadReadState.objects.filter(user_id=user.pk, thread=thread)
        .values_list("last_read_post_id", flat=True)
        .first()
    )


def page_of_post(thread: Thread, post_id: int) -> int:
    """The page of the thread that shows this post id (one COUNT; no such post: its place)."""
    earlier = Post.objects.filter(thread=thread, id__lt=post_id).count()
    return earlier // settings.POSTS_PER_PAGE + 1


def _post_rows(
    thread: Thread,
    user: Viewer,
    posts: list[Post],
    read_up_to: int | None,
    reader: ReaderFilter | None = None,
) -> list[PostRow]:
    """Rows for posts of one thread, with all their reactions fetched in one query, each
    folded or hidden as the reader's blocks and muted words ask (``reader``)."""
    reader = reader or reader_filter(user)
    group = thread.group
    moderator = can_moderate_group(user, group)
    may_react = can_post_in(user, group) and thread.deleted_at is None
    reactions = _reactions_for([post.pk for post in posts if post.deleted_at is None])
    labels = reaction_labels()
    rows = []
    for post in posts:
        post.thread = thread  # already loaded, with its group
        removed = post.deleted_at is not None
        by_kind = reactions.get(post.pk, {})
        own = post.author_id == user.pk
        hidden = post.moderation_state == ModerationState.HIDDEN
        placeholder = (removed or (hidden and not own)) and not moderator
        rows.append(
            PostRow(
                post=post,
                placeholder=placeholder,
                is_new=read_up_to is not None and post.pk > read_up_to and not own,
                reactions={kind: [handle for _id, handle in who] for kind, who in by_kind.items()},
                reacted=frozenset(
                    kind for kind, who in by_kind.items() if any(i == user.pk for i, _h in who)
                ),
                can_edit=not removed and (own or moderator),
                can_delete=not removed and (own or moderator),
                can_react=may_react and not removed and post.is_published,
                can_view_history=post.edited_at is not None
                and (moderator or (own and not removed)),
                can_report=user.is_authenticated and not own and not removed,
                hidden_reason=""
                if placeholder
                else reader.reason_for(
                    author_id=post.author_id, body=post.body, content_warning=post.content_warning
                ),
                labels=labels,
            )
        )
    return rows


def post_page(thread: Thread, user: Viewer, page: int | str | None = 1) -> PostPage:
    """A page of the thread's posts, oldest first, with reactions grouped per post.

    ``page`` is a number, or "last" for the newest posts; out of range means the last page.

    Queries: a COUNT, the posts with their authors, all the page's reactions, and the
    reader's read state, however many posts and reactions there are (the reader's blocks
    and muted words come from the cache). Removed posts keep their place; for anyone but a
    moderator they are placeholders without text. Posts by members who blocked the reader
    are left out.
    """
    if not can_read_threads(user, thread.group):
        raise PermissionDenied
    reader = reader_filter(user)
    posts = Post.objects.filter(thread=thread).select_related("author", "deleted_by")
    if reader.blocks.blocked_by:
        posts = posts.exclude(author_id__in=reader.blocks.blocked_by)
    if not can_moderate_group(user, thread.group):
        # Held replies: only their author sees them. Hidden ones keep their place as a
        # placeholder, like removed ones, so a conversation's replies still make sense.
        visible = Q(moderation_state__in=[ModerationState.PUBLISHED, ModerationState.HIDDEN])
        if user.is_authenticated:
            visible |= Q(author_id=user.pk)
        posts = posts.filter(visible)
    paginator = Paginator(posts.order_by("id"), settings.POSTS_PER_PAGE)
    current = paginator.get_page(paginator.num_pages if page == "last" else page)
    on_page = list(current.object_list)
    read_up_to = read_state_for(user, thread)
    return PostPage(
        rows=_post_rows(thread, user, on_page, read_up_to, reader),
        page=current,
        read_up_to=read_up_to,
        last_post_id_on_page=max((post.pk for post in on_page), default=0),
    )


def post_row(user: Viewer, post: Post) -> PostRow:
    """One post as ``post_page`` would show it (for the API's answers to a write)."""
    return _post_rows(post.thread, user, [post], read_up_to=None)[0]


def post_revisions(user: Viewer, post: Post) -> list[PostRevision]:
    """A post's earlier versions, newest first, for its author and the group's moderators."""
    if not can_view_history(user, post):
        raise PermissionDenied
    return list(post.revisions.select_related("edited_by").order_by("-replaced_at", "-id"))
