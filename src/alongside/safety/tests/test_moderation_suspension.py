"""A suspended member is signed out at their next request and can still appeal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.safety import middleware
from alongside.safety.models import Appeal, AuditEntry, Sanction
from alongside.safety.services import moderation

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
FEED = reverse("communities:feed")


@pytest.fixture
def moderator(make_user: MakeUser) -> User:
    return make_user("morgan", role=Role.MODERATOR)


def _suspend(member: User, moderator: User, days: int | None = 14) -> Sanction:
    return moderation.member_sanction(
        actor=moderator, member=member, kind=Sanction.Kind.SUSPENSION, reason="Threats", days=days
    )


def test_a_suspended_member_is_signed_out_and_told_why(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    assert client.get(FEED).status_code == 200
    sanction = _suspend(member, moderator)

    response = client.get(FEED)

    assert response.status_code == 403
    html = response.content.decode()
    assert "Your account is suspended" in html
    assert "Threats" in html
    assert "You can sign in again from" in html
    assert "/safety/appeals/suspended/" in html
    assert "_auth_user_id" not in client.session
    # Signed out for good: the next page is the log-in page.
    after = client.get(FEED)
    assert after.status_code == 302
    assert reverse("accounts:login") in after["Location"]
    assert sanction.pk


def test_a_permanent_suspension_says_there_is_no_end_date(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    _suspend(member, moderator, days=None)
    assert "This suspension has no end date." in client.get(FEED).content.decode()


def test_the_api_answers_json(member: User, moderator: User, client_for: ClientFor) -> None:
    client = client_for(member)
    _suspend(member, moderator)
    response = client.get("/api/v1/notifications/")
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]


def test_crisis_help_stays_open(member: User, moderator: User, client_for: ClientFor) -> None:
    client = client_for(member)
    _suspend(member, moderator)
    assert client.get(reverse("core:get_help")).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_signed_link_opens_the_appeal_form_without_an_account(
    member: User, moderator: User, client_for: ClientFor, make_user: MakeUser
) -> None:
    sanction = _suspend(member, moderator)
    url = reverse("safety_appeals:suspended", args=[middleware.appeal_token(sanction)])
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200
    assert "Threats" in page.content.decode()

    response = anonymous.post(url, {"text": "I was quoting someone else."})

    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.member == member
    assert appeal.sanction == sanction
    assert AuditEntry.objects.filter(action="appeal_create", actor=member).exists()
    # Once per sanction: the page now shows the appeal, and a second post adds nothing.
    anonymous.post(url, {"text": "Again"})
    assert Appeal.objects.count() == 1
    assert "Waiting for a moderator" in anonymous.get(url).content.decode()


def test_a_forged_or_expired_link_is_refused(
    member: User, moderator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    sanction = _suspend(member, moderator)
    token = middleware.appeal_token(sanction)
    assert Client().get(reverse("safety_appeals:suspended", args=[token + "x"])).status_code == 404
    monkeypatch.setattr(middleware, "APPEAL_TOKEN_SECONDS", -1)
    assert Client().get(reverse("safety_appeals:suspended", args=[token])).status_code == 404


def test_the_link_cannot_be_turned_to_another_sanction(
    member: User, moderator: User, make_user: MakeUser
) -> None:
    other = make_user("sam")
    mine = _suspend(member, moderator)
    theirs = _suspend(other, moderator)
    from django.core import signing

    forged = signing.dumps({"s": theirs.pk, "m": member.pk}, salt="something else")
    assert Client().get(reverse("safety_appeals:suspended", args=[forged])).status_code == 404
    mixed = signing.dumps({"s": theirs.pk, "m": member.pk}, salt=middleware.APPEAL_TOKEN_SALT)
    assert Client().get(reverse("safety_appeals:suspended", args=[mixed])).status_code == 404
    assert mine.pk != theirs.pk


def test_lifting_lets_the_member_back_at_once(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    sanction = _suspend(member, moderator)
    client = client_for(member)
    assert client.get(FEED).status_code == 403
    moderation.sanction_lift(actor=moderator, sanction=sanction, reason="Overturned")
    assert client_for(member).get(FEED).status_code == 200


def test_an_ended_suspension_lets_the_member_back(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    past = timezone.now() - timedelta(days=20)
    Sanction.objects.create(
        member=member,
        kind=Sanction.Kind.SUSPENSION,
        reason="Long ago",
        starts_at=past,
        ends_at=past + timedelta(days=14),
    )
    assert client_for(member).get(FEED).status_code == 200


def test_a_muted_member_can_still_read(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    moderation.member_sanction(
        actor=moderator, member=member, kind=Sanction.Kind.MUTE, reason="Spam", days=2
    )
    client = client_for(member)
    assert client.get(FEED).status_code == 200
    assert "_auth_user_id" in client.session


def test_the_check_costs_no_query_once_cached(member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    url = reverse("notifications:list")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert not any("safety_sanction" in query["sql"] for query in captured.captured_queries)
