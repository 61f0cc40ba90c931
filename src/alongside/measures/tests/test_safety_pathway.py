"""PHQ-9 item 9 above 0: the queue item, the alert, the responder, the follow-up, the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from pytest_django.fixtures import Settings

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.measures import safety_pathway, services
from alongside.measures.checks import RESPONDER_MISSING, responder_check
from alongside.measures.models import MeasureResponse
from alongside.notifications.models import Notification, NotificationKind
from alongside.safety.models import Alert, AuditEntry, ContentKind, DutyPeriod, QueueItem, Tier

MakeUser = Callable[..., User]
# Total 1, "minimal": item 9 alone must still start the pathway.
LOW_TOTAL_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]


@pytest.fixture
def responder(make_user: MakeUser, settings: Settings) -> User:
    moderator = make_user("sam_responder", role=Role.MODERATOR, email="sam@example.org")
    settings.MEASURES_RESPONDER = "sam_responder"
    return moderator


@pytest.fixture
def on_duty(make_user: MakeUser) -> User:
    moderator = make_user("ash_on_duty", role=Role.MODERATOR)
    DutyPeriod.objects.create(moderator=moderator)
    return moderator


def _submit(member: User, answers: list[int | None] | None = None) -> MeasureResponse:
    return services.response_submit(
        member=member, measure_key="phq9", answers=answers or list(LOW_TOTAL_ITEM9)
    )


def test_item9_with_a_minimal_total_starts_the_pathway(
    member: User, responder: User, on_duty: User
) -> None:
    response = _submit(member)
    assert (response.score, response.band) == (1, "minimal")
    assert response.safety_started_at is not None
    item = QueueItem.objects.get()
    assert response.safety_item == item
    assert item.kind == ContentKind.MEASURE
    assert item.object_id == response.pk
    assert item.member == member
    assert item.tier == Tier.URGENT
    assert item.flags == ["phq9_item9"]
    assert item.priority == safety_pathway.BASE_PRIORITY
    assert item.status == QueueItem.Status.OPEN
    assert Alert.objects.get().item == item


def test_item9_zero_starts_nothing(member: User, responder: User) -> None:
    response = _submit(member, [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert response.band == "severe"
    assert response.safety_started_at is None
    assert not QueueItem.objects.exists()
    assert not Notification.objects.exists()


def test_item9_starts_the_pathway_even_when_the_score_is_invalid(
    member: User, responder: User
) -> None:
    response = _submit(member, [None, None, None, 0, 0, 0, 0, 0, 2])
    assert response.valid is False
    assert response.safety_started_at is not None
    assert QueueItem.objects.filter(kind=ContentKind.MEASURE, object_id=response.pk).exists()


def test_alert_reaches_duty_and_the_responder_without_the_answers(
    member: User,
    responder: User,
    on_duty: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(member, [2, 1, 0, 0, 0, 0, 0, 0, 2])
    item = QueueItem.objects.get()
    link = reverse("safety_moderation:item", args=[item.pk])
    told = Notification.objects.filter(kind=NotificationKind.SAFETY_ALERT)
    assert {notice.recipient for notice in told} == {responder, on_duty}
    direct = told.get(recipient=responder)
    assert direct.link == link
    assert "named responder" in direct.message
    for notice in told:
        text = notice.message.lower()
        for label in ("several days", "more than half", "nearly every day", "not at all"):
            assert label not in text
        assert str(response.score) not in text
        assert member.handle not in text
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]
    email = mail.outbox[0]
    assert "more than half" not in email.body.lower()
    assert member.handle not in email.body


def test_responder_on_duty_is_told_once(member: User, responder: User) -> None:
    DutyPeriod.objects.create(moderator=responder)
    _submit(member)
    assert Notification.objects.filter(recipient=responder).count() == 1


def test_the_start_is_audited_without_answers(member: User, responder: User) -> None:
    response = _submit(member)
    entry = AuditEntry.objects.get(action="measure_safety_started")
    assert entry.actor is None
    assert entry.member == member
    assert (entry.target_kind, entry.target_id) == ("measure_response", response.pk)
    assert entry.detail["item_id"] == response.safety_item_id
    assert entry.detail["responder_told"] is True
    assert "answers" not in entry.detail
    assert AuditEntry.objects.filter(action="alert_raised", target_id=response.safety_item_id)


def test_follow_up_is_recorded_encrypted_and_raises_priority(member: User, responder: User) -> None:
    response = _submit(member)
    Notification.objects.all().delete()
    services.safety_follow_up_record(
        member=member, response=response, answers={"thoughts_now": "yes", "contact": "yes"}
    )
    response.refresh_from_db()
    assert response.follow_up["thoughts_now"] == "yes"
    assert response.follow_up["contact"] == "yes"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT follow_up FROM measures_measureresponse WHERE id = %s", [response.pk]
        )
        (raw,) = cursor.fetchone()
    assert "thoughts_now" not in raw
    assert "yes" not in raw
    item = QueueItem.objects.get()
    assert set(item.flags) == {"phq9_item9", "thoughts_now", "contact_requested"}
    assert item.priority == (
        safety_pathway.BASE_PRIORITY
        + safety_pathway.THOUGHTS_NOW_PRIORITY
        + safety_pathway.CONTACT_PRIORITY
    )
    entry = AuditEntry.objects.get(action="measure_safety_follow_up")
    assert entry.actor == member
    assert entry.detail["flags"] == ["thoughts_now", "contact_requested"]
    update = Notification.objects.get(recipient=responder)
    assert "yes" not in update.message.lower()


def test_follow_up_no_keeps_priority(member: User, responder: User) -> None:
    response = _submit(member)
    services.safety_follow_up_record(
        member=member, response=response, answers={"thoughts_now": "prefer_not", "contact": "no"}
    )
    item = QueueItem.objects.get()
    assert item.flags == ["phq9_item9"]
    assert item.priority == safety_pathway.BASE_PRIORITY


def test_follow_up_refusals(member: User, responder: User, make_user: MakeUser) -> None:
    response = _submit(member)
    with pytest.raises(ValidationError):
        services.safety_follow_up_record(
            member=member, response=response, answers={"thoughts_now": "maybe", "contact": "no"}
        )
    with pytest.raises(ValidationError):
        services.safety_follow_up_record(
            member=member, response=response, answers={"thoughts_now": "no"}
        )
    with pytest.raises(Http404):
        services.safety_follow_up_record(
            member=make_user("kai"),
            response=response,
            answers={"thoughts_now": "no", "contact": "no"},
        )
    services.safety_follow_up_record(
        member=member, response=response, answers={"thoughts_now": "no", "contact": "no"}
    )
    with pytest.raises(ValidationError):
        services.safety_follow_up_record(
            member=member, response=response, answers={"thoughts_now": "yes", "contact": "no"}
        )
    quiet = services.response_submit(member=member, measure_key="gad7", answers=[0] * 7)
    with pytest.raises(ValidationError):
        services.safety_follow_up_record(
            member=member, response=quiet, answers={"thoughts_now": "no", "contact": "no"}
        )


def test_resolving_acknowledges_the_alert_and_is_audited(member: User, responder: User) -> None:
    _submit(member)
    item = QueueItem.objects.get()
    safety_pathway.safety_item_resolve(
        actor=responder, item=item, outcome="contacted_member", note="Messaged them on the site"
    )
    item.refresh_from_db()
    assert item.status == QueueItem.Status.RESOLVED
    assert item.resolution == "contacted_member"
    assert item.resolved_by == responder
    alert = Alert.objects.get()
    assert alert.acknowledged_by == responder
    entry = AuditEntry.objects.get(action="measure_safety_resolved")
    assert entry.detail["outcome"] == "contacted_member"
    with pytest.raises(ValidationError):
        safety_pathway.safety_item_resolve(actor=responder, item=item, outcome="no_action_needed")


def test_resolving_refusals(member: User, responder: User, make_user: MakeUser) -> None:
    _submit(member)
    item = QueueItem.objects.get()
    with pytest.raises(PermissionDenied):
        safety_pathway.safety_item_resolve(
            actor=make_user("kai"), item=item, outcome="no_action_needed"
        )
    with pytest.raises(ValidationError):
        safety_pathway.safety_item_resolve(actor=responder, item=item, outcome="hide")
    moderator_member = make_user("lee", role=Role.MODERATOR)
    own = _submit(moderator_member)
    own_item = QueueItem.objects.get(object_id=own.pk)
    with pytest.raises(PermissionDenied):
        safety_pathway.safety_item_resolve(
            actor=moderator_member, item=own_item, outcome="no_action_needed"
        )


def test_follow_up_after_resolution_reopens_when_it_matters(member: User, responder: User) -> None:
    response = _submit(member)
    item = QueueItem.objects.get()
    safety_pathway.safety_item_resolve(actor=responder, item=item, outcome="no_action_needed")
    services.safety_follow_up_record(
        member=member, response=response, answers={"thoughts_now": "yes", "contact": "no"}
    )
    item.refresh_from_db()
    assert item.status == QueueItem.Status.OPEN
    assert item.resolution == ""
    assert AuditEntry.objects.get(action="measure_safety_follow_up").detail["reopened"] is True


def test_check_warns_when_the_responder_names_no_moderator(
    make_user: MakeUser, settings: Settings
) -> None:
    settings.MEASURES_RESPONDER = ""
    assert responder_check() == []
    settings.MEASURES_RESPONDER = "sam_responder"
    [warning] = responder_check()
    assert warning.id == RESPONDER_MISSING
    assert "PHQ-8" in warning.msg
    make_user("sam_responder")
    assert [w.id for w in responder_check()] == [RESPONDER_MISSING]
    User.objects.filter(handle="sam_responder").delete()
    make_user("sam_responder", role=Role.MODERATOR)
    assert responder_check() == []
