"""Every branch of the access helpers, for every kind of person and every kind of group."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from pytest_django import DjangoAssertNumQueries

from alongside.accounts.models import User
from alongside.communities import selectors, services
from alongside.communities.models import Group, Membership, Thread
from alongside.communities.tests.helpers import People, join, opening_post

OK, FORBIDDEN, MISSING = "ok", "403", "404"

# person: (see group page, read threads, post, moderate, open a thread)
EXPECTED: dict[str, dict[str, tuple[str, bool, bool, bool, str]]] = {
    Group.Visibility.OPEN: {
        "anonymous": (OK, False, False, False, FORBIDDEN),
        "outsider": (OK, True, False, False, OK),
        "member": (OK, True, True, False, OK),
        "group_moderator": (OK, True, True, True, OK),
        "site_moderator": (OK, True, True, True, OK),
    },
    Group.Visibility.RESTRICTED: {
        "anonymous": (OK, False, False, False, FORBIDDEN),
        "outsider": (OK, False, False, False, FORBIDDEN),
        "pending": (OK, False, False, False, FORBIDDEN),
        "member": (OK, True, True, False, OK),
        "group_moderator": (OK, True, True, True, OK),
        "site_moderator": (OK, True, True, True, OK),
    },
    Group.Visibility.HIDDEN: {
        "anonymous": (MISSING, False, False, False, MISSING),
        "outsider": (MISSING, False, False, False, MISSING),
        "member": (OK, True, True, False, OK),
        "group_moderator": (OK, True, True, True, OK),
        "site_moderator": (OK, True, True, True, OK),
    },
}


def outcome(call: Callable[..., object], *args: object) -> str:
    try:
        call(*args)
    except Http404:
        return MISSING
    except PermissionDenied:
        return FORBIDDEN
    return OK


@pytest.mark.parametrize("visibility", list(EXPECTED))
def test_access_matrix(
    visibility: str,
    make_group: Callable[..., Group],
    people_for: Callable[[Group], People],
    thread_in: Callable[..., Thread],
    admin: User,
) -> None:
    group = make_group(f"Group {visibility}", visibility)
    people = people_for(group)
    thread = thread_in(group, admin)
    post = opening_post(thread)
    for name, (see, read, post_ok, moderate, open_thread) in EXPECTED[visibility].items():
        person = people.get(name)
        where = f"{visibility}/{name}"
        assert outcome(selectors.access_group_by_slug, person, group.slug) == see, where
        assert selectors.can_read_threads(person, group) is read, where
        assert selectors.can_post_in(person, group) is post_ok, where
        assert selectors.can_moderate_group(person, group) is moderate, where
        assert outcome(selectors.access_thread_by_id, person, thread.pk) == open_thread, where
        assert outcome(selectors.access_post_by_id, person, post.pk) == open_thread, where


def test_unknown_things_are_404(member: User) -> None:
    with pytest.raises(Http404):
        selectors.access_group_by_slug(member, "no-such-group")
    with pytest.raises(Http404):
        selectors.access_thread_by_id(member, 999_999)
    with pytest.raises(Http404):
        selectors.access_post_by_id(member, 999_999)


def test_invitation_token_shows_a_hidden_group(hidden_group: Group, member: User) -> None:
    found = selectors.access_group_by_slug(
        member, hidden_group.slug, invite_token=hidden_group.invite_token
    )
    assert found == hidden_group
    with pytest.raises(Http404):
        selectors.access_group_by_slug(member, hidden_group.slug, invite_token="wrong")
    with pytest.raises(Http404):
        selectors.access_group_by_slug(member, hidden_group.slug, invite_token="")


def test_open_groups_have_no_token_so_none_matches(open_group: Group) -> None:
    assert open_group.invite_token == ""
    assert not selectors.invite_token_matches(open_group, "anything")
    assert not selectors.invite_token_matches(open_group, None)


def test_pending_request_in_a_group_that_became_hidden_still_shows_its_page(
    restricted_group: Group, make_user: Callable[..., User], admin: User
) -> None:
    asker = make_user("asker")
    services.group_join(user=asker, group=restricted_group)
    services.group_update(actor=admin, group=restricted_group, visibility=Group.Visibility.HIDDEN)
    selectors.forget_memberships(asker)
    assert selectors.access_group_by_slug(asker, restricted_group.slug) == restricted_group
    assert not selectors.can_read_threads(asker, restricted_group)


def test_removed_threads_exist_only_for_moderators(
    open_group: Group,
    people_for: Callable[[Group], People],
    thread_in: Callable[..., Thread],
    site_moderator: User,
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.member)
    post = opening_post(thread)
    services.post_delete(actor=people.member, post=post)
    for person in (people.member, people.outsider):
        with pytest.raises(Http404):
            selectors.access_thread_by_id(person, thread.pk)
        with pytest.raises(Http404):
            selectors.access_post_by_id(person, post.pk)
    for person in (people.group_moderator, site_moderator):
        assert selectors.access_thread_by_id(person, thread.pk) == thread
        assert selectors.access_post_by_id(person, post.pk) == post


def test_access_membership_by_id(
    restricted_group: Group,
    open_group: Group,
    people_for: Callable[[Group], People],
) -> None:
    people = people_for(restricted_group)
    request = Membership.objects.get(user=people.pending, group=restricted_group)
    found = selectors.access_membership_by_id(people.group_moderator, restricted_group, request.pk)
    assert found == request
    with pytest.raises(PermissionDenied):
        selectors.access_membership_by_id(people.member, restricted_group, request.pk)
    # A membership of another group is not reachable through this one.
    other = join(people.member, open_group)
    with pytest.raises(Http404):
        selectors.access_membership_by_id(people.group_moderator, restricted_group, other.pk)


def test_post_permissions_follow_authorship_and_moderation(
    open_group: Group, people_for: Callable[[Group], People], thread_in: Callable[..., Thread]
) -> None:
    people = people_for(open_group)
    post = opening_post(thread_in(open_group, people.member))
    assert selectors.can_edit_post(people.member, post)
    assert selectors.can_delete_post(people.member, post)
    assert selectors.can_view_history(people.member, post)
    assert selectors.can_edit_post(people.group_moderator, post)
    assert selectors.can_delete_post(people.site_moderator, post)
    assert not selectors.can_edit_post(people.outsider, post)
    assert not selectors.can_delete_post(people.outsider, post)
    assert not selectors.can_view_history(people.outsider, post)
    assert not selectors.can_edit_post(people.anonymous, post)
    assert not selectors.can_delete_post(people.anonymous, post)
    assert not selectors.can_view_history(people.anonymous, post)
    services.post_delete(actor=people.member, post=post)
    assert not selectors.can_edit_post(people.member, post)
    assert not selectors.can_delete_post(people.group_moderator, post)
    assert not selectors.can_view_history(people.member, post)
    assert selectors.can_view_history(people.group_moderator, post)


def test_group_list_for_each_viewer(
    open_group: Group,
    restricted_group: Group,
    hidden_group: Group,
    people_for: Callable[[Group], People],
    site_moderator: User,
) -> None:
    people = people_for(hidden_group)

    def slugs(user: User | AnonymousUser) -> set[str]:
        return {row.group.slug for row in selectors.group_list_for(user)}

    assert slugs(people.anonymous) == {open_group.slug}
    assert slugs(people.outsider) == {open_group.slug, restricted_group.slug}
    everything = {open_group.slug, restricted_group.slug, hidden_group.slug}
    assert slugs(people.member) == everything
    assert slugs(site_moderator) == everything
    rows = {row.group.slug: row for row in selectors.group_list_for(people.member)}
    assert rows[hidden_group.slug].is_member
    assert not rows[open_group.slug].is_member


def test_group_members_is_for_moderators(
    restricted_group: Group, people_for: Callable[[Group], People]
) -> None:
    people = people_for(restricted_group)
    active, pending = selectors.group_members(people.group_moderator, restricted_group)
    assert people.member in [m.user for m in active]
    assert [m.user for m in pending] == [people.pending]
    with pytest.raises(PermissionDenied):
        selectors.group_members(people.member, restricted_group)


def test_membership_is_looked_up_once_per_user_object(
    open_group: Group, member: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    join(member, open_group)
    selectors.forget_memberships(member)
    with django_assert_num_queries(1):
        selectors.is_active_member(member, open_group)
        selectors.can_post_in(member, open_group)
        selectors.can_read_threads(member, open_group)


def test_authors_reach_their_own_posts_after_leaving(
    restricted_group: Group,
    hidden_group: Group,
    people_for: Callable[[Group], People],
    thread_in: Callable[..., Thread],
) -> None:
    for group in (restricted_group, hidden_group):
        people = people_for(group)
        thread = thread_in(group, people.group_moderator)
        reply = services.post_create(author=people.member, thread=thread, body="Too much")
        services.group_leave(user=people.member, group=group)
        assert selectors.access_post_by_id(people.member, reply.pk) == reply
        with pytest.raises((PermissionDenied, Http404)):
            selectors.access_thread_by_id(people.member, thread.pk)
        services.post_delete(actor=people.member, post=reply)
        # Another member's post in the same thread stays out of reach.
        with pytest.raises((PermissionDenied, Http404)):
            selectors.access_post_by_id(people.member, opening_post(thread).pk)
