"""The audit log: append-only, read by administrators, filtered and paginated."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.safety.models import AuditEntry
from alongside.safety.selectors.audit import AUDIT_PAGE_SIZE
from alongside.safety.services.audit import audit_record

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
AUDIT = reverse("safety_moderation:audit")


# --- Append-only ----------------------------------------------------------------------------


def test_the_model_refuses_updates_and_deletes(member: User) -> None:
    entry = audit_record(actor=member, action="warn", member=member, detail={"reason": "x"})
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError):
        entry.delete()
    entry.action = "nothing"
    with pytest.raises(TypeError):
        entry.save()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.action == "warn"


def test_the_page_only_reads(make_user: MakeUser, client_for: ClientFor) -> None:
    admin = make_user("ada", role=Role.ADMINISTRATOR)
    audit_record(actor=admin, action="warn")
    client = client_for(admin)
    assert client.post(AUDIT, {"action": "warn"}).status_code == 405
    assert AuditEntry.objects.count() == 1


# --- Who reads it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MEMBER, 403),
        (Role.PEER_SUPPORTER, 403),
        (Role.RESEARCHER, 403),
        (Role.MODERATOR, 403),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_only_administrators_read_the_log(
    role_users: dict[str, User], client_for: ClientFor, role: str, status: int
) -> None:
    assert client_for(role_users[role]).get(AUDIT).status_code == status


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    assert Client().get(AUDIT).status_code == 302


def test_the_link_shows_only_for_administrators(
    role_users: dict[str, User], client_for: ClientFor
) -> None:
    queue = reverse("safety_moderation:queue")
    moderator_page = client_for(role_users[Role.MODERATOR]).get(queue).content.decode()
    admin_page = client_for(role_users[Role.ADMINISTRATOR]).get(queue).content.decode()
    assert AUDIT not in moderator_page
    assert AUDIT in admin_page


# --- Filters and pages ----------------------------------------------------------------------


def test_filter_by_action_and_member_handle(make_user: MakeUser, client_for: ClientFor) -> None:
    admin = make_user("ada", role=Role.ADMINISTRATOR)
    river, sam = make_user("River"), make_user("sam")
    audit_record(actor=admin, action="warn", member=river, detail={"reason": "first"})
    audit_record(actor=admin, action="hide", member=river, detail={"reason": "second"})
    audit_record(actor=admin, action="warn", member=sam, detail={"reason": "third"})
    client = client_for(admin)

    def shown(**query: str) -> list[str]:
        html = client.get(AUDIT, query).content.decode()
        return [reason for reason in ("first", "second", "third") if reason in html]

    assert shown() == ["first", "second", "third"]
    assert shown(action="warn") == ["first", "third"]
    assert shown(member="river") == ["first", "second"]
    assert shown(member="@River", action="hide") == ["second"]
    assert shown(action="lift") == []


def test_the_log_is_paginated_newest_first(make_user: MakeUser, client_for: ClientFor) -> None:
    admin = make_user("ada", role=Role.ADMINISTRATOR)
    for n in range(AUDIT_PAGE_SIZE + 3):
        audit_record(actor=admin, action="warn", detail={"n": f"entry-{n:03d}"})
    client = client_for(admin)
    first = client.get(AUDIT).content.decode()
    newest = f"entry-{AUDIT_PAGE_SIZE + 2:03d}"
    assert newest in first
    assert "entry-000" not in first
    assert "Page 1 of 2" in first
    second = client.get(AUDIT, {"page": "2", "action": "warn"}).content.decode()
    assert "entry-000" in second
    assert newest not in second
