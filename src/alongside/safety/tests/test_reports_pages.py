"""Reporting from the pages: the links, the form, "My reports", and the reporter's privacy."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities.models import Group
from alongside.notifications.models import NotificationKind
from alongside.notifications.services import notify_message, notify_reply
from alongside.safety.models import Report
from alongside.safety.services.reports import report_create
from alongside.safety.tests.member_support import (
    Circle,
    make_circle,
    make_group,
    make_thread,
    page,
    thread_url,
)

MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def circle(make_user: MakeUser) -> Circle:
    return make_circle(make_user)


def report_url(post_id: int) -> str:
    return reverse("safety_member:report_post", args=[post_id])


# --- Links ----------------------------------------------------------------------------------


def test_every_post_but_my_own_has_a_report_link(circle: Circle, client_for: ClientFor) -> None:
    html = page(client_for(circle.juniper), thread_url(circle.thread))
    assert report_url(circle.opening.pk) in html
    assert report_url(circle.tomasz_reply.pk) in html
    assert report_url(circle.juniper_reply.pk) not in html


def test_profiles_offer_report_and_block(circle: Circle, client_for: ClientFor) -> None:
    profile = reverse("accounts:profile", args=["tomasz"])
    html = page(client_for(circle.juniper), profile)
    assert reverse("safety_member:report_member", args=["tomasz"]) in html
    assert reverse("safety_member:block", args=["tomasz"]) in html
    own = page(client_for(circle.tomasz), profile)
    assert reverse("safety_member:report_member", args=["tomasz"]) not in own
    assert reverse("safety_member:block", args=["tomasz"]) not in own
    assert reverse("safety_member:settings") in own
    assert reverse("safety_member:reports") in own
    assert reverse("safety_member:blocked") in own


# --- The form -------------------------------------------------------------------------------


def test_reporting_a_post(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    url = report_url(circle.tomasz_reply.pk)
    form = page(client, url)
    assert "You're reporting a post by tomasz." in form
    assert 'value="misinformation"' in form
    response = client.post(url, {"reason": "misinformation", "note": "Stop-your-meds advice."})
    assert response.status_code == 302
    assert response["Location"] == (
        f"{thread_url(circle.thread)}?post={circle.tomasz_reply.pk}#post-{circle.tomasz_reply.pk}"
    )
    report = Report.objects.get()
    assert (report.reporter, report.reason) == (circle.juniper, "misinformation")
    assert report.note == "Stop-your-meds advice."
    followed = page(client, response["Location"])
    assert "Thank you for telling us." in followed


def test_an_at_risk_report_points_to_crisis_help(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    client.post(report_url(circle.opening.pk), {"reason": "at_risk"})
    html = page(client, thread_url(circle.thread))
    assert "If someone is in danger right now" in html


def test_a_refused_form_keeps_what_was_typed(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    url = report_url(circle.tomasz_reply.pk)
    note = "He asked Wren for her phone number in another thread."
    response = client.post(url, {"note": note})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please choose what&#x27;s wrong." in html
    assert note in html
    assert not Report.objects.exists()


def test_a_repeated_report_says_so_on_the_form(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    url = report_url(circle.tomasz_reply.pk)
    client.post(url, {"reason": "spam"})
    response = client.post(url, {"reason": "hate", "note": "It happened again tonight."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "You&#x27;ve already reported this post, thank you." in html
    assert "It happened again tonight." in html
    assert re.search(r'value="hate"[^>]*checked', html)  # the chosen reason stays chosen
    assert Report.objects.count() == 1


def test_the_daily_limit_shows_on_the_form(
    circle: Circle, client_for: ClientFor, settings: Any
) -> None:
    settings.SAFETY_REPORTS_PER_DAY = 1
    client = client_for(circle.juniper)
    client.post(report_url(circle.tomasz_reply.pk), {"reason": "spam"})
    response = client.post(report_url(circle.opening.pk), {"reason": "other"})
    assert "You&#x27;ve sent 1 report in the last 24 hours" in response.content.decode()


def test_my_own_post_cannot_be_reported(circle: Circle, client_for: ClientFor) -> None:
    response = client_for(circle.juniper).post(
        report_url(circle.juniper_reply.pk), {"reason": "spam"}
    )
    assert "This is your own post." in response.content.decode()
    assert not Report.objects.exists()


def test_posts_i_cannot_read_cannot_be_reported(
    circle: Circle, make_user: MakeUser, client_for: ClientFor
) -> None:
    group = make_group(circle.wren, visibility=Group.Visibility.RESTRICTED)
    thread = make_thread(group, circle.wren, "Members only", "Just for the people in here.")
    opening = thread.posts.get()
    outsider = client_for(make_user("outsider"))
    assert outsider.get(report_url(opening.pk)).status_code == 403
    assert outsider.post(report_url(opening.pk), {"reason": "spam"}).status_code == 403
    assert outsider.get(report_url(999_999)).status_code == 404
    assert not Report.objects.exists()


def test_reporting_needs_sign_in(circle: Circle) -> None:
    response = Client().get(report_url(circle.opening.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_reporting_a_member_from_their_profile(circle: Circle, client_for: ClientFor) -> None:
    client = client_for(circle.juniper)
    url = reverse("safety_member:report_member", args=["Tomasz"])
    assert "You're reporting tomasz." in page(client, url)
    response = client.post(url, {"reason": "harassment", "note": "Messages after I said no."})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile", args=["tomasz"])
    report = Report.objects.get()
    assert (report.kind, report.reported_member) == ("member", circle.tomasz)
    assert client.get(reverse("safety_member:report_member", args=["nobody"])).status_code == 404
    yourself = client.post(
        reverse("safety_member:report_member", args=["juniper"]), {"reason": "spam"}
    )
    assert "You can&#x27;t report yourself." in yourself.content.decode()


# --- My reports -----------------------------------------------------------------------------


def test_my_reports_lists_mine_with_their_outcomes(circle: Circle, client_for: ClientFor) -> None:
    mine = report_create(
        reporter=circle.juniper, post=circle.tomasz_reply, reason="spam", note="Vitamin link."
    )
    report_create(reporter=circle.juniper, member=circle.wren, reason="other")
    report_create(reporter=circle.wren, member=circle.tomasz, reason="harassment")
    Report.objects.filter(pk=mine.pk).update(
        outcome=Report.Outcome.ACTION_TAKEN, outcome_at=timezone.now()
    )
    html = page(client_for(circle.juniper), reverse("safety_member:reports"))
    assert "A post by tomasz in" in html
    assert "Getting through the winter evenings" in html
    assert f"?post={circle.tomasz_reply.pk}#post-{circle.tomasz_reply.pk}" in html
    assert "Vitamin link." in html
    assert "A moderator acted on it" in html
    assert "Waiting for a moderator" in html
    assert "Spam or advertising" in html
    assert html.count('class="report-entry') == 2
    assert "Harassment or bullying" not in html  # Wren's report is Wren's


def test_a_post_i_can_no_longer_read_is_not_linked(circle: Circle, client_for: ClientFor) -> None:
    report_create(reporter=circle.juniper, post=circle.tomasz_reply, reason="spam")
    circle.tomasz_reply.deleted_at = timezone.now()
    circle.tomasz_reply.save()
    html = page(client_for(circle.juniper), reverse("safety_member:reports"))
    assert "A post by tomasz (no longer available)" in html
    assert f"?post={circle.tomasz_reply.pk}" not in html


def test_no_reports_yet(circle: Circle, client_for: ClientFor) -> None:
    html = page(client_for(circle.juniper), reverse("safety_member:reports"))
    assert "You haven't reported anything." in html


# --- The reported member never learns who reported them -------------------------------------


def test_nothing_the_reported_member_sees_names_the_reporter(
    circle: Circle, make_user: MakeUser, client_for: ClientFor
) -> None:
    orla = make_user("orla_reads")
    circle.group.memberships.create(user=orla)
    note = "He tells people to stop their medication."
    report_create(reporter=orla, post=circle.tomasz_reply, reason="misinformation", note=note)
    report_create(reporter=orla, member=circle.tomasz, reason="harassment", note=note)
    # Things the reported member normally gets, for good measure.
    notify_reply(post=circle.juniper_reply)
    notify_message(
        recipient=circle.tomasz,
        kind=NotificationKind.MODERATION,
        message="A moderator hid one of your posts.",
    )
    client = client_for(circle.tomasz)
    urls = [
        reverse("accounts:profile", args=["tomasz"]),
        thread_url(circle.thread),
        reverse("notifications:list"),
        reverse("safety_member:reports"),
        reverse("safety_member:blocked"),
        reverse("safety_member:settings"),
        "/api/v1/safety/reports",
        f"/api/v1/groups/threads/{circle.thread.pk}",
        "/api/v1/notifications/",
    ]
    for url in urls:
        text = page(client, url)
        assert "orla" not in text.lower(), url
        assert note not in text, url
