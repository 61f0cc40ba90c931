"""JSON endpoints for groups, threads, posts and reactions, under /api/v1/groups/.

The same access helpers and services as the pages: an endpoint fetches through
``selectors.access_*``, changes through ``services``, and turns their refusals into
responses: ``Http404`` is 404, ``PermissionDenied`` is 403, and a service's
``ValidationError`` is 422 in the same shape as a request that fails the schema
(``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``), so clients read one kind
of 422 whichever check refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from alongside.accounts.models import User
from alongside.api_schemas import ErrorOut, ValidationErrorOut, validation_problems
from alongside.communities import selectors, services
from alongside.communities.models import Group, Membership, Post, Reaction, Thread
from alongside.safety import support
from alongside.safety.api_draft import SupportLineOut
from alongside.safety.selectors.protection import BLOCKED, BLOCKED_BY

router = Router(tags=["groups"])

P = ParamSpec("P")
R = TypeVar("R")

REFUSALS: dict[int | str, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


# --- Schemas --------------------------------------------------------------------------------


class MembershipOut(Schema):
    status: Membership.Status
    role: Membership.Role
    joined_at: datetime


class MyMembershipOut(Schema):
    group: str = Field(description="The group's slug.")
    membership: MembershipOut | None = Field(description="Null when I am not a member now.")


class ReadStateOut(Schema):
    thread_id: int
    last_read_post_id: int


class GroupOut(Schema):
    slug: str
    name: str
    description: str
    visibility: Group.Visibility
    member_count: int
    thread_count: int
    membership: MembershipOut | None = Field(description="Mine; null when I have not joined.")


class GroupDetailOut(GroupOut):
    rules: str = Field(description="The group agreement as markdown.")
    rules_html: str = Field(description="The group agreement, rendered and sanitised.")
    can_read: bool = Field(description="Whether I may read the group's threads.")
    can_post: bool = Field(description="Whether I may start threads, reply and react.")
    can_moderate: bool


class ThreadOut(Schema):
    id: int
    group: str = Field(description="The group's slug.")
    title: str
    author: str = Field(description="The author's handle.")
    created_at: datetime
    last_activity_at: datetime
    reply_count: int
    last_post_id: int
    unread: bool | None = Field(description="New posts since I last read it; null if untracked.")
    removed: bool = Field(description="Removed; only moderators see removed threads.")


class InfoCardOut(Schema):
    title: str
    body: str


class ScreeningOut(Schema):
    """What screening found in what I just wrote, for the app to show me straight away."""

    tier: str = Field(description="urgent, review or none: how concerning the words looked.")
    held: bool = Field(description="Waiting for a moderator; only I and moderators see it.")
    held_reasons: list[str]
    lines: list[SupportLineOut] = Field(description="Crisis lines to show me now, if any.")
    emergency: str
    staffed: bool = Field(description="False when no moderator is on duty right now.")
    info_cards: list[InfoCardOut]


class ThreadCreatedOut(ThreadOut):
    screening: ScreeningOut | None = Field(description="Present when there is something to say.")


class ThreadPageOut(Schema):
    items: list[ThreadOut]
    page: int
    num_pages: int
    count: int
    has_next: bool


class PostOut(Schema):
    id: int
    thread_id: int
    is_opening: bool
    removed: bool
    author: str | None = Field(
        description="Handle; null on a removed post's placeholder and on a blocked member's post."
    )
    body: str | None = Field(
        description="Markdown; null on a removed post's placeholder and on a blocked member's post."
    )
    body_html: str | None = Field(description="Rendered and sanitised; null on a placeholder.")
    content_warning: str = Field(description="When set, show the body only on request.")
    created_at: datetime
    edited_at: datetime | None
    is_new: bool = Field(description="Newer than what I had read before this page.")
    reactions: dict[Reaction.Kind, list[str]] = Field(
        description="Who reacted, by kind, in the order they reacted."
    )
    my_reactions: list[Reaction.Kind]
    can_edit: bool
    can_delete: bool
    can_react: bool
    hidden_reason: str = Field(
        description='Why my own safety settings fold this post: "blocked" (its author is a '
        'member I blocked; no text is sent), "muted" (it contains a word I muted) or '
        '"content_warning" (I fold posts with a content warning); "" when they do not.'
    )


class PostCreatedOut(PostOut):
    screening: ScreeningOut | None = Field(description="Present when there is something to say.")


class ThreadDetailOut(Schema):
    thread: ThreadOut
    posts: list[PostOut]
    page: int
    num_pages: int
    count: int
    has_next: bool
    can_post: bool = Field(description="Whether I may reply.")


class PageQuery(Schema):
    page: int = Field(1, ge=1)


class ThreadQuery(Schema):
    page: int | None = Field(None, ge=1)
    post: int | None = Field(None, description="Open the page that holds this post id.")


class JoinIn(Schema):
    invite_token: str | None = Field(None, description="From an invitation link.")


class ThreadIn(Schema):
    title: str
    body: str = Field(description="Markdown.")
    content_warning: str = ""


class ReplyIn(Schema):
    body: str = Field(description="Markdown.")
    content_warning: str = ""


class PostEditIn(Schema):
    body: str = Field(description="Markdown.")
    content_warning: str | None = Field(None, description="Null leaves it as it is.")
    title: str | None = Field(None, description="Opening posts only; null leaves it.")


class MarkReadIn(Schema):
    last_post_id: int = Field(ge=1)


# --- Helpers --------------------------------------------------------------------------------


def _member(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def refusals(view: Callable[P, R]) -> Callable[P, R | Status[Any]]:
    """Turn the access helpers' and services' refusals into 403, 404 and 422 responses."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Status[Any]:
        try:
            return view(*args, **kwargs)
        except Http404:
            return Status(404, {"detail": _("Not found.")})
        except PermissionDenied as error:
            return Status(403, {"detail": str(error) or _("You don't have permission to do that.")})
        except ValidationError as error:
            return Status(422, {"detail": validation_problems(error)})

    return wrapper


def _membership_out(membership: Membership | None) -> MembershipOut | None:
    if membership is None:
        return None
    return MembershipOut(
        status=Membership.Status(membership.status),
        role=Membership.Role(membership.role),
        joined_at=membership.joined_at,
    )


def _group_out(row: selectors.GroupRow) -> GroupOut:
    group = row.group
    return GroupOut(
        slug=group.slug,
        name=group.name,
        description=group.description,
        visibility=Group.Visibility(group.visibility),
        member_count=group.member_count,
        thread_count=group.thread_count,
        membership=_membership_out(row.membership),
    )


def _thread_out(row: selectors.ThreadRow) -> ThreadOut:
    thread = row.thread
    return ThreadOut(
        id=thread.pk,
        group=thread.group.slug,
        title=thread.title,
        author=thread.author.handle,
        created_at=thread.created_at,
        last_activity_at=thread.last_activity_at,
        reply_count=thread.reply_count,
        last_post_id=thread.last_post_id,
        unread=row.unread,
        removed=thread.deleted_at is not None,
    )


def _post_out(row: selectors.PostRow) -> PostOut:
    post = row.post
    blocked = row.hidden_reason in {BLOCKED, BLOCKED_BY}
    hidden = row.placeholder or blocked
    return PostOut(
        id=post.pk,
        thread_id=post.thread_id,
        is_opening=post.is_opening,
        removed=post.deleted_at is not None,
        author=None if hidden else post.author.handle,
        body=None if hidden else post.body,
        body_html=None if hidden else post.body_html,
        content_warning="" if hidden else post.content_warning,
        created_at=post.created_at,
        edited_at=None if hidden else post.edited_at,
        is_new=row.is_new,
        reactions={Reaction.Kind(kind): handles for kind, handles in row.reactions.items()},
        my_reactions=sorted(Reaction.Kind(kind) for kind in row.reacted),
        can_edit=row.can_edit,
        can_delete=row.can_delete,
        can_react=row.can_react,
        hidden_reason=BLOCKED if blocked else row.hidden_reason,
    )


# --- Groups ---------------------------------------------------------------------------------


@router.get("/", response={200: list[GroupOut], **REFUSALS}, summary="List the groups I can see")
@refusals
def list_groups(request: HttpRequest) -> list[GroupOut]:
    return [_group_out(row) for row in selectors.group_list_for(_member(request))]


@router.get("/{slug}", response={200: GroupDetailOut, **REFUSALS}, summary="One group")
@refusals
def group_detail(request: HttpRequest, slug: str) -> GroupDetailOut:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    row = selectors.GroupRow(group=group, membership=selectors.membership_for(user, group))
    return GroupDetailOut(
        **_group_out(row).model_dump(),
        rules=group.rules,
        rules_html=group.rules_html,
        can_read=selectors.can_read_threads(user, group),
        can_post=selectors.can_post_in(user, group),
        can_moderate=selectors.can_moderate_group(user, group),
    )


@router.post(
    "/{slug}/join",
    response={200: MyMembershipOut, **REFUSALS},
    summary="Join a group, or ask to join a restricted one",
)
@refusals
def join_group(request: HttpRequest, slug: str, payload: JoinIn) -> MyMembershipOut:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug, invite_token=payload.invite_token)
    membership = services.group_join(user=user, group=group, invite_token=payload.invite_token)
    return MyMembershipOut(group=group.slug, membership=_membership_out(membership))


@router.post(
    "/{slug}/leave",
    response={200: MyMembershipOut, **REFUSALS},
    summary="Leave a group, or withdraw a request to join",
)
@refusals
def leave_group(request: HttpRequest, slug: str) -> MyMembershipOut:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    services.group_leave(user=user, group=group)
    return MyMembershipOut(group=group.slug, membership=None)


# --- Threads --------------------------------------------------------------------------------


@router.get(
    "/{slug}/threads",
    response={200: ThreadPageOut, **REFUSALS},
    summary="A page of a group's threads, most recently active first",
)
@refusals
def list_threads(request: HttpRequest, slug: str, query: Query[PageQuery]) -> ThreadPageOut:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    page = selectors.thread_page(group, user, query.page)
    return ThreadPageOut(
        items=[_thread_out(row) for row in page.rows],
        page=page.page.number,
        num_pages=page.page.paginator.num_pages,
        count=page.page.paginator.count,
        has_next=page.page.has_next(),
    )


@router.post(
    "/{slug}/threads",
    response={201: ThreadCreatedOut, **REFUSALS},
    summary="Start a thread",
)
@refusals
def create_thread(request: HttpRequest, slug: str, payload: ThreadIn) -> Status[ThreadCreatedOut]:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    thread = services.thread_create(
        author=user,
        group=group,
        title=payload.title,
        body=payload.body,
        content_warning=payload.content_warning,
    )
    out = _thread_out(selectors.ThreadRow(thread=thread, unread=False))
    notice = _support_for(user, thread, held=thread.moderation_state == "held")
    return Status(201, ThreadCreatedOut(**out.model_dump(), screening=notice))


@router.get(
    "/threads/{thread_id}",
    response={200: ThreadDetailOut, **REFUSALS},
    summary="A thread with one page of its posts",
)
@refusals
def thread_detail(
    request: HttpRequest, thread_id: int, query: Query[ThreadQuery]
) -> ThreadDetailOut:
    user = _member(request)
    thread = selectors.access_thread_by_id(user, thread_id)
    page: int | None = query.page
    if page is None and query.post is not None:
        page = selectors.page_of_post(thread, query.post)
    posts = selectors.post_page(thread, user, page or 1)
    unread = posts.read_up_to is not None and thread.last_post_id > posts.read_up_to
    return ThreadDetailOut(
        thread=_thread_out(selectors.ThreadRow(thread=thread, unread=unread)),
        posts=[_post_out(row) for row in posts.rows],
        page=posts.page.number,
        num_pages=posts.page.paginator.num_pages,
        count=posts.page.paginator.count,
        has_next=posts.page.has_next(),
        can_post=selectors.can_post_in(user, thread.group) and thread.deleted_at is None,
    )


@router.post(
    "/threads/{thread_id}/read",
    response={200: ReadStateOut, **REFUSALS},
    summary="Mark a thread read up to a post (the marker never moves back)",
)
@refusals
def mark_read(request: HttpRequest, thread_id: int, payload: MarkReadIn) -> ReadStateOut:
    user = _member(request)
    thread = selectors.access_thread_by_id(user, thread_id)
    services.thread_mark_read(user=user, thread=thread, last_post_id=payload.last_post_id)
    return ReadStateOut(
        thread_id=thread.pk, last_read_post_id=selectors.read_state_for(user, thread) or 0
    )


def _support_for(user: User, written: Thread | Post, *, held: bool) -> ScreeningOut | None:
    screened = getattr(written, "screening", None)
    if screened is None:
        return None
    notice = support.support_notice(screened=screened, held=held, user=user)
    return None if notice is None else ScreeningOut(**notice.as_dict())


# --- Posts ----------------------------------------------------------------------------------


@router.post(
    "/threads/{thread_id}/posts",
    response={201: PostCreatedOut, **REFUSALS},
    summary="Reply to a thread",
)
@refusals
def create_reply(request: HttpRequest, thread_id: int, payload: ReplyIn) -> Status[PostCreatedOut]:
    user = _member(request)
    thread = selectors.access_thread_by_id(user, thread_id)
    post = services.post_create(
        author=user, thread=thread, body=payload.body, content_warning=payload.content_warning
    )
    out = _post_out(selectors.post_row(user, post))
    notice = _support_for(user, post, held=not post.is_published)
    return Status(201, PostCreatedOut(**out.model_dump(), screening=notice))


@router.patch("/posts/{post_id}", response={200: PostOut, **REFUSALS}, summary="Edit a post")
@refusals
def edit_post(request: HttpRequest, post_id: int, payload: PostEditIn) -> PostOut:
    user = _member(request)
    post = selectors.access_post_by_id(user, post_id)
    services.post_edit(
        actor=user,
        post=post,
        body=payload.body,
        content_warning=payload.content_warning,
        title=payload.title,
    )
    return _post_out(selectors.post_row(user, post))


@router.delete(
    "/posts/{post_id}",
    response={200: PostOut, **REFUSALS},
    summary="Remove a post (removing an opening post removes its thread)",
)
@refusals
def delete_post(request: HttpRequest, post_id: int) -> PostOut:
    user = _member(request)
    post = selectors.access_post_by_id(user, post_id)
    services.post_delete(actor=user, post=post)
    return _post_out(selectors.post_row(user, post))


@router.put(
    "/posts/{post_id}/reactions/{kind}",
    response={200: PostOut, **REFUSALS},
    summary="React to a post (no change if I already have)",
)
@refusals
def add_reaction(request: HttpRequest, post_id: int, kind: Reaction.Kind) -> PostOut:
    user = _member(request)
    post = selectors.access_post_by_id(user, post_id)
    services.reaction_set(user=user, post=post, kind=kind, present=True)
    return _post_out(selectors.post_row(user, post))


@router.delete(
    "/posts/{post_id}/reactions/{kind}",
    response={200: PostOut, **REFUSALS},
    summary="Take back a reaction (no change if I had none)",
)
@refusals
def remove_reaction(request: HttpRequest, post_id: int, kind: Reaction.Kind) -> PostOut:
    user = _member(request)
    post = selectors.access_post_by_id(user, post_id)
    services.reaction_set(user=user, post=post, kind=kind, present=False)
    return _post_out(selectors.post_row(user, post))
