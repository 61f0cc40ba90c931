"""Duty, the weekly rota, handover notes, and acknowledging alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.safety.models import AuditEntry, DutyPeriod, HandoverNote, RotaSlot, Tier
from alongside.safety.selectors.queue import is_on_duty, moderators_on_duty, moderators_on_rota
from alongside.safety.services import duty
from alongside.safety.tests.moderation_helpers import make_alert, make_item

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
DUTY = reverse("safety_moderation:duty")


@pytest.fixture
def moderator(make_user: MakeUser) -> User:
    return make_user("morgan", role=Role.MODERATOR)


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("ada", role=Role.ADMINISTRATOR)


# --- On and off duty ------------------------------------------------------------------------


def test_going_on_and_off_duty(moderator: User, admin: User) -> None:
    assert moderators_on_duty() == []
    assert not is_on_duty(moderator)
    assert duty.duty_toggle(actor=moderator) is True
    assert is_on_duty(moderator)
    assert moderators_on_duty() == [moderator]
    duty.duty_start(actor=moderator)  # already on: nothing new
    assert DutyPeriod.objects.count() == 1
    duty.duty_start(actor=admin)
    assert moderators_on_duty() == [admin, moderator]
    assert duty.duty_toggle(actor=moderator) is False
    assert not is_on_duty(moderator)
    period = DutyPeriod.objects.get(moderator=moderator)
    assert period.ended_at is not None
    assert duty.duty_end(actor=moderator) is None
    assert list(
        AuditEntry.objects.filter(actor=moderator).order_by("id").values_list("action", flat=True)
    ) == ["duty_start", "duty_end"]


def test_someone_who_lost_the_role_is_not_counted_on_duty(moderator: User, member: User) -> None:
    duty.duty_start(actor=moderator)
    DutyPeriod.objects.create(moderator=member)  # left over from a role they no longer hold
    assert moderators_on_duty() == [moderator]
    assert is_on_duty(moderator)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.PEER_SUPPORTER, Role.RESEARCHER])
def test_only_moderators_go_on_duty(make_user: MakeUser, role: str, client_for: ClientFor) -> None:
    user = make_user("someone", role=role)
    with pytest.raises(PermissionDenied):
        duty.duty_start(actor=user)
    client = client_for(user)
    assert client.get(DUTY).status_code == 403
    assert client.post(reverse("safety_moderation:duty_toggle")).status_code == 403
    assert not DutyPeriod.objects.exists()


def test_the_duty_page_toggles(moderator: User, client_for: ClientFor) -> None:
    client = client_for(moderator)
    assert "Nobody is on duty" in client.get(DUTY).content.decode()
    client.post(reverse("safety_moderation:duty_toggle"))
    html = client.get(DUTY).content.decode()
    assert "Go off duty" in html
    assert "<strong>morgan</strong>" in html


# --- The rota -------------------------------------------------------------------------------


def test_an_empty_rota_means_every_moderator(
    moderator: User, admin: User, member: User, make_user: MakeUser
) -> None:
    make_user("pat", role=Role.PEER_SUPPORTER)
    assert moderators_on_rota() == [admin, moderator]


def test_the_rota_lists_only_those_with_slots(moderator: User, admin: User) -> None:
    duty.rota_slot_add(actor=admin, moderator=moderator, weekday=0, starts=time(9), ends=time(17))
    assert moderators_on_rota() == [moderator]


def test_rota_slots_are_checked(moderator: User, member: User) -> None:
    with pytest.raises(ValidationError):
        duty.rota_slot_add(
            actor=moderator, moderator=member, weekday=0, starts=time(9), ends=time(17)
        )
    with pytest.raises(ValidationError):
        duty.rota_slot_add(
            actor=moderator, moderator=moderator, weekday=0, starts=time(17), ends=time(9)
        )
    with pytest.raises(ValidationError):
        duty.rota_slot_add(
            actor=moderator, moderator=moderator, weekday=9, starts=time(9), ends=time(17)
        )
    duty.rota_slot_add(
        actor=moderator, moderator=moderator, weekday=2, starts=time(9), ends=time(17)
    )
    with pytest.raises(ValidationError):
        duty.rota_slot_add(
            actor=moderator, moderator=moderator, weekday=2, starts=time(16), ends=time(18)
        )
    with pytest.raises(PermissionDenied):
        duty.rota_slot_add(
            actor=member, moderator=moderator, weekday=3, starts=time(9), ends=time(17)
        )
    assert RotaSlot.objects.count() == 1


def test_the_rota_editor(moderator: User, admin: User, client_for: ClientFor) -> None:
    client = client_for(moderator)
    response = client.post(
        reverse("safety_moderation:rota_add"),
        {"moderator": admin.pk, "weekday": "4", "starts": "18:00", "ends": "22:00"},
    )
    assert response.status_code == 302
    slot = RotaSlot.objects.get()
    assert (slot.moderator, slot.weekday, slot.starts, slot.ends) == (admin, 4, time(18), time(22))
    html = client.get(DUTY).content.decode()
    assert "18:00\u201322:00 <strong>ada</strong>" in html
    client.post(reverse("safety_moderation:rota_remove", args=[slot.pk]))
    assert not RotaSlot.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="rota")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["rota_add", "rota_remove"]


def test_members_cannot_touch_the_rota(
    moderator: User, member: User, client_for: ClientFor
) -> None:
    slot = duty.rota_slot_add(
        actor=moderator, moderator=moderator, weekday=0, starts=time(9), ends=time(10)
    )
    client = client_for(member)
    assert client.post(reverse("safety_moderation:rota_remove", args=[slot.pk])).status_code == 403
    response = client.post(
        reverse("safety_moderation:rota_add"),
        {"moderator": moderator.pk, "weekday": "1", "starts": "09:00", "ends": "10:00"},
    )
    assert response.status_code == 403
    assert RotaSlot.objects.count() == 1


# --- Handover -------------------------------------------------------------------------------


def test_handover_notes_are_written_and_the_latest_read_first(
    moderator: User, admin: User, client_for: ClientFor
) -> None:
    with pytest.raises(ValidationError):
        duty.handover_write(actor=moderator, body="  ")
    duty.handover_write(actor=admin, body="Quiet morning.")
    client = client_for(moderator)
    client.post(reverse("safety_moderation:handover_write"), {"body": "Keep an eye on item 4."})
    html = client.get(DUTY).content.decode()
    assert html.index("Keep an eye on item 4.") < html.index("Quiet morning.")
    assert AuditEntry.objects.filter(action="handover_write").count() == 2


def test_members_cannot_read_or_write_handover_notes(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    duty.handover_write(actor=moderator, body="Private to moderators")
    with pytest.raises(PermissionDenied):
        duty.handover_write(actor=member, body="x")
    client = client_for(member)
    assert (
        client.post(reverse("safety_moderation:handover_write"), {"body": "x"}).status_code == 403
    )
    assert HandoverNote.objects.count() == 1


# --- Acknowledging alerts -------------------------------------------------------------------


def test_acknowledging_an_alert_from_the_queue(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    item = make_item(member, tier=Tier.URGENT)
    alert = make_alert(item)
    url = reverse("safety_moderation:alert_acknowledge", args=[alert.pk])
    queue = reverse("safety_moderation:queue")
    response = client_for(moderator).post(url, {"next": queue})
    assert response.status_code == 302
    assert response["Location"] == queue
    alert.refresh_from_db()
    assert alert.acknowledged_by == moderator
    assert AuditEntry.objects.filter(action="alert_acknowledged", actor=moderator).exists()
    html = client_for(moderator).get(queue).content.decode()
    assert "Alert acknowledged by morgan" in html
    assert url not in html
    # A second press says who has it, and changes nothing.
    again = client_for(moderator).post(url, follow=True)
    assert "already acknowledged" in again.content.decode()


def test_members_cannot_acknowledge_alerts(member: User, client_for: ClientFor) -> None:
    alert = make_alert(make_item(member, tier=Tier.URGENT))
    url = reverse("safety_moderation:alert_acknowledge", args=[alert.pk])
    assert client_for(member).post(url).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
