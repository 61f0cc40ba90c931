"""Formal peer support in a real browser, from asking to a planned ending.

A member asks for support in their own words and sees a suggested supporter with plain-word
reasons; the supporter accepts; they exchange messages in the one-to-one; a session is booked,
held and written up; then a planned ending with a reflection and feedback to the organisation.
Texts are invented for this test.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group as RoleGroup
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
from alongside.accounts.roles import Role
from alongside.support.ending_models import SupportFeedback
from alongside.support.models import SupporterProfile, SupportRelationship
from alongside.support.session_models import SessionNote, SupportSession

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]

PASSWORD = "lantern-harbour-quiet-9"
ALL_WEEK = [{"weekday": day, "start": "00:00", "end": "24:00"} for day in range(7)]


def person(handle: str, role: str = Role.MEMBER, **fields: object) -> User:
    user = User.objects.create_user(
        handle, PASSWORD, region="GB", date_joined=timezone.now() - timedelta(days=90), **fields
    )
    user.groups.add(RoleGroup.objects.get(name=Role.MEMBER))
    if role != Role.MEMBER:
        user.groups.add(RoleGroup.objects.get(name=role))
    PolicyAcceptance.objects.bulk_create(
        PolicyAcceptance(user=user, document=document) for document in PolicyDocument.objects.all()
    )
    return user


def log_in(browser: Browser, base: str, handle: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def test_request_to_planned_ending(asgi_live_server: str, browser: Browser) -> None:
    base = asgi_live_server
    member = person("drifting_kite")
    supporter = person("willow_and_tea", Role.PEER_SUPPORTER, lived_experience=["anxiety"])
    SupporterProfile.objects.create(
        user=supporter,
        lived_experience_areas=["anxiety"],
        languages=["en"],
        availability=ALL_WEEK,
        time_zone="Europe/London",
        on_duty=True,
        on_probation=False,
        accepting_requests=True,
    )

    # The member asks, in their own words, and sees a suggestion with its reasons.
    page = log_in(browser, base, member.handle)
    page.get_by_role("link", name="Support", exact=True).click()
    page.get_by_role("link", name="Ask for support").click()
    page.get_by_label("What would you like support with?").fill(
        "My anxiety has been getting in the way of work and I'd like someone to talk it "
        "through with for a few weeks."
    )
    page.get_by_role("button", name="Find a supporter").click()
    expect(page.get_by_text("willow_and_tea").first).to_be_visible()
    expect(page.get_by_text(re.compile("lived experience", re.IGNORECASE)).first).to_be_visible()
    page.get_by_role("button", name="Accept this suggestion").click()

    # The supporter accepts, agreeing a focus.
    helper = log_in(browser, base, supporter.handle)
    helper.goto(f"{base}/support/")
    helper.get_by_role("link", name=re.compile("A request for support")).first.click()
    helper.get_by_label("What you have agreed to focus on").fill(
        "Managing anxiety at work, one week at a time."
    )
    helper.get_by_role("button", name="Accept", exact=True).click()
    relationship = SupportRelationship.objects.get(member=member, supporter=supporter)
    assert relationship.status == "active"
    assert relationship.conversation_id is not None

    # Messages in the one-to-one the relationship opened.
    helper.goto(f"{base}/support/relationships/{relationship.pk}/")
    helper.get_by_role("link", name="Messages").click()
    helper.locator("textarea[name=body]").fill(
        "Hello, I'm glad you reached out. What would help most this week?"
    )
    helper.get_by_role("button", name="Send", exact=True).click()
    expect(helper.get_by_text("glad you reached out")).to_be_visible()
    page.goto(f"{base}/chat/{relationship.conversation_id}/")
    expect(page.get_by_text("glad you reached out")).to_be_visible()

    # A session is booked by the member, inside the supporter's hours.
    page.goto(f"{base}/support/sessions/relationship/{relationship.pk}/")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page.get_by_label("Day:", exact=True).fill(tomorrow)
    page.get_by_label("Time:", exact=True).fill("18:30")
    page.get_by_role("button", name="Book").click()
    session = SupportSession.objects.get(relationship=relationship)
    expect(page.get_by_text(re.compile("18:30")).first).to_be_visible()

    # Time passes: the session has been held. The supporter marks it and writes the note.
    SupportSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=2)
    )
    helper.goto(f"{base}/support/sessions/relationship/{relationship.pk}/")
    helper.get_by_role("button", name="It happened").click()
    helper.get_by_role("link", name="Write the session note").click()
    helper.get_by_label("What we talked about").fill("Mornings before work feel hardest.")
    helper.get_by_label("Agreed next steps").fill("Try a short walk before the commute.")
    helper.get_by_role("button", name=re.compile("Save", re.IGNORECASE)).click()
    assert SessionNote.objects.filter(session=session).exists()
    # The member can see what is recorded about them.
    page.goto(f"{base}/support/sessions/about-me/")
    expect(page.get_by_text("Mornings before work feel hardest.")).to_be_visible()

    # A planned ending: suggested, reflected on, ended; then the member's feedback.
    helper.goto(f"{base}/support/endings/{relationship.pk}/")
    helper.get_by_role("button", name="Suggest a planned ending").click()
    helper.get_by_label("Your reflection").fill("It was good to see the walks become a habit.")
    helper.get_by_role("button", name="Save my reflection").click()
    page.goto(f"{base}/support/endings/{relationship.pk}/")
    expect(page.get_by_text("walks become a habit")).to_be_visible()
    page.get_by_role("button", name="End our support").click()
    relationship.refresh_from_db()
    assert relationship.status == "ended"
    page.goto(f"{base}/support/endings/{relationship.pk}/feedback/")
    page.get_by_label("5").first.check()
    page.get_by_label("Anything you would like to tell us (optional)").fill(
        "Having someone who understood made a real difference."
    )
    page.get_by_role("button", name="Send feedback").click()
    feedback = SupportFeedback.objects.get(relationship=relationship)
    assert feedback.rating == 5
