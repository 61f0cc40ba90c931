"""Get help now is one click away from every page, with or without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
from alongside.communities.models import Group
from alongside.communities.services import group_join, post_create, thread_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]

PASSWORD = "quiet-harbour-lanterns-7"

ANONYMOUS_PAGES = ["/", "/groups/", "/accounts/login/", "/accounts/signup/", "/accounts/recover/"]


def signed_in_pages(slug: str, thread_id: int, handle: str) -> list[str]:
    return [
        "/groups/feed/",
        f"/groups/{slug}/",
        f"/groups/{slug}/t/{thread_id}/",
        f"/groups/{slug}/new/",
        "/notifications/",
        "/notifications/preferences/",
        f"/accounts/members/{handle}/",
        "/accounts/profile/edit/",
        "/accounts/policies/agreement/",
    ]


def make_member(handle: str) -> User:
    user = User.objects.create_user(handle, PASSWORD)
    PolicyAcceptance.objects.bulk_create(
        PolicyAcceptance(user=user, document=doc) for doc in PolicyDocument.objects.all()
    )
    return user


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_get_help_from_every_page(live_server: object, browser: Browser, javascript: bool) -> None:
    base = str(live_server)
    user = make_member("cedar_walk")
    group = Group.objects.create(slug="low-mood", name="Low mood", description="Together")
    group_join(user=user, group=group)
    thread = thread_create(author=user, group=group, title="Small wins", body="Made tea today.")
    post_create(author=user, thread=thread, body="And went outside.")

    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    for path in ANONYMOUS_PAGES:
        page.goto(base + path)
        page.get_by_role("banner").get_by_role("link", name="Get help now").click()
        expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
        expect(page.get_by_text("Samaritans").first).to_be_visible()

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Handle").fill("cedar_walk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for path in signed_in_pages(group.slug, thread.pk, user.handle):
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        link = page.get_by_role("banner").get_by_role("link", name="Get help now")
        link.focus()  # reachable by keyboard
        link.click()
        expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
        expect(page.get_by_text("116 123").first).to_be_visible()
    context.close()
