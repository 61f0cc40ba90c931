"""The busy pages run a fixed, small number of queries, however much there is to show.

Each test fills the same page twice, small and large, and asserts the same query count for
both, plus a ceiling so that a new query per request is a decision, not an accident.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Group, Reaction, Thread
from alongside.communities.tests.helpers import join

# Queries for a signed-in member's page, as measured. Two belong to other apps (the member
# from the session, the unread notification count in the header); two are Django's permission
# lookups (site moderator?). The rest are the page's own; see each test.
THREAD_LIST_QUERIES = 9
THREAD_PAGE_QUERIES = 10
FEED_QUERIES = 7


def count_queries(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), [q["sql"] for q in context.captured_queries]


def writes(queries: list[str]) -> list[str]:
    return [q for q in queries if q.split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def fill_threads(group: Group, authors: list[User], count: int) -> list[Thread]:
    threads = []
    for n in range(count):
        author = authors[n % len(authors)]
        thread = services.thread_create(author=author, group=group, title=f"T{n}", body="x")
        services.post_create(author=authors[(n + 1) % len(authors)], thread=thread, body="Re")
        threads.append(thread)
    return threads


def fill_replies(thread: Thread, authors: list[User], count: int) -> None:
    for n in range(count):
        post = services.post_create(author=authors[n % len(authors)], thread=thread, body=f"r{n}")
        for reactor, kind in zip(authors, Reaction.Kind.values, strict=False):
            services.reaction_set(user=reactor, post=post, kind=kind, present=True)


def test_thread_list_query_count_does_not_grow(
    make_group: Callable[..., Group],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    reader = make_user("reader")
    authors = [make_user(f"author{n}") for n in range(3)]
    counts = []
    for size in (2, 20):
        group = make_group(f"Group {size}")
        for person in [reader, *authors]:
            join(person, group)
        threads = fill_threads(group, authors, size)
        # Half read, half not: both kinds of unread marker are on the page.
        for thread in threads[::2]:
            services.thread_mark_read(user=reader, thread=thread, last_post_id=thread.last_post_id)
        client = client_for(reader)
        url = reverse("communities:group_detail", args=[group.slug])
        client.get(url)  # warm the session
        count, queries = count_queries(client, url)
        assert writes(queries) == []
        counts.append(count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= THREAD_LIST_QUERIES, counts


def test_thread_page_query_count_does_not_grow(
    make_group: Callable[..., Group],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    reader = make_user("reader")
    authors = [make_user(f"author{n}") for n in range(4)]
    counts = []
    for size in (2, 20):
        group = make_group(f"Group {size}")
        for person in [reader, *authors]:
            join(person, group)
        thread = services.thread_create(author=authors[0], group=group, title="T", body="x")
        fill_replies(thread, authors, size)
        client = client_for(reader)
        url = reverse("communities:thread_detail", args=[group.slug, thread.pk])
        client.get(url)  # first visit: marks the thread read
        count, queries = count_queries(client, url)
        # Nothing new since the last visit: reading writes nothing.
        assert writes(queries) == [], queries
        counts.append(count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= THREAD_PAGE_QUERIES, counts


def test_first_visit_writes_the_read_marker_once(
    open_group: Group, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    reader, author = make_user("reader"), make_user("author")
    join(reader, open_group)
    join(author, open_group)
    thread = services.thread_create(author=author, group=open_group, title="T", body="x")
    client = client_for(reader)
    url = reverse("communities:thread_detail", args=[open_group.slug, thread.pk])
    client.get(url)
    _count, queries = count_queries(client, url)
    assert writes(queries) == []
    services.post_create(author=author, thread=thread, body="new")
    _count, queries = count_queries(client, url)
    assert len(writes(queries)) == 1, writes(queries)


def test_feed_query_count_does_not_grow(
    make_group: Callable[..., Group],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    counts = []
    for size in (2, 12):
        reader = make_user(f"reader{size}")
        authors = [make_user(f"author{size}_{n}") for n in range(2)]
        for g in range(size // 2):
            group = make_group(f"Group {size} {g}")
            for person in [reader, *authors]:
                join(person, group)
            fill_threads(group, authors, 2)
        client = client_for(reader)
        url = reverse("communities:feed")
        client.get(url)
        count, _queries = count_queries(client, url)
        counts.append(count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= FEED_QUERIES, counts
