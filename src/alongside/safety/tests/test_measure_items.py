"""A questionnaire answer in the moderation queue: what the responder sees and does.

PHQ-9 item 9 above 0 puts an urgent "measure" item in the queue. Opening it shows the risk
item's answer, the total and band and the follow-up answers, never the other items, and the
opening is written to the audit log. It is closed with its own outcomes, not content actions.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.measures import services
from alongside.measures.models import MeasureResponse
from alongside.safety.models import Alert, AuditEntry, ContentKind, QueueItem

MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
# Item 1 "Nearly every day", item 9 "Several days": total 4.
ANSWERS: list[int | None] = [3, 0, 0, 0, 0, 0, 0, 0, 1]


@pytest.fixture
def responder(make_user: MakeUser, settings: Settings) -> User:
    moderator = make_user("sam_responder", role=Role.MODERATOR)
    settings.MEASURES_RESPONDER = "sam_responder"
    return moderator


@pytest.fixture
def answered(member: User, responder: User) -> MeasureResponse:
    response = services.response_submit(member=member, measure_key="phq9", answers=ANSWERS)
    services.safety_follow_up_record(
        member=member, response=response, answers={"thoughts_now": "no", "contact": "yes"}
    )
    return response


def _item() -> QueueItem:
    return QueueItem.objects.get(kind=ContentKind.MEASURE)


def test_queue_lists_it_first_as_urgent(
    answered: MeasureResponse, responder: User, client_for: ClientFor
) -> None:
    html = client_for(responder).get(reverse("safety_moderation:queue")).content.decode()
    assert "Questionnaire answer by river" in html
    assert "phq9_item9" in html
    assert "Urgent alert waiting" in html


def test_item_page_shows_item9_but_not_the_other_answers(
    answered: MeasureResponse, responder: User, client_for: ClientFor
) -> None:
    item = _item()
    page = client_for(responder).get(reverse("safety_moderation:item", args=[item.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "river completed the Patient Health Questionnaire (PHQ-9)" in html
    assert "Question 9" in html
    assert "“Several days” (1)" in html
    assert "4 · minimal" in html
    assert "Are you having thoughts of ending your life right now? <strong>No</strong>" in html
    assert "<strong>Yes, please</strong>" in html
    # Data minimisation: item 1's wording and its answer stay with the member.
    assert "Little interest or pleasure" not in html
    assert "Nearly every day" not in html
    # A questionnaire is not content: no hiding, and nobody is sanctioned for answering.
    assert reverse("safety_moderation:item_sanction", args=[item.pk]) not in html
    assert reverse("safety_moderation:item_act", args=[item.pk, "hide"]) not in html
    assert reverse("measures:safety_resolve", args=[item.pk]) in html


def test_opening_the_item_is_audited(
    answered: MeasureResponse, responder: User, client_for: ClientFor
) -> None:
    item = _item()
    client_for(responder).get(reverse("safety_moderation:item", args=[item.pk]))
    entry = AuditEntry.objects.get(action="view_held_content")
    assert entry.actor == responder
    assert (entry.target_kind, entry.target_id) == (ContentKind.MEASURE, answered.pk)
    assert entry.detail["item_id"] == item.pk


def test_members_cannot_open_or_resolve_it(
    answered: MeasureResponse, member: User, client_for: ClientFor
) -> None:
    item = _item()
    client = client_for(member)
    assert client.get(reverse("safety_moderation:item", args=[item.pk])).status_code == 403
    refused = client.post(
        reverse("measures:safety_resolve", args=[item.pk]), {"outcome": "no_action_needed"}
    )
    assert refused.status_code == 403
    assert _item().status == QueueItem.Status.OPEN


def test_acknowledge_then_resolve(
    answered: MeasureResponse, responder: User, client_for: ClientFor
) -> None:
    item = _item()
    client = client_for(responder)
    alert = Alert.objects.get(item=item)
    client.post(reverse("safety_moderation:alert_acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == responder

    done = client.post(
        reverse("measures:safety_resolve", args=[item.pk]),
        {"outcome": "contacted_member", "note": "Sent a message offering a chat"},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("safety_moderation:queue")
    item.refresh_from_db()
    assert (item.status, item.resolution, item.resolved_by) == (
        QueueItem.Status.RESOLVED,
        "contacted_member",
        responder,
    )
    entry = AuditEntry.objects.get(action="measure_safety_resolved")
    assert entry.detail["note"] == "Sent a message offering a chat"
    html = client.get(reverse("safety_moderation:item", args=[item.pk])).content.decode()
    assert "This item is resolved." in html


def test_resolve_needs_a_known_outcome(
    answered: MeasureResponse, responder: User, client_for: ClientFor
) -> None:
    item = _item()
    page = client_for(responder).post(
        reverse("measures:safety_resolve", args=[item.pk]), {"outcome": "hide"}
    )
    assert page.status_code == 302
    assert page["Location"] == reverse("safety_moderation:item", args=[item.pk])
    assert _item().status == QueueItem.Status.OPEN


def test_generic_dismiss_still_works(
    answered: MeasureResponse, responder: User, client_for: ClientFor
) -> None:
    item = _item()
    client_for(responder).post(reverse("safety_moderation:item_act", args=[item.pk, "dismiss"]))
    item.refresh_from_db()
    assert item.status == QueueItem.Status.RESOLVED
    assert Alert.objects.get(item=item).acknowledged_by == responder
