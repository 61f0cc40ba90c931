"""The pages, as members in every role use them, with and without a place in the group."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Group, Membership, Post, Reaction, Thread
from alongside.communities.tests.helpers import People, join, opening_post

ClientFor = Callable[[User], Client]
MODERATING_ROLES = {"moderator", "administrator"}


def html_of(response: object) -> str:
    assert response.status_code == 200, response  # type: ignore[attr-defined]
    html: str = response.content.decode()  # type: ignore[attr-defined]
    # Autoescaping writes apostrophes as entities; the tests read them as people do.
    return html.replace("&#x27;", "'")


def assert_no_inline_code(html: str) -> None:
    """The CSP forbids inline script and style; pages must not depend on either."""
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert " style=" not in html
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


def thread_url(thread: Thread) -> str:
    return reverse(
        "communities:thread_detail", kwargs={"slug": thread.group.slug, "thread_id": thread.pk}
    )


@pytest.fixture
def groups(open_group: Group, restricted_group: Group, hidden_group: Group) -> dict[str, Group]:
    return {"open": open_group, "restricted": restricted_group, "hidden": hidden_group}


@pytest.fixture
def threads(groups: dict[str, Group], admin: User) -> dict[str, Thread]:
    return {
        name: services.thread_create(
            author=admin, group=group, title=f"Thread in {name}", body="Opening words"
        )
        for name, group in groups.items()
    }


# --- Anonymous visitors ---------------------------------------------------------------------


def test_anonymous_visitors_see_open_groups_and_an_invitation(
    groups: dict[str, Group],
) -> None:
    html = html_of(Client().get(reverse("communities:group_list")))
    assert "Open group" in html
    assert "A calm place to talk." in html
    assert "Restricted group" not in html
    assert "Hidden group" not in html
    assert reverse("accounts:signup") in html
    assert_no_inline_code(html)


def test_every_other_page_asks_anonymous_visitors_to_log_in(
    groups: dict[str, Group], threads: dict[str, Thread]
) -> None:
    group, thread = groups["open"], threads["open"]
    post = opening_post(thread)
    membership = Membership.objects.filter(group=group).first()
    assert membership is not None
    slug = {"slug": group.slug}
    pages = [
        ("get", reverse("communities:feed")),
        ("get", reverse("communities:group_create")),
        ("get", reverse("communities:group_detail", kwargs=slug)),
        ("get", reverse("communities:group_edit", kwargs=slug)),
        ("post", reverse("communities:group_join", kwargs=slug)),
        ("get", reverse("communities:group_invite", kwargs={**slug, "token": "x"})),
        ("get", reverse("communities:group_leave", kwargs=slug)),
        ("post", reverse("communities:group_invite_reset", kwargs=slug)),
        ("get", reverse("communities:group_members", kwargs=slug)),
        ("post", reverse("communities:membership_approve", args=[group.slug, membership.pk])),
        ("post", reverse("communities:membership_decline", args=[group.slug, membership.pk])),
        ("post", reverse("communities:membership_role", args=[group.slug, membership.pk])),
        ("get", reverse("communities:thread_create", kwargs=slug)),
        ("get", thread_url(thread)),
        ("post", reverse("communities:thread_reply", args=[group.slug, thread.pk])),
        ("get", reverse("communities:post_edit", args=[post.pk])),
        ("get", reverse("communities:post_delete", args=[post.pk])),
        ("get", reverse("communities:post_history", args=[post.pk])),
        ("post", reverse("communities:react", args=[post.pk])),
    ]
    for method, url in pages:
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


# --- Every role, outside the groups ---------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["member", "peer_supporter", "moderator", "administrator", "researcher"]
)
def test_pages_for_every_role_without_membership(
    role: str,
    role_users: dict[str, User],
    client_for: ClientFor,
    groups: dict[str, Group],
    threads: dict[str, Thread],
) -> None:
    """Site moderators and administrators can see and look after every group; other roles
    can read open groups, see restricted ones from outside, and cannot find hidden ones."""
    user = role_users[role]
    client = client_for(user)
    moderating = role in MODERATING_ROLES

    listing = html_of(client.get(reverse("communities:group_list")))
    assert "Restricted group" in listing
    assert ("Hidden group" in listing) is moderating
    html_of(client.get(reverse("communities:feed")))

    create = client.get(reverse("communities:group_create"))
    assert create.status_code == (200 if role == "administrator" else 403)

    for name, group in groups.items():
        detail = client.get(reverse("communities:group_detail", args=[group.slug]))
        visible = moderating or name != "hidden"
        assert detail.status_code == (200 if visible else 404), name
        thread = threads[name]
        page = client.get(thread_url(thread))
        if name == "open" or moderating:
            assert "Opening words" in html_of(page), name
        elif name == "restricted":
            assert page.status_code == 302
            assert page["Location"] == reverse("communities:group_detail", args=[group.slug])
        else:
            assert page.status_code == 404

    group, thread = groups["open"], threads["open"]
    post = opening_post(thread)
    mod_or = 200 if moderating else 403
    for name in ("group_edit", "group_members"):
        assert client.get(reverse(f"communities:{name}", args=[group.slug])).status_code == mod_or
    for name in ("post_edit", "post_delete", "post_history"):
        assert client.get(reverse(f"communities:{name}", args=[post.pk])).status_code == mod_or

    new_thread = client.get(reverse("communities:thread_create", args=[group.slug]))
    assert new_thread.status_code == (200 if moderating else 302)
    reply = client.post(
        reverse("communities:thread_reply", args=[group.slug, thread.pk]), {"body": "Hello"}
    )
    assert reply.status_code == (302 if moderating else 403)
    react = client.post(reverse("communities:react", args=[post.pk]), {"kind": "thanks"})
    assert react.status_code == (302 if moderating else 403)
    reset = client.post(reverse("communities:group_invite_reset", args=[groups["hidden"].slug]))
    assert reset.status_code == (302 if moderating else 404)


# --- Joining and leaving --------------------------------------------------------------------


def test_join_open_group(open_group: Group, member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    page = html_of(client.get(reverse("communities:group_detail", args=[open_group.slug])))
    assert "Join this group" in page
    response = client.post(reverse("communities:group_join", args=[open_group.slug]), follow=True)
    html = html_of(response)
    assert "Welcome to Open group" in html
    assert "Leave group" in html
    assert "Start a conversation" in html
    assert Membership.objects.get(user=member, group=open_group).status == "active"


def test_ask_to_join_restricted_group(
    restricted_group: Group, member: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    page = html_of(client.get(reverse("communities:group_detail", args=[restricted_group.slug])))
    assert "Be <strong>kind</strong>" in page  # the agreement is shown before joining
    assert "Conversations here are for the group's members." in page
    response = client.post(
        reverse("communities:group_join", args=[restricted_group.slug]), follow=True
    )
    html = html_of(response)
    assert "Your request to join has gone to the group's moderators" in html
    assert "waiting for one of the group's moderators" in html
    assert Membership.objects.get(user=member).status == Membership.Status.PENDING


def test_invitation_link_to_a_hidden_group(
    hidden_group: Group, member: User, client_for: ClientFor, make_user: Callable[..., User]
) -> None:
    client = client_for(member)
    good = reverse("communities:group_invite", args=[hidden_group.slug, hidden_group.invite_token])
    bad = reverse("communities:group_invite", args=[hidden_group.slug, "not-the-token"])
    assert client.get(bad).status_code == 404
    html = html_of(client.get(good))
    assert "You're invited to Hidden group" in html
    assert f'value="{hidden_group.invite_token}"' in html
    joined = client.post(
        reverse("communities:group_join", args=[hidden_group.slug]),
        {"invite_token": hidden_group.invite_token},
    )
    assert joined.status_code == 302
    assert Membership.objects.get(user=member, group=hidden_group).status == "active"
    again = client.get(good)
    assert again.status_code == 302
    # Without the token, joining a hidden group is as if it did not exist.
    other = client_for(make_user("other_member"))
    assert (
        other.post(reverse("communities:group_join", args=[hidden_group.slug])).status_code == 404
    )


def test_stale_invitation_link_to_a_restricted_group(
    restricted_group: Group, member: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    html = html_of(
        client.get(reverse("communities:group_invite", args=[restricted_group.slug, "old"]))
    )
    assert "no longer valid" in html
    assert "Ask to join instead" in html
    response = client.post(
        reverse("communities:group_join", args=[restricted_group.slug]),
        {"invite_token": "old"},
        follow=True,
    )
    assert "no longer valid" in html_of(response)
    assert not Membership.objects.filter(user=member).exists()


def test_leave_group_after_confirming(
    open_group: Group, member: User, client_for: ClientFor
) -> None:
    join(member, open_group)
    client = client_for(member)
    url = reverse("communities:group_leave", args=[open_group.slug])
    confirm = html_of(client.get(url))
    assert "Leave this group?" in confirm
    assert Membership.objects.filter(user=member).exists()
    response = client.post(url, follow=True)
    assert "You've left Open group" in html_of(response)
    assert not Membership.objects.filter(user=member).exists()
    # Not a member any more: the leave page just goes back to the group.
    assert client.get(url).status_code == 302


def test_withdraw_request(restricted_group: Group, member: User, client_for: ClientFor) -> None:
    services.group_join(user=member, group=restricted_group)
    client = client_for(member)
    url = reverse("communities:group_leave", args=[restricted_group.slug])
    assert "Withdraw your request?" in html_of(client.get(url))
    assert "withdrawn" in html_of(client.post(url, follow=True))


def test_leaving_a_hidden_group_goes_to_my_groups(
    hidden_group: Group, member: User, client_for: ClientFor
) -> None:
    join(member, hidden_group)
    response = client_for(member).post(reverse("communities:group_leave", args=[hidden_group.slug]))
    assert response["Location"] == reverse("communities:feed")


# --- Group moderation -----------------------------------------------------------------------


def test_group_moderators_manage_members(
    restricted_group: Group, people_for: Callable[[Group], People], client_for: ClientFor
) -> None:
    people = people_for(restricted_group)
    client = client_for(people.group_moderator)
    detail = html_of(client.get(reverse("communities:group_detail", args=[restricted_group.slug])))
    assert "1 waiting" in detail
    assert restricted_group.invite_token in detail
    page = html_of(client.get(reverse("communities:group_members", args=[restricted_group.slug])))
    assert f"Approve {people.pending.handle}" in page  # type: ignore[union-attr]
    request = Membership.objects.get(user=people.pending)
    approve = reverse("communities:membership_approve", args=[restricted_group.slug, request.pk])
    assert client.post(approve).status_code == 302
    request.refresh_from_db()
    assert request.status == Membership.Status.ACTIVE
    decline = reverse("communities:membership_decline", args=[restricted_group.slug, request.pk])
    response = client.post(decline, follow=True)
    assert "Only requests that are still waiting can be declined." in html_of(response)
    role = reverse("communities:membership_role", args=[restricted_group.slug, request.pk])
    client.post(role, {"role": "moderator"})
    request.refresh_from_db()
    assert request.role == Membership.Role.MODERATOR
    response = client.post(role, {"role": "owner"}, follow=True)
    assert "Please choose member or group moderator." in html_of(response)
    # Members cannot do any of it.
    member = client_for(people.member)
    assert member.post(approve).status_code == 403
    assert member.post(decline).status_code == 403
    assert member.post(role, {"role": "member"}).status_code == 403


def test_decline_request(
    restricted_group: Group, people_for: Callable[[Group], People], client_for: ClientFor
) -> None:
    people = people_for(restricted_group)
    request = Membership.objects.get(user=people.pending)
    url = reverse("communities:membership_decline", args=[restricted_group.slug, request.pk])
    response = client_for(people.group_moderator).post(url, follow=True)
    assert "was declined" in html_of(response)
    assert not Membership.objects.filter(pk=request.pk).exists()


def test_create_and_edit_group(admin: User, client_for: ClientFor) -> None:
    client = client_for(admin)
    url = reverse("communities:group_create")
    refused = html_of(client.post(url, {"name": "", "description": "Kept", "visibility": "open"}))
    assert "Kept" in refused
    assert "Please give the group a name." in refused
    response = client.post(
        url,
        {"name": "Carers", "description": "For carers", "rules": "", "visibility": "restricted"},
    )
    group = Group.objects.get(slug="carers")
    assert response["Location"] == reverse("communities:group_detail", args=["carers"])
    edit = reverse("communities:group_edit", args=["carers"])
    assert 'value="Carers"' in html_of(client.get(edit))
    client.post(
        edit,
        {"name": "Carers together", "description": "", "rules": "Be kind", "visibility": "open"},
    )
    group.refresh_from_db()
    assert group.name == "Carers together"
    assert group.visibility == Group.Visibility.OPEN
    old = group.invite_token
    client.post(reverse("communities:group_invite_reset", args=["carers"]))
    group.refresh_from_db()
    assert group.invite_token != old


# --- Threads and posts ----------------------------------------------------------------------


def test_start_a_thread_keeps_what_was_typed_on_errors(
    open_group: Group, member: User, client_for: ClientFor
) -> None:
    join(member, open_group)
    client = client_for(member)
    url = reverse("communities:thread_create", args=[open_group.slug])
    html = html_of(client.get(url))
    assert "Content warning" in html
    refused = html_of(
        client.post(url, {"title": "   ", "body": "My long story", "content_warning": "loss"})
    )
    assert "My long story" in refused
    assert 'value="loss"' in refused
    assert "Please give your thread a title." in refused
    response = client.post(url, {"title": "Hello", "body": "My story", "content_warning": ""})
    thread = Thread.objects.get()
    assert response["Location"] == thread_url(thread)


def test_non_members_are_sent_to_join_before_starting_a_thread(
    open_group: Group, member: User, client_for: ClientFor
) -> None:
    response = client_for(member).get(reverse("communities:thread_create", args=[open_group.slug]))
    assert response["Location"] == reverse("communities:group_detail", args=[open_group.slug])


def test_reply_and_land_on_it(
    open_group: Group,
    people_for: Callable[[Group], People],
    client_for: ClientFor,
    thread_in: Callable[..., Thread],
) -> None:
    people = people_for(open_group)
    thread = thread_in(open_group, people.group_moderator)
    client = client_for(people.member)
    reply_url = reverse("communities:thread_reply", args=[open_group.slug, thread.pk])
    refused = html_of(client.post(reply_url, {"body": " ", "content_warning": "panic"}))
    assert 'value="panic"' in refused
    assert "Please write something before posting." in refused
    response = client.post(reply_url, {"body": "I've been there too", "content_warning": ""})
    post = Post.objects.get(body="I've been there too")
    assert response["Location"] == f"{thread_url(thread)}?post={post.pk}#post-{post.pk}"
    html = html_of(client.get(response["Location"]))
    assert f'id="post-{post.pk}"' in html
    assert_no_inline_code(html)


def test_thread_page_shows_content_warnings_reactions_and_edits(
    open_group: Group,
    people_for: Callable[[Group], People],
    client_for: ClientFor,
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(
        author=people.member,
        group=open_group,
        title="Something heavy",
        body="The **hard** part",
        content_warning="self-harm",
    )
    post = opening_post(thread)
    services.reaction_toggle(user=people.group_moderator, post=post, kind="strength")
    services.reaction_toggle(user=people.site_moderator, post=post, kind="strength")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=1))
    post.refresh_from_db()
    services.post_edit(actor=people.member, post=post, body="The **hard** part, edited")
    client = client_for(people.group_moderator)
    html = html_of(client.get(thread_url(thread)))
    assert '<details class="content-warning">' in html
    assert "<summary>Content warning: self-harm</summary>" in html
    assert html.index("<summary>") < html.index("<strong>hard</strong>")
    assert 'aria-pressed="true">Sending strength</button>' in html
    assert 'aria-pressed="false">I relate</button>' in html
    assert (
        f"Sending strength: {people.group_moderator.handle}, {people.site_moderator.handle}" in html
    )
    assert "edited" in html
    assert reverse("communities:post_history", args=[post.pk]) in html
    assert_no_inline_code(html)
    # Toggling from the page takes the reaction back and returns to the post.
    response = client.post(reverse("communities:react", args=[post.pk]), {"kind": "strength"})
    assert response["Location"].endswith(f"#post-{post.pk}")
    assert not Reaction.objects.filter(user=people.group_moderator).exists()
    response = client.post(
        reverse("communities:react", args=[post.pk]), {"kind": "like"}, follow=True
    )
    assert "Please choose one of the reactions offered." in html_of(response)


def test_readers_outside_the_group_see_reactions_but_no_buttons(
    open_group: Group, people_for: Callable[[Group], People], client_for: ClientFor
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="Hi", body="Hi")
    services.reaction_toggle(user=people.group_moderator, post=opening_post(thread), kind="thanks")
    html = html_of(client_for(people.outsider).get(thread_url(thread)))
    assert f"Thank you: {people.group_moderator.handle}" in html
    assert "aria-pressed" not in html
    assert "Members of Open group can reply here." in html


def test_removed_posts_are_placeholders_except_for_moderators(
    open_group: Group, people_for: Callable[[Group], People], client_for: ClientFor
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="T", body="Hi")
    reply = services.post_create(author=people.member, thread=thread, body="Too much detail")
    client = client_for(people.member)
    confirm = html_of(client.get(reverse("communities:post_delete", args=[reply.pk])))
    assert "Remove this post?" in confirm
    client.post(reverse("communities:post_delete", args=[reply.pk]))
    for viewer in (people.member, people.outsider):
        html = html_of(client_for(viewer).get(thread_url(thread)))
        assert "This post was removed." in html
        assert "Too much detail" not in html
    html = html_of(client_for(people.group_moderator).get(thread_url(thread)))
    assert "Too much detail" in html
    assert f"Removed by {people.member.handle}" in html


def test_removing_the_opening_post_removes_the_thread(
    open_group: Group, member: User, client_for: ClientFor
) -> None:
    join(member, open_group)
    thread = services.thread_create(author=member, group=open_group, title="Gone soon", body="x")
    client = client_for(member)
    confirm = html_of(
        client.get(reverse("communities:post_delete", args=[opening_post(thread).pk]))
    )
    assert "the whole thread" in confirm
    response = client.post(reverse("communities:post_delete", args=[opening_post(thread).pk]))
    assert response["Location"] == reverse("communities:group_detail", args=[open_group.slug])
    assert "Gone soon" not in html_of(client.get(response["Location"]))
    assert client.get(thread_url(thread)).status_code == 404


def test_edit_post_page(
    open_group: Group, people_for: Callable[[Group], People], client_for: ClientFor
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="Old", body="v1")
    post = opening_post(thread)
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client = client_for(people.member)
    url = reverse("communities:post_edit", args=[post.pk])
    form = html_of(client.get(url))
    assert 'value="Old"' in form
    assert "v1</textarea>" in form
    refused = html_of(client.post(url, {"title": "New", "body": "", "content_warning": ""}))
    assert 'value="New"' in refused
    response = client.post(url, {"title": "New", "body": "v2", "content_warning": ""})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.title == "New"
    history = html_of(client.get(reverse("communities:post_history", args=[post.pk])))
    assert "v1" in history
    assert "v2" in history
    assert "Title:</strong> Old" in history
    # Another member cannot edit or read the history.
    other = client_for(people.outsider)
    assert other.get(url).status_code == 403
    assert other.post(url, {"title": "X", "body": "X"}).status_code == 403
    assert other.get(reverse("communities:post_history", args=[post.pk])).status_code == 403


def test_reply_form_has_no_title(open_group: Group, member: User, client_for: ClientFor) -> None:
    join(member, open_group)
    thread = services.thread_create(author=member, group=open_group, title="T", body="Hi")
    reply = services.post_create(author=member, thread=thread, body="Reply")
    html = html_of(client_for(member).get(reverse("communities:post_edit", args=[reply.pk])))
    assert 'name="title"' not in html


def test_unread_markers_and_highlights(
    open_group: Group, people_for: Callable[[Group], People], client_for: ClientFor
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="News", body="Hi")
    client = client_for(people.member)
    group_url = reverse("communities:group_detail", args=[open_group.slug])
    assert "unread-marker" not in html_of(client.get(group_url))
    reply = services.post_create(author=people.group_moderator, thread=thread, body="Welcome!")
    assert "unread-marker" in html_of(client.get(group_url))
    assert "unread-marker" in html_of(client.get(reverse("communities:feed")))
    page = html_of(client.get(thread_url(thread)))
    assert f'id="post-{reply.pk}" class="post is-new"' in page
    # Opening the thread marked it read.
    assert "unread-marker" not in html_of(client.get(group_url))
    assert "is-new" not in html_of(client.get(thread_url(thread)))


def test_post_parameter_opens_the_page_holding_the_post(
    open_group: Group, member: User, client_for: ClientFor, settings: object
) -> None:
    join(member, open_group)
    thread = services.thread_create(author=member, group=open_group, title="Long", body="0")
    posts = [
        services.post_create(author=member, thread=thread, body=f"reply {n}") for n in range(25)
    ]
    client = client_for(member)
    html = html_of(client.get(f"{thread_url(thread)}?post={posts[-1].pk}"))
    assert "Page 2 of 2" in html
    assert f'id="post-{posts[-1].pk}"' in html
    html = html_of(client.get(f"{thread_url(thread)}?post={posts[0].pk}"))
    assert "Page 1 of 2" in html


def test_wrong_group_in_thread_address_redirects(
    open_group: Group, make_group: Callable[..., Group], member: User, client_for: ClientFor
) -> None:
    join(member, open_group)
    thread = services.thread_create(author=member, group=open_group, title="T", body="x")
    other = make_group("Other")
    url = reverse("communities:thread_detail", args=[other.slug, thread.pk])
    response = client_for(member).get(url + "?page=1")
    assert response["Location"] == thread_url(thread) + "?page=1"


def test_feed_lists_my_groups_and_recent_threads(
    open_group: Group, restricted_group: Group, member: User, client_for: ClientFor, admin: User
) -> None:
    join(member, open_group)
    services.group_join(user=member, group=restricted_group)
    services.thread_create(author=admin, group=open_group, title="Visible", body="x")
    services.thread_create(author=admin, group=restricted_group, title="Not yet", body="x")
    html = html_of(client_for(member).get(reverse("communities:feed")))
    assert "Open group" in html
    assert "waiting for approval" in html
    assert "Visible" in html
    assert "Not yet" not in html
    assert_no_inline_code(html)


def test_group_page_paginates_threads(
    open_group: Group, member: User, client_for: ClientFor
) -> None:
    join(member, open_group)
    for n in range(27):
        services.thread_create(author=member, group=open_group, title=f"Thread {n}", body="x")
    client = client_for(member)
    url = reverse("communities:group_detail", args=[open_group.slug])
    first = html_of(client.get(url))
    assert "Page 1 of 2" in first
    assert "Thread 26" in first
    assert "Thread 0<" not in first
    second = html_of(client.get(url, {"page": 2}))
    assert "Thread 0<" in second
    assert_no_inline_code(first)
