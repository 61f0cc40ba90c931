"""The JSON API for groups, threads and posts: every endpoint, every role, every refusal.

Each answer is also checked against the published OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Group, Membership, Post, Reaction, Thread
from alongside.communities.tests.helpers import People, join, opening_post
from alongside.core.tests.test_api_schema import SCHEMA_URL, schema_errors

BASE = "/api/v1/groups/"
ClientFor = Callable[[User], Client]
MODERATING_ROLES = {"moderator", "administrator"}


@dataclass
class Answer:
    status_code: int
    data: Any


class Api:
    """A signed-in JSON client that checks every answer against the OpenAPI document."""

    def __init__(self, client: Client, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document

    def call(self, method: str, path: str, template: str, body: Any = None, **query: Any) -> Answer:
        if method == "get":
            response = self.client.get(BASE + path, query)
        else:
            response = getattr(self.client, method)(
                BASE + path, body if body is not None else {}, content_type="application/json"
            )
        declared = self.document["paths"][BASE + template][method]["responses"]
        status = str(response.status_code)
        assert status in declared, f"{method} {path}: undocumented {status} {response.content!r}"
        schema = declared[status]["content"]["application/json"]["schema"]
        data = response.json()
        assert schema_errors(self.document, schema, data) == [], data
        return Answer(response.status_code, data)

    def get(self, path: str, template: str, **query: Any) -> Answer:
        return self.call("get", path, template, **query)


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    body: dict[str, Any] = Client().get(SCHEMA_URL).json()
    return body


@pytest.fixture
def api_for(client_for: ClientFor, document: dict[str, Any]) -> Callable[[User], Api]:
    return lambda user: Api(client_for(user), document)


def test_every_endpoint_is_documented(document: dict[str, Any]) -> None:
    paths = {path for path in document["paths"] if path.startswith(BASE)}
    assert paths == {
        BASE,
        f"{BASE}{{slug}}",
        f"{BASE}{{slug}}/join",
        f"{BASE}{{slug}}/leave",
        f"{BASE}{{slug}}/threads",
        f"{BASE}threads/{{thread_id}}",
        f"{BASE}threads/{{thread_id}}/read",
        f"{BASE}threads/{{thread_id}}/posts",
        f"{BASE}posts/{{post_id}}",
        f"{BASE}posts/{{post_id}}/reactions/{{kind}}",
    }


# --- Groups ---------------------------------------------------------------------------------


def test_list_and_show_groups(
    open_group: Group,
    restricted_group: Group,
    hidden_group: Group,
    people_for: Callable[[Group], People],
    api_for: Callable[[User], Api],
) -> None:
    people = people_for(restricted_group)
    outsider = api_for(people.outsider)
    listed = outsider.get("", "").data
    assert [group["slug"] for group in listed] == [open_group.slug, restricted_group.slug]
    assert all(group["membership"] is None for group in listed)
    member = api_for(people.member)
    mine = {group["slug"]: group for group in member.get("", "").data}
    assert mine[restricted_group.slug]["membership"]["status"] == "active"
    detail = outsider.get(restricted_group.slug, "{slug}").data
    assert detail["rules_html"] == "<p>Be <strong>kind</strong>.</p>\n"
    assert (detail["can_read"], detail["can_post"], detail["can_moderate"]) == (False,) * 3
    detail = api_for(people.group_moderator).get(restricted_group.slug, "{slug}").data
    assert (detail["can_read"], detail["can_post"], detail["can_moderate"]) == (True,) * 3
    assert outsider.get(hidden_group.slug, "{slug}").status_code == 404
    assert outsider.get("no-such-group", "{slug}").status_code == 404
    assert api_for(people.site_moderator).get(hidden_group.slug, "{slug}").status_code == 200


def test_join_and_leave(
    open_group: Group,
    restricted_group: Group,
    hidden_group: Group,
    member: User,
    api_for: Callable[[User], Api],
) -> None:
    api = api_for(member)
    joined = api.call("post", f"{open_group.slug}/join", "{slug}/join").data
    assert joined["membership"]["status"] == "active"
    asked = api.call("post", f"{restricted_group.slug}/join", "{slug}/join").data
    assert asked["membership"]["status"] == "pending"
    stale = api.call(
        "post", f"{restricted_group.slug}/join", "{slug}/join", {"invite_token": "old"}
    )
    assert stale.status_code == 422
    assert "no longer valid" in stale.data["detail"][0]["msg"]
    assert api.call("post", f"{hidden_group.slug}/join", "{slug}/join").status_code == 404
    invited = api.call(
        "post",
        f"{hidden_group.slug}/join",
        "{slug}/join",
        {"invite_token": hidden_group.invite_token},
    )
    assert invited.data["membership"]["status"] == "active"
    left = api.call("post", f"{hidden_group.slug}/leave", "{slug}/leave")
    assert left.data == {"group": hidden_group.slug, "membership": None}
    assert api.call("post", f"{hidden_group.slug}/leave", "{slug}/leave").status_code == 404


# --- Threads --------------------------------------------------------------------------------


def test_threads_of_a_restricted_group_are_for_members(
    restricted_group: Group,
    people_for: Callable[[Group], People],
    api_for: Callable[[User], Api],
) -> None:
    people = people_for(restricted_group)
    thread = services.thread_create(
        author=people.member, group=restricted_group, title="Inside", body="x"
    )
    path = f"{restricted_group.slug}/threads"
    for person in (people.outsider, people.pending):
        assert person is not None
        assert api_for(person).get(path, "{slug}/threads").status_code == 403
        answer = api_for(person).get(f"threads/{thread.pk}", "threads/{thread_id}")
        assert answer.status_code == 403
    page = api_for(people.group_moderator).get(path, "{slug}/threads").data
    assert [item["title"] for item in page["items"]] == ["Inside"]
    assert page["items"][0]["unread"] is True
    assert page["items"][0]["author"] == people.member.handle
    assert (page["page"], page["num_pages"], page["count"], page["has_next"]) == (1, 1, 1, False)


def test_thread_list_pages(open_group: Group, member: User, api_for: Callable[[User], Api]) -> None:
    join(member, open_group)
    for n in range(27):
        services.thread_create(author=member, group=open_group, title=f"T{n}", body="x")
    api = api_for(member)
    first = api.get(f"{open_group.slug}/threads", "{slug}/threads").data
    assert len(first["items"]) == 25
    assert first["has_next"] is True
    assert first["items"][0]["unread"] is False  # my own thread
    second = api.get(f"{open_group.slug}/threads", "{slug}/threads", page=2).data
    assert [item["title"] for item in second["items"]] == ["T1", "T0"]
    bad = api.get(f"{open_group.slug}/threads", "{slug}/threads", page=0)
    assert bad.status_code == 422


def test_create_thread(
    open_group: Group, people_for: Callable[[Group], People], api_for: Callable[[User], Api]
) -> None:
    people = people_for(open_group)
    path = f"{open_group.slug}/threads"
    body = {"title": "Hello", "body": "Hi @" + people.outsider.handle, "content_warning": ""}
    created = api_for(people.member).call("post", path, "{slug}/threads", body)
    assert created.status_code == 201
    assert created.data["title"] == "Hello"
    assert Thread.objects.get().author == people.member
    refused = api_for(people.outsider).call("post", path, "{slug}/threads", body)
    assert refused.status_code == 403
    assert refused.data["detail"] == "Join the group to start a thread in it."
    invalid = api_for(people.member).call(
        "post", path, "{slug}/threads", {"title": " ", "body": ""}
    )
    assert invalid.status_code == 422
    locations = {tuple(problem["loc"]) for problem in invalid.data["detail"]}
    assert locations == {("body", "title"), ("body", "body")}
    missing = api_for(people.member).call("post", path, "{slug}/threads", {"title": "x"})
    assert missing.status_code == 422


def test_thread_detail_with_posts_and_reactions(
    open_group: Group, people_for: Callable[[Group], People], api_for: Callable[[User], Api]
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(
        author=people.member, group=open_group, title="T", body="**Hi**", content_warning="loss"
    )
    post = opening_post(thread)
    services.reaction_toggle(user=people.group_moderator, post=post, kind="relate")
    services.reaction_toggle(user=people.site_moderator, post=post, kind="relate")
    services.reaction_toggle(user=people.site_moderator, post=post, kind="hug")
    reply = services.post_create(author=people.group_moderator, thread=thread, body="Here")
    services.post_delete(actor=people.group_moderator, post=reply)
    path, template = f"threads/{thread.pk}", "threads/{thread_id}"

    seen = api_for(people.site_moderator).get(path, template).data
    assert seen["thread"]["title"] == "T"
    first, second = seen["posts"]
    assert first["body_html"] == "<p><strong>Hi</strong></p>\n"
    assert first["content_warning"] == "loss"
    assert first["reactions"] == {
        "relate": [people.group_moderator.handle, people.site_moderator.handle],
        "hug": [people.site_moderator.handle],
    }
    assert first["my_reactions"] == ["hug", "relate"]
    assert second["removed"] is True
    assert second["body"] == "Here"  # moderators still read removed posts
    assert seen["can_post"] is True

    as_member = api_for(people.member).get(path, template).data
    placeholder = as_member["posts"][1]
    assert placeholder["removed"] is True
    assert (placeholder["author"], placeholder["body"], placeholder["body_html"]) == (None,) * 3
    assert as_member["posts"][0]["can_edit"] is True
    assert as_member["posts"][0]["my_reactions"] == []

    outsider = api_for(people.outsider).get(path, template).data
    assert outsider["can_post"] is False
    assert outsider["posts"][0]["can_react"] is False
    assert api_for(people.member).get("threads/999999", template).status_code == 404


def test_thread_detail_opens_the_page_of_a_post(
    open_group: Group, member: User, api_for: Callable[[User], Api]
) -> None:
    join(member, open_group)
    thread = services.thread_create(author=member, group=open_group, title="T", body="0")
    posts = [services.post_create(author=member, thread=thread, body=f"{n}") for n in range(25)]
    api = api_for(member)
    page = api.get(f"threads/{thread.pk}", "threads/{thread_id}", post=posts[-1].pk).data
    assert page["page"] == 2
    assert page["posts"][-1]["id"] == posts[-1].pk
    page = api.get(f"threads/{thread.pk}", "threads/{thread_id}", page=1).data
    assert (page["page"], page["num_pages"], page["count"]) == (1, 2, 26)


def test_mark_read(
    open_group: Group, people_for: Callable[[Group], People], api_for: Callable[[User], Api]
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="T", body="x")
    reply = services.post_create(author=people.member, thread=thread, body="y")
    api = api_for(people.group_moderator)
    path, template = f"threads/{thread.pk}/read", "threads/{thread_id}/read"
    assert api.get(f"threads/{thread.pk}", "threads/{thread_id}").data["thread"]["unread"] is False
    marked = api.call("post", path, template, {"last_post_id": reply.pk}).data
    assert marked == {"thread_id": thread.pk, "last_read_post_id": reply.pk}
    back = api.call("post", path, template, {"last_post_id": 1}).data
    assert back["last_read_post_id"] == reply.pk
    assert api.call("post", path, template, {"last_post_id": 0}).status_code == 422


# --- Posts ----------------------------------------------------------------------------------


def test_reply(
    open_group: Group, people_for: Callable[[Group], People], api_for: Callable[[User], Api]
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="T", body="x")
    path, template = f"threads/{thread.pk}/posts", "threads/{thread_id}/posts"
    created = api_for(people.group_moderator).call("post", path, template, {"body": "I hear you"})
    assert created.status_code == 201
    assert created.data["body_html"] == "<p>I hear you</p>\n"
    assert created.data["can_edit"] is True
    assert api_for(people.outsider).call("post", path, template, {"body": "x"}).status_code == 403
    empty = api_for(people.member).call("post", path, template, {"body": " "})
    assert empty.status_code == 422
    assert empty.data["detail"][0]["loc"] == ["body", "body"]
    services.post_delete(actor=people.member, post=opening_post(thread))
    closed = api_for(people.site_moderator).call("post", path, template, {"body": "x"})
    assert closed.status_code == 422
    assert closed.data["detail"][0]["loc"] == ["body"]
    assert api_for(people.member).call("post", path, template, {"body": "x"}).status_code == 404


def test_edit_post(
    open_group: Group, people_for: Callable[[Group], People], api_for: Callable[[User], Api]
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="T", body="x")
    reply = services.post_create(author=people.member, thread=thread, body="y")
    template = "posts/{post_id}"
    edited = api_for(people.member).call(
        "patch", f"posts/{opening_post(thread).pk}", template, {"body": "new", "title": "New"}
    )
    assert edited.data["body"] == "new"
    thread.refresh_from_db()
    assert thread.title == "New"
    titled = api_for(people.member).call(
        "patch", f"posts/{reply.pk}", template, {"body": "z", "title": "No"}
    )
    assert titled.status_code == 422
    assert titled.data["detail"][0]["loc"] == ["body", "title"]
    refused = api_for(people.outsider).call("patch", f"posts/{reply.pk}", template, {"body": "z"})
    assert refused.status_code == 403
    by_moderator = api_for(people.group_moderator).call(
        "patch", f"posts/{reply.pk}", template, {"body": "moderated"}
    )
    assert by_moderator.data["edited_at"] is not None
    assert (
        api_for(people.member).call("patch", "posts/999999", template, {"body": "z"}).status_code
        == 404
    )


def test_delete_post(
    open_group: Group, people_for: Callable[[Group], People], api_for: Callable[[User], Api]
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="T", body="x")
    reply = services.post_create(author=people.group_moderator, thread=thread, body="y")
    template = "posts/{post_id}"
    assert api_for(people.member).call("delete", f"posts/{reply.pk}", template).status_code == 403
    removed = api_for(people.group_moderator).call("delete", f"posts/{reply.pk}", template)
    assert removed.data["removed"] is True
    assert removed.data["body"] == "y"
    again = api_for(people.group_moderator).call("delete", f"posts/{reply.pk}", template)
    assert again.status_code == 200
    opening = api_for(people.member).call("delete", f"posts/{opening_post(thread).pk}", template)
    assert opening.status_code == 200
    assert opening.data["body"] is None  # the author sees the placeholder, like everyone
    assert Thread.objects.get().deleted_at is not None


def test_reactions(
    open_group: Group, people_for: Callable[[Group], People], api_for: Callable[[User], Api]
) -> None:
    people = people_for(open_group)
    thread = services.thread_create(author=people.member, group=open_group, title="T", body="x")
    post = opening_post(thread)
    template = "posts/{post_id}/reactions/{kind}"
    api = api_for(people.group_moderator)
    for _ in range(2):
        added = api.call("put", f"posts/{post.pk}/reactions/thanks", template)
        assert added.data["reactions"] == {"thanks": [people.group_moderator.handle]}
        assert added.data["my_reactions"] == ["thanks"]
    assert Reaction.objects.count() == 1
    for _ in range(2):
        removed = api.call("delete", f"posts/{post.pk}/reactions/thanks", template)
        assert removed.data["reactions"] == {}
    assert api.call("put", f"posts/{post.pk}/reactions/like", template).status_code == 422
    outsider = api_for(people.outsider).call("put", f"posts/{post.pk}/reactions/hug", template)
    assert outsider.status_code == 403
    assert api.call("put", "posts/999999/reactions/hug", template).status_code == 404


# --- Every role -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["member", "peer_supporter", "moderator", "administrator", "researcher"]
)
def test_every_role_without_membership(
    role: str,
    role_users: dict[str, User],
    open_group: Group,
    hidden_group: Group,
    make_user: Callable[..., User],
    api_for: Callable[[User], Api],
) -> None:
    author = make_user("author")
    join(author, open_group)
    thread = services.thread_create(author=author, group=open_group, title="T", body="x")
    post = opening_post(thread)
    api = api_for(role_users[role])
    moderating = role in MODERATING_ROLES
    slug = open_group.slug

    assert api.get("", "").status_code == 200
    assert api.get(slug, "{slug}").status_code == 200
    assert api.get(hidden_group.slug, "{slug}").status_code == (200 if moderating else 404)
    assert api.get(f"{slug}/threads", "{slug}/threads").status_code == 200
    assert api.get(f"threads/{thread.pk}", "threads/{thread_id}").status_code == 200
    writes = [
        ("post", f"{slug}/threads", "{slug}/threads", {"title": "Mine", "body": "x"}, 201),
        ("post", f"threads/{thread.pk}/posts", "threads/{thread_id}/posts", {"body": "x"}, 201),
        ("put", f"posts/{post.pk}/reactions/hug", "posts/{post_id}/reactions/{kind}", None, 200),
        ("patch", f"posts/{post.pk}", "posts/{post_id}", {"body": "edited"}, 200),
        ("delete", f"posts/{post.pk}", "posts/{post_id}", None, 200),
    ]
    for method, path, template, body, allowed in writes:
        answer = api.call(method, path, template, body)
        assert answer.status_code == (allowed if moderating else 403), (method, path)
    # Any role may join an open group, and then post.
    assert api.call("post", f"{slug}/join", "{slug}/join").status_code == 200
    if not moderating:
        reply = api.call(
            "post", f"threads/{thread.pk}/posts", "threads/{thread_id}/posts", {"body": "x"}
        )
        assert reply.status_code == 201
    assert Membership.objects.filter(user=role_users[role], group=open_group).exists()
    assert Post.objects.filter(author=role_users[role]).exists()


def test_anonymous_calls_are_refused(open_group: Group) -> None:
    response = Client().get(BASE)
    assert response.status_code == 401
