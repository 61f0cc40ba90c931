"""Who may talk one-to-one: the age band asked at sign-up, supporters' background checks, and
moderators letting a new account start one-to-ones before the usual bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import AgeBand, User
from alongside.chat import policy, services
from alongside.chat.models import Conversation, DirectMessagingApproval
from alongside.chat.tests.rooms_helpers import flashed, join
from alongside.communities import services as group_services
from alongside.safety.models import AuditEntry

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
MakeUser = Callable[..., User]

PASSWORD = "quiet-harbour-lanterns-7"
EXPLANATION = "We ask only an age band, never your birthday, so we can keep young people safe"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signup_data(**overrides: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
        "handle": "young_fern",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "email": "",
        "region": "GB",
        "language": "",
        "accept_agreement": "on",
        "accept_privacy": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def signup(data: dict[str, str]) -> tuple[int, str]:
    response = Client().post(reverse("accounts:signup"), data)
    return response.status_code, response.content.decode()


# --- The age band at sign-up ----------------------------------------------------------------


def test_adults_only_by_default_asks_no_age_band() -> None:
    html = Client().get(reverse("accounts:signup")).content.decode()
    assert 'name="age_band"' not in html
    assert EXPLANATION not in html
    assert 'name="confirm_adult"' in html
    assert "I am 18 or over" in html


def test_adults_only_asks_for_the_confirmation() -> None:
    status, html = signup(signup_data())
    assert status == 200
    assert "This community is for adults. Please confirm you are 18 or over." in html
    assert 'value="young_fern"' in html
    assert not User.objects.filter(handle="young_fern").exists()


def test_adults_only_keeps_the_band_blank() -> None:
    status, _html = signup(signup_data(confirm_adult="on", age_band=AgeBand.UNDER_16))
    assert status == 302
    user = User.objects.get(handle="young_fern")
    assert user.age_band == ""
    assert not user.is_minor


@override_settings(ADMITS_UNDER_18=True)
def test_admitting_under_18s_asks_the_band_and_says_why() -> None:
    html = Client().get(reverse("accounts:signup")).content.decode()
    assert 'name="age_band"' in html
    for band in AgeBand:
        assert f'value="{band.value}"' in html
    assert EXPLANATION in html
    assert "adults can't start private conversations with under-18s" in unescape(html)
    assert 'name="confirm_adult"' not in html


@override_settings(ADMITS_UNDER_18=True)
def test_admitting_under_18s_needs_a_band() -> None:
    status, html = signup(signup_data())
    assert status == 200
    assert "Please choose your age band." in html
    assert 'value="young_fern"' in html
    assert not User.objects.filter(handle="young_fern").exists()


@override_settings(ADMITS_UNDER_18=True)
@pytest.mark.parametrize(
    ("band", "minor"),
    [(AgeBand.UNDER_16, True), (AgeBand.UNDER_18, True), (AgeBand.ADULT, False)],
)
def test_admitting_under_18s_saves_the_band(band: str, minor: bool) -> None:
    status, _html = signup(signup_data(age_band=band))
    assert status == 302
    user = User.objects.get(handle="young_fern")
    assert user.age_band == band
    assert user.is_minor is minor


@override_settings(ADMITS_UNDER_18=True)
def test_an_unknown_band_is_refused() -> None:
    status, html = signup(signup_data(age_band="12"))
    assert status == 200
    assert "Select a valid choice" in html


# --- Background checks ----------------------------------------------------------------------


@pytest.fixture
def supporter(make_user: MakeUser) -> User:
    return make_user("birch_supports", role="peer_supporter")


def check_url(member: User) -> str:
    return reverse("accounts:member_background_check", kwargs={"handle": member.handle})


def roles_url(member: User) -> str:
    return reverse("accounts:member_roles", kwargs={"handle": member.handle})


def test_administrators_record_a_cleared_check(
    make_user: MakeUser, supporter: User, client_for: ClientFor
) -> None:
    admin = make_user("ada_admin", role="administrator")
    html = client_for(admin).get(roles_url(supporter)).content.decode()
    assert "No background check recorded." in html
    assert "Mark the background check as cleared" in html

    cleared_on = timezone.localdate() - timedelta(days=3)
    response = client_for(admin).post(
        check_url(supporter), {"action": "set", "cleared_on": cleared_on.isoformat()}
    )
    assert response.status_code == 302
    assert response["Location"] == roles_url(supporter)
    assert flashed(response) == ["Saved: birch_supports's background check has cleared."]
    supporter.refresh_from_db()
    assert supporter.background_check_cleared_at is not None
    assert timezone.localtime(supporter.background_check_cleared_at).date() == cleared_on
    entry = AuditEntry.objects.get(action="background_check_set")
    assert (entry.actor, entry.member) == (admin, supporter)
    assert entry.detail == {"cleared_on": cleared_on.isoformat()}

    html = client_for(admin).get(roles_url(supporter)).content.decode()
    assert f"Background check cleared on {cleared_on.day} " in html

    response = client_for(admin).post(check_url(supporter), {"action": "clear"})
    assert flashed(response) == ["The background check record for birch_supports is removed."]
    supporter.refresh_from_db()
    assert supporter.background_check_cleared_at is None
    assert AuditEntry.objects.filter(action="background_check_clear", member=supporter).exists()


def test_a_check_is_only_for_peer_supporters(
    make_user: MakeUser, member: User, client_for: ClientFor
) -> None:
    admin = make_user("ada_admin", role="administrator")
    assert "Background check" not in client_for(admin).get(roles_url(member)).content.decode()
    response = client_for(admin).post(
        check_url(member), {"action": "set", "cleared_on": timezone.localdate().isoformat()}
    )
    assert flashed(response) == ["Background checks are recorded only for peer supporters."]
    member.refresh_from_db()
    assert member.background_check_cleared_at is None
    assert not AuditEntry.objects.filter(action="background_check_set").exists()


@pytest.mark.parametrize(
    ("cleared_on", "problem"),
    [
        ("", "Please give the date the check cleared."),
        ("yesterday", "Enter a valid date."),
        ("2999-01-01", "The date the check cleared can't be in the future."),
    ],
)
def test_a_check_needs_a_real_date(
    make_user: MakeUser, supporter: User, client_for: ClientFor, cleared_on: str, problem: str
) -> None:
    admin = make_user("ada_admin", role="administrator")
    response = client_for(admin).post(
        check_url(supporter), {"action": "set", "cleared_on": cleared_on}
    )
    assert flashed(response) == [problem]
    supporter.refresh_from_db()
    assert supporter.background_check_cleared_at is None


@pytest.mark.parametrize("role", ["member", "peer_supporter", "moderator"])
def test_only_administrators_record_checks(
    make_user: MakeUser, supporter: User, client_for: ClientFor, role: str
) -> None:
    person = make_user("not_an_admin", role=role)
    client = client_for(person)
    assert client.post(check_url(supporter), {"cleared_on": "2024-01-01"}).status_code == 403
    assert client.post(check_url(supporter), {"action": "clear"}).status_code == 403
    supporter.refresh_from_db()
    assert supporter.background_check_cleared_at is None


@override_settings(ADMITS_UNDER_18=True)
def test_a_cleared_check_lets_a_supporter_talk_with_an_under_18(
    make_user: MakeUser, supporter: User, client_for: ClientFor
) -> None:
    young = make_user("young_reed", age_band=AgeBand.UNDER_18)
    with pytest.raises(ValidationError, match="background-checked peer supporter"):
        services.direct_open(initiator=supporter, recipient=young)
    admin = make_user("ada_admin", role="administrator")
    client_for(admin).post(check_url(supporter), {"cleared_on": timezone.localdate().isoformat()})
    supporter.refresh_from_db()
    conversation = services.direct_open(initiator=supporter, recipient=young)
    assert conversation.kind == Conversation.Kind.DIRECT


# --- Moderators' approval for one-to-ones ---------------------------------------------------


@pytest.fixture
def newcomer(make_user: MakeUser) -> User:
    return make_user("new_willow", date_joined=timezone.now())


@pytest.fixture
def neighbour(make_user: MakeUser, newcomer: User) -> User:
    """Someone who shares a group with the newcomer, so only the bar stands in the way."""
    admin = make_user("ada_admin", role="administrator")
    group = group_services.group_create(actor=admin, name="Quiet corner")
    person = make_user("old_oak")
    join(person, group)
    join(newcomer, group)
    return person


def member_url(person: User) -> str:
    return reverse("safety_moderation:member", kwargs={"member_id": person.pk})


def approve_url(person: User) -> str:
    return reverse("safety_moderation:member_direct_approve", kwargs={"member_id": person.pk})


def test_moderators_let_a_new_account_start_one_to_ones(
    make_user: MakeUser, newcomer: User, neighbour: User, client_for: ClientFor
) -> None:
    moderator = make_user("morgan_mod", role="moderator")
    assert policy.direct_bar_refusal(newcomer) is not None
    assert not policy.may_open_direct(newcomer, neighbour)
    html = client_for(moderator).get(member_url(newcomer)).content.decode()
    assert "Can't start one-to-one conversations yet" in unescape(html)
    assert "Allow one-to-one conversations now" in html

    response = client_for(moderator).post(approve_url(newcomer))
    assert response.status_code == 302
    assert response["Location"] == member_url(newcomer)
    assert flashed(response) == ["new_willow can now start one-to-one conversations."]
    approval = DirectMessagingApproval.objects.get(user=newcomer)
    assert approval.approved_by == moderator
    entry = AuditEntry.objects.get(action="chat_direct_approve")
    assert (entry.actor, entry.member) == (moderator, newcomer)

    html = client_for(moderator).get(member_url(newcomer)).content.decode()
    assert "Allowed by morgan_mod on" in html
    assert "Allow one-to-one conversations now" not in html
    assert policy.direct_bar_refusal(newcomer) is None
    conversation = services.direct_open(initiator=newcomer, recipient=neighbour)
    assert conversation.kind == Conversation.Kind.DIRECT


def test_the_page_says_when_an_account_passes_the_bar(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    moderator = make_user("morgan_mod", role="moderator")
    supporter = make_user("birch_supports", role="peer_supporter", date_joined=timezone.now())
    html = client_for(moderator).get(member_url(supporter)).content.decode()
    assert "Can start one-to-one conversations: the account passes the bar" in html
    assert "Allow one-to-one conversations now" in html
    own = client_for(moderator).get(member_url(moderator)).content.decode()
    assert "Allow one-to-one conversations now" not in own


@pytest.mark.parametrize("role", ["member", "peer_supporter"])
def test_only_moderators_approve(
    make_user: MakeUser, newcomer: User, client_for: ClientFor, role: str
) -> None:
    person = make_user("not_a_mod", role=role)
    assert client_for(person).post(approve_url(newcomer)).status_code == 403
    assert client_for(person).get(member_url(newcomer)).status_code == 403
    assert not DirectMessagingApproval.objects.exists()
    assert not AuditEntry.objects.filter(action="chat_direct_approve").exists()


def test_approval_needs_a_post(make_user: MakeUser, newcomer: User, client_for: ClientFor) -> None:
    moderator = make_user("morgan_mod", role="moderator")
    assert client_for(moderator).get(approve_url(newcomer)).status_code == 405
    assert not DirectMessagingApproval.objects.exists()
