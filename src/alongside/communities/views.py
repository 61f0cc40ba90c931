"""Pages for groups, threads and posts.

Thin on purpose: an access helper fetches what the member asked for, a service makes any
change, and the view picks the template, the message and where to go next. Every form works
without JavaScript; after a change the member lands back where they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.communities import selectors, services
from alongside.communities.forms import GroupForm, PostEditForm, ReplyForm, ThreadForm
from alongside.communities.models import Group, Membership, Post, Thread
from alongside.core.form_errors import keep_service_errors
from alongside.safety import support

if TYPE_CHECKING:
    from alongside.chat.models import Conversation


def _member(request: HttpRequest) -> User:
    """The signed-in member (every view but the group list requires one)."""
    return cast(User, request.user)


def _thread_url(thread: Thread) -> str:
    return reverse(
        "communities:thread_detail", kwargs={"slug": thread.group.slug, "thread_id": thread.pk}
    )


def _post_url(post: Post) -> str:
    """The post inside its thread; the thread page opens on the page that holds it."""
    return f"{_thread_url(post.thread)}?post={post.pk}#post-{post.pk}"


def _say(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Groups ---------------------------------------------------------------------------------


@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    """Every group the visitor may see; anonymous visitors see the open ones and an invitation."""
    return render(
        request,
        "communities/group_list.html",
        {
            "rows": selectors.group_list_for(request.user),
            "can_create": selectors.can_create_groups(request.user),
        },
    )


@login_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """My groups: the member's groups and what has been happening in them."""
    user = _member(request)
    return render(
        request,
        "communities/feed.html",
        {"feed": selectors.feed_for(user), "can_create": selectors.can_create_groups(user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not selectors.can_create_groups(user):
        raise PermissionDenied
    form = GroupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            group = services.group_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("The group “%(name)s” is ready.") % {"name": group.name})
            return redirect("communities:group_detail", slug=group.slug)
    return render(request, "communities/group_form.html", {"form": form, "group": None})


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    if not selectors.can_moderate_group(user, group):
        raise PermissionDenied
    if request.method == "POST":
        form = GroupForm(request.POST)
        if form.is_valid():
            try:
                services.group_update(actor=user, group=group, **form.cleaned_data)
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("The group's details are saved."))
                return redirect("communities:group_detail", slug=group.slug)
    else:
        form = GroupForm(
            initial={
                "name": group.name,
                "description": group.description,
                "rules": group.rules,
                "visibility": group.visibility,
                "risky_post_policy": group.risky_post_policy,
            }
        )
    return render(request, "communities/group_form.html", {"form": form, "group": group})


@login_required
@require_GET
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A group's description and agreement, its threads, and the ways to join it."""
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    can_read = selectors.can_read_threads(user, group)
    can_moderate = selectors.can_moderate_group(user, group)
    invite_url = ""
    if can_moderate and group.invite_token:
        invite_url = request.build_absolute_uri(
            reverse("communities:group_invite", kwargs={"slug": slug, "token": group.invite_token})
        )
    return render(
        request,
        "communities/group_detail.html",
        {
            "group": group,
            "membership": selectors.membership_for(user, group),
            "can_read": can_read,
            "can_post": selectors.can_post_in(user, group),
            "can_moderate": can_moderate,
            "threads": selectors.thread_page(group, user, request.GET.get("page"))
            if can_read
            else None,
            "pending_count": selectors.pending_request_count(group) if can_moderate else 0,
            "invite_url": invite_url,
            "rooms": _live_rooms(user, group) if can_read else [],
        },
    )


def _live_rooms(user: User, group: Group) -> list[Conversation]:
    """The group's live rooms and sessions (the chat app reads them; groups don't know how)."""
    from alongside.chat.selectors import rooms_for_group

    return rooms_for_group(user, group)


@login_required
@require_GET
def group_invite(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The page an invitation link opens: what the group is, and a button to join."""
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug, invite_token=token)
    if selectors.is_active_member(user, group):
        messages.info(request, _("You're already a member of this group."))
        return redirect("communities:group_detail", slug=group.slug)
    return render(
        request,
        "communities/group_invite.html",
        {
            "group": group,
            "token": token,
            "valid": selectors.invite_token_matches(group, token),
            "membership": selectors.membership_for(user, group),
        },
    )


@login_required
@require_POST
def group_join(request: HttpRequest, slug: str) -> HttpResponse:
    user = _member(request)
    token = request.POST.get("invite_token") or None
    group = selectors.access_group_by_slug(user, slug, invite_token=token)
    try:
        membership = services.group_join(user=user, group=group, invite_token=token)
    except ValidationError as error:
        messages.error(request, _say(error))
        return redirect("communities:group_detail", slug=group.slug)
    if membership.status == Membership.Status.ACTIVE:
        messages.success(
            request,
            _(
                "Welcome to %(group)s. Have a look at the group agreement, and say hello "
                "whenever you feel ready; reading along is fine too."
            )
            % {"group": group.name},
        )
    else:
        messages.success(
            request,
            _(
                "Your request to join has gone to the group's moderators. Once they say yes, "
                "you'll be able to read and post here."
            ),
        )
    return redirect("communities:group_detail", slug=group.slug)


@login_required
@require_http_methods(["GET", "POST"])
def group_leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Leave a group (or withdraw a request), after a confirmation page."""
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    membership = selectors.membership_for(user, group)
    if membership is None:
        return redirect("communities:group_detail", slug=group.slug)
    if request.method == "POST":
        services.group_leave(user=user, group=group)
        if membership.status == Membership.Status.PENDING:
            messages.info(request, _("Your request to join was withdrawn."))
        else:
            messages.info(
                request,
                _("You've left %(group)s. You're welcome back any time.") % {"group": group.name},
            )
        if group.visibility == Group.Visibility.HIDDEN:
            return redirect("communities:feed")
        return redirect("communities:group_detail", slug=group.slug)
    pending = membership.status == Membership.Status.PENDING
    return render(
        request,
        "communities/confirm.html",
        {
            "title": _("Withdraw your request?") if pending else _("Leave this group?"),
            "question": (
                _("Your request to join %(group)s will be withdrawn.")
                if pending
                else _(
                    "You'll stop seeing %(group)s in My groups. What you've posted stays. "
                    "You can join again later."
                )
            )
            % {"group": group.name},
            "action": reverse("communities:group_leave", kwargs={"slug": group.slug}),
            "button": _("Withdraw request") if pending else _("Leave group"),
            "back": reverse("communities:group_detail", kwargs={"slug": group.slug}),
        },
    )


@login_required
@require_POST
def group_invite_reset(request: HttpRequest, slug: str) -> HttpResponse:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    services.group_invite_reset(actor=user, group=group)
    messages.success(request, _("There's a new invitation link; the old one no longer works."))
    return redirect("communities:group_detail", slug=group.slug)


@login_required
@require_GET
def group_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Members and requests to join, for the group's moderators."""
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    active, pending = selectors.group_members(user, group)
    return render(
        request,
        "communities/group_members.html",
        {"group": group, "active": active, "pending": pending},
    )


def _membership_action(request: HttpRequest, slug: str, membership_id: int) -> Membership:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    return selectors.access_membership_by_id(user, group, membership_id)


@login_required
@require_POST
def membership_approve(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    membership = _membership_action(request, slug, membership_id)
    services.membership_approve(actor=_member(request), membership=membership)
    messages.success(request, _("%(handle)s is now a member.") % {"handle": membership.user.handle})
    return redirect("communities:group_members", slug=slug)


@login_required
@require_POST
def membership_decline(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    membership = _membership_action(request, slug, membership_id)
    try:
        services.membership_decline(actor=_member(request), membership=membership)
    except ValidationError as error:
        messages.error(request, _say(error))
    else:
        messages.info(
            request,
            _("The request from %(handle)s was declined.") % {"handle": membership.user.handle},
        )
    return redirect("communities:group_members", slug=slug)


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    membership = _membership_action(request, slug, membership_id)
    try:
        services.membership_set_role(
            actor=_member(request), membership=membership, role=request.POST.get("role", "")
        )
    except ValidationError as error:
        messages.error(request, _say(error))
    else:
        messages.success(
            request,
            _("%(handle)s is now: %(role)s.")
            % {"handle": membership.user.handle, "role": membership.get_role_display()},
        )
    return redirect("communities:group_members", slug=slug)


# --- Threads --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    user = _member(request)
    group = selectors.access_group_by_slug(user, slug)
    if not selectors.can_post_in(user, group):
        messages.info(request, _("Join the group to start a thread in it."))
        return redirect("communities:group_detail", slug=group.slug)
    form = ThreadForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            thread = services.thread_create(author=user, group=group, **form.cleaned_data)
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            _remember_support(request, thread, held=thread.moderation_state == "held")
            return redirect(_thread_url(thread))
    return render(request, "communities/thread_form.html", {"group": group, "form": form})


def _remember_support(request: HttpRequest, written: Thread | Post, *, held: bool) -> None:
    """Keep the author's support note (crisis lines, a held notice) for the next page.

    The services leave the screening result on what they wrote as ``screening``.
    """
    screened = getattr(written, "screening", None)
    if screened is None:
        return
    notice = support.support_notice(screened=screened, held=held, user=_member(request))
    support.remember(request, notice)


def _render_thread(
    request: HttpRequest, thread: Thread, form: ReplyForm, *, page: int | str | None
) -> HttpResponse:
    user = _member(request)
    posts = selectors.post_page(thread, user, page)
    if request.method == "GET" and posts.should_mark_read:
        services.thread_mark_read(user=user, thread=thread, last_post_id=posts.last_post_id_on_page)
    return render(
        request,
        "communities/thread_detail.html",
        {
            "thread": thread,
            "group": thread.group,
            "posts": posts,
            "form": form,
            "can_post": selectors.can_post_in(user, thread.group) and thread.deleted_at is None,
            "can_moderate": selectors.can_moderate_group(user, thread.group),
        },
    )


def _readable_thread(request: HttpRequest, slug: str, thread_id: int) -> Thread | HttpResponse:
    """The thread, or where to send a member who has not joined its group yet."""
    user = _member(request)
    try:
        return selectors.access_thread_by_id(user, thread_id)
    except PermissionDenied:
        group = selectors.access_group_by_slug(user, slug)
        messages.info(request, _("Join this group to read its conversations."))
        return redirect("communities:group_detail", slug=group.slug)


@login_required
@require_GET
def thread_detail(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    """A thread's posts; opening it marks them read. ``?post=<id>`` opens that post's page."""
    thread = _readable_thread(request, slug, thread_id)
    if isinstance(thread, HttpResponse):
        return thread
    if thread.group.slug != slug:
        query = request.GET.urlencode()
        return redirect(_thread_url(thread) + (f"?{query}" if query else ""))
    page: int | str | None = request.GET.get("page")
    post_id = request.GET.get("post", "")
    if page is None and post_id.isdigit():
        page = selectors.page_of_post(thread, int(post_id))
    return _render_thread(request, thread, ReplyForm(), page=page)


@login_required
@require_POST
def thread_reply(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    """Post a reply; on a problem, the thread's last page again with what was typed."""
    thread = _readable_thread(request, slug, thread_id)
    if isinstance(thread, HttpResponse):
        return thread
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            post = services.post_create(author=_member(request), thread=thread, **form.cleaned_data)
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            _remember_support(request, post, held=not post.is_published)
            return redirect(_post_url(post))
    return _render_thread(request, thread, form, page="last")


# --- Posts ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _member(request)
    post = selectors.access_post_by_id(user, post_id)
    if not selectors.can_edit_post(user, post):
        raise PermissionDenied
    if request.method == "POST":
        form = PostEditForm(request.POST, with_title=post.is_opening)
        if form.is_valid():
            try:
                services.post_edit(
                    actor=user,
                    post=post,
                    body=form.cleaned_data["body"],
                    content_warning=form.cleaned_data["content_warning"],
                    title=form.cleaned_data.get("title"),
                )
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("Your changes are saved."))
                _remember_support(request, post, held=not post.is_published)
                return redirect(_post_url(post))
    else:
        form = PostEditForm(
            initial={
                "title": post.thread.title,
                "body": post.body,
                "content_warning": post.content_warning,
            },
            with_title=post.is_opening,
        )
    return render(
        request,
        "communities/post_form.html",
        {"post": post, "thread": post.thread, "group": post.thread.group, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """Remove a post, after a confirmation page (no script needed)."""
    user = _member(request)
    post = selectors.access_post_by_id(user, post_id)
    if not selectors.can_delete_post(user, post):
        raise PermissionDenied
    thread = post.thread
    if request.method == "POST":
        services.post_delete(actor=user, post=post)
        if post.is_opening:
            messages.info(request, _("The thread was removed."))
            return redirect("communities:group_detail", slug=thread.group.slug)
        messages.info(request, _("The post was removed."))
        return redirect(_post_url(post))
    if post.is_opening:
        question = _(
            "This is the first post of “%(title)s”, so the whole thread, with its replies, "
            "will be removed."
        ) % {"title": thread.title}
    else:
        question = _("Members will see “This post was removed” in its place.")
    return render(
        request,
        "communities/confirm.html",
        {
            "title": _("Remove this post?"),
            "question": question,
            "action": reverse("communities:post_delete", kwargs={"post_id": post.pk}),
            "button": _("Remove"),
            "back": _post_url(post),
        },
    )


@login_required
@require_GET
def post_history(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _member(request)
    post = selectors.access_post_by_id(user, post_id)
    return render(
        request,
        "communities/post_history.html",
        {
            "post": post,
            "thread": post.thread,
            "group": post.thread.group,
            "revisions": selectors.post_revisions(user, post),
            "post_url": _post_url(post),
        },
    )


@login_required
@require_POST
def react(request: HttpRequest, post_id: int) -> HttpResponse:
    """Give or take back a reaction, then return to the post."""
    user = _member(request)
    post = selectors.access_post_by_id(user, post_id)
    try:
        services.reaction_toggle(user=user, post=post, kind=request.POST.get("kind", ""))
    except ValidationError as error:
        messages.error(request, _say(error))
    return redirect(_post_url(post))
