"""The flow people live in: join, post with a content warning, get a reply and a reaction."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from alongside.accounts.models import PolicyAcceptance, User
from alongside.communities.models import Group, Post

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]

PASSWORD = "quiet-harbour-lanterns-7"


def sign_up(page: Page, base: str, handle: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("I am 18 or over").check()
    page.get_by_label("I have read and accept the community agreement").check()
    page.get_by_label("I have read and accept the privacy notice").check()
    page.get_by_role("button", name="Join", exact=True).click()
    # No email given: recovery codes are shown once.
    expect(page.get_by_text("recovery code", exact=False).first).to_be_visible()
    page.get_by_role("link", name="I have saved my codes, continue").click()


def log_in(page: Page, base: str, handle: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_post_reply_react_and_notification(live_server: object, browser: Browser) -> None:
    base = str(live_server)
    Group.objects.create(slug="evening-worries", name="Evening worries", description="Late")

    # First member: sign up, accepting the agreement and privacy notice, join, post with a CW.
    first = browser.new_page()
    sign_up(first, base, "willow_path")
    user = User.objects.get(handle="willow_path")
    assert PolicyAcceptance.objects.filter(user=user).count() == 2

    first.goto(f"{base}/groups/")
    first.get_by_role("link", name="Evening worries").click()
    first.get_by_role("button", name="Join this group").click()
    first.get_by_role("link", name="Start a conversation").click()
    first.get_by_label("Title").fill("Nights are the hardest part")
    first.get_by_label("Message").fill(
        "Every night my thoughts race about the day. How do you wind down?"
    )
    first.get_by_label("Content warning").fill("intrusive thoughts")
    first.get_by_role("button", name=re.compile("Post|Start", re.I)).click()
    expect(first.get_by_role("heading", name="Nights are the hardest part")).to_be_visible()
    log_out(first)
    first.close()

    # Second member: sees the body folded behind the warning, opens it, replies and reacts.
    second = browser.new_page()
    sign_up(second, base, "harbour_light")
    second.goto(f"{base}/groups/evening-worries/")
    second.get_by_role("button", name="Join this group").click()
    second.get_by_role("link", name="Nights are the hardest part").click()
    body = second.get_by_text("Every night my thoughts race")
    expect(body).to_be_hidden()
    second.get_by_text("Content warning: intrusive thoughts").click()
    expect(body).to_be_visible()
    second.get_by_label("Your reply").fill(
        "Same here. A warm shower and a podcast help me. You are not alone @willow_path."
    )
    second.get_by_role("button", name="Post reply").click()
    expect(second.get_by_text("A warm shower and a podcast")).to_be_visible()
    opening = Post.objects.get(is_opening=True, thread__title="Nights are the hardest part")
    second.locator(f"#post-{opening.pk}").get_by_role("button", name="Sending strength").click()
    expect(
        second.locator(f"#post-{opening.pk}").get_by_role("button", name="Sending strength")
    ).to_have_attribute("aria-pressed", "true")
    log_out(second)
    second.close()

    # First member again: the header counts the notifications, and the list links to the post.
    page = browser.new_page()
    log_in(page, base, "willow_path")
    notifications = page.get_by_role("link", name=re.compile("Notifications"))
    expect(notifications).to_contain_text(re.compile(r"\d"))
    notifications.click()
    expect(page.get_by_text("harbour_light", exact=False).first).to_be_visible()
    expect(page.get_by_text("Sending strength", exact=False).first).to_be_visible()
    page.get_by_role("link", name=re.compile("mentioned you|replied", re.I)).first.click()
    expect(page.get_by_text("A warm shower and a podcast")).to_be_visible()
    page.close()
