"""The safety API for members: reports, blocks and protections, checked against the schema."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities.models import Group
from alongside.core.tests.test_api_schema import schema_errors
from alongside.safety.models import Block, Report, SafetyPreferences
from alongside.safety.services import protection
from alongside.safety.tests.member_support import Circle, make_circle, make_group, make_thread

MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
BASE = "/api/v1/safety"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def circle(make_user: MakeUser) -> Circle:
    return make_circle(make_user)


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    body: dict[str, Any] = Client().get("/api/v1/openapi.json").json()
    return body


class Api:
    """A signed-in client whose every answer is checked against the published schema."""

    def __init__(self, client: Client, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document

    def call(
        self, method: str, path: str, body: Any = None, *, status: int, route: str = ""
    ) -> Any:
        if method == "get":
            response = self.client.get(f"{BASE}{path}", body or {})
        else:
            response = getattr(self.client, method)(
                f"{BASE}{path}", body, content_type="application/json"
            )
        assert response.status_code == status, response.content
        declared = self.document["paths"][f"{BASE}{route or path}"][method]["responses"]
        schema = declared[str(status)]["content"]["application/json"]["schema"]
        answer = response.json()
        assert schema_errors(self.document, schema, answer) == []
        return answer


@pytest.fixture
def api_for(client_for: ClientFor, document: dict[str, Any]) -> Callable[[User], Api]:
    return lambda user: Api(client_for(user), document)


def messages_of(answer: dict[str, Any]) -> list[str]:
    return [problem["msg"] for problem in answer["detail"]]


# --- Reports --------------------------------------------------------------------------------


def test_reporting_a_post_and_a_member(circle: Circle, api_for: Callable[[User], Api]) -> None:
    api = api_for(circle.juniper)
    made = api.call(
        "post",
        "/reports",
        {"post_id": circle.tomasz_reply.pk, "reason": "spam", "note": "Selling vitamins."},
        status=201,
    )
    assert made["kind"] == "post"
    assert made["post_id"] == circle.tomasz_reply.pk
    assert made["member"] == "tomasz"
    assert made["reason"] == "spam"
    assert made["reason_label"] == "Spam or advertising"
    assert made["note"] == "Selling vitamins."
    assert made["outcome"] == "pending"
    assert made["outcome_label"] == "Waiting for a moderator"
    assert made["outcome_at"] is None
    member = api.call("post", "/reports", {"member": "Tomasz", "reason": "harassment"}, status=201)
    assert (member["kind"], member["post_id"], member["member"]) == ("member", None, "tomasz")
    listed = api.call("get", "/reports", status=200)
    assert [item["id"] for item in listed["items"]] == [member["id"], made["id"]]
    assert (listed["page"], listed["num_pages"], listed["count"], listed["has_next"]) == (
        1,
        1,
        2,
        False,
    )


def test_report_refusals(
    circle: Circle, make_user: MakeUser, api_for: Callable[[User], Api], settings: Any
) -> None:
    api = api_for(circle.juniper)
    own = api.call(
        "post", "/reports", {"post_id": circle.juniper_reply.pk, "reason": "spam"}, status=422
    )
    assert messages_of(own) == [
        "This is your own post. You can edit or remove it instead of reporting it."
    ]
    neither = api.call("post", "/reports", {"reason": "spam"}, status=422)
    assert messages_of(neither) == ["Please choose one post or one member to report."]
    both = api.call(
        "post",
        "/reports",
        {"post_id": circle.opening.pk, "member": "wren", "reason": "spam"},
        status=422,
    )
    assert messages_of(both) == ["Please choose one post or one member to report."]
    api.call("post", "/reports", {"post_id": circle.opening.pk, "reason": "meh"}, status=422)
    api.call("post", "/reports", {"member": "nobody_by_that_name", "reason": "spam"}, status=404)
    api.call("post", "/reports", {"post_id": 999_999, "reason": "spam"}, status=404)
    private = make_group(circle.wren, visibility=Group.Visibility.RESTRICTED)
    hidden_post = make_thread(private, circle.wren, "Members only", "Just us.").posts.get()
    api.call("post", "/reports", {"post_id": hidden_post.pk, "reason": "spam"}, status=403)
    api.call("post", "/reports", {"post_id": circle.opening.pk, "reason": "spam"}, status=201)
    again = api.call(
        "post", "/reports", {"post_id": circle.opening.pk, "reason": "hate"}, status=422
    )
    assert messages_of(again)[0].startswith("You've already reported this post")
    settings.SAFETY_REPORTS_PER_DAY = 1
    limited = api.call("post", "/reports", {"member": "tomasz", "reason": "spam"}, status=422)
    assert messages_of(limited)[0].startswith("You've sent 1 report in the last 24 hours")
    long_note = {"member": "tomasz", "reason": "spam", "note": "x" * 1001}
    settings.SAFETY_REPORTS_PER_DAY = 10
    answer = api.call("post", "/reports", long_note, status=422)
    assert answer["detail"][0]["loc"] == ["body", "note"]
    assert Report.objects.count() == 1


def test_my_reports_are_only_mine(circle: Circle, api_for: Callable[[User], Api]) -> None:
    api_for(circle.juniper).call(
        "post", "/reports", {"post_id": circle.tomasz_reply.pk, "reason": "spam"}, status=201
    )
    assert api_for(circle.tomasz).call("get", "/reports", status=200)["items"] == []
    assert api_for(circle.wren).call("get", "/reports", status=200)["count"] == 0
    api_for(circle.wren).call("get", "/reports", {"page": "0"}, status=422)


# --- Blocks ---------------------------------------------------------------------------------


def test_blocks(circle: Circle, make_user: MakeUser, api_for: Callable[[User], Api]) -> None:
    make_user("orla")
    api = api_for(circle.juniper)
    assert api.call("get", "/blocks", status=200) == {"blocked": []}
    one = api.call("put", "/blocks/Tomasz", status=200, route="/blocks/{handle}")
    assert [entry["handle"] for entry in one["blocked"]] == ["tomasz"]
    api.call("put", "/blocks/tomasz", status=200, route="/blocks/{handle}")  # no change
    assert Block.objects.count() == 1
    replaced = api.call("put", "/blocks", {"handles": ["orla", "wren"]}, status=200)
    assert sorted(entry["handle"] for entry in replaced["blocked"]) == ["orla", "wren"]
    left = api.call("delete", "/blocks/orla", status=200, route="/blocks/{handle}")
    assert [entry["handle"] for entry in left["blocked"]] == ["wren"]
    api.call("delete", "/blocks/orla", status=200, route="/blocks/{handle}")  # no change
    # Whoever blocked me is not in my list.
    protection.block_create(blocker=circle.tomasz, blocked=circle.juniper)
    assert [e["handle"] for e in api.call("get", "/blocks", status=200)["blocked"]] == ["wren"]


def test_block_refusals(circle: Circle, api_for: Callable[[User], Api]) -> None:
    api = api_for(circle.juniper)
    yourself = api.call("put", "/blocks/juniper", status=422, route="/blocks/{handle}")
    assert messages_of(yourself) == ["You can't block yourself."]
    api.call("put", "/blocks/nobody_here", status=404, route="/blocks/{handle}")
    api.call("delete", "/blocks/nobody_here", status=404, route="/blocks/{handle}")
    unknown = api.call("put", "/blocks", {"handles": ["wren", "nobody_here"]}, status=422)
    assert unknown["detail"] == [
        {
            "type": "refused",
            "loc": ["body", "handles"],
            "msg": "There is no member called nobody_here.",
        }
    ]
    api.call("put", "/blocks", {"handles": "wren"}, status=422)
    assert not Block.objects.exists()


# --- Protections ----------------------------------------------------------------------------


def test_protection_settings(circle: Circle, api_for: Callable[[User], Api]) -> None:
    api = api_for(circle.juniper)
    assert api.call("get", "/protection", status=200) == {
        "muted_words": [],
        "hide_content_warned": False,
        "paused_until": None,
    }
    until = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    saved = api.call(
        "put",
        "/protection",
        {
            "muted_words": ["relapse", " weight  loss "],
            "hide_content_warned": True,
            "paused_until": until.isoformat(),
        },
        status=200,
    )
    assert saved["muted_words"] == ["relapse", "weight loss"]
    assert saved["hide_content_warned"] is True
    assert datetime.fromisoformat(saved["paused_until"]) == until
    assert api.call("get", "/protection", status=200) == saved
    ended = api.call(
        "put",
        "/protection",
        {"muted_words": ["relapse"], "hide_content_warned": True, "paused_until": None},
        status=200,
    )
    assert ended["paused_until"] is None


def test_a_time_without_a_zone_is_utc(circle: Circle, api_for: Callable[[User], Api]) -> None:
    naive = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None, microsecond=0)
    api_for(circle.juniper).call(
        "put",
        "/protection",
        {"muted_words": [], "hide_content_warned": False, "paused_until": naive.isoformat()},
        status=200,
    )
    stored = SafetyPreferences.objects.get(user=circle.juniper).paused_until
    assert stored == naive.replace(tzinfo=UTC)


def test_protection_refusals(circle: Circle, api_for: Callable[[User], Api]) -> None:
    api = api_for(circle.juniper)
    too_many = api.call(
        "put",
        "/protection",
        {
            "muted_words": [f"word{n}" for n in range(51)],
            "hide_content_warned": False,
            "paused_until": None,
        },
        status=422,
    )
    assert too_many["detail"][0]["loc"] == ["body", "muted_words"]
    past = api.call(
        "put",
        "/protection",
        {
            "muted_words": ["relapse"],
            "hide_content_warned": True,
            "paused_until": "2020-01-01T00:00:00Z",
        },
        status=422,
    )
    assert past["detail"] == [
        {
            "type": "refused",
            "loc": ["body", "paused_until"],
            "msg": "Please choose a time in the future.",
        }
    ]
    api.call("put", "/protection", {"muted_words": ["relapse"]}, status=422)
    # Nothing of a refused change was kept.
    assert api.call("get", "/protection", status=200)["muted_words"] == []
