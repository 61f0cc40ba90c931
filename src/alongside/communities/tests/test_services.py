"""Every branch of the communities services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities import selectors, services
from alongside.communities.models import (
    Group,
    Membership,
    Post,
    PostRevision,
    Reaction,
    Thread,
    ThreadReadState,
)
from alongside.communities.tests.helpers import People, join, opening_post
from alongside.notifications.models import Notification, NotificationKind

MakeUser = Callable[..., User]


def fresh(obj: Group | Thread | Post | Membership) -> Group | Thread | Post | Membership:
    obj.refresh_from_db()
    return obj


def field_errors(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


# --- Groups ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "peer_supporter", "moderator", "researcher"])
def test_only_administrators_create_groups(make_user: MakeUser, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.group_create(actor=make_user(role=role), name="Mine")


def test_group_create_open(admin: User) -> None:
    group = services.group_create(
        actor=admin, name="Low mood", description="Talk", rules="Be <b>kind</b> and **patient**"
    )
    assert group.slug == "low-mood"
    assert group.invite_token == ""
    assert group.member_count == 1
    assert "<strong>patient</strong>" in group.rules_html
    assert "<b>" not in group.rules_html
    membership = Membership.objects.get(group=group, user=admin)
    assert membership.role == Membership.Role.MODERATOR
    assert membership.status == Membership.Status.ACTIVE
    assert selectors.can_moderate_group(admin, group)


@pytest.mark.parametrize("visibility", [Group.Visibility.RESTRICTED, Group.Visibility.HIDDEN])
def test_group_create_closed_groups_get_an_invitation_token(admin: User, visibility: str) -> None:
    group = services.group_create(actor=admin, name="Closed", visibility=visibility)
    assert len(group.invite_token) == 43


def test_group_create_validates(admin: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.group_create(actor=admin, name="  ", description="x" * 1001)
    assert field_errors(error) == {"name", "description"}
    with pytest.raises(ValidationError) as error:
        services.group_create(actor=admin, name="Fine", visibility="secret")
    assert field_errors(error) == {"visibility"}
    assert not Group.objects.exists()


def test_group_slugs_are_unique_and_avoid_reserved_words(admin: User) -> None:
    assert services.group_create(actor=admin, name="Grief").slug == "grief"
    assert services.group_create(actor=admin, name="Grief!").slug == "grief-2"
    assert services.group_create(actor=admin, name="grief").slug == "grief-3"
    assert services.group_create(actor=admin, name="New").slug == "new-2"
    assert services.group_create(actor=admin, name="Feed").slug == "feed-2"
    assert services.group_create(actor=admin, name="???").slug == "group"


def test_group_update(
    open_group: Group, people_for: Callable[[Group], People], admin: User
) -> None:
    people = people_for(open_group)
    with pytest.raises(PermissionDenied):
        services.group_update(actor=people.member, group=open_group, name="Mine now")
    services.group_update(
        actor=people.group_moderator,
        group=open_group,
        name="Renamed",
        rules="*Gentle*",
        visibility=Group.Visibility.RESTRICTED,
    )
    group = fresh(open_group)
    assert isinstance(group, Group)
    assert group.name == "Renamed"
    assert group.slug == "open-group"
    assert "<em>Gentle</em>" in group.rules_html
    assert len(group.invite_token) == 43
    with pytest.raises(ValidationError):
        services.group_update(actor=admin, group=group, name="")


def test_group_invite_reset(restricted_group: Group, people_for: Callable[[Group], People]) -> None:
    people = people_for(restricted_group)
    old = restricted_group.invite_token
    with pytest.raises(PermissionDenied):
        services.group_invite_reset(actor=people.member, group=restricted_group)
    new = services.group_invite_reset(actor=people.group_moderator, group=restricted_group)
    assert new != old
    assert fresh(restricted_group).invite_token == new  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        services.group_join(user=people.outsider, group=restricted_group, invite_token=old)


def test_join_open_group(open_group: Group, member: User) -> None:
    membership = services.group_join(user=member, group=open_group)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MEMBER
    assert fresh(open_group).member_count == 2  # type: ignore[union-attr]
    again = services.group_join(user=member, group=open_group)
    assert again.pk == membership.pk
    assert fresh(open_group).member_count == 2  # type: ignore[union-attr]


def test_join_restricted_group_without_token_asks(restricted_group: Group, member: User) -> None:
    request = services.group_join(user=member, group=restricted_group)
    assert request.status == Membership.Status.PENDING
    assert fresh(restricted_group).member_count == 1  # type: ignore[union-attr]
    again = services.group_join(user=member, group=restricted_group)
    assert again.pk == request.pk
    assert again.status == Membership.Status.PENDING


def test_join_restricted_group_with_token(restricted_group: Group, member: User) -> None:
    services.group_join(user=member, group=restricted_group)
    membership = services.group_join(
        user=member, group=restricted_group, invite_token=restricted_group.invite_token
    )
    assert membership.status == Membership.Status.ACTIVE
    assert fresh(restricted_group).member_count == 2  # type: ignore[union-attr]
    assert Membership.objects.filter(user=member).count() == 1


def test_join_restricted_group_with_wrong_token(restricted_group: Group, member: User) -> None:
    with pytest.raises(ValidationError, match="no longer valid"):
        services.group_join(user=member, group=restricted_group, invite_token="stale")
    assert not Membership.objects.filter(user=member).exists()


def test_join_hidden_group(hidden_group: Group, member: User) -> None:
    with pytest.raises(Http404):
        services.group_join(user=member, group=hidden_group)
    with pytest.raises(Http404):
        services.group_join(user=member, group=hidden_group, invite_token="wrong")
    membership = services.group_join(
        user=member, group=hidden_group, invite_token=hidden_group.invite_token
    )
    assert membership.status == Membership.Status.ACTIVE


def test_deactivated_accounts_cannot_join(open_group: Group, make_user: MakeUser) -> None:
    gone = make_user("gone", is_active=False)
    with pytest.raises(PermissionDenied):
        services.group_join(user=gone, group=open_group)


def test_join_updates_the_cached_membership(open_group: Group, member: User) -> None:
    assert not selectors.can_post_in(member, open_group)
    services.group_join(user=member, group=open_group)
    assert selectors.can_post_in(member, open_group)


def test_group_leave(restricted_group: Group, people_for: Callable[[Group], People]) -> None:
    people = people_for(restricted_group)
    count = fresh(restricted_group).member_count  # type: ignore[union-attr]
    services.group_leave(user=people.member, group=restricted_group)
    assert fresh(restricted_group).member_count == count - 1  # type: ignore[union-attr]
    assert not selectors.can_post_in(people.member, restricted_group)
    assert people.pending is not None
    services.group_leave(user=people.pending, group=restricted_group)
    assert fresh(restricted_group).member_count == count - 1  # type: ignore[union-attr]
    services.group_leave(user=people.outsider, group=restricted_group)  # not a member: no-op
    assert not Membership.objects.filter(
        user__in=[people.member, people.pending, people.outsider]
    ).exists()


def test_membership_approve(restricted_group: Group, people_for: Callable[[Group], People]) -> None:
    people = people_for(restricted_group)
    request = Membership.objects.get(user=people.pending, group=restricted_group)
    count = fresh(restricted_group).member_count  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        services.membership_approve(actor=people.member, membership=request)
    approved = services.membership_approve(actor=people.group_moderator, membership=request)
    assert approved.status == Membership.Status.ACTIVE
    assert fresh(restricted_group).member_count == count + 1  # type: ignore[union-attr]
    services.membership_approve(actor=people.site_moderator, membership=approved)  # no-op
    assert fresh(restricted_group).member_count == count + 1  # type: ignore[union-attr]


def test_membership_decline(restricted_group: Group, people_for: Callable[[Group], People]) -> None:
    people = people_for(restricted_group)
    request = Membership.objects.get(user=people.pending, group=restricted_group)
    with pytest.raises(PermissionDenied):
        services.membership_decline(actor=people.member, membership=request)
    active = Membership.objects.get(user=people.member, group=restricted_group)
    with pytest.raises(ValidationError):
        services.membership_decline(actor=people.group_moderator, membership=active)
    services.membership_decline(actor=people.site_moderator, membership=request)
    assert not Membership.objects.filter(pk=request.pk).exists()


def test_membership_set_role(
    restricted_group: Group, people_for: Callable[[Group], People]
) -> None:
    people = people_for(restricted_group)
    active = Membership.objects.get(user=people.member, group=restricted_group)
    request = Membership.objects.get(user=people.pending, group=restricted_group)
    with pytest.raises(PermissionDenied):
        services.membership_set_role(actor=people.member, membership=active, role="moderator")
    with pytest.raises(ValidationError):
        services.membership_set_role(actor=people.group_moderator, membership=active, role="boss")
    with pytest.raises(ValidationError):
        services.membership_set_role(
            actor=people.group_moderator, membership=request, role="moderator"
        )
    services.membership_set_role(
        actor=people.group_moderator, membership=active, role=Membership.Role.MODERATOR
    )
    # The service forgets what it changed on its own user object; this test holds another.
    selectors.forget_memberships(people.member)
    assert selectors.can_moderate_group(people.member, restricted_group)
    services.membership_set_role(
        actor=people.site_moderator, membership=active, role=Membership.Role.MEMBER
    )
    selectors.forget_memberships(people.member)
    assert not selectors.can_moderate_group(people.member, restricted_group)


# --- Threads and replies --------------------------------------------------------------------


def test_thread_create(open_group: Group, member: User) -> None:
    join(member, open_group)
    thread = services.thread_create(
        author=member,
        group=open_group,
        title="  First steps \r\n",
        body="Hello\r\nthere",
        content_warning="loss",
    )
    post = opening_post(thread)
    assert thread.title == "First steps"
    assert post.body == "Hello\nthere"
    assert post.is_opening
    assert post.content_warning == "loss"
    assert thread.last_post_id == post.pk
    assert thread.reply_count == 0
    assert fresh(open_group).thread_count == 1  # type: ignore[union-attr]
    state = ThreadReadState.objects.get(user=member, thread=thread)
    assert state.last_read_post_id == post.pk


def test_thread_create_needs_membership(open_group: Group, member: User) -> None:
    with pytest.raises(PermissionDenied):
        services.thread_create(author=member, group=open_group, title="Hi", body="Hello")


def test_site_moderators_may_post_without_joining(open_group: Group, site_moderator: User) -> None:
    thread = services.thread_create(
        author=site_moderator, group=open_group, title="A note", body="Hello all"
    )
    services.post_create(author=site_moderator, thread=thread, body="And another")


def test_thread_create_reports_every_problem_at_once(open_group: Group, admin: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.thread_create(
            author=admin, group=open_group, title=" ", body="", content_warning="x" * 121
        )
    assert field_errors(error) == {"title", "body", "content_warning"}
    assert "Please give your thread a title." in error.value.message_dict["title"]
    with pytest.raises(ValidationError) as error:
        services.thread_create(author=admin, group=open_group, title="t" * 141, body="b" * 20_001)
    assert field_errors(error) == {"title", "body"}
    assert "20001" in error.value.message_dict["body"][0]
    assert not Thread.objects.exists()


def test_post_create(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.member)
    before = thread.last_activity_at
    reply = services.post_create(author=people.group_moderator, thread=thread, body="I hear you")
    thread = fresh(thread)  # type: ignore[assignment]
    assert thread.reply_count == 1
    assert thread.last_post_id == reply.pk
    assert thread.last_activity_at > before
    assert not reply.is_opening
    notification = Notification.objects.get(recipient=people.member)
    assert notification.kind == NotificationKind.REPLY
    assert notification.post == reply


def test_replying_to_your_own_thread_notifies_nobody(
    open_group: Group, member: User, thread_in: Callable[..., Thread]
) -> None:
    join(member, open_group)
    thread = thread_in(open_group, member)
    services.post_create(author=member, thread=thread, body="Update: a better day")
    assert not Notification.objects.exists()


def test_post_create_refusals(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.member)
    with pytest.raises(PermissionDenied):
        services.post_create(author=people.outsider, thread=thread, body="Hi")
    with pytest.raises(ValidationError) as error:
        services.post_create(author=people.member, thread=thread, body="   ")
    assert field_errors(error) == {"body"}
    services.post_delete(actor=people.member, post=opening_post(thread))
    with pytest.raises(ValidationError, match="removed"):
        services.post_create(author=people.group_moderator, thread=thread, body="Hi")


def test_reply_advances_the_authors_read_marker_only_when_caught_up(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.member)
    first = services.post_create(author=people.group_moderator, thread=thread, body="One")
    # The thread's author has not read "One", so their own reply leaves their marker alone.
    services.post_create(author=people.member, thread=fresh(thread), body="Two")  # type: ignore[arg-type]
    state = ThreadReadState.objects.get(user=people.member, thread=thread)
    assert state.last_read_post_id == opening_post(thread).pk
    services.thread_mark_read(user=people.member, thread=thread, last_post_id=first.pk + 1)
    three = services.post_create(author=people.member, thread=fresh(thread), body="Three")  # type: ignore[arg-type]
    state.refresh_from_db()
    assert state.last_read_post_id == three.pk


# --- Mentions -------------------------------------------------------------------------------


def test_mentions_link_and_notify_readers_only(
    restricted_group: Group,
    people_for: Callable[[Group], People],
    thread_in: Callable[..., Thread],
    make_user: MakeUser,
) -> None:
    people = people_for(restricted_group)
    make_user("ghost", is_active=False)
    thread = thread_in(restricted_group, people.group_moderator)
    reply = services.post_create(
        author=people.member,
        thread=thread,
        body=(
            f"Thanks @{people.group_moderator.handle.upper()} and @{people.outsider.handle}, "
            f"@{people.site_moderator.handle}, @ghost, @nobody_here and me @{people.member.handle}"
        ),
    )
    html = reply.body_html
    assert f'href="/accounts/members/{people.group_moderator.handle}/"' in html
    assert f">@{people.group_moderator.handle}</a>" in html
    assert f"/members/{people.site_moderator.handle}/" in html
    assert f"/members/{people.member.handle}/" in html  # linked, but not notified
    assert f"/members/{people.outsider.handle}/" not in html  # cannot read this group
    assert "/members/ghost/" not in html
    assert "@nobody_here" in html
    mentions = Notification.objects.filter(kind=NotificationKind.MENTION)
    assert {n.recipient for n in mentions} == {people.group_moderator, people.site_moderator}
    # The mention replaces the reply notification for the thread's author.
    assert not Notification.objects.filter(kind=NotificationKind.REPLY).exists()


def test_mentions_in_open_groups_reach_any_member(
    open_group: Group, people_for: Callable[[Group], People]
) -> None:
    people = people_for(open_group)
    services.thread_create(
        author=people.member,
        group=open_group,
        title="Hello",
        body=f"@{people.outsider.handle} you might like this group",
    )
    assert Notification.objects.get().recipient == people.outsider


# --- Editing --------------------------------------------------------------------------------


def test_edit_within_grace_period_keeps_no_history(
    open_group: Group, member: User, thread_in: Callable[..., Thread]
) -> None:
    join(member, open_group)
    post = opening_post(thread_in(open_group, member, body="Typo"))
    services.post_edit(actor=member, post=post, body="Fixed")
    post = fresh(post)  # type: ignore[assignment]
    assert post.body == "Fixed"
    assert post.body_html == "<p>Fixed</p>\n"
    assert post.edited_at is None
    assert not PostRevision.objects.exists()


def test_edit_after_grace_period_keeps_the_old_text(
    open_group: Group, member: User, thread_in: Callable[..., Thread]
) -> None:
    join(member, open_group)
    thread = thread_in(open_group, member, title="Old title", body="First version")
    post = opening_post(thread)
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    post.refresh_from_db()
    services.post_edit(
        actor=member, post=post, body="Second version", content_warning="grief", title="New"
    )
    post.refresh_from_db()
    thread.refresh_from_db()
    assert post.edited_at is not None
    assert post.content_warning == "grief"
    assert thread.title == "New"
    revision = PostRevision.objects.get(post=post)
    assert revision.body == "First version"
    assert revision.title == "Old title"
    assert revision.content_warning == ""
    assert revision.edited_by == member
    # A second edit, even a quick one, is kept too once a post shows "edited".
    services.post_edit(actor=member, post=post, body="Third version")
    assert PostRevision.objects.filter(post=post).count() == 2
    assert post.content_warning == "grief"  # None leaves it as it was


def test_moderator_edits_are_always_kept(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    post = opening_post(thread_in(open_group, people.member, body="Call me on 0123"))
    services.post_edit(actor=people.group_moderator, post=post, body="[number removed]")
    post.refresh_from_db()
    assert post.edited_at is not None
    assert PostRevision.objects.get(post=post).edited_by == people.group_moderator


def test_edit_refusals(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.member)
    post = opening_post(thread)
    reply = services.post_create(author=people.member, thread=thread, body="Reply")
    with pytest.raises(PermissionDenied):
        services.post_edit(actor=people.outsider, post=post, body="Mine")
    with pytest.raises(ValidationError) as error:
        services.post_edit(actor=people.member, post=reply, body="x", title="Titled")
    assert field_errors(error) == {"title"}
    with pytest.raises(ValidationError) as error:
        services.post_edit(actor=people.member, post=post, body="", title="")
    assert field_errors(error) == {"body", "title"}
    services.post_delete(actor=people.member, post=reply)
    with pytest.raises(ValidationError, match="removed"):
        services.post_edit(actor=people.member, post=reply, body="Back")


def test_edit_without_changes_keeps_no_revision(
    open_group: Group, member: User, thread_in: Callable[..., Thread]
) -> None:
    join(member, open_group)
    post = opening_post(thread_in(open_group, member, body="Same"))
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=1))
    post.refresh_from_db()
    services.post_edit(actor=member, post=post, body="Same\r\n")
    post.refresh_from_db()
    assert post.edited_at is None
    assert not PostRevision.objects.exists()


def test_edit_notifies_only_newly_mentioned_members(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    post = opening_post(thread_in(open_group, people.member, body=f"Hi @{people.outsider.handle}"))
    assert Notification.objects.filter(recipient=people.outsider).count() == 1
    services.post_edit(
        actor=people.member,
        post=post,
        body=f"Hi @{people.outsider.handle} and @{people.group_moderator.handle}",
    )
    assert Notification.objects.filter(recipient=people.outsider).count() == 1
    assert Notification.objects.filter(recipient=people.group_moderator).count() == 1
    assert f"/members/{people.group_moderator.handle}/" in post.body_html


# --- Deleting -------------------------------------------------------------------------------


def test_delete_reply(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.member)
    first = services.post_create(author=people.member, thread=thread, body="One")
    second = services.post_create(author=people.group_moderator, thread=thread, body="Two")
    with pytest.raises(PermissionDenied):
        services.post_delete(actor=people.outsider, post=second)
    with pytest.raises(PermissionDenied):
        services.post_delete(actor=people.member, post=second)
    services.post_delete(actor=people.group_moderator, post=second)
    second.refresh_from_db()
    thread.refresh_from_db()
    assert second.deleted_at is not None
    assert second.deleted_by == people.group_moderator
    assert second.body == "Two"  # kept for moderators
    assert thread.reply_count == 1
    assert thread.last_post_id == first.pk
    assert thread.deleted_at is None
    services.post_delete(actor=people.group_moderator, post=second)  # again: nothing changes
    thread.refresh_from_db()
    assert thread.reply_count == 1


def test_deleting_the_opening_post_removes_the_thread(
    open_group: Group, member: User, thread_in: Callable[..., Thread]
) -> None:
    join(member, open_group)
    thread = thread_in(open_group, member)
    assert fresh(open_group).thread_count == 1  # type: ignore[union-attr]
    services.post_delete(actor=member, post=opening_post(thread))
    thread.refresh_from_db()
    assert thread.deleted_at is not None
    assert thread.deleted_by == member
    assert fresh(open_group).thread_count == 0  # type: ignore[union-attr]


def test_authors_may_delete_after_leaving(
    open_group: Group, member: User, thread_in: Callable[..., Thread]
) -> None:
    join(member, open_group)
    thread = thread_in(open_group, member)
    services.group_leave(user=member, group=open_group)
    services.post_delete(actor=member, post=opening_post(thread))


# --- Reactions and read state ---------------------------------------------------------------


def test_reaction_toggle(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    post = opening_post(thread_in(open_group, people.member))
    assert services.reaction_toggle(user=people.group_moderator, post=post, kind="relate") is True
    reaction = Reaction.objects.get()
    assert reaction.user == people.group_moderator
    notification = Notification.objects.get(recipient=people.member)
    assert notification.kind == NotificationKind.REACTION
    assert notification.detail == "relate"
    assert services.reaction_toggle(user=people.group_moderator, post=post, kind="relate") is False
    assert not Reaction.objects.exists()


def test_reaction_set_is_idempotent(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    post = opening_post(thread_in(open_group, people.member))
    for _ in range(2):
        assert services.reaction_set(
            user=people.site_moderator, post=post, kind="hug", present=True
        )
    assert Reaction.objects.count() == 1
    for _ in range(2):
        assert not services.reaction_set(
            user=people.site_moderator, post=post, kind="hug", present=False
        )
    assert not Reaction.objects.exists()


def test_reacting_to_your_own_post_notifies_nobody(
    open_group: Group, member: User, thread_in: Callable[..., Thread]
) -> None:
    join(member, open_group)
    post = opening_post(thread_in(open_group, member))
    services.reaction_toggle(user=member, post=post, kind="strength")
    assert Reaction.objects.count() == 1
    assert not Notification.objects.exists()


def test_reaction_refusals(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.member)
    reply = services.post_create(author=people.member, thread=thread, body="Hi")
    with pytest.raises(PermissionDenied):
        services.reaction_toggle(user=people.outsider, post=reply, kind="thanks")
    with pytest.raises(ValidationError) as error:
        services.reaction_toggle(user=people.group_moderator, post=reply, kind="like")
    assert field_errors(error) == {"kind"}
    services.post_delete(actor=people.member, post=reply)
    with pytest.raises(ValidationError, match="removed"):
        services.reaction_toggle(user=people.group_moderator, post=reply, kind="thanks")


def test_thread_mark_read_only_moves_forward(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.member)
    services.thread_mark_read(user=people.outsider, thread=thread, last_post_id=10)
    state = ThreadReadState.objects.get(user=people.outsider, thread=thread)
    assert state.last_read_post_id == 10
    services.thread_mark_read(user=people.outsider, thread=thread, last_post_id=5)
    state.refresh_from_db()
    assert state.last_read_post_id == 10
    services.thread_mark_read(user=people.outsider, thread=thread, last_post_id=12)
    state.refresh_from_db()
    assert state.last_read_post_id == 12
    services.thread_mark_read(user=people.group_moderator, thread=thread, last_post_id=0)
    assert not ThreadReadState.objects.filter(user=people.group_moderator).exists()
