from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities.models import Post, Thread
from alongside.notifications import services
from alongside.notifications.models import Notification, NotificationPreference
from alongside.notifications.tests.conftest import make_post, make_reaction

ClientFor = Callable[[User], Client]


@pytest.fixture
def notified(thread_and_reply: tuple[Thread, Post]) -> Notification:
    """``alex`` has one unread reply notification from ``sam``."""
    _thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    return Notification.objects.get()


@pytest.mark.parametrize(
    ("name", "method"),
    [("list", "get"), ("preferences", "get"), ("preferences", "post"), ("mark_all_read", "post")],
)
def test_anonymous_is_sent_to_log_in(db: None, name: str, method: str) -> None:
    response = getattr(Client(), method)(reverse(f"notifications:{name}"))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_anonymous_cannot_open_a_notification(notified: Notification) -> None:
    response = Client().get(reverse("notifications:open", args=[notified.pk]))
    assert response.status_code == 302
    notified.refresh_from_db()
    assert notified.read_at is None


def test_list_shows_own_notifications_marked_unread(
    notified: Notification, client_for: ClientFor
) -> None:
    response = client_for(notified.recipient).get(reverse("notifications:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "sam replied to your thread “Sleepless again”" in html
    assert 'class="notification is-unread"' in html
    assert reverse("notifications:open", args=[notified.pk]) in html
    assert "A private reply" not in html
    # Looking at the list does not mark anything read.
    notified.refresh_from_db()
    assert notified.read_at is None


def test_list_of_another_member_does_not_show_mine(
    notified: Notification, client_for: ClientFor, make_user: Callable[..., User]
) -> None:
    html = client_for(make_user("kai")).get(reverse("notifications:list")).content.decode()
    assert "Sleepless again" not in html
    assert "Nothing yet" in html


def test_header_shows_the_unread_count(
    notified: Notification, client_for: ClientFor, thread_and_reply: tuple[Thread, Post]
) -> None:
    thread, reply = thread_and_reply
    services.notify_mentions(
        post=make_post(thread=thread, author=reply.author), users=[thread.author]
    )
    client = client_for(notified.recipient)
    html = client.get(reverse("notifications:list")).content.decode()
    assert 'class="badge" aria-label="2 unread">2</span>' in html

    client.post(reverse("notifications:mark_all_read"))
    html = client.get(reverse("notifications:list")).content.decode()
    assert 'class="badge"' not in html


def test_opening_marks_read_and_goes_to_the_post(
    notified: Notification, client_for: ClientFor
) -> None:
    response = client_for(notified.recipient).get(reverse("notifications:open", args=[notified.pk]))
    post = notified.post
    assert post is not None
    assert response.status_code == 302
    assert response["Location"] == (
        reverse(
            "communities:thread_detail",
            kwargs={"slug": post.thread.group.slug, "thread_id": post.thread_id},
        )
        + f"?post={post.pk}#post-{post.pk}"
    )
    notified.refresh_from_db()
    assert notified.read_at is not None


def test_another_member_cannot_open_or_mark_my_notification(
    notified: Notification, client_for: ClientFor, make_user: Callable[..., User]
) -> None:
    client = client_for(make_user("kai"))
    assert client.get(reverse("notifications:open", args=[notified.pk])).status_code == 404
    client.post(reverse("notifications:mark_all_read"))
    notified.refresh_from_db()
    assert notified.read_at is None


def test_unknown_notification_is_404(member: User, client_for: ClientFor) -> None:
    assert client_for(member).get(reverse("notifications:open", args=[999])).status_code == 404


def test_unavailable_post_leaks_nothing(notified: Notification, client_for: ClientFor) -> None:
    assert notified.post is not None
    Post.objects.filter(pk=notified.post.pk).update(deleted_at=timezone.now())
    client = client_for(notified.recipient)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "This post is no longer available" in html
    assert "Sleepless again" not in html
    assert "sam" not in html

    response = client.get(reverse("notifications:open", args=[notified.pk]), follow=True)
    assert response.redirect_chain == [(reverse("notifications:list"), 302)]
    assert "This post is no longer available." in response.content.decode()
    notified.refresh_from_db()
    assert notified.read_at is not None


def test_mark_all_read_needs_post(notified: Notification, client_for: ClientFor) -> None:
    client = client_for(notified.recipient)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    notified.refresh_from_db()
    assert notified.read_at is not None


def test_mark_all_read_leaves_other_members_alone(
    notified: Notification, client_for: ClientFor, thread_and_reply: tuple[Thread, Post]
) -> None:
    thread, reply = thread_and_reply
    services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author))
    client_for(notified.recipient).post(reverse("notifications:mark_all_read"))
    assert Notification.objects.get(recipient=reply.author).read_at is None


def test_list_is_paginated(notified: Notification, client_for: ClientFor) -> None:
    thread = notified.thread
    assert thread is not None
    sam = User.objects.get(handle="sam")
    for _ in range(25):
        services.notify_reply(post=make_post(thread=thread, author=sam))
    client = client_for(notified.recipient)
    html = client.get(reverse("notifications:list")).content.decode()
    assert html.count('class="notification ') == 20
    assert "Page 1 of 2" in html
    html = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert html.count('class="notification ') == 6


def test_preferences_without_email_disable_email(member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert "your account has no email address" in html
    assert reverse("accounts:profile_edit") in html
    assert html.count("disabled") == 4  # one email box per kind a member can choose
    # A forged email box is ignored: the field is disabled.
    response = client.post(
        reverse("notifications:preferences"),
        {"reply_in_app": "on", "mention_in_app": "on", "reply_email": "on"},
    )
    assert response.status_code == 302
    prefs = {
        p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=member)
    }
    assert prefs == {
        "reply": (True, False),
        "mention": (True, False),
        "reaction": (False, False),
        "measure_due": (False, False),
    }


def test_preferences_with_email(make_user: Callable[..., User], client_for: ClientFor) -> None:
    member = make_user("kai", email="kai@example.org")
    client = client_for(member)
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert "disabled" not in html
    response = client.post(
        reverse("notifications:preferences"),
        {"reply_in_app": "on", "reply_email": "on", "mention_in_app": "on"},
        follow=True,
    )
    assert "Your notification settings are saved." in response.content.decode()
    prefs = {
        p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=member)
    }
    assert prefs == {
        "reply": (True, True),
        "mention": (True, False),
        "reaction": (False, False),
        "measure_due": (False, False),
    }
    html = response.content.decode()
    assert html.count("checked") == 3


def test_list_page_query_count_does_not_grow(
    notified: Notification, client_for: ClientFor, make_user: Callable[..., User]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(notified.recipient)
    url = reverse("notifications:list")
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    thread = notified.thread
    assert thread is not None
    for handle in ("kai", "lee", "noor", "ola"):
        author = make_user(handle)
        post = make_post(thread=thread, author=author)
        services.notify_reply(post=post)
        services.notify_reaction(
            reaction=make_reaction(post=make_post(thread=thread, author=thread.author), user=author)
        )
    client.get(url)  # recount the header badge once, as after any new notification
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_header_count_follows_new_and_read_notifications(
    notified: Notification, client_for: ClientFor, make_user: Callable[..., User]
) -> None:
    client = client_for(notified.recipient)
    home = reverse("communities:group_list")
    assert 'class="badge"' in client.get(home).content.decode()
    services.notification_mark_read(user=notified.recipient)
    assert 'class="badge"' not in client.get(home).content.decode()
    thread = notified.thread
    assert thread is not None
    services.notify_reply(post=make_post(thread=thread, author=make_user("quill")))
    page = client.get(home).content.decode()
    assert 'class="badge"' in page
