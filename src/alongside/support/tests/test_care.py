"""Supporter care: debriefs after hard conversations, and warm handovers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import MakeUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat.models import Message
from alongside.notifications.models import Notification
from alongside.support import care_services
from alongside.support.care_models import DebriefRequest, HandoverSummary
from alongside.support.models import SupportRelationship
from alongside.support.tests.test_care_helpers import URLS, make_relationship, make_supporter

ClientFor = Callable[[User], Client]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]


@pytest.fixture
def people(make_user: MakeUser) -> dict[str, User]:
    return {
        "member": make_user("willow"),
        "supporter": make_supporter(make_user, "heron"),
        "next": make_supporter(make_user, "wren"),
        "supervisor": make_user("oak", role=Role.SUPERVISOR),
        "stranger": make_user("moss"),
    }


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


# --- Debriefs -------------------------------------------------------------------------------


def test_a_supporter_asks_for_a_debrief_and_the_supervisor_takes_it(
    people: dict[str, User], client_for: ClientFor
) -> None:
    relationship = make_relationship(
        people["member"], people["supporter"], supervisor=people["supervisor"]
    )
    supporter = client_for(people["supporter"])

    response = supporter.post(
        "/support/care/debrief/",
        {"relationship": relationship.pk, "note": "That one shook me"},
    )

    assert response.status_code == 302
    debrief = DebriefRequest.objects.get()
    assert debrief.relationship == relationship
    told = Notification.objects.get(recipient=people["supervisor"], kind="support")
    assert "shook" not in told.message
    assert "shook" not in _raw("support_debriefrequest", "note", debrief.pk)

    supervisor = client_for(people["supervisor"])
    page = supervisor.get("/support/care/debriefs/").content.decode()
    assert "That one shook me" in page
    response = supervisor.post(f"/support/care/debriefs/{debrief.pk}/take/")
    assert response.status_code == 302
    debrief.refresh_from_db()
    assert debrief.taken_by == people["supervisor"]
    assert debrief.taken_at is not None
    assert Notification.objects.filter(recipient=people["supporter"], kind="support").exists()
    assert "That one shook me" not in supervisor.get("/support/care/debriefs/").content.decode()


def test_only_supervisors_see_debriefs_and_only_supporters_ask(
    people: dict[str, User], client_for: ClientFor
) -> None:
    debrief = care_services.debrief_request(supporter=people["supporter"], note="hard")
    for who in ("member", "supporter", "next"):
        client = client_for(people[who])
        assert client.get("/support/care/debriefs/").status_code == 403
        assert client.post(f"/support/care/debriefs/{debrief.pk}/take/").status_code == 403
    assert client_for(people["member"]).get("/support/care/debrief/").status_code == 403
    with pytest.raises(PermissionDenied):
        care_services.debrief_request(supporter=people["member"])


def test_a_supporter_cannot_tie_a_debrief_to_someone_elses_relationship(
    people: dict[str, User],
) -> None:
    relationship = make_relationship(people["member"], people["supporter"])
    with pytest.raises(PermissionDenied):
        care_services.debrief_request(supporter=people["next"], relationship=relationship)


def test_a_debrief_is_taken_once(people: dict[str, User]) -> None:
    debrief = care_services.debrief_request(supporter=people["supporter"])
    care_services.debrief_take(actor=people["supervisor"], debrief=debrief)
    with pytest.raises(ValidationError):
        care_services.debrief_take(actor=people["supervisor"], debrief=debrief)


# --- Warm handovers -------------------------------------------------------------------------


def _propose(people: dict[str, User], relationship: SupportRelationship) -> HandoverSummary:
    return care_services.handover_propose(
        actor=people["supporter"],
        relationship=relationship,
        summary="We worked on sleep and on getting out each day.",
        goodbye="It's been good to walk alongside you. Take care.",
        new_supporter=people["next"],
    )


def test_a_handover_waits_for_the_member_then_moves_on_with_a_goodbye(
    people: dict[str, User], client_for: ClientFor
) -> None:
    relationship = make_relationship(
        people["member"], people["supporter"], supervisor=people["supervisor"]
    )
    supporter = client_for(people["supporter"])
    response = supporter.post(
        f"/support/care/relationships/{relationship.pk}/handover/",
        {
            "summary": "We worked on sleep and on getting out each day.",
            "goodbye": "It's been good to walk alongside you. Take care.",
            "new_supporter": "wren",
        },
    )
    assert response.status_code == 302
    handover = HandoverSummary.objects.get()
    # Nothing passed on yet: the new supporter cannot see it, nothing changed.
    url = f"/support/care/handovers/{handover.pk}/"
    assert client_for(people["next"]).get(url).status_code == 404
    assert client_for(people["stranger"]).get(url).status_code == 404
    relationship.refresh_from_db()
    assert relationship.status == SupportRelationship.Status.ACTIVE
    assert not Message.objects.filter(conversation=relationship.conversation).exists()

    member = client_for(people["member"])
    page = member.get(url).content.decode()
    assert "We worked on sleep" in page
    # Only the member answers.
    assert supporter.post(f"{url}answer/", {"answer": "agree"}).status_code == 403
    handover.refresh_from_db()
    assert handover.member_agreed_at is None

    assert member.post(f"{url}answer/", {"answer": "agree"}).status_code == 302

    handover.refresh_from_db()
    relationship.refresh_from_db()
    assert handover.member_agreed_at is not None
    assert relationship.status == SupportRelationship.Status.HANDED_OVER
    assert relationship.ended_at is not None
    new = SupportRelationship.objects.get(supporter=people["next"])
    assert handover.new_relationship == new
    assert new.member == people["member"]
    assert new.status == SupportRelationship.Status.ACTIVE
    assert new.supervisor == people["supervisor"]
    assert new.conversation is not None
    goodbye = Message.objects.get(conversation=relationship.conversation)
    assert goodbye.author == people["supporter"]
    assert goodbye.body.startswith("It's been good")
    assert client_for(people["next"]).get(url).status_code == 200
    assert Notification.objects.filter(recipient=people["next"], kind="support").exists()


def test_a_member_can_say_no_and_nothing_is_passed_on(people: dict[str, User]) -> None:
    relationship = make_relationship(people["member"], people["supporter"])
    handover = _propose(people, relationship)

    care_services.handover_decline(member=people["member"], handover=handover)

    relationship.refresh_from_db()
    assert relationship.status == SupportRelationship.Status.ACTIVE
    assert not SupportRelationship.objects.filter(supporter=people["next"]).exists()
    with pytest.raises(ValidationError):
        care_services.handover_agree(member=people["member"], handover=handover)


def test_ending_early_without_a_new_supporter_ends_the_relationship(
    people: dict[str, User],
) -> None:
    relationship = make_relationship(people["member"], people["supporter"])
    handover = care_services.handover_propose(
        actor=people["supporter"],
        relationship=relationship,
        summary="I have to step back; here is what we did.",
        goodbye="Goodbye, and take care.",
    )
    care_services.handover_agree(member=people["member"], handover=handover)
    relationship.refresh_from_db()
    assert relationship.status == SupportRelationship.Status.ENDED
    assert SupportRelationship.objects.count() == 1


def test_a_handover_respects_the_new_supporters_caseload_cap(
    people: dict[str, User], make_user: MakeUser
) -> None:
    full = make_supporter(make_user, "robin", cap=1)
    make_relationship(make_user("ash"), full)
    relationship = make_relationship(people["member"], people["supporter"])
    handover = care_services.handover_propose(
        actor=people["supporter"],
        relationship=relationship,
        summary="Summary",
        goodbye="Goodbye",
        new_supporter=full,
    )
    with pytest.raises(ValidationError):
        care_services.handover_agree(member=people["member"], handover=handover)
    relationship.refresh_from_db()
    handover.refresh_from_db()
    assert relationship.status == SupportRelationship.Status.ACTIVE
    assert handover.member_agreed_at is None
    assert not Message.objects.filter(conversation=relationship.conversation).exists()


def test_only_the_supporter_or_a_supervisor_proposes(people: dict[str, User]) -> None:
    relationship = make_relationship(people["member"], people["supporter"])
    for who in ("member", "next", "stranger"):
        with pytest.raises(PermissionDenied):
            care_services.handover_propose(
                actor=people[who], relationship=relationship, summary="s", goodbye="g"
            )
    care_services.handover_propose(
        actor=people["supervisor"], relationship=relationship, summary="s", goodbye="g"
    )


def test_the_handover_form_keeps_what_was_typed(
    people: dict[str, User], client_for: ClientFor
) -> None:
    relationship = make_relationship(people["member"], people["supporter"])
    response = client_for(people["supporter"]).post(
        f"/support/care/relationships/{relationship.pk}/handover/",
        {"summary": "Kept words", "goodbye": "", "new_supporter": "nobody_here"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kept words" in page
    assert "no peer supporter with that handle" in page
    assert not HandoverSummary.objects.exists()


def test_handover_text_is_encrypted_at_rest(people: dict[str, User]) -> None:
    relationship = make_relationship(people["member"], people["supporter"])
    handover = _propose(people, relationship)
    assert "sleep" not in _raw("support_handoversummary", "text", handover.pk)
    assert "walk alongside" not in _raw("support_handoversummary", "goodbye", handover.pk)
    handover.refresh_from_db()
    assert handover.text is not None
    assert "sleep" in handover.text
