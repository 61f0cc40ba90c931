"""The questionnaire pages as a member uses them, without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.measures import services
from alongside.measures.models import MeasureInvitation, MeasureResponse, MeasureSchedule
from alongside.safety.models import QueueItem

MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


@pytest.fixture
def responder(make_user: MakeUser, settings: Settings) -> User:
    moderator = make_user("sam_responder", role=Role.MODERATOR)
    settings.MEASURES_RESPONDER = "sam_responder"
    return moderator


def _answers(values: list[int | None]) -> dict[str, str]:
    return {f"item_{n}": str(v) for n, v in enumerate(values, start=1) if v is not None}


def _checked(html: str, name: str) -> str | None:
    """The value of the checked radio named ``name`` on the page, if any."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and "checked" in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else None
    return None


def test_pages_need_sign_in(db: None) -> None:
    for url in (reverse("measures:index"), reverse("measures:take", args=["gad7"])):
        response = Client().get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_index_lists_due_available_and_past(member: User, client_for: ClientFor) -> None:
    schedule = MeasureSchedule.objects.create(name="Programme")
    due = MeasureInvitation.objects.create(
        member=member,
        schedule=schedule,
        occasion="baseline",
        measure="phq9",
        due_at=timezone.now() - timedelta(hours=1),
    )
    MeasureInvitation.objects.create(
        member=member,
        schedule=schedule,
        occasion="week-2",
        measure="gad7",
        due_at=timezone.now() + timedelta(days=3),
    )
    past = services.response_submit(member=member, measure_key="gad7", answers=[1] * 7)
    page = client_for(member).get(reverse("measures:index"))
    html = page.content.decode()
    assert page.status_code == 200
    # No responder: the PHQ-9 asked for is offered as the PHQ-8, and never the PHQ-9 itself.
    assert f"{reverse('measures:take', args=['phq8'])}?invitation={due.pk}" in html
    assert reverse("measures:take", args=["phq9"]) not in html
    assert f"invitation={due.pk + 1}" not in html
    assert reverse("measures:measure_schedules:skip", args=[due.pk]) in html
    assert reverse("measures:take", args=["ucla3"]) in html
    assert reverse("measures:result", args=[past.pk]) in html
    assert "not a diagnosis" in html


def test_take_page_is_accessible_and_names_the_responder(
    member: User, responder: User, client_for: ClientFor
) -> None:
    html = client_for(member).get(reverse("measures:take", args=["phq9"])).content.decode()
    assert html.count("<fieldset") == 9
    assert html.count("<legend>") == 9
    assert "Over the last 2 weeks" in html
    assert "sam_responder" in html
    assert "not your other answers" in html
    assert "up to 2 questions blank" in html


def test_phq9_page_is_not_found_without_a_responder(member: User, client_for: ClientFor) -> None:
    assert client_for(member).get(reverse("measures:take", args=["phq9"])).status_code == 404
    assert client_for(member).get(reverse("measures:take", args=["nope"])).status_code == 404


def test_form_error_keeps_every_answer(member: User, client_for: ClientFor) -> None:
    url = reverse("measures:take", args=["gad7"])
    data = _answers([3, None, None, 1, 2, 0, 1])
    page = client_for(member).post(url, data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "You can leave at most 1 question blank" in html
    assert "Not yet answered: 2, 3" in html
    assert _checked(html, "item_1") == "3"
    assert _checked(html, "item_4") == "1"
    assert _checked(html, "item_5") == "2"
    assert _checked(html, "item_6") == "0"
    assert _checked(html, "item_2") is None
    assert not MeasureResponse.objects.exists()


def test_submit_shows_the_result(member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    page = client.post(reverse("measures:take", args=["gad7"]), _answers([2] * 7))
    response = MeasureResponse.objects.get()
    assert page.status_code == 302
    assert page["Location"] == reverse("measures:result", args=[response.pk])
    html = client.get(page["Location"]).content.decode()
    assert "Your score is 14 out of 21." in html
    assert "moderate" in html
    assert "This is not a diagnosis" in html
    assert reverse("progress:index") in html
    assert "safety-heading" not in html


def test_invitation_rides_along_and_is_completed(member: User, client_for: ClientFor) -> None:
    schedule = MeasureSchedule.objects.create(name="Programme")
    invitation = MeasureInvitation.objects.create(
        member=member,
        schedule=schedule,
        occasion="baseline",
        measure="gad7",
        due_at=timezone.now(),
    )
    client = client_for(member)
    url = reverse("measures:take", args=["gad7"])
    form = client.get(url, {"invitation": invitation.pk}).content.decode()
    assert f'name="invitation" value="{invitation.pk}"' in form
    client.post(url, {**_answers([0] * 7), "invitation": str(invitation.pk)})
    invitation.refresh_from_db()
    assert invitation.status == MeasureInvitation.Status.COMPLETED


def test_someone_elses_invitation_in_the_form_is_refused(
    member: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    other = make_user("kai")
    invitation = MeasureInvitation.objects.create(
        member=other,
        schedule=MeasureSchedule.objects.create(name="Programme"),
        occasion="baseline",
        measure="gad7",
        due_at=timezone.now(),
    )
    page = client_for(member).post(
        reverse("measures:take", args=["gad7"]),
        {**_answers([1] * 7), "invitation": str(invitation.pk)},
    )
    assert page.status_code == 400
    assert "not open for you" in page.content.decode()
    assert _checked(page.content.decode(), "item_1") == "1"
    assert not MeasureResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == MeasureInvitation.Status.DUE


def test_item9_shows_support_at_once_then_the_follow_up(
    member: User, responder: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    page = client.post(
        reverse("measures:take", args=["phq9"]), _answers([0, 0, 0, 0, 0, 0, 0, 0, 1])
    )
    response = MeasureResponse.objects.get()
    html = client.get(page["Location"]).content.decode()
    assert 'id="safety-heading"' in html
    assert "you can talk to someone now" in html
    assert reverse("core:get_help") in html
    assert reverse("selfcare:safety_plan") in html
    assert "Are you having thoughts of ending your life right now?" in html
    assert reverse("measures:follow_up", args=[response.pk]) in html
    assert "sam_responder" in html

    refused = client.post(reverse("measures:follow_up", args=[response.pk]), {"contact": "no"})
    assert refused.status_code == 400
    assert "Please choose one of the answers." in refused.content.decode()

    done = client.post(
        reverse("measures:follow_up", args=[response.pk]),
        {"thoughts_now": "yes", "contact": "yes"},
    )
    assert done.status_code == 302
    html = client.get(reverse("measures:result", args=[response.pk])).content.decode()
    assert "Here is what happens next" in html
    assert "Are you having thoughts" not in html
    assert "you can talk to someone now" in html
    assert "thoughts_now" in QueueItem.objects.get().flags


def test_results_are_only_the_members(
    member: User, responder: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    response = services.response_submit(member=member, measure_key="phq9", answers=[1] * 9)
    result_url = reverse("measures:result", args=[response.pk])
    follow_up_url = reverse("measures:follow_up", args=[response.pk])
    assert client_for(member).get(result_url).status_code == 200
    for other in (make_user("kai"), responder, make_user("admin_al", role=Role.ADMINISTRATOR)):
        client = client_for(other)
        assert client.get(result_url).status_code == 404
        posted = client.post(follow_up_url, {"thoughts_now": "no", "contact": "no"})
        assert posted.status_code == 404
    response.refresh_from_db()
    assert response.follow_up is None
