"""Cached fragments of the busiest pages never show anything stale."""

from __future__ import annotations

from django.urls import reverse

from alongside.accounts.roles import Role
from alongside.communities import services
from alongside.communities.models import Group
from alongside.communities.tests.helpers import join


def make_thread(make_user):
    author = make_user("tamsin")
    admin = make_user("admin_ash", role=Role.ADMINISTRATOR)
    group = services.group_create(actor=admin, name="Night owls", description="Late talk")
    join(author, group)
    thread = services.thread_create(
        author=author, group=group, title="Awake again", body="Third night in a row."
    )
    return author, admin, group, thread


def test_an_edit_within_the_grace_period_shows_at_once(make_user, client_for) -> None:
    author, _admin, group, thread = make_thread(make_user)
    client = client_for(author)
    url = reverse("communities:thread_detail", args=[group.slug, thread.pk])
    assert "Third night in a row." in client.get(url).content.decode()
    opening = thread.posts.get(is_opening=True)
    services.post_edit(actor=author, post=opening, body="Fourth night, actually.")
    opening.refresh_from_db()
    assert opening.edited_at is None  # within the grace period: not marked as edited
    page = client.get(url).content.decode()
    assert "Fourth night, actually." in page
    assert "Third night in a row." not in page


def test_a_removed_post_is_a_placeholder_at_once(make_user, client_for) -> None:
    author, _admin, group, thread = make_thread(make_user)
    reader = make_user("juniper")
    join(reader, group)
    reply = services.post_create(author=author, thread=thread, body="Might try chamomile.")
    client = client_for(reader)
    url = reverse("communities:thread_detail", args=[group.slug, thread.pk])
    assert "Might try chamomile." in client.get(url).content.decode()
    services.post_delete(actor=author, post=reply)
    assert "Might try chamomile." not in client.get(url).content.decode()


def test_a_renamed_group_shows_its_new_name_in_the_feed(make_user, client_for) -> None:
    author, admin, group, _thread = make_thread(make_user)
    client = client_for(author)
    feed = reverse("communities:feed")
    assert "Night owls" in client.get(feed).content.decode()
    services.group_update(actor=admin, group=Group.objects.get(pk=group.pk), name="Early birds")
    page = client.get(feed).content.decode()
    assert "Early birds" in page
    assert "Night owls" not in page
