"""Appeals: a member appeals once; a moderator other than the issuer decides."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.notifications.models import Notification
from alongside.safety.models import Appeal, AuditEntry, Sanction
from alongside.safety.services import moderation
from alongside.safety.tests.moderation_helpers import make_item, make_report

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
MY_APPEALS = reverse("safety_appeals:list")
APPEALS = reverse("safety_moderation:appeals")


@pytest.fixture
def issuer(make_user: MakeUser) -> User:
    return make_user("morgan", role=Role.MODERATOR)


@pytest.fixture
def other_moderator(make_user: MakeUser) -> User:
    return make_user("morwenna", role=Role.MODERATOR)


@pytest.fixture
def sanction(member: User, issuer: User) -> Sanction:
    return moderation.member_sanction(
        actor=issuer, member=member, kind=Sanction.Kind.MUTE, reason="Spam links", days=7
    )


@pytest.fixture
def appeal(member: User, sanction: Sanction) -> Appeal:
    return moderation.appeal_create(member=member, sanction=sanction, text="They were not ads.")


# --- The member's side ----------------------------------------------------------------------


def test_members_see_their_sanctions_with_reasons_and_end_dates(
    member: User, sanction: Sanction, client_for: ClientFor
) -> None:
    html = client_for(member).get(MY_APPEALS).content.decode()
    assert "Spam links" in html
    assert "until" in html
    assert "In force now" in html
    assert reverse("safety_appeals:appeal", args=[sanction.pk]) in html
    assert "morgan" not in html  # who decided is not shown to the member


def test_the_reported_member_never_learns_who_reported(
    member: User, issuer: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    item = make_item(member)
    make_report(item, make_user("reporter_sam"))
    moderation.member_sanction(
        actor=issuer, member=member, kind="warning", reason="Unkind words", item=item
    )
    html = client_for(member).get(MY_APPEALS).content.decode()
    assert "reporter_sam" not in html
    messages = " ".join(
        Notification.objects.filter(recipient=member).values_list("message", flat=True)
    )
    assert "reporter_sam" not in messages


def test_appealing_through_the_page(
    member: User, sanction: Sanction, client_for: ClientFor
) -> None:
    client = client_for(member)
    url = reverse("safety_appeals:appeal", args=[sanction.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "I shared a charity's page, not an advert."})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.status == Appeal.Status.OPEN
    html = client.get(MY_APPEALS).content.decode()
    assert "Waiting for a moderator" in html
    assert url not in html  # no second appeal offered


def test_one_appeal_per_sanction(member: User, sanction: Sanction, appeal: Appeal) -> None:
    with pytest.raises(ValidationError):
        moderation.appeal_create(member=member, sanction=sanction, text="Again")
    assert Appeal.objects.count() == 1


def test_an_appeal_needs_words(member: User, sanction: Sanction) -> None:
    with pytest.raises(ValidationError):
        moderation.appeal_create(member=member, sanction=sanction, text="   ")


def test_nobody_appeals_someone_elses_sanction(
    sanction: Sanction, make_user: MakeUser, client_for: ClientFor
) -> None:
    other = make_user("sam")
    with pytest.raises(PermissionDenied):
        moderation.appeal_create(member=other, sanction=sanction, text="Hmm")
    url = reverse("safety_appeals:appeal", args=[sanction.pk])
    assert client_for(other).get(url).status_code == 404
    assert client_for(other).post(url, {"text": "x"}).status_code == 404


def test_a_lifted_sanction_cannot_be_appealed(
    member: User, sanction: Sanction, other_moderator: User
) -> None:
    moderation.sanction_lift(actor=other_moderator, sanction=sanction, reason="Mistake")
    with pytest.raises(ValidationError):
        moderation.appeal_create(member=member, sanction=sanction, text="x")


def test_the_appeals_page_needs_an_account() -> None:
    response = Client().get(MY_APPEALS)
    assert response.status_code == 302


# --- The moderators' side -------------------------------------------------------------------


def test_appeals_are_listed_for_moderators_only(
    appeal: Appeal, member: User, other_moderator: User, client_for: ClientFor
) -> None:
    html = client_for(other_moderator).get(APPEALS).content.decode()
    assert reverse("safety_moderation:appeal", args=[appeal.pk]) in html
    assert client_for(member).get(APPEALS).status_code == 403
    detail = reverse("safety_moderation:appeal", args=[appeal.pk])
    assert client_for(member).get(detail).status_code == 403


def test_the_issuer_cannot_decide(appeal: Appeal, issuer: User, client_for: ClientFor) -> None:
    with pytest.raises(PermissionDenied):
        moderation.appeal_decide(actor=issuer, appeal=appeal, overturn=True, note="Fair")
    client = client_for(issuer)
    url = reverse("safety_moderation:appeal", args=[appeal.pk])
    page = client.get(url).content.decode()
    assert "another moderator needs to decide the appeal" in page
    assert client.post(url, {"decision": "overturn", "note": "Fair"}).status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN


@pytest.mark.parametrize("role", [Role.MEMBER, Role.PEER_SUPPORTER, Role.RESEARCHER])
def test_people_without_the_permission_cannot_decide(
    appeal: Appeal, make_user: MakeUser, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        moderation.appeal_decide(
            actor=make_user("someone", role=role), appeal=appeal, overturn=True, note="x"
        )


def test_upholding_keeps_the_sanction_and_tells_the_member(
    appeal: Appeal, member: User, sanction: Sanction, other_moderator: User
) -> None:
    with pytest.raises(ValidationError):
        moderation.appeal_decide(actor=other_moderator, appeal=appeal, overturn=False, note="")
    moderation.appeal_decide(
        actor=other_moderator, appeal=appeal, overturn=False, note="The links were adverts."
    )
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD
    assert appeal.decided_by == other_moderator
    sanction.refresh_from_db()
    assert sanction.lifted_at is None
    latest = Notification.objects.filter(recipient=member).latest("id")
    assert "decision stands" in latest.message
    assert "The links were adverts." in latest.message
    entry = AuditEntry.objects.get(action="appeal_decide")
    assert entry.actor == other_moderator
    assert entry.detail["status"] == Appeal.Status.UPHELD
    with pytest.raises(ValidationError):
        moderation.appeal_decide(actor=other_moderator, appeal=appeal, overturn=True, note="x")


def test_overturning_lifts_the_sanction(
    appeal: Appeal,
    member: User,
    sanction: Sanction,
    other_moderator: User,
    client_for: ClientFor,
) -> None:
    client = client_for(other_moderator)
    url = reverse("safety_moderation:appeal", args=[appeal.pk])
    response = client.post(url, {"decision": "overturn", "note": "They were charity links."})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OVERTURNED
    sanction.refresh_from_db()
    assert sanction.lifted_by == other_moderator
    html = client_for(member).get(MY_APPEALS).content.decode()
    assert "They were charity links." in html
    assert "The decision was overturned" in html
    assert AuditEntry.objects.filter(action="lift", actor=other_moderator).exists()


def test_an_administrator_can_decide(
    appeal: Appeal, make_user: MakeUser, sanction: Sanction
) -> None:
    admin = make_user("ada", role=Role.ADMINISTRATOR)
    moderation.appeal_decide(actor=admin, appeal=appeal, overturn=True, note="Ok")
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None


def test_a_system_sanction_can_be_decided_by_any_moderator(member: User, issuer: User) -> None:
    sanction = Sanction.objects.create(
        member=member, kind=Sanction.Kind.MUTE, reason="Automatic", issued_by=None
    )
    appeal = moderation.appeal_create(member=member, sanction=sanction, text="Not spam")
    moderation.appeal_decide(actor=issuer, appeal=appeal, overturn=False, note="Stands")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD


def test_a_decided_appeal_shows_the_decision_and_no_form(
    appeal: Appeal, other_moderator: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    moderation.appeal_decide(
        actor=other_moderator, appeal=appeal, overturn=False, note="The links were adverts."
    )
    third = make_user("mo", role=Role.MODERATOR)
    client = client_for(third)
    html = client.get(reverse("safety_moderation:appeal", args=[appeal.pk])).content.decode()
    assert "The links were adverts." in html
    assert "The decision stands" in html
    assert 'name="decision"' not in html
    assert "The decision stands" in client.get(APPEALS).content.decode()
