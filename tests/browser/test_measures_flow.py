"""Outcome measures and self-management in a real browser.

A member answers the PHQ-9 with item 9 above 0: crisis lines and their safety plan are on the
page they land on, and the deployment's named responder sees the urgent alert in the
moderators' queue (live, over the WebSocket) and the item-9 answer, but not the other answers.
A second flow makes a safety plan, records check-ins and a goal rating, sees progress with a
chart and its table, and downloads the one-page summary. Texts are invented for these tests.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
from alongside.accounts.roles import Role
from alongside.measures.models import MeasureResponse
from alongside.measures.services import response_submit
from alongside.safety.models import AuditEntry, DutyPeriod, QueueItem

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]

PASSWORD = "lantern-harbour-quiet-9"


def person(handle: str, role: str = Role.MEMBER) -> User:
    from django.contrib.auth.models import Group as RoleGroup

    user = User.objects.create_user(handle, PASSWORD, region="GB")
    user.groups.add(RoleGroup.objects.get(name=Role.MEMBER))
    if role != Role.MEMBER:
        user.groups.add(RoleGroup.objects.get(name=role))
    PolicyAcceptance.objects.bulk_create(
        PolicyAcceptance(user=user, document=document) for document in PolicyDocument.objects.all()
    )
    return user


def log_in(browser: Browser, base: str, handle: str) -> Page:
    page = browser.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def answer(page: Page, number: int, option: str) -> None:
    page.get_by_role("group", name=re.compile(rf"^{number}\.")).get_by_label(option).check()


@override_settings(MEASURES_RESPONDER="kestrel_mod")
def test_phq9_item_9_gives_help_at_once_and_alerts_the_responder(
    asgi_live_server: str, browser: Browser
) -> None:
    base = asgi_live_server
    member = person("quiet_fern")
    responder = person("kestrel_mod", Role.MODERATOR)
    DutyPeriod.objects.create(moderator=responder)

    queue = log_in(browser, base, "kestrel_mod")
    queue.goto(f"{base}/moderation/")
    expect(queue.get_by_text("The queue is empty")).to_be_visible()
    expect(queue.locator("#queue-live-status")).to_contain_text("Live")

    page = log_in(browser, base, "quiet_fern")
    page.get_by_role("link", name="Looking after me").click()
    page.get_by_role("link", name=re.compile("questionnaire", re.IGNORECASE)).first.click()
    page.get_by_role("link", name=re.compile("PHQ-9")).first.click()
    # Said plainly before the questions: who sees an answer to item 9.
    expect(page.locator(".measure-notice")).to_contain_text("kestrel_mod")
    for number in range(1, 9):
        answer(page, number, "Not at all" if number % 2 else "Several days")
    answer(page, 9, "Several days")
    page.get_by_role("button", name="See my result").click()

    # Help at once, on the page the member lands on, whatever the total (5 here: mild).
    panel = page.locator("#safety-heading").locator("..")
    expect(panel).to_contain_text("Thank you for answering honestly")
    expect(panel).to_contain_text("Samaritans")
    expect(page.get_by_role("link", name="Open my safety plan")).to_be_visible()
    response = MeasureResponse.objects.get(member=member)
    assert response.score == 5
    assert response.safety_started_at is not None

    # The follow-up questions.
    thoughts_now = re.compile("thoughts of ending your life right now")
    page.get_by_role("group", name=thoughts_now).get_by_label("Yes").check()
    page.get_by_role("group", name=re.compile("contact you")).get_by_label("Yes").check()
    page.get_by_role("button", name="Send my answers").click()
    what_next = re.compile("kestrel_mod|someone from our team", re.IGNORECASE)
    expect(page.get_by_text(what_next).first).to_be_visible()

    # The responder's queue shows the urgent alert without a reload.
    expect(queue.get_by_text(re.compile("Urgent alert waiting"))).to_be_visible()
    item = QueueItem.objects.get(kind="measure", object_id=response.pk)
    assert {"phq9_item9", "thoughts_now", "contact_requested"} <= set(item.flags)
    queue.goto(f"{base}/moderation/items/{item.pk}/")
    expect(queue.get_by_text("quiet_fern").first).to_be_visible()
    expect(queue.get_by_text(re.compile("better off dead"))).to_be_visible()
    expect(queue.get_by_text("Several days").first).to_be_visible()
    # Item 1's wording and answer are the member's alone.
    expect(queue.get_by_text(re.compile("Little interest or pleasure"))).to_have_count(0)
    queue.get_by_role("button", name="Acknowledge").click()
    expect(queue.get_by_text(re.compile("acknowledged", re.IGNORECASE)).first).to_be_visible()
    assert AuditEntry.objects.filter(action="alert_acknowledged", actor_handle="kestrel_mod")


def test_self_management_progress_and_summary(asgi_live_server: str, browser: Browser) -> None:
    base = asgi_live_server
    member = person("lark_rising")
    # Earlier questionnaires, so the progress page has a line to draw.
    for weeks_ago, answers in ((6, [2] * 8 + [0]), (4, [2, 1] * 4 + [0]), (2, [1] * 8 + [0])):
        response = response_submit(member=member, measure_key="gad7", answers=answers[:7])
        MeasureResponse.objects.filter(pk=response.pk).update(
            completed_at=timezone.now() - timedelta(weeks=weeks_ago)
        )

    page = log_in(browser, base, "lark_rising")
    page.get_by_role("link", name="Looking after me").click()

    # A safety plan, written and then printable.
    page.get_by_role("link", name=re.compile("safety plan", re.IGNORECASE)).first.click()
    page.get_by_role("link", name=re.compile("(Make|Edit|Write)", re.IGNORECASE)).first.click()
    page.get_by_label(re.compile("Warning signs", re.IGNORECASE)).fill(
        "Not sleeping\nCancelling plans with friends"
    )
    page.get_by_label(re.compile("reasons for living", re.IGNORECASE)).fill("My dog, Biscuit")
    page.get_by_role("button", name=re.compile("Save", re.IGNORECASE)).click()
    expect(page.get_by_text("Cancelling plans with friends")).to_be_visible()
    expect(page.get_by_text("My dog, Biscuit")).to_be_visible()

    # Today's check-in, from the quick form on the hub.
    page.get_by_role("link", name="Looking after me").click()
    page.get_by_role("group", name="How are you feeling today?").get_by_label(
        "4 · Good", exact=True
    ).check()
    page.get_by_label("Anything you'd like to note").fill("A walk by the canal helped.")
    page.get_by_role("button", name="Save today's check-in").click()
    expect(page.get_by_text(re.compile("feeling Good today", re.IGNORECASE))).to_be_visible()

    # Progress: a chart with a table alternative and the plain-language caution.
    page.goto(f"{base}/me/progress/")
    chart = page.locator("img[src*='charts/measure/gad7']")
    expect(chart).to_be_visible()
    # The SVG really loads as an image (its own response, outside the page's strict CSP).
    page.wait_for_function(
        "() => { const img = document.querySelector(\"img[src*='charts/measure/gad7']\");"
        " return img.complete && img.naturalWidth > 0; }",
        timeout=20_000,
    )
    expect(page.get_by_text(re.compile("not a diagnosis", re.IGNORECASE)).first).to_be_visible()
    expect(page.locator("table").first).to_be_visible()

    # The summary: the member chooses, downloads a one-page PDF.
    page.goto(f"{base}/me/progress/summary/")
    page.get_by_label(re.compile("questions", re.IGNORECASE)).fill("Could we talk about my sleep?")
    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download", re.IGNORECASE)).click()
    path = download_info.value.path()
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Could we talk about my sleep?" in text
    assert "lark_rising" in text
