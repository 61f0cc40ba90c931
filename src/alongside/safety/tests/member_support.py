"""Rows for the tests of members' reports and protections.

Posts are made directly rather than through the communities services, so these tests do not
depend on what screening makes of the invented text (a queue item of its own, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from alongside.accounts.models import User
from alongside.communities.models import Group, Membership, Post, Thread

_numbers = count(1)


def make_group(*members: User, visibility: str = Group.Visibility.OPEN) -> Group:
    number = next(_numbers)
    group = Group.objects.create(
        slug=f"evening-circle-{number}",
        name=f"Evening circle {number}",
        visibility=visibility,
        member_count=len(members),
    )
    for user in members:
        Membership.objects.create(group=group, user=user)
    return group


def make_post(thread: Thread, author: User, body: str, content_warning: str = "") -> Post:
    post = Post.objects.create(
        thread=thread,
        author=author,
        is_opening=not thread.posts.exists(),
        body=body,
        body_html=f"<p>{escape(body)}</p>",
        content_warning=content_warning,
    )
    thread.last_post_id = post.pk
    thread.reply_count = thread.posts.count() - 1
    thread.save(update_fields=["last_post_id", "reply_count"])
    return post


def make_thread(group: Group, author: User, title: str, body: str) -> Thread:
    thread = Thread.objects.create(group=group, author=author, title=title)
    make_post(thread, author, body)
    Group.objects.filter(pk=group.pk).update(thread_count=group.threads.count())
    return thread


def thread_url(thread: Thread) -> str:
    return reverse("communities:thread_detail", args=[thread.group.slug, thread.pk])


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@dataclass
class Circle:
    """A group where Wren started a thread and Juniper and Tomasz replied."""

    group: Group
    wren: User
    juniper: User
    tomasz: User
    thread: Thread
    opening: Post
    juniper_reply: Post
    tomasz_reply: Post


def make_circle(make_user: Callable[..., User]) -> Circle:
    wren, juniper, tomasz = (make_user(handle) for handle in ("wren", "juniper", "tomasz"))
    group = make_group(wren, juniper, tomasz)
    thread = make_thread(
        group,
        wren,
        "Getting through the winter evenings",
        "The dark afternoons are getting to me again. What helps you when it's dark by four?",
    )
    juniper_reply = make_post(
        thread, juniper, "A daylight lamp at breakfast and a short walk at lunch help me a bit."
    )
    tomasz_reply = make_post(
        thread, tomasz, "I book one thing to look forward to each week, even a small one."
    )
    return Circle(
        group=group,
        wren=wren,
        juniper=juniper,
        tomasz=tomasz,
        thread=thread,
        opening=thread.posts.get(is_opening=True),
        juniper_reply=juniper_reply,
        tomasz_reply=tomasz_reply,
    )
