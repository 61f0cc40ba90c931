"""Protections on the pages: blocked and muted posts in threads, the settings, blocking."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.safety.models import Block, SafetyPreferences
from alongside.safety.services import protection
from alongside.safety.tests.member_support import (
    Circle,
    make_circle,
    make_group,
    make_post,
    make_thread,
    page,
    thread_url,
)

MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]

BLOCKED_TEXT = "Post from a member you blocked."
MUTED_TEXT = "Hidden because it contains a word you muted."


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def circle(make_user: MakeUser) -> Circle:
    return make_circle(make_user)


def article(html: str, post_id: int) -> str:
    """One post's <article> on a thread page ("" when it is not there)."""
    found = re.search(rf'<article id="post-{post_id}".*?</article>', html, re.S)
    return found.group(0) if found else ""


# --- Blocks in threads ----------------------------------------------------------------------


def test_blocked_members_do_not_see_each_others_posts(
    circle: Circle, client_for: ClientFor
) -> None:
    juniper_text = "A daylight lamp at breakfast"
    tomasz_text = "I book one thing to look forward to"
    url = thread_url(circle.thread)
    # Seen (and cached) before the block.
    assert tomasz_text in page(client_for(circle.juniper), url)
    assert juniper_text in page(client_for(circle.tomasz), url)

    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)

    blocker = page(client_for(circle.juniper), url)
    assert tomasz_text not in blocker
    assert BLOCKED_TEXT in article(blocker, circle.tomasz_reply.pk)
    assert "tomasz" not in article(blocker, circle.tomasz_reply.pk)

    blocked = page(client_for(circle.tomasz), url)
    assert juniper_text not in blocked
    assert article(blocked, circle.juniper_reply.pk) == ""  # simply not there
    assert BLOCKED_TEXT not in blocked  # nothing says they were blocked
    assert tomasz_text in blocked  # their own post, as ever

    everyone_else = page(client_for(circle.wren), url)
    assert juniper_text in everyone_else
    assert tomasz_text in everyone_else

    protection.block_delete(blocker=circle.juniper, blocked=circle.tomasz)
    assert tomasz_text in page(client_for(circle.juniper), url)
    assert juniper_text in page(client_for(circle.tomasz), url)


def test_a_blocked_members_post_has_no_reactions_or_report_link(
    circle: Circle, client_for: ClientFor
) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    post = article(
        page(client_for(circle.juniper), thread_url(circle.thread)), circle.tomasz_reply.pk
    )
    assert "reaction-button" not in post
    assert reverse("safety_member:report_post", args=[circle.tomasz_reply.pk]) not in post


# --- Muted words and content warnings -------------------------------------------------------


def test_muted_words_fold_a_post_away_without_javascript(
    circle: Circle, client_for: ClientFor
) -> None:
    url = thread_url(circle.thread)
    # Tomasz's page first, so the shared fragment is cached unfolded.
    assert MUTED_TEXT not in page(client_for(circle.tomasz), url)
    protection.protection_update(user=circle.wren, muted_words=["Daylight Lamp"])
    html = page(client_for(circle.wren), url)
    folded = article(html, circle.juniper_reply.pk)
    assert '<details class="folded-post" data-keep-closed>' in folded
    assert MUTED_TEXT in folded
    assert "daylight lamp" in folded.lower()  # still there, behind the fold
    assert " open" not in folded.split(">")[0]
    assert MUTED_TEXT not in article(html, circle.tomasz_reply.pk)
    # Other readers, sharing the cached text, see it as ever.
    other = article(page(client_for(circle.tomasz), url), circle.juniper_reply.pk)
    assert "folded-post" not in other
    assert "A daylight lamp at breakfast" in other
    # Unmuting unfolds it at once.
    protection.protection_update(user=circle.wren, muted_words=[])
    assert "folded-post" not in article(page(client_for(circle.wren), url), circle.juniper_reply.pk)


def test_my_own_posts_are_never_folded_for_me(circle: Circle, client_for: ClientFor) -> None:
    protection.protection_update(user=circle.juniper, muted_words=["lamp"])
    html = page(client_for(circle.juniper), thread_url(circle.thread))
    assert "folded-post" not in article(html, circle.juniper_reply.pk)


def test_content_warned_posts_fold_completely_when_asked(
    circle: Circle, client_for: ClientFor
) -> None:
    warned = make_post(
        circle.thread,
        circle.juniper,
        "Last winter I stopped eating properly for a while; this year I have a plan.",
        content_warning="eating difficulties",
    )
    url = thread_url(circle.thread)
    usual = article(page(client_for(circle.tomasz), url), warned.pk)
    assert "Content warning: eating difficulties" in usual
    assert "folded-post" not in usual
    protection.protection_update(user=circle.wren, hide_content_warned=True)
    folded = article(page(client_for(circle.wren), url), warned.pk)
    assert '<details class="folded-post" data-keep-closed>' in folded
    assert "Post with a content warning: eating difficulties" in folded
    assert "Content warning: eating difficulties" not in folded  # one fold, not two
    assert "<details open" not in folded
    assert 'class="post-author"' in folded  # who wrote it is behind the fold too
    assert folded.index("Post with a content warning") < folded.index('class="post-author"')
    # Posts without a warning are untouched.
    assert "folded-post" not in article(page(client_for(circle.wren), url), circle.tomasz_reply.pk)


def test_the_thread_page_loads_the_fold_script_from_a_file(
    circle: Circle, client_for: ClientFor
) -> None:
    html = page(client_for(circle.wren), thread_url(circle.thread))
    assert '<script src="/static/alongside/protect.js" defer></script>' in html
    assert "<script>" not in html
    assert " style=" not in html


def test_the_api_thread_says_why_a_post_is_folded(circle: Circle, client_for: ClientFor) -> None:
    protection.block_create(blocker=circle.wren, blocked=circle.tomasz)
    protection.protection_update(user=circle.wren, muted_words=["lamp"])
    body = client_for(circle.wren).get(f"/api/v1/groups/threads/{circle.thread.pk}").json()
    posts = {post["id"]: post for post in body["posts"]}
    assert posts[circle.tomasz_reply.pk]["hidden_reason"] == "blocked"
    assert posts[circle.tomasz_reply.pk]["author"] is None
    assert posts[circle.tomasz_reply.pk]["body"] is None
    assert posts[circle.juniper_reply.pk]["hidden_reason"] == "muted"
    assert posts[circle.juniper_reply.pk]["body"].startswith("A daylight lamp")
    assert posts[circle.opening.pk]["hidden_reason"] == ""
    blocked = client_for(circle.tomasz).get(f"/api/v1/groups/threads/{circle.thread.pk}").json()
    assert circle.opening.pk not in {post["id"] for post in blocked["posts"]}


# --- The thread page stays a fixed number of queries ----------------------------------------


def count_queries(client: Client, url: str) -> int:
    """Queries for a second visit; the reader's blocks and muted words come from the cache."""
    client.get(url)  # warm the session, the caches and the read marker
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    safety_reads = [q["sql"] for q in context.captured_queries if '"safety_' in q["sql"]]
    assert safety_reads == []
    return len(context.captured_queries)


def test_blocks_and_muted_words_add_no_queries_to_the_thread_page(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    reader = make_user("reader")
    plain_reader = make_user("plain_reader")
    authors = [make_user(f"author{n}") for n in range(4)]
    counts = []
    for size in (2, 12):
        group = make_group(reader, plain_reader, *authors)
        thread = make_thread(group, authors[0], f"Week {size}", "How was everyone's week?")
        for n in range(size):
            make_post(
                thread,
                authors[n % 4],
                f"Reply {n}: slept badly, but the walk helped.",
                content_warning="sleep" if n % 3 == 0 else "",
            )
        url = thread_url(thread)
        counts.append(("plain", size, count_queries(client_for(plain_reader), url)))
        counts.append(("protected", size, count_queries(client_for(reader), url)))
        if size == 2:
            protection.block_create(blocker=reader, blocked=authors[1])
            protection.block_create(blocker=authors[2], blocked=reader)
            protection.protection_update(
                user=reader, muted_words=["walk", "insomnia"], hide_content_warned=True
            )
            counts.append(("protected now", size, count_queries(client_for(reader), url)))
    numbers = {number for _who, _size, number in counts}
    assert len(numbers) == 1, counts


# --- The settings page ----------------------------------------------------------------------


def test_settings_page_saves_muted_words_and_the_fold(
    circle: Circle, client_for: ClientFor
) -> None:
    client = client_for(circle.juniper)
    url = reverse("safety_member:settings")
    assert "Muted words and phrases" in page(client, url)
    response = client.post(
        url,
        {"muted_words": "relapse\r\n  weight loss \r\n\r\nRelapse", "hide_content_warned": "on"},
    )
    assert response.status_code == 302
    preferences = SafetyPreferences.objects.get(user=circle.juniper)
    assert preferences.muted_words == ["relapse", "weight loss"]
    assert preferences.hide_content_warned is True
    html = page(client, url)
    assert "relapse\nweight loss</textarea>" in html
    assert "Your settings are saved." in html


def test_settings_page_keeps_what_was_typed_when_refused(
    circle: Circle, client_for: ClientFor
) -> None:
    words = "\n".join(f"trigger{n}" for n in range(51))
    response = client_for(circle.juniper).post(
        reverse("safety_member:settings"), {"muted_words": words}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "You can mute up to 50 words or phrases; this list has 51." in html
    assert "trigger50" in html
    assert not SafetyPreferences.objects.filter(user=circle.juniper).exclude(muted_words=[])


def test_taking_a_break_and_coming_back(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    settings_url = reverse("safety_member:settings")
    html = page(client, settings_url)
    assert "Take a break" in html
    assert "you can end your break early at any time" in html
    response = client.post(reverse("safety_member:break_start"), {"length": "1w"})
    assert response.status_code == 302
    until = SafetyPreferences.objects.get(user=circle.juniper).paused_until
    assert until is not None
    assert timedelta(days=6, hours=23) < until - timezone.now() <= timedelta(days=7)
    html = page(client, settings_url)
    assert "Your break has started." in html
    assert "You're taking a break until" in html
    assert "End my break now" in html
    # Reading still works; posting waits.
    assert "A daylight lamp" in page(client, thread_url(circle.thread))
    reply = client.post(
        reverse("communities:thread_reply", args=[circle.group.slug, circle.thread.pk]),
        {"body": "Thank you all."},
    )
    assert reply.status_code in {200, 403}
    assert not circle.thread.posts.filter(body="Thank you all.").exists()
    response = client.post(reverse("safety_member:break_end"))
    assert response.status_code == 302
    assert SafetyPreferences.objects.get(user=circle.juniper).paused_until is None
    assert "Welcome back." in page(client, settings_url)


def test_a_break_until_a_date(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    url = reverse("safety_member:break_start")
    missing = client.post(url, {"length": "date"})
    assert "Please choose the day your break ends." in missing.content.decode()
    past = client.post(url, {"length": "date", "until": "2020-01-01"})
    assert "Please choose a time in the future." in past.content.decode()
    day = (timezone.now() + timedelta(days=10)).date()
    client.post(url, {"length": "date", "until": day.isoformat()})
    until = SafetyPreferences.objects.get(user=circle.juniper).paused_until
    assert until is not None
    assert timezone.localtime(until).date() == day
    assert (timezone.localtime(until).hour, timezone.localtime(until).minute) == (0, 0)


def test_a_break_needs_a_choice(circle: Circle, client_for: ClientFor) -> None:
    response = client_for(circle.juniper).post(reverse("safety_member:break_start"), {})
    assert "Please choose how long you&#x27;d like your break to be." in response.content.decode()
    assert not SafetyPreferences.objects.filter(paused_until__isnull=False).exists()


def test_pages_need_sign_in(db: None) -> None:
    for name in ("settings", "blocked", "reports"):
        response = Client().get(reverse(f"safety_member:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- Blocking from a profile and the blocked list -------------------------------------------


def test_blocking_from_a_profile(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    profile = reverse("accounts:profile", args=["tomasz"])
    confirm = page(client, reverse("safety_member:block", args=["tomasz"]))
    assert "Block tomasz?" in confirm
    assert "tomasz isn't told." in confirm
    assert not Block.objects.exists()  # looking is not blocking
    response = client.post(reverse("safety_member:block", args=["tomasz"]), {"next": profile})
    assert response.status_code == 302
    assert response["Location"] == profile
    assert Block.objects.filter(blocker=circle.juniper, blocked=circle.tomasz).exists()
    html = page(client, profile)
    assert "You&#x27;ve blocked tomasz." in html
    assert "Unblock tomasz" in html
    # The blocked member's view of the blocker's profile says nothing about it.
    theirs = page(client_for(circle.tomasz), reverse("accounts:profile", args=["juniper"]))
    assert "Unblock" not in theirs
    assert "blocked" not in theirs.lower()


def test_the_blocked_list_and_unblocking(circle: Circle, client_for: ClientFor) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    protection.block_create(blocker=circle.wren, blocked=circle.juniper)
    client = client_for(circle.juniper)
    html = page(client, reverse("safety_member:blocked"))
    assert "Unblock tomasz" in html
    assert "wren" not in html  # who blocked me is never shown
    response = client.post(reverse("safety_member:unblock", args=["tomasz"]))
    assert response["Location"] == reverse("safety_member:blocked")
    assert "You&#x27;ve unblocked tomasz." in page(client, reverse("safety_member:blocked"))
    assert not Block.objects.filter(blocker=circle.juniper).exists()
    assert client.get(reverse("safety_member:unblock", args=["tomasz"])).status_code == 405


def test_blocking_myself_or_nobody(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    response = client.post(reverse("safety_member:block", args=["juniper"]), follow=True)
    assert "You can&#x27;t block yourself." in response.content.decode()
    assert client.get(reverse("safety_member:block", args=["nobody"])).status_code == 404


def test_next_must_stay_on_this_site(circle: Circle, client_for: ClientFor) -> None:
    response = client_for(circle.juniper).post(
        reverse("safety_member:block", args=["tomasz"]), {"next": "https://example.com/"}
    )
    assert response["Location"] == reverse("accounts:profile", args=["tomasz"])
