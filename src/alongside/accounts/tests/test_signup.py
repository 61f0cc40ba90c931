from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import PolicyAcceptance, PolicyDocument, RecoveryCode, User
from alongside.accounts.roles import Role
from alongside.accounts.selectors import current_policies
from alongside.accounts.views import RECOVERY_CODES_SESSION_KEY

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "quiet-harbour-lanterns-7"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "handle": "SkyWalker_9",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "email": "",
        "region": "IE",
        "language": "es",
        "confirm_adult": "on",
        "accept_agreement": "on",
        "accept_privacy": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_signup_page_offers_every_field_with_labels_and_policy_links() -> None:
    html = Client().get(reverse("accounts:signup")).content.decode()
    for name in ("handle", "password1", "password2", "email", "region", "language"):
        assert f'for="id_{name}"' in html
    assert reverse("accounts:policy", args=["agreement"]) in html
    assert reverse("accounts:policy", args=["privacy"]) in html
    assert "Only used to help you back into your account" in html
    assert '<option value="IE">' in html


def test_signup_without_email_creates_member_with_acceptances_and_codes() -> None:
    client = Client()
    response = client.post(reverse("accounts:signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")

    user = User.objects.get(handle="SkyWalker_9")
    assert user.check_password(GOOD_PASSWORD)
    assert user.region == "IE"
    assert user.language == "es"
    assert user.email == ""
    assert list(user.groups.values_list("name", flat=True)) == [Role.MEMBER]
    accepted = set(PolicyAcceptance.objects.filter(user=user).values_list("document", flat=True))
    assert accepted == {document.pk for document in current_policies()}
    assert len(accepted) == 2
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 10
    assert int(client.session[SESSION_KEY]) == user.pk


def test_signup_accepts_exactly_the_current_versions(publish_v2) -> None:
    new = publish_v2("agreement")
    Client().post(reverse("accounts:signup"), signup_data())
    user = User.objects.get(handle="SkyWalker_9")
    accepted = set(PolicyAcceptance.objects.filter(user=user).values_list("document", flat=True))
    old_agreement = PolicyDocument.objects.get(kind="agreement", version="1")
    assert new.pk in accepted
    assert old_agreement.pk not in accepted


def test_recovery_codes_are_shown_once_then_gone() -> None:
    client = Client()
    client.post(reverse("accounts:signup"), signup_data())
    codes = client.session[RECOVERY_CODES_SESSION_KEY]
    assert len(codes) == 10
    assert len(set(codes)) == 10

    first = client.get(reverse("accounts:signup_done"))
    html = first.content.decode()
    assert first.status_code == 200
    assert all(code in html for code in codes)
    assert "no-store" in first["Cache-Control"] or "no-cache" in first["Cache-Control"]
    assert RECOVERY_CODES_SESSION_KEY not in client.session

    again = client.get(reverse("accounts:signup_done")).content.decode()
    assert not any(code in again for code in codes)


def test_recovery_codes_are_stored_hashed() -> None:
    client = Client()
    client.post(reverse("accounts:signup"), signup_data())
    codes = client.session[RECOVERY_CODES_SESSION_KEY]
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert all(value.startswith("sha256$") for value in stored)
    for code in codes:
        assert not any(code in value or code.replace("-", "") in value for value in stored)


def test_signup_with_email_gives_no_codes_and_a_welcome() -> None:
    client = Client()
    response = client.post(
        reverse("accounts:signup"), signup_data(email="Sky@Example.ORG"), follow=True
    )
    assert response.status_code == 200
    user = User.objects.get(handle="SkyWalker_9")
    assert user.email == "Sky@example.org"
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert "Welcome, SkyWalker_9" in response.content.decode()


def test_taken_handle_ignoring_case_keeps_what_was_typed(make_user) -> None:
    make_user("skywalker_9")
    response = Client().post(
        reverse("accounts:signup"), signup_data(email="me@example.org", region="US")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "That handle is taken" in html
    assert 'value="SkyWalker_9"' in html
    assert 'value="me@example.org"' in html
    assert '<option value="US" selected>' in html
    assert 'aria-invalid="true"' in html
    assert User.objects.filter(handle__iexact="skywalker_9").count() == 1


def test_database_refuses_handles_differing_only_in_case(make_user) -> None:
    make_user("Meadow")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("MEADOW", "whatever-password-1")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-entirely"}, "The two passwords are different"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password1": "password123", "password2": "password123"}, "too common"),
        ({"password1": "skywalker_9x", "password2": "skywalker_9x"}, "too similar"),
        ({"handle": "no spaces!"}, "Use 3 to 30 letters"),
        ({"handle": "ab"}, "Use 3 to 30 letters"),
        ({"handle": "Admin"}, "That handle is reserved"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"accept_agreement": None}, "Please accept the community agreement"),
        ({"accept_privacy": None}, "Please accept the privacy notice"),
        ({"region": "XX"}, "Select a valid choice"),
    ],
)
def test_signup_errors_keep_typed_values(overrides: dict[str, str | None], message: str) -> None:
    data = signup_data(email="keep@example.org")
    for key, value in overrides.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = Client().post(reverse("accounts:signup"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'value="{data["handle"]}"' in html
    if data["email"] == "keep@example.org":
        assert 'value="keep@example.org"' in html
    assert GOOD_PASSWORD not in html  # passwords are never sent back
    assert not User.objects.filter(handle__iexact=data["handle"]).exists()


def test_signed_in_member_is_sent_on_from_signup(member, client_for) -> None:
    response = client_for(member).get(reverse("accounts:signup"))
    assert response.status_code == 302


def test_welcome_page_needs_sign_in() -> None:
    response = Client().get(reverse("accounts:signup_done"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
