"""The questionnaire JSON API, every answer checked against the published OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.core.tests.test_api_schema import SCHEMA_URL, schema_errors
from alongside.measures.models import MeasureInvitation, MeasureResponse, MeasureSchedule
from alongside.safety.models import QueueItem

pytestmark = pytest.mark.django_db
BASE = "/api/v1/measures/"
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


@pytest.fixture
def responder(make_user: MakeUser, settings: Settings) -> User:
    moderator = make_user("sam_responder", role=Role.MODERATOR)
    settings.MEASURES_RESPONDER = "sam_responder"
    return moderator


@pytest.fixture
def document() -> dict[str, Any]:
    body: dict[str, Any] = Client().get(SCHEMA_URL).json()
    return body


class Api:
    def __init__(self, client: Client, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document

    def call(self, method: str, path: str, template: str, body: Any = None) -> tuple[int, Any]:
        if method == "get":
            response = self.client.get(BASE + path)
        else:
            response = getattr(self.client, method)(
                BASE + path, body if body is not None else {}, content_type="application/json"
            )
        declared = self.document["paths"][BASE + template][method]["responses"]
        status = str(response.status_code)
        assert status in declared, f"{method} {path}: undocumented {status} {response.content!r}"
        schema = declared[status]["content"]["application/json"]["schema"]
        data = response.json()
        assert schema_errors(self.document, schema, data) == [], data
        return response.status_code, data

    def submit(self, measure: str, answers: list[int | None], **extra: Any) -> tuple[int, Any]:
        return self.call(
            "post", "responses", "responses", {"measure": measure, "answers": answers, **extra}
        )


def test_lists_what_is_offered(
    member: User, client_for: ClientFor, document: dict[str, Any]
) -> None:
    api = Api(client_for(member), document)
    _status, measures = api.call("get", "", "")
    keys = [measure["key"] for measure in measures]
    assert "phq8" in keys
    assert "phq9" not in keys
    gad7 = next(measure for measure in measures if measure["key"] == "gad7")
    assert len(gad7["items"]) == 7
    assert gad7["items"][0]["options"][0] == {"value": 0, "label": "Not at all"}
    assert gad7["risk_items"] == []


def test_phq9_offered_with_a_responder_and_its_risk_item_named(
    member: User, responder: User, client_for: ClientFor, document: dict[str, Any]
) -> None:
    _status, measures = Api(client_for(member), document).call("get", "", "")
    phq9 = next(measure for measure in measures if measure["key"] == "phq9")
    assert phq9["risk_items"] == [9]
    assert phq9["max_missing"] == 2


def test_submit_and_read_back(
    member: User, make_user: MakeUser, client_for: ClientFor, document: dict[str, Any]
) -> None:
    api = Api(client_for(member), document)
    status, data = api.submit("gad7", [2, 2, 2, 2, 2, 2, 2])
    assert status == 201
    assert (data["score"], data["band"], data["valid"], data["reason"]) == (
        14,
        "moderate",
        True,
        "",
    )
    assert "caseness" in data["flags"]
    assert data["safety"] is None

    _status, mine = api.call("get", "responses", "responses")
    assert [row["id"] for row in mine] == [data["id"]]
    _status, one = api.call("get", f"responses/{data['id']}", "responses/{response_id}")
    assert one["answers"] == [2] * 7

    stranger = Api(client_for(make_user("kai")), document)
    status, _data = stranger.call("get", f"responses/{data['id']}", "responses/{response_id}")
    assert status == 404
    assert stranger.call("get", "responses", "responses")[1] == []


def test_refusals_are_422(member: User, client_for: ClientFor, document: dict[str, Any]) -> None:
    api = Api(client_for(member), document)
    status, data = api.submit("gad7", [4, 0, 0, 0, 0, 0, 0])
    assert status == 422
    assert "out of range" in data["detail"][0]["msg"]
    status, data = api.submit("phq9", [0] * 9)
    assert status == 422
    assert "PHQ-8" in data["detail"][0]["msg"]
    status, _data = api.submit("gad7", [1, None, None, 0, 0, 0, 0])
    assert status == 201
    assert _data["valid"] is False
    assert MeasureResponse.objects.count() == 1


def test_invitation_must_be_mine(
    member: User, make_user: MakeUser, client_for: ClientFor, document: dict[str, Any]
) -> None:
    schedule = MeasureSchedule.objects.create(name="Programme")
    theirs = MeasureInvitation.objects.create(
        member=make_user("kai"),
        schedule=schedule,
        occasion="baseline",
        measure="gad7",
        due_at=timezone.now() - timedelta(hours=1),
    )
    mine = MeasureInvitation.objects.create(
        member=member,
        schedule=schedule,
        occasion="baseline",
        measure="gad7",
        due_at=timezone.now() - timedelta(hours=1),
    )
    api = Api(client_for(member), document)
    status, _data = api.submit("gad7", [0] * 7, invitation=theirs.pk)
    assert status == 422
    status, _data = api.submit("gad7", [0] * 7, invitation=mine.pk)
    assert status == 201
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == MeasureInvitation.Status.COMPLETED
    assert theirs.status == MeasureInvitation.Status.DUE


def test_item9_answer_carries_the_safety_panel_and_takes_the_follow_up(
    member: User, responder: User, client_for: ClientFor, document: dict[str, Any]
) -> None:
    api = Api(client_for(member), document)
    status, data = api.submit("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2])
    assert status == 201
    safety = data["safety"]
    assert safety is not None
    assert safety["lines"]
    assert safety["get_help_url"] == "/help/"
    assert safety["safety_plan_url"] == "/me/safety-plan/"
    assert safety["responder"] == "sam_responder"
    assert [q["key"] for q in safety["follow_up_questions"]] == ["thoughts_now", "contact"]
    assert safety["follow_up_answered"] is False

    path, template = f"responses/{data['id']}/follow-up", "responses/{response_id}/follow-up"
    status, _refused = api.call("post", path, template, {"answers": {"thoughts_now": "perhaps"}})
    assert status == 422
    status, answered = api.call(
        "post", path, template, {"answers": {"thoughts_now": "yes", "contact": "no"}}
    )
    assert status == 200
    assert answered["safety"]["follow_up_answered"] is True
    assert "thoughts_now" in QueueItem.objects.get().flags
    status, _again = api.call(
        "post", path, template, {"answers": {"thoughts_now": "no", "contact": "no"}}
    )
    assert status == 422


def test_someone_elses_follow_up_is_404(
    member: User,
    responder: User,
    make_user: MakeUser,
    client_for: ClientFor,
    document: dict[str, Any],
) -> None:
    _status, data = Api(client_for(member), document).submit("phq9", [1] * 9)
    stranger = Api(client_for(responder), document)
    status, _data = stranger.call(
        "post",
        f"responses/{data['id']}/follow-up",
        "responses/{response_id}/follow-up",
        {"answers": {"thoughts_now": "no", "contact": "no"}},
    )
    assert status == 404
    assert MeasureResponse.objects.get().follow_up is None
