"""Rows to notify about. Made directly, so these tests do not depend on the communities services."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest

from alongside.accounts.models import User
from alongside.communities.models import Group, Membership, Post, Reaction, Thread

_numbers = count(1)


def make_group(*, visibility: str = Group.Visibility.OPEN, members: tuple[User, ...] = ()) -> Group:
    number = next(_numbers)
    group = Group.objects.create(
        slug=f"group-{number}", name=f"Group {number}", visibility=visibility
    )
    for user in members:
        Membership.objects.create(group=group, user=user)
    return group


def make_thread(
    *, author: User, group: Group | None = None, title: str = "Sleepless again"
) -> Thread:
    group = group or make_group(members=(author,))
    thread = Thread.objects.create(group=group, author=author, title=title)
    Post.objects.create(
        thread=thread, author=author, is_opening=True, body="opening", body_html="<p>opening</p>"
    )
    return thread


def make_post(*, thread: Thread, author: User, body: str = "A private reply") -> Post:
    return Post.objects.create(thread=thread, author=author, body=body, body_html=f"<p>{body}</p>")


def make_reaction(*, post: Post, user: User, kind: str = Reaction.Kind.STRENGTH) -> Reaction:
    return Reaction.objects.create(post=post, user=user, kind=kind)


@pytest.fixture
def thread_and_reply(make_user: Callable[..., User]) -> tuple[Thread, Post]:
    """A thread by ``alex`` in an open group, and a reply to it by ``sam``."""
    alex = make_user("alex")
    sam = make_user("sam")
    group = make_group(members=(alex, sam))
    thread = make_thread(author=alex, group=group)
    return thread, make_post(thread=thread, author=sam)
