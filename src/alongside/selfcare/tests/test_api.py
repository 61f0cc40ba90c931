"""The self-management JSON API, every answer checked against the published OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.core.tests.test_api_schema import SCHEMA_URL, schema_errors
from alongside.measures.models import MeasureShare
from alongside.safety.models import Alert, QueueItem
from alongside.selfcare import safety_plan
from alongside.selfcare.models import CheckIn, Goal, GoalRating, GoalStep, HelpfulThing, SafetyPlan
from alongside.selfcare.tests.test_checkins import CRISIS_NOTE
from alongside.selfcare.tests.test_progress import add_goal, add_score

pytestmark = pytest.mark.django_db
BASE = "/api/v1/me/"
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


@pytest.fixture
def document() -> dict[str, Any]:
    body: dict[str, Any] = Client().get(SCHEMA_URL).json()
    return body


class Api:
    """Calls one endpoint and checks the answer against what the document declares for it."""

    def __init__(self, client: Client, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document

    def call(
        self, method: str, path: str, template: str, body: Any = None, **query: Any
    ) -> tuple[int, Any]:
        if method == "get":
            response = self.client.get(BASE + path, query)
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


@pytest.fixture
def api(member: User, client_for: ClientFor, document: dict[str, Any]) -> Api:
    return Api(client_for(member), document)


@pytest.fixture
def stranger(make_user: MakeUser, client_for: ClientFor, document: dict[str, Any]) -> Api:
    return Api(client_for(make_user("kai")), document)


def refused_field(data: dict[str, Any]) -> list[Any]:
    """The last part of each 422 problem's location: the field it names."""
    return [problem["loc"][-1] for problem in data["detail"]]


# --- Check-ins ------------------------------------------------------------------------------


def test_check_in_options_offer_moods_in_words(api: Api) -> None:
    _status, options = api.call("get", "check-in-options", "check-in-options")
    assert [mood["label"] for mood in options["moods"]] == [
        "Very low",
        "Low",
        "Okay",
        "Good",
        "Very good",
    ]
    assert {"value": "sleep", "label": "sleep"} in options["suggested_tags"]
    assert options["today"] == timezone.localdate().isoformat()


def test_record_today_then_change_it(member: User, api: Api) -> None:
    body = {"mood": 4, "note": "Walked to the allotment with Rowan", "tags": ["Sleep", "#garden"]}
    status, saved = api.call("put", "check-ins/today", "check-ins/{day}", body)
    assert status == 201
    assert saved["created"] is True
    assert saved["reads_as_crisis"] is False
    assert saved["support"] is None
    check_in = saved["check_in"]
    assert check_in["day"] == timezone.localdate().isoformat()
    assert (check_in["mood"], check_in["mood_label"]) == (4, "Good")
    assert check_in["note"] == "Walked to the allotment with Rowan"
    assert check_in["tags"] == ["sleep", "garden"]

    status, saved = api.call("put", "check-ins/today", "check-ins/{day}", {"mood": 2})
    assert status == 200
    assert saved["created"] is False
    assert saved["check_in"]["mood"] == 2
    assert saved["check_in"]["note"] == ""
    assert CheckIn.objects.get(member=member).mood == 2


def test_record_a_past_day_and_read_the_list(member: User, api: Api) -> None:
    today = timezone.localdate()
    earlier = today - timedelta(days=3)
    status, _saved = api.call(
        "put", f"check-ins/{earlier.isoformat()}", "check-ins/{day}", {"mood": 3}
    )
    assert status == 201
    CheckIn.objects.create(member=member, day=today - timedelta(days=100), mood=1)
    api.call("put", "check-ins/today", "check-ins/{day}", {"mood": 5})

    _status, rows = api.call("get", "check-ins", "check-ins")
    assert [row["day"] for row in rows] == [today.isoformat(), earlier.isoformat()]
    _status, rows = api.call("get", "check-ins", "check-ins", days=1)
    assert [row["mood"] for row in rows] == [5]
    _status, rows = api.call("get", "check-ins", "check-ins", days=366)
    assert len(rows) == 3
    status, data = api.call("get", "check-ins", "check-ins", days=0)
    assert status == 422
    assert refused_field(data) == ["days"]

    _status, one = api.call("get", f"check-ins/{earlier.isoformat()}", "check-ins/{day}")
    assert one["mood_label"] == "Okay"


def test_a_crisis_note_answers_with_crisis_lines_and_tells_nobody(member: User, api: Api) -> None:
    body = {"mood": 1, "note": CRISIS_NOTE}
    status, saved = api.call("put", "check-ins/today", "check-ins/{day}", body)
    assert status == 201
    assert saved["reads_as_crisis"] is True
    support = saved["support"]
    assert support["lines"], "the crisis lines the page shows"
    assert all(line["name"] for line in support["lines"])
    assert support["get_help_url"] == reverse("core:get_help")
    assert support["safety_plan_url"] == "/me/safety-plan/"
    assert support["has_safety_plan"] is False
    assert "no one else has been told" in support["private"]
    assert not QueueItem.objects.exists()
    assert not Alert.objects.exists()


def test_check_in_refusals_name_the_field(member: User, api: Api) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    status, data = api.call("put", f"check-ins/{tomorrow}", "check-ins/{day}", {"mood": 3})
    assert status == 422
    assert refused_field(data) == ["day"]
    assert "hasn't happened yet" in data["detail"][0]["msg"]

    status, data = api.call("put", "check-ins/today", "check-ins/{day}", {"mood": 6})
    assert status == 422
    assert refused_field(data) == ["mood"]

    status, data = api.call("put", "check-ins/last-tuesday", "check-ins/{day}", {"mood": 3})
    assert status == 422
    assert refused_field(data) == ["day"]

    status, data = api.call(
        "put", "check-ins/today", "check-ins/{day}", {"mood": 3, "note": "x" * 2001}
    )
    assert status == 422
    assert refused_field(data) == ["note"]

    status, data = api.call("put", "check-ins/today", "check-ins/{day}", {"note": "no mood"})
    assert status == 422
    assert "mood" in refused_field(data)
    assert not CheckIn.objects.exists()


def test_delete_a_check_in_and_never_anothers(member: User, api: Api, stranger: Api) -> None:
    day = timezone.localdate().isoformat()
    api.call("put", "check-ins/today", "check-ins/{day}", {"mood": 3})

    status, _data = stranger.call("get", f"check-ins/{day}", "check-ins/{day}")
    assert status == 404
    status, _data = stranger.call("delete", f"check-ins/{day}", "check-ins/{day}")
    assert status == 404
    assert stranger.call("get", "check-ins", "check-ins")[1] == []
    assert CheckIn.objects.filter(member=member).exists()

    status, data = api.call("delete", f"check-ins/{day}", "check-ins/{day}")
    assert (status, data) == (200, {"day": day, "deleted": True})
    assert not CheckIn.objects.exists()
    status, _data = api.call("delete", f"check-ins/{day}", "check-ins/{day}")
    assert status == 404


# --- Goals ----------------------------------------------------------------------------------


def test_goal_life_cycle(member: User, api: Api) -> None:
    body = {"title": "Back to choir", "why": "I miss singing with Juniper", "first_rating": 2}
    status, goal = api.call("post", "goals", "goals", body)
    assert status == 201
    assert (goal["title"], goal["status"], goal["status_label"]) == (
        "Back to choir",
        "active",
        "Working on it",
    )
    assert [rating["rating"] for rating in goal["ratings"]] == [2]
    assert goal["latest_rating"]["rating"] == 2
    path = f"goals/{goal['id']}"

    status, goal = api.call(
        "put", path, "goals/{goal_id}", {"title": "Back to the Thursday choir", "why": ""}
    )
    assert status == 200
    assert (goal["title"], goal["why"]) == ("Back to the Thursday choir", "")

    status, rating = api.call(
        "post", f"{path}/ratings", "goals/{goal_id}/ratings", {"rating": 6, "note": "Went once"}
    )
    assert status == 201
    assert (rating["rating"], rating["note"]) == (6, "Went once")

    status, goal = api.call(
        "post", f"{path}/status", "goals/{goal_id}/status", {"status": "achieved"}
    )
    assert status == 200
    assert goal["status"] == "achieved"
    assert goal["closed_at"] is not None

    _status, goal = api.call("get", path, "goals/{goal_id}")
    assert [r["rating"] for r in goal["ratings"]] == [2, 6]
    assert goal["latest_rating"]["note"] == "Went once"

    _status, rows = api.call("get", "goals", "goals")
    assert [row["id"] for row in rows] == [goal["id"]]
    assert rows[0]["latest_rating"]["rating"] == 6
    assert api.call("get", "goals", "goals", status="active")[1] == []
    assert len(api.call("get", "goals", "goals", status="achieved")[1]) == 1
    status, data = api.call("get", "goals", "goals", status="someday")
    assert status == 422
    assert refused_field(data) == ["status"]

    status, remaining = api.call("delete", path, "goals/{goal_id}")
    assert (status, remaining) == (200, [])
    assert not Goal.objects.exists()
    assert not GoalRating.objects.exists()


def test_goal_refusals_name_the_field(member: User, api: Api) -> None:
    status, data = api.call("post", "goals", "goals", {"title": "   "})
    assert status == 422
    assert refused_field(data) == ["title"]
    status, data = api.call("post", "goals", "goals", {"title": "Sleep by 11", "first_rating": 11})
    assert status == 422
    assert refused_field(data) == ["rating"]
    assert not Goal.objects.exists()

    goal = add_goal(member, "Sleep by 11", [])
    path = f"goals/{goal.pk}"
    status, data = api.call("put", path, "goals/{goal_id}", {"title": "y" * 201})
    assert status == 422
    assert refused_field(data) == ["title"]
    status, data = api.call("post", f"{path}/status", "goals/{goal_id}/status", {"status": "done"})
    assert status == 422
    assert refused_field(data) == ["status"]
    status, data = api.call("post", f"{path}/ratings", "goals/{goal_id}/ratings", {"rating": -1})
    assert status == 422
    assert refused_field(data) == ["rating"]
    status, data = api.call("post", f"{path}/steps", "goals/{goal_id}/steps", {"text": ""})
    assert status == 422
    assert refused_field(data) == ["text"]
    assert not GoalRating.objects.exists()
    assert not GoalStep.objects.exists()


def test_steps_add_tick_move_and_remove(member: User, api: Api) -> None:
    goal = add_goal(member, "Back to choir", [])
    steps = f"goals/{goal.pk}/steps"
    ids = []
    for text in ("Find the choir's email", "Write to Juniper", "Go on Thursday"):
        status, step = api.call("post", steps, "goals/{goal_id}/steps", {"text": text})
        assert status == 201
        assert step["done"] is False
        ids.append(step["id"])

    one = "goals/{goal_id}/steps/{step_id}"
    status, step = api.call("post", f"{steps}/{ids[0]}/done", f"{one}/done", {"done": True})
    assert status == 200
    assert step["done"] is True
    assert step["done_at"] is not None
    _status, step = api.call("post", f"{steps}/{ids[0]}/done", f"{one}/done", {"done": False})
    assert step["done"] is False
    api.call("post", f"{steps}/{ids[1]}/done", f"{one}/done")

    status, ordered = api.call("post", f"{steps}/{ids[2]}/move", f"{one}/move", {"direction": "up"})
    assert status == 200
    assert [row["id"] for row in ordered] == [ids[0], ids[2], ids[1]]
    status, data = api.call(
        "post", f"{steps}/{ids[2]}/move", f"{one}/move", {"direction": "sideways"}
    )
    assert status == 422
    assert refused_field(data) == ["direction"]

    _status, detail = api.call("get", f"goals/{goal.pk}", "goals/{goal_id}")
    assert (detail["steps_done"], detail["steps_total"]) == (1, 3)
    assert detail["steps"][2]["done"] is True

    status, remaining = api.call("delete", f"{steps}/{ids[0]}", one)
    assert status == 200
    assert [row["id"] for row in remaining] == [ids[2], ids[1]]


def test_another_members_goal_and_steps_are_not_found(
    member: User, api: Api, stranger: Api
) -> None:
    goal = add_goal(member, "Back to choir", [])
    step = GoalStep.objects.create(goal=goal, text="Write to Juniper")
    path = f"goals/{goal.pk}"
    one = "goals/{goal_id}"
    step_path = f"{path}/steps/{step.pk}"
    step_one = "goals/{goal_id}/steps/{step_id}"
    attempts = [
        ("get", path, one, None),
        ("put", path, one, {"title": "Mine now"}),
        ("post", f"{path}/status", f"{one}/status", {"status": "set_aside"}),
        ("post", f"{path}/ratings", f"{one}/ratings", {"rating": 1}),
        ("post", f"{path}/steps", f"{one}/steps", {"text": "Sneaky"}),
        ("post", f"{step_path}/done", f"{step_one}/done", {"done": True}),
        ("post", f"{step_path}/move", f"{step_one}/move", {"direction": "up"}),
        ("delete", step_path, step_one, None),
        ("delete", path, one, None),
    ]
    for method, path_, template, body in attempts:
        status, data = stranger.call(method, path_, template, body)
        assert status == 404, (method, path_)
        assert data == {"detail": "Not Found"}
    assert stranger.call("get", "goals", "goals")[1] == []

    # My own goal's id with another goal's step: not found either.
    other_goal = add_goal(member, "Sleep by 11", [])
    status, _data = api.call(
        "post", f"goals/{other_goal.pk}/steps/{step.pk}/done", f"{step_one}/done", {"done": True}
    )
    assert status == 404

    goal.refresh_from_db()
    step.refresh_from_db()
    assert (goal.title, goal.status) == ("Back to choir", Goal.Status.ACTIVE)
    assert step.done_at is None
    assert not GoalRating.objects.exists()
    assert GoalStep.objects.count() == 1


# --- What helps me --------------------------------------------------------------------------


def test_helps_add_update_move_remove(member: User, api: Api, stranger: Api) -> None:
    ids = []
    for text in ("A hot bath", "Calling my sister", "The sea"):
        status, thing = api.call("post", "helps", "helps", {"text": text})
        assert status == 201
        ids.append(thing["id"])
    _status, things = api.call("get", "helps", "helps")
    assert [thing["text"] for thing in things] == ["A hot bath", "Calling my sister", "The sea"]

    status, thing = api.call("put", f"helps/{ids[0]}", "helps/{thing_id}", {"text": "A long bath"})
    assert (status, thing["text"]) == (200, "A long bath")

    status, things = api.call(
        "post", f"helps/{ids[2]}/move", "helps/{thing_id}/move", {"direction": "up"}
    )
    assert status == 200
    assert [thing["id"] for thing in things] == [ids[0], ids[2], ids[1]]
    assert [thing["position"] for thing in things] == [0, 1, 2]

    for method, path, template, body in [
        ("put", f"helps/{ids[0]}", "helps/{thing_id}", {"text": "Theirs now"}),
        ("post", f"helps/{ids[0]}/move", "helps/{thing_id}/move", {"direction": "down"}),
        ("delete", f"helps/{ids[0]}", "helps/{thing_id}", None),
    ]:
        assert stranger.call(method, path, template, body)[0] == 404
    assert stranger.call("get", "helps", "helps")[1] == []

    status, things = api.call("delete", f"helps/{ids[0]}", "helps/{thing_id}")
    assert status == 200
    assert [thing["id"] for thing in things] == [ids[2], ids[1]]
    assert HelpfulThing.objects.count() == 2


def test_helps_refusals_name_the_field(member: User, api: Api) -> None:
    status, data = api.call("post", "helps", "helps", {"text": " "})
    assert status == 422
    assert refused_field(data) == ["text"]
    status, data = api.call("post", "helps", "helps", {"text": "z" * 301})
    assert status == 422
    assert "300 characters" in data["detail"][0]["msg"]
    thing = HelpfulThing.objects.create(member=member, text="The sea")
    status, data = api.call("put", f"helps/{thing.pk}", "helps/{thing_id}", {"text": ""})
    assert status == 422
    assert refused_field(data) == ["text"]
    status, data = api.call(
        "post", f"helps/{thing.pk}/move", "helps/{thing_id}/move", {"direction": "left"}
    )
    assert status == 422
    assert refused_field(data) == ["direction"]
    thing.refresh_from_db()
    assert thing.text == "The sea"


# --- Safety plan ----------------------------------------------------------------------------


def test_safety_plan_read_replace_delete(member: User, api: Api, stranger: Api) -> None:
    _status, plan = api.call("get", "safety-plan", "safety-plan")
    assert plan["exists"] is False
    assert plan["updated_at"] is None
    assert [section["key"] for section in plan["sections"]] == list(safety_plan.SECTION_KEYS)
    assert plan["sections"][0]["title"] == "Warning signs"
    assert all(section["entries"] == [] for section in plan["sections"])
    assert plan["lines"], "the crisis lines the plan page shows"

    body = {
        "sections": {
            "warning_signs": ["Not sleeping", "  ", "Cancelling on friends"],
            "people_to_ask": ["My brother Alder, by text any time"],
        }
    }
    status, plan = api.call("put", "safety-plan", "safety-plan", body)
    assert status == 200
    assert plan["exists"] is True
    entries = {section["key"]: section["entries"] for section in plan["sections"]}
    assert entries["warning_signs"] == ["Not sleeping", "Cancelling on friends"]
    assert entries["people_to_ask"] == ["My brother Alder, by text any time"]
    assert entries["coping"] == []

    # Private: another member sees only their own (empty) plan.
    assert stranger.call("get", "safety-plan", "safety-plan")[1]["exists"] is False

    # A check-in in crisis now says the plan is there.
    _status, saved = api.call(
        "put", "check-ins/today", "check-ins/{day}", {"mood": 1, "note": CRISIS_NOTE}
    )
    assert saved["support"]["has_safety_plan"] is True

    status, plan = api.call("delete", "safety-plan", "safety-plan")
    assert status == 200
    assert plan["exists"] is False
    assert not SafetyPlan.objects.exists()


def test_safety_plan_refusals(member: User, api: Api) -> None:
    status, data = api.call("put", "safety-plan", "safety-plan", {"sections": {"hobbies": ["x"]}})
    assert status == 422
    assert "hobbies" in data["detail"][0]["msg"]
    status, data = api.call(
        "put", "safety-plan", "safety-plan", {"sections": {"coping": ["w" * 301]}}
    )
    assert status == 422
    assert refused_field(data) == ["coping"]
    status, data = api.call("put", "safety-plan", "safety-plan", {"sections": {"coping": "walk"}})
    assert status == 422
    assert not SafetyPlan.objects.exists()


def test_emptying_the_plan_deletes_it(member: User, api: Api) -> None:
    api.call("put", "safety-plan", "safety-plan", {"sections": {"coping": ["A walk"]}})
    _status, plan = api.call("put", "safety-plan", "safety-plan", {"sections": {"coping": [" "]}})
    assert plan["exists"] is False
    assert not SafetyPlan.objects.exists()


# --- Progress -------------------------------------------------------------------------------


def test_progress_series(member: User, api: Api, make_user: MakeUser) -> None:
    today = timezone.localdate()
    add_score(member, "phq9", today - timedelta(days=60), 18, "moderately severe")
    add_score(member, "phq9", today - timedelta(days=30), 11, "moderate")
    add_score(member, "phq9", today - timedelta(days=2), None, "", valid=False, reason="Too few")
    CheckIn.objects.create(member=member, day=today - timedelta(days=1), mood=2)
    CheckIn.objects.create(member=member, day=today, mood=4, note="Private words")
    add_goal(member, "Back to choir", [(today - timedelta(days=10), 3), (today, 7)])
    add_score(make_user("willow"), "gad7", today, 12, "moderate")

    _status, progress = api.call("get", "progress", "progress")
    assert "not a diagnosis" in progress["not_a_diagnosis"]
    (phq9,) = progress["measures"]
    assert phq9["key"] == "phq9"
    assert [(p["score"], p["band"]) for p in phq9["points"]] == [
        (18, "moderately severe"),
        (11, "moderate"),
    ]
    assert phq9["points"][1]["change"] == -7
    assert phq9["points"][1]["reliable"] == "improved"
    assert phq9["invalid"] == [
        {"day": (today - timedelta(days=2)).isoformat(), "reason": "Too few"}
    ]
    assert phq9["bands"][0]["label"] == "minimal"
    assert phq9["higher_is_worse"] is True

    mood = progress["mood"]
    assert [(row["day"], row["mood"]) for row in mood["days"]] == [
        ((today - timedelta(days=1)).isoformat(), 2),
        (today.isoformat(), 4),
    ]
    assert mood["days"][1]["average7"] == 3
    assert mood["recent_average"] == 3
    assert "Private words" not in str(progress)

    (goal,) = progress["goals"]
    assert [rating["rating"] for rating in goal["ratings"]] == [3, 7]
    assert "3 to 7" in goal["sentence"]


def test_progress_of_someone_new_is_empty(api: Api) -> None:
    _status, progress = api.call("get", "progress", "progress")
    assert progress["measures"] == []
    assert progress["goals"] == []
    assert progress["mood"]["days"] == []


# --- Sharing --------------------------------------------------------------------------------


def test_share_grant_list_withdraw(member: User, make_user: MakeUser, api: Api) -> None:
    hazel = make_user("hazel", role=Role.PEER_SUPPORTER)
    _status, offered = api.call("get", "shares/supporters", "shares/supporters")
    assert {"handle": "hazel", "has_chat": False} in offered

    status, share = api.call("post", "shares", "shares", {"handle": "Hazel"})
    assert status == 201
    assert (share["supporter"], share["withdrawn_at"]) == ("hazel", None)
    _status, again = api.call("post", "shares", "shares", {"handle": "hazel"})
    assert again["id"] == share["id"]
    assert MeasureShare.objects.filter(member=member, supporter=hazel).count() == 1

    _status, shares = api.call("get", "shares", "shares")
    assert [row["id"] for row in shares] == [share["id"]]
    assert "hazel" not in [
        row["handle"] for row in api.call("get", "shares/supporters", "shares/supporters")[1]
    ]

    status, withdrawn = api.call("delete", f"shares/{share['id']}", "shares/{share_id}")
    assert status == 200
    assert withdrawn["withdrawn_at"] is not None
    assert api.call("get", "shares", "shares")[1] == []
    status, _data = api.call("delete", f"shares/{share['id']}", "shares/{share_id}")
    assert status == 404


def test_share_refusals_name_the_handle(member: User, make_user: MakeUser, api: Api) -> None:
    make_user("olu")
    for handle, words in [
        ("nobody_here", "No one has that handle."),
        ("olu", "not a peer supporter"),
        ("river", "yourself"),
    ]:
        status, data = api.call("post", "shares", "shares", {"handle": handle})
        assert status == 422, handle
        assert refused_field(data) == ["handle"]
        assert words in data["detail"][0]["msg"]
    assert not MeasureShare.objects.exists()


def test_another_members_share_is_not_found(
    member: User, make_user: MakeUser, stranger: Api
) -> None:
    share = MeasureShare.objects.create(
        member=member, supporter=make_user("hazel", role=Role.PEER_SUPPORTER)
    )
    status, _data = stranger.call("delete", f"shares/{share.pk}", "shares/{share_id}")
    assert status == 404
    assert stranger.call("get", "shares", "shares")[1] == []
    share.refresh_from_db()
    assert share.withdrawn_at is None


# --- Signed out -----------------------------------------------------------------------------


def test_every_endpoint_refuses_the_signed_out(document: dict[str, Any]) -> None:
    mine = [path for path in document["paths"] if path.startswith(BASE)]
    assert len(mine) >= 15
    anonymous = Api(Client(), document)
    checked = 0
    for path in mine:
        for method in document["paths"][path]:
            concrete = path.removeprefix(BASE).replace("{day}", "today")
            for name in ("goal_id", "step_id", "thing_id", "share_id"):
                concrete = concrete.replace(f"{{{name}}}", "1")
            status, data = anonymous.call(method, concrete, path.removeprefix(BASE))
            assert (status, data) == (401, {"detail": "Unauthorized"}), (method, path)
            checked += 1
    assert checked >= 25
