"""Notifications as members cause them: through the communities services, not by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.communities import services as communities
from alongside.communities.models import Group, Membership, Thread
from alongside.notifications.models import Notification, NotificationKind, NotificationPreference

MakeUser = Callable[..., User]


@pytest.fixture
def people(make_user: MakeUser) -> dict[str, User]:
    users = {handle: make_user(handle) for handle in ("alex", "sam", "kai")}
    group = Group.objects.create(slug="sleep", name="Sleep", visibility=Group.Visibility.OPEN)
    for user in users.values():
        Membership.objects.create(group=group, user=user)
    return users


@pytest.fixture
def thread(people: dict[str, User]) -> Thread:
    return communities.thread_create(
        author=people["alex"],
        group=Group.objects.get(slug="sleep"),
        title="Sleepless again",
        body="Anyone else awake?",
    )


def kinds(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_reply_that_mentions_the_thread_author_is_one_mention(
    people: dict[str, User], thread: Thread
) -> None:
    communities.post_create(author=people["sam"], thread=thread, body="@alex me too, and @kai")
    assert kinds(people["alex"]) == [NotificationKind.MENTION]
    assert kinds(people["kai"]) == [NotificationKind.MENTION]
    assert kinds(people["sam"]) == []


def test_plain_reply_and_own_reply(people: dict[str, User], thread: Thread) -> None:
    communities.post_create(author=people["alex"], thread=thread, body="Still awake.")
    assert kinds(people["alex"]) == []
    communities.post_create(author=people["sam"], thread=thread, body="Me too.")
    assert kinds(people["alex"]) == [NotificationKind.REPLY]


def test_reacting_again_does_not_pile_up(people: dict[str, User], thread: Thread) -> None:
    post = communities.post_create(author=people["sam"], thread=thread, body="Me too.")
    for _ in range(3):
        communities.reaction_toggle(user=people["alex"], post=post, kind="strength")
    communities.reaction_toggle(user=people["alex"], post=post, kind="hug")
    assert kinds(people["sam"]) == [NotificationKind.REACTION]


def test_email_goes_out_after_the_reply_commits(
    people: dict[str, User], thread: Thread, django_capture_on_commit_callbacks
) -> None:
    alex = people["alex"]
    User.objects.filter(pk=alex.pk).update(email="alex@example.org")
    NotificationPreference.objects.create(user=alex, kind=NotificationKind.MENTION, email=True)
    NotificationPreference.objects.create(user=alex, kind=NotificationKind.REPLY, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        communities.post_create(author=people["sam"], thread=thread, body="@alex I hear you")
    [message] = mail.outbox
    assert message.to == ["alex@example.org"]
    assert "sam mentioned you in “Sleepless again”" in message.body
    assert "I hear you" not in message.body


def test_opening_a_notification_lands_on_the_post(
    people: dict[str, User], thread: Thread, client_for: Callable[[User], Client]
) -> None:
    post = communities.post_create(author=people["sam"], thread=thread, body="Me too.")
    notification = Notification.objects.get(recipient=people["alex"])
    client = client_for(people["alex"])
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"?post={post.pk}#post-{post.pk}")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'id="post-{post.pk}"' in page.content.decode()


def test_a_removed_post_is_no_longer_available(
    people: dict[str, User], thread: Thread, client_for: Callable[[User], Client]
) -> None:
    post = communities.post_create(author=people["sam"], thread=thread, body="Me too.")
    communities.post_delete(actor=people["sam"], post=post)
    html = client_for(people["alex"]).get(reverse("notifications:list")).content.decode()
    assert "This post is no longer available" in html
    assert "Sleepless again" not in html
