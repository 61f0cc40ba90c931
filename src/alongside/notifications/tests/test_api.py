from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.communities.models import Post, Thread
from alongside.notifications import services
from alongside.notifications.models import Notification, NotificationPreference
from alongside.notifications.tests.conftest import make_group, make_post, make_thread

ClientFor = Callable[[User], Client]
BASE = "/api/v1/notifications"


@pytest.fixture
def notified(thread_and_reply: tuple[Thread, Post]) -> Notification:
    _thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    return Notification.objects.get()


ENDPOINTS = [
    ("get", f"{BASE}/", None),
    ("post", f"{BASE}/read-all", None),
    ("post", f"{BASE}/1/read", None),
    ("get", f"{BASE}/preferences", None),
    ("patch", f"{BASE}/preferences", {"preferences": {"reply": {"in_app": False}}}),
]


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
def test_anonymous_gets_401_json(db: None, method: str, url: str, body: object) -> None:
    response = getattr(Client(), method)(url, body, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_lists_and_reads_only_their_own(
    role: Role, role_users: dict[str, User], make_user: Callable[..., User], client_for: ClientFor
) -> None:
    user = role_users[role.value]
    other = make_user("sam")
    group = make_group(members=(user, other))
    mine = make_post(thread=make_thread(author=user, group=group), author=other)
    theirs = make_post(thread=make_thread(author=other, group=group), author=user)
    services.notify_reply(post=mine)
    services.notify_reply(post=theirs)
    my_notification = Notification.objects.get(recipient=user)
    their_notification = Notification.objects.get(recipient=other)
    client = client_for(user)

    body = client.get(f"{BASE}/").json()
    assert [item["id"] for item in body["items"]] == [my_notification.pk]
    assert body["unread_count"] == 1
    assert body["items"][0]["text"] == f"sam replied to your thread “{mine.thread.title}”"

    refused = client.post(f"{BASE}/{their_notification.pk}/read")
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Not Found"}
    their_notification.refresh_from_db()
    assert their_notification.read_at is None

    response = client.post(f"{BASE}/{my_notification.pk}/read")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    my_notification.refresh_from_db()
    assert my_notification.read_at is not None


def test_list_paginates_and_filters_unread(notified: Notification, client_for: ClientFor) -> None:
    thread = notified.thread
    assert thread is not None
    sam = User.objects.get(handle="sam")
    for _ in range(21):
        services.notify_reply(post=make_post(thread=thread, author=sam))
    services.notification_mark_read(user=notified.recipient, notification_ids=[notified.pk])
    client = client_for(notified.recipient)

    first = client.get(f"{BASE}/").json()
    assert (first["count"], first["num_pages"], first["has_next"]) == (22, 2, True)
    assert len(first["items"]) == 20
    second = client.get(f"{BASE}/", {"page": 2}).json()
    assert [item["id"] for item in second["items"]][-1] == notified.pk
    unread = client.get(f"{BASE}/", {"unread": "true"}).json()
    assert unread["count"] == 21
    assert client.get(f"{BASE}/", {"page": 0}).status_code == 422


def test_unavailable_post_has_no_url_or_content(
    notified: Notification, client_for: ClientFor
) -> None:
    assert notified.post is not None
    Post.objects.filter(pk=notified.post.pk).update(deleted_at=notified.created_at)
    [item] = client_for(notified.recipient).get(f"{BASE}/").json()["items"]
    assert item["available"] is False
    assert item["url"] is None
    assert item["text"] == "This post is no longer available"
    assert "Sleepless" not in str(item)


def test_read_all(notified: Notification, client_for: ClientFor) -> None:
    client = client_for(notified.recipient)
    assert client.post(f"{BASE}/read-all").json() == {"marked": 1, "unread_count": 0}
    assert client.post(f"{BASE}/read-all").json() == {"marked": 0, "unread_count": 0}


def test_get_and_update_preferences(member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    body = client.get(f"{BASE}/preferences").json()
    assert body["has_email"] is False
    assert [(p["kind"], p["in_app"], p["email"]) for p in body["preferences"]] == [
        ("reply", True, False),
        ("mention", True, False),
        ("reaction", True, False),
        # Questionnaire reminders can be switched off; safety messages are not listed.
        ("measure_due", True, False),
    ]
    response = client.patch(
        f"{BASE}/preferences",
        {"preferences": {"reaction": {"in_app": False}}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["preferences"][2] == {
        "kind": "reaction",
        "label": "Reactions to my posts",
        "in_app": False,
        "email": False,
    }


def test_email_preference_needs_an_address(member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    response = client.patch(
        f"{BASE}/preferences",
        {"preferences": {"reply": {"email": True}}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "email address" in response.json()["detail"][0]["msg"]
    assert not NotificationPreference.objects.exists()

    User.objects.filter(pk=member.pk).update(email="river@example.org")
    response = client.patch(
        f"{BASE}/preferences",
        {"preferences": {"reply": {"email": True}}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["has_email"] is True


def test_unknown_kind_is_422(member: User, client_for: ClientFor) -> None:
    response = client_for(member).patch(
        f"{BASE}/preferences",
        {"preferences": {"gossip": {"in_app": True}}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not NotificationPreference.objects.exists()


def csrf_client(user: User) -> tuple[Client, str]:
    """A signed-in client that enforces CSRF, with a valid cookie and the token to send."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return client, token


def test_unsafe_methods_need_the_csrf_token(notified: Notification) -> None:
    client, token = csrf_client(notified.recipient)
    # Reading needs no token.
    assert client.get(f"{BASE}/").status_code == 200

    refused = client.post(f"{BASE}/read-all")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    refused = client.patch(
        f"{BASE}/preferences",
        {"preferences": {"reply": {"in_app": False}}},
        content_type="application/json",
    )
    assert refused.status_code == 403
    notified.refresh_from_db()
    assert notified.read_at is None
    assert not NotificationPreference.objects.exists()

    allowed = client.post(f"{BASE}/read-all", headers={"X-CSRFToken": token})
    assert allowed.status_code == 200
    notified.refresh_from_db()
    assert notified.read_at is not None
