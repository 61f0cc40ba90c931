"""Safety in a real browser: a crisis post reaches a moderator live, and a report's outcome.

The server is the real ASGI application (``asgi_live_server``), so the moderators' queue gets
its update over the WebSocket, as it does in production. Texts are invented for these tests.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group as RoleGroup
from playwright.sync_api import Browser, Page, expect

from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
from alongside.accounts.roles import Role
from alongside.communities import services as communities
from alongside.communities.models import Thread
from alongside.safety.models import AuditEntry, DutyPeriod, Report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]

PASSWORD = "lantern-harbour-quiet-9"
CRISIS = (
    "I can't keep going. I've saved up my tablets and I'm going to take them all tonight "
    "when everyone is asleep."
)
UNKIND = "Have you tried just thinking positive? It worked for me, honestly it is that simple."


def person(handle: str, role: str = Role.MEMBER) -> User:
    user = User.objects.create_user(handle, PASSWORD, region="GB")
    user.groups.add(RoleGroup.objects.get(name=Role.MEMBER))
    if role != Role.MEMBER:
        user.groups.add(RoleGroup.objects.get(name=role))
    PolicyAcceptance.objects.bulk_create(
        PolicyAcceptance(user=user, document=document) for document in PolicyDocument.objects.all()
    )
    return user


def log_in(browser: Browser, base: str, handle: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def a_thread(opener: User, *others: User) -> Thread:
    admin = person("ada_admin", Role.ADMINISTRATOR)
    group = communities.group_create(actor=admin, name="Evening worries")
    for member in (opener, *others):
        communities.group_join(user=member, group=group)
    return communities.thread_create(
        author=opener,
        group=group,
        title="How was everyone's day?",
        body="Mine was long. Tell me about yours, small things count too.",
    )


def thread_url(base: str, thread: Thread) -> str:
    return f"{base}/groups/{thread.group.slug}/t/{thread.pk}/"


def test_crisis_post_reaches_the_moderator_live(asgi_live_server: str, browser: Browser) -> None:
    base = asgi_live_server
    writer = person("quiet_fern")
    moderator = person("kestrel_mod", Role.MODERATOR)
    DutyPeriod.objects.create(moderator=moderator)
    thread = a_thread(person("opener_owl"), writer)

    queue = log_in(browser, base, "kestrel_mod")
    queue.goto(f"{base}/moderation/")
    expect(queue.get_by_text("The queue is empty")).to_be_visible()
    expect(queue.locator("#queue-live-status")).to_contain_text("Live")
    queue.evaluate("window.stillTheSamePage = true")

    author = log_in(browser, base, "quiet_fern")
    author.goto(thread_url(base, thread))
    author.get_by_label("Your reply").fill(CRISIS)
    # While writing, before posting, crisis lines appear beside the box.
    expect(author.locator(".draft-support")).to_contain_text("Samaritans")
    author.get_by_role("button", name="Post reply").click()
    # Support at once, on the page the author lands on, and their post is there too.
    support = author.get_by_role("status", name="Thank you for sharing this")
    expect(support).to_contain_text("Thank you for sharing this")
    expect(support).to_contain_text("Samaritans")
    expect(author.get_by_text("saved up my tablets")).to_be_visible()

    # The moderator's queue shows the alert without a reload.
    expect(queue.get_by_text(re.compile("Urgent alert waiting"))).to_be_visible()
    assert queue.evaluate("window.stillTheSamePage") is True
    queue.get_by_role("button", name="Acknowledge").click()
    expect(queue.get_by_text(re.compile("acknowledged", re.IGNORECASE)).first).to_be_visible()

    entry = AuditEntry.objects.get(action="alert_acknowledged")
    assert entry.actor_handle == "kestrel_mod"
    assert entry.member_handle == "quiet_fern"
    admin = log_in(browser, base, "ada_admin")
    admin.goto(f"{base}/moderation/audit/")
    expect(
        admin.get_by_role("row", name=re.compile("kestrel_mod alert_acknowledged"))
    ).to_be_visible()


def test_a_report_outcome_reaches_the_reporter_but_not_who_reported(
    asgi_live_server: str, browser: Browser
) -> None:
    base = asgi_live_server
    reporter = person("bright_wren")
    reported = person("storm_petrel")
    moderator = person("kestrel_mod", Role.MODERATOR)
    thread = a_thread(reporter, reported)
    reply = communities.post_create(author=reported, thread=thread, body=UNKIND)

    page = log_in(browser, base, "bright_wren")
    page.goto(thread_url(base, thread))
    page.locator(f"#post-{reply.pk}").get_by_role("link", name="Report").click()
    page.get_by_label("Harassment or bullying").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text(re.compile("Thank you", re.IGNORECASE)).first).to_be_visible()
    report = Report.objects.get(reporter=reporter)

    mod = log_in(browser, base, moderator.handle)
    mod.goto(f"{base}/moderation/items/{report.item_id}/")
    mod.get_by_label("Reason (the member sees this)").first.fill(
        "Please be kind: telling someone it is simple dismisses how they feel."
    )
    mod.get_by_role("button", name="Hide").click()

    page.goto(f"{base}/safety/reports/")
    expect(page.get_by_text("A moderator acted on it").first).to_be_visible()

    # The reported member hears what happened to their post, never who reported it.
    theirs = log_in(browser, base, "storm_petrel")
    theirs.goto(f"{base}/notifications/")
    expect(theirs.locator("main")).to_contain_text("Please be kind")
    assert "bright_wren" not in theirs.content()
    theirs.goto(f"{base}/safety/appeals/")
    assert "bright_wren" not in theirs.content()
