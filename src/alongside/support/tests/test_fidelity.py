"""Fidelity guidance: the model file, in-the-moment prompts, self-checks and fidelity over time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import MakeUser
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.utils import timezone

from alongside import urls as project_urls
from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat.models import Conversation, Participant
from alongside.safety.models import AuditEntry
from alongside.support import fidelity
from alongside.support.fidelity_models import FidelityCheck
from alongside.support.models import SupportRelationship
from alongside.support.session_models import SupportSession


def _mounted() -> bool:
    return any(
        isinstance(entry, URLResolver) and entry.namespace == "support_fidelity"
        for entry in project_urls.urlpatterns
    )


# The project's URLs plus the fidelity pages, in case the project does not mount them yet.
urlpatterns: list[URLPattern | URLResolver] = list(project_urls.urlpatterns)
if not _mounted():
    urlpatterns.insert(0, path("support/fidelity/", include("alongside.support.fidelity_urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

ClientFor = Callable[[User], Client]
PANEL = "Ideas for this conversation"


@pytest.fixture(autouse=True)
def _fresh_model(settings: object) -> Iterator[None]:
    fidelity.clear_cache()
    yield
    fidelity.clear_cache()


@pytest.fixture
def supporter(make_user: MakeUser) -> User:
    return make_user("alex", role=Role.PEER_SUPPORTER)


@pytest.fixture
def supervisor(make_user: MakeUser) -> User:
    return make_user("sam", role=Role.SUPERVISOR)


def _direct(*people: User) -> Conversation:
    conversation = Conversation.objects.create(kind=Conversation.Kind.DIRECT)
    for person in people:
        Participant.objects.create(conversation=conversation, user=person)
    return conversation


def _relationship(
    member: User,
    supporter: User,
    conversation: Conversation | None,
    status: str = SupportRelationship.Status.ACTIVE,
) -> SupportRelationship:
    return SupportRelationship.objects.create(
        member=member,
        supporter=supporter,
        conversation=conversation,
        expected_end=timezone.now() + timedelta(weeks=8),
        status=status,
    )


@pytest.fixture
def conversation(member: User, supporter: User) -> Conversation:
    return _direct(member, supporter)


@pytest.fixture
def relationship(
    member: User, supporter: User, supervisor: User, conversation: Conversation
) -> SupportRelationship:
    relationship = _relationship(member, supporter, conversation)
    relationship.supervisor = supervisor
    relationship.save(update_fields=["supervisor"])
    return relationship


def _session(relationship: SupportRelationship, status: str = "completed") -> SupportSession:
    return SupportSession.objects.create(
        relationship=relationship, starts_at=timezone.now() - timedelta(hours=2), status=status
    )


def _render_tag(conversation: Conversation, user: User | None) -> str:
    template = Template("{% load fidelity_tags %}{% fidelity_prompts conversation user %}")
    return template.render(Context({"conversation": conversation, "user": user}))


def _all_answers(value: int) -> dict[str, str]:
    model = fidelity.current_model()
    return {f"answer_{statement.key}": str(value) for statement in model.self_check}


# --- The model file -------------------------------------------------------------------------


def test_default_model_validates_and_covers_the_principles() -> None:
    model = fidelity.load_model_file(fidelity.DEFAULT_PATH)
    keys = {principle.key for principle in model.principles}
    assert keys == {"mutuality", "lived_experience", "hope", "self_determination", "recovery"}
    assert 3 <= len(model.prompts) <= 6
    assert 5 <= len(model.self_check) <= 8
    assert [point.label for point in model.scale] == ["Not today", "Partly", "Yes"]
    assert all(principle.description for principle in model.principles)


def test_custom_model_from_settings_is_used(settings: object, tmp_path: Path) -> None:
    data = json.loads(fidelity.DEFAULT_PATH.read_text())
    data["key"] = "our-model"
    data["prompts"] = [{"principle": "hope", "text": "Name one thing that went well."}]
    custom = tmp_path / "model.json"
    custom.write_text(json.dumps(data))
    settings.PEER_SUPPORT_MODEL = str(custom)  # type: ignore[attr-defined]
    model = fidelity.current_model()
    assert model.key == "our-model"
    assert [prompt.text for prompt in model.prompts] == ["Name one thing that went well."]


def test_custom_model_from_environment(
    settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(fidelity.DEFAULT_PATH.read_text())
    data["version"] = "7"
    custom = tmp_path / "model.json"
    custom.write_text(json.dumps(data))
    settings.PEER_SUPPORT_MODEL = ""  # type: ignore[attr-defined]
    monkeypatch.setenv("ALONGSIDE_PEER_SUPPORT_MODEL", str(custom))
    assert fidelity.current_model().version == "7"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"principles": []}, "'principles' needs 1 to 12 entries"),
        (
            {"prompts": [{"principle": "courage", "text": "Be brave."}]},
            "unknown principle 'courage'",
        ),
        ({"scale": [{"value": "yes", "label": "Yes"}, {"value": 1, "label": "No"}]}, "'value'"),
        ({"name": ""}, "'name' must be a non-empty string"),
        ({"self_check": "none"}, "'self_check' must be a list"),
    ],
)
def test_bad_custom_model_gives_a_clear_error(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    data = json.loads(fidelity.DEFAULT_PATH.read_text())
    data.update(change)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(fidelity.ModelFileError, match=message) as caught:
        fidelity.load_model_file(bad)
    assert str(bad) in str(caught.value)


def test_unreadable_or_invalid_json_names_the_file(settings: object, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    settings.PEER_SUPPORT_MODEL = str(missing)  # type: ignore[attr-defined]
    with pytest.raises(fidelity.ModelFileError, match="cannot read"):
        fidelity.current_model()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(fidelity.ModelFileError, match="not valid JSON"):
        fidelity.load_model_file(broken)


# --- In-the-moment prompts ------------------------------------------------------------------


def test_prompts_show_to_the_supporter_of_an_active_relationship(
    relationship: SupportRelationship, supporter: User, conversation: Conversation
) -> None:
    html = _render_tag(conversation, supporter)
    assert PANEL in html
    assert "<details" in html
    assert "Reflect back what you heard" in html


def test_no_prompts_for_the_member(
    relationship: SupportRelationship, member: User, conversation: Conversation
) -> None:
    assert _render_tag(conversation, member).strip() == ""


def test_no_prompts_for_another_supporter(
    relationship: SupportRelationship, make_user: MakeUser, conversation: Conversation
) -> None:
    other = make_user("bo", role=Role.PEER_SUPPORTER)
    assert _render_tag(conversation, other).strip() == ""


def test_no_prompts_for_a_supervisor_or_anyone_signed_out(
    relationship: SupportRelationship, supervisor: User, conversation: Conversation
) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert _render_tag(conversation, supervisor).strip() == ""
    assert _render_tag(conversation, AnonymousUser()).strip() == ""  # type: ignore[arg-type]
    assert _render_tag(conversation, None).strip() == ""


def test_no_prompts_in_group_rooms(member: User, supporter: User) -> None:
    room = Conversation.objects.create(kind=Conversation.Kind.ROOM, title="Evening room")
    _relationship(member, supporter, room)
    with CaptureQueriesContext(connection) as queries:
        assert _render_tag(room, supporter).strip() == ""
    assert len(queries) == 0


@pytest.mark.parametrize(
    "status",
    [
        SupportRelationship.Status.PROPOSED,
        SupportRelationship.Status.ENDED,
        SupportRelationship.Status.HANDED_OVER,
    ],
)
def test_no_prompts_when_the_relationship_is_not_active(
    member: User, supporter: User, conversation: Conversation, status: str
) -> None:
    _relationship(member, supporter, conversation, status=status)
    assert _render_tag(conversation, supporter).strip() == ""


def test_no_prompts_in_another_one_to_one_of_the_supporter(
    relationship: SupportRelationship, supporter: User, make_user: MakeUser
) -> None:
    friend = make_user("kit")
    assert _render_tag(_direct(supporter, friend), supporter).strip() == ""


def test_the_tag_makes_one_query_at_most(
    relationship: SupportRelationship, supporter: User, member: User, conversation: Conversation
) -> None:
    fidelity.current_model()  # the model file is read once per process, not per page
    with CaptureQueriesContext(connection) as queries:
        _render_tag(conversation, supporter)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        _render_tag(conversation, member)
    assert len(queries) == 1


def test_conversation_page_shows_the_panel_only_to_the_supporter(
    relationship: SupportRelationship,
    supporter: User,
    member: User,
    conversation: Conversation,
    client_for: ClientFor,
) -> None:
    url = reverse("chat:conversation", args=[conversation.pk])
    supporter_page = client_for(supporter).get(url)
    assert supporter_page.status_code == 200
    assert PANEL in supporter_page.content.decode()
    member_page = client_for(member).get(url)
    assert member_page.status_code == 200
    assert PANEL not in member_page.content.decode()


# --- The self-check after a session ---------------------------------------------------------


def test_self_check_is_saved_with_the_note_encrypted(
    relationship: SupportRelationship, supporter: User, client_for: ClientFor
) -> None:
    session = _session(relationship)
    url = reverse("support_fidelity:check") + f"?session={session.pk}"
    client = client_for(supporter)
    page = client.get(url)
    assert page.status_code == 200
    assert "They decided what we focused on" in page.content.decode()
    note = "Talked too much about my own week"
    response = client.post(url, {**_all_answers(2), "note": note})
    assert response.status_code == 302
    check = FidelityCheck.objects.get()
    assert check.session == session
    assert check.relationship == relationship
    assert check.model_key == "alongside-peer-support"
    assert set(check.answers.values()) == {2}
    assert check.note == note
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM support_fidelitycheck WHERE id = %s", [check.pk])
        (stored,) = cursor.fetchone()
    assert note not in stored
    entry = AuditEntry.objects.get(action="support.fidelity_check")
    assert note not in json.dumps(entry.detail)
    # Once per session: coming back goes to the history.
    again = client.get(url)
    assert again.status_code == 302
    assert again["Location"] == reverse("support_fidelity:mine")


def test_unanswered_statement_keeps_what_was_typed(
    relationship: SupportRelationship, supporter: User, client_for: ClientFor
) -> None:
    session = _session(relationship)
    url = reverse("support_fidelity:check") + f"?session={session.pk}"
    answers = _all_answers(1)
    answers.pop(next(iter(answers)))
    response = client_for(supporter).post(url, {**answers, "note": "keep me"})
    assert response.status_code == 200
    assert "keep me" in response.content.decode()
    assert not FidelityCheck.objects.exists()


def test_self_check_only_for_the_supporter_of_a_completed_session(
    relationship: SupportRelationship,
    supporter: User,
    member: User,
    supervisor: User,
    client_for: ClientFor,
) -> None:
    done = _session(relationship)
    booked = _session(relationship, status=SupportSession.Status.BOOKED)
    base = reverse("support_fidelity:check")
    assert client_for(member).get(f"{base}?session={done.pk}").status_code == 404
    assert client_for(supervisor).get(f"{base}?session={done.pk}").status_code == 404
    assert client_for(supporter).get(f"{base}?session={booked.pk}").status_code == 404
    assert client_for(supporter).get(f"{base}?session=nope").status_code == 404
    assert client_for(supporter).get(base).status_code == 404


def test_service_refuses_a_second_check_and_other_supporters(
    relationship: SupportRelationship, supporter: User, make_user: MakeUser
) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from alongside.support.fidelity_services import fidelity_check_record

    session = _session(relationship)
    answers = {key.removeprefix("answer_"): value for key, value in _all_answers(0).items()}
    fidelity_check_record(supporter=supporter, session=session, answers=answers)
    with pytest.raises(ValidationError):
        fidelity_check_record(supporter=supporter, session=session, answers=answers)
    with pytest.raises(PermissionDenied):
        fidelity_check_record(
            supporter=make_user("bo", role=Role.PEER_SUPPORTER), session=session, answers=answers
        )
    with pytest.raises(ValidationError):
        fidelity_check_record(
            supporter=supporter, session=_session(relationship), answers={"equals": 9}
        )


# --- Fidelity over time ---------------------------------------------------------------------


def _check(
    relationship: SupportRelationship, answers: dict[str, int], days_ago: int
) -> FidelityCheck:
    return FidelityCheck.objects.create(
        supporter=relationship.supporter,
        relationship=relationship,
        session=_session(relationship),
        model_key="alongside-peer-support",
        model_version="1",
        answers=answers,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def test_supervisor_sees_fidelity_over_time_with_averages(
    relationship: SupportRelationship,
    supporter: User,
    supervisor: User,
    client_for: ClientFor,
) -> None:
    from alongside.support.fidelity_selectors import fidelity_summary

    _check(relationship, {"equals": 2, "listened": 1, "hope": 0}, days_ago=10)
    _check(relationship, {"equals": 1, "listened": 1, "hope": 2}, days_ago=3)
    summary = fidelity_summary(supporter)
    by_key = {principle.key: principle for principle in summary.principles}
    assert summary.count == 2
    assert by_key["mutuality"].average == 1.2  # (2 + 1 + 1 + 1) / 4 = 1.25, shown as 1.2
    assert by_key["mutuality"].answered == 4
    assert by_key["hope"].average == 1.0
    assert by_key["recovery"].average is None
    assert summary.rows[0].averages[0] == 1.0  # newest first: mutuality (1 + 1) / 2

    url = reverse("support_fidelity:supporter", args=[supporter.pk])
    page = client_for(supervisor).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 self-checks between" in text
    assert "Self-checks by alex" in text
    assert "Hope" in text


def test_supporter_sees_their_own_history(
    relationship: SupportRelationship, supporter: User, client_for: ClientFor
) -> None:
    _check(relationship, {"equals": 2}, days_ago=1)
    client = client_for(supporter)
    mine = client.get(reverse("support_fidelity:mine"))
    assert mine.status_code == 200
    assert "Your self-checks" in mine.content.decode()
    own = client.get(reverse("support_fidelity:supporter", args=[supporter.pk]))
    assert own.status_code == 200


def test_others_cannot_see_a_supporters_fidelity(
    relationship: SupportRelationship,
    supporter: User,
    member: User,
    make_user: MakeUser,
    client_for: ClientFor,
) -> None:
    _check(relationship, {"equals": 2}, days_ago=1)
    url = reverse("support_fidelity:supporter", args=[supporter.pk])
    other_supporter = make_user("bo", role=Role.PEER_SUPPORTER)
    moderator = make_user("mo", role=Role.MODERATOR)
    for person in (member, other_supporter, moderator):
        assert client_for(person).get(url).status_code == 404
    assert client_for(member).get(reverse("support_fidelity:mine")).status_code == 200
    missing = reverse("support_fidelity:supporter", args=[999999])
    assert client_for(supporter).get(missing).status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def test_supervisor_history_page_query_count(
    relationship: SupportRelationship, supervisor: User, client_for: ClientFor
) -> None:
    for days in range(5):
        _check(relationship, {"equals": 2, "hope": 1}, days_ago=days)
    client = client_for(supervisor)
    url = reverse("support_fidelity:supporter", args=[relationship.supporter_id])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _check(relationship, {"equals": 0}, days_ago=9)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
