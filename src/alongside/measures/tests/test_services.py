"""Submitting a questionnaire: scoring kept, answers encrypted, invitations, what is offered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.measures import services
from alongside.measures.demo_responses import ensure_demo_responses
from alongside.measures.models import MeasureInvitation, MeasureResponse, MeasureSchedule
from alongside.safety.models import QueueItem

MakeUser = Callable[..., User]


@pytest.fixture
def responder(make_user: MakeUser, settings: SettingsWrapper) -> User:
    moderator = make_user("sam_responder", role=Role.MODERATOR)
    settings.MEASURES_RESPONDER = "sam_responder"
    return moderator


def _invitation(member: User, *, measure: str = "gad7", **fields: object) -> MeasureInvitation:
    schedule = MeasureSchedule.objects.get_or_create(name="Every four weeks")[0]
    fields.setdefault("due_at", timezone.now() - timedelta(days=1))
    return MeasureInvitation.objects.create(
        member=member, schedule=schedule, occasion="week-4", measure=measure, **fields
    )


def test_submit_keeps_the_engine_score(member: User) -> None:
    response = services.response_submit(
        member=member, measure_key="gad7", answers=[1, 2, 1, 2, 1, 1, 2]
    )
    response.refresh_from_db()
    assert response.measure == "gad7"
    assert response.measure_version
    assert (response.score, response.raw_total, response.band) == (10, 10, "moderate")
    assert response.valid is True
    assert response.invalid_reason == ""
    assert "caseness" in response.flags
    assert response.answers == [1, 2, 1, 2, 1, 1, 2]
    assert response.safety_started_at is None
    assert not QueueItem.objects.exists()


def test_answers_are_encrypted_at_rest(member: User) -> None:
    response = services.response_submit(
        member=member, measure_key="gad7", answers=[3, 2, 1, 0, 3, 2, 1]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM measures_measureresponse WHERE id = %s", [response.pk])
        (raw,) = cursor.fetchone()
    assert raw
    assert "3,2,1,0" not in raw
    assert "[" not in raw
    assert response.answers == [3, 2, 1, 0, 3, 2, 1]


def test_too_many_blanks_is_kept_as_invalid_with_the_reason(member: User) -> None:
    response = services.response_submit(
        member=member, measure_key="gad7", answers=[1, None, None, 2, 1, 1, 2]
    )
    assert response.valid is False
    assert response.score is None
    assert "unanswered" in response.invalid_reason


def test_out_of_range_answers_are_refused(member: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.response_submit(member=member, measure_key="gad7", answers=[4, 0, 0, 0, 0, 0, 0])
    assert "out of range" in str(caught.value)
    with pytest.raises(ValidationError):
        services.response_submit(member=member, measure_key="gad7", answers=[0, 0])
    with pytest.raises(ValidationError):
        services.response_submit(member=member, measure_key="no-such-measure", answers=[0])
    assert not MeasureResponse.objects.exists()


def test_phq9_is_refused_without_a_responder(member: User, settings: SettingsWrapper) -> None:
    settings.MEASURES_RESPONDER = ""
    with pytest.raises(ValidationError) as caught:
        services.response_submit(member=member, measure_key="phq9", answers=[0] * 9)
    assert "PHQ-8" in str(caught.value)
    assert not MeasureResponse.objects.exists()
    phq8 = services.response_submit(member=member, measure_key="phq8", answers=[1] * 8)
    assert phq8.score == 8


def test_phq9_is_refused_when_the_responder_is_not_a_moderator(
    member: User, make_user: MakeUser, settings: SettingsWrapper
) -> None:
    make_user("not_a_moderator")
    settings.MEASURES_RESPONDER = "not_a_moderator"
    with pytest.raises(ValidationError):
        services.response_submit(member=member, measure_key="phq9", answers=[0] * 9)


def test_phq9_is_taken_with_a_responder(member: User, responder: User) -> None:
    response = services.response_submit(member=member, measure_key="phq9", answers=[1] * 8 + [0])
    assert (response.score, response.band) == (8, "mild")
    assert response.safety_started_at is None


def test_invitation_is_completed(member: User) -> None:
    invitation = _invitation(member)
    response = services.response_submit(
        member=member, measure_key="gad7", answers=[0] * 7, invitation=invitation
    )
    invitation.refresh_from_db()
    assert invitation.status == MeasureInvitation.Status.COMPLETED
    assert invitation.closed_at is not None
    assert response.invitation_id == invitation.pk


def test_phq9_invitation_is_answered_by_the_phq8_offered_instead(member: User) -> None:
    invitation = _invitation(member, measure="phq9")
    services.response_submit(
        member=member, measure_key="phq8", answers=[0] * 8, invitation=invitation
    )
    invitation.refresh_from_db()
    assert invitation.status == MeasureInvitation.Status.COMPLETED


def test_someone_elses_invitation_is_refused(member: User, make_user: MakeUser) -> None:
    other = make_user("kai")
    invitation = _invitation(other)
    with pytest.raises(ValidationError):
        services.response_submit(
            member=member, measure_key="gad7", answers=[0] * 7, invitation=invitation
        )
    invitation.refresh_from_db()
    assert invitation.status == MeasureInvitation.Status.DUE
    assert not MeasureResponse.objects.exists()


@pytest.mark.parametrize(
    "status", [MeasureInvitation.Status.SKIPPED, MeasureInvitation.Status.COMPLETED]
)
def test_closed_invitation_is_refused(member: User, status: str) -> None:
    invitation = _invitation(member, status=status)
    with pytest.raises(ValidationError):
        services.response_submit(
            member=member, measure_key="gad7", answers=[0] * 7, invitation=invitation
        )


def test_invitation_for_another_measure_is_refused(member: User) -> None:
    invitation = _invitation(member, measure="ucla3")
    with pytest.raises(ValidationError):
        services.response_submit(
            member=member, measure_key="gad7", answers=[0] * 7, invitation=invitation
        )


def test_demo_history_is_improving_safe_and_idempotent(member: User, responder: User) -> None:
    ensure_demo_responses(member)
    ensure_demo_responses(member)
    phq = list(
        MeasureResponse.objects.filter(member=member, measure="phq9").order_by("completed_at")
    )
    gad = list(
        MeasureResponse.objects.filter(member=member, measure="gad7").order_by("completed_at")
    )
    assert len(phq) == len(gad) == 7
    scores = [response.score or 0.0 for response in phq]
    assert all(response.valid for response in phq)
    assert scores == sorted(scores, reverse=True)
    assert scores[0] - scores[-1] >= 6
    assert all(response.answers[8] == 0 for response in phq)
    assert all(response.safety_started_at is None for response in phq)
    assert (phq[-1].completed_at - phq[0].completed_at).days == 84
    assert not QueueItem.objects.exists()


def test_demo_history_uses_phq8_without_a_responder(member: User) -> None:
    ensure_demo_responses(member)
    assert set(MeasureResponse.objects.values_list("measure", flat=True)) == {"phq8", "gad7"}
