from __future__ import annotations

import re

import pytest
from conftest import TEST_PASSWORD
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User

pytestmark = pytest.mark.django_db


def edit_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "pronouns": "they/them",
        "bio": "Gardener. Takes things one day at a time.",
        "lived_experience": ["anxiety", "grief"],
        "language": "fr",
        "region": "US",
        "email": "river@example.org",
    }
    data.update(overrides)
    return data


class TestProfilePage:
    def test_shows_public_details_but_never_the_email(self, make_user, client_for) -> None:
        make_user(
            "Rowan",
            pronouns="she/her",
            bio="Here to listen.",
            lived_experience=["bipolar"],
            email="secret@example.org",
        )
        viewer = make_user("Ash")
        response = client_for(viewer).get(reverse("accounts:profile", args=["Rowan"]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Rowan" in html
        assert "she/her" in html
        assert "Here to listen." in html
        assert "bipolar" in html
        assert "Joined" in html
        assert "secret@example.org" not in html
        assert "Generate new recovery codes" not in html
        assert reverse("accounts:profile_edit") not in html

    def test_own_profile_has_account_tools(self, make_user, client_for) -> None:
        user = make_user("Rowan", email="mine@example.org")
        html = client_for(user).get(reverse("accounts:profile", args=["Rowan"])).content.decode()
        assert "mine@example.org" in html
        assert reverse("accounts:profile_edit") in html
        assert reverse("accounts:password_change") in html
        assert "You have 0 unused recovery codes." in html

    def test_handle_in_any_case_leads_to_the_profile(self, make_user, client_for) -> None:
        make_user("Rowan")
        response = client_for(make_user()).get(reverse("accounts:profile", args=["rOWAN"]))
        assert response.status_code == 301
        assert response["Location"] == reverse("accounts:profile", args=["Rowan"])

    def test_unknown_or_paused_members_are_not_found(self, make_user, client_for) -> None:
        make_user("Paused", is_active=False)
        client = client_for(make_user())
        assert client.get(reverse("accounts:profile", args=["nobody"])).status_code == 404
        assert client.get(reverse("accounts:profile", args=["Paused"])).status_code == 404

    def test_role_badges(self, role_users, client_for, member) -> None:
        client = client_for(member)
        html = client.get(
            reverse("accounts:profile", args=["user_peer_supporter"])
        ).content.decode()
        assert "Peer supporter</span>" in html
        html = client.get(reverse("accounts:profile", args=["user_moderator"])).content.decode()
        assert "Moderator</span>" in html
        html = client.get(reverse("accounts:profile", args=["user_member"])).content.decode()
        assert "role-badge" not in html


class TestProfileEdit:
    def test_form_shows_current_values(self, make_user, client_for) -> None:
        user = make_user("Rowan", pronouns="she/her", lived_experience=["grief"])
        html = client_for(user).get(reverse("accounts:profile_edit")).content.decode()
        assert 'value="she/her"' in html
        assert re.search(r'value="grief"[^>]*checked', html)
        assert not re.search(r'value="anxiety"[^>]*checked', html)
        assert "<legend>" in html  # the checkboxes are a labelled group

    def test_saving(self, member, client_for) -> None:
        response = client_for(member).post(reverse("accounts:profile_edit"), edit_data())
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:profile", args=[member.handle])
        member.refresh_from_db()
        assert member.pronouns == "they/them"
        assert member.bio.startswith("Gardener")
        assert member.lived_experience == ["anxiety", "grief"]
        assert member.language == "fr"
        assert member.region == "US"
        assert member.email == "river@example.org"

    def test_saved_language_is_used(self, member, client_for) -> None:
        client = client_for(member)
        client.post(reverse("accounts:profile_edit"), edit_data(language="de"))
        response = client.get(reverse("accounts:profile", args=[member.handle]))
        assert response.headers.get("Content-Language") == "de"

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"bio": "x" * 501}, "at most 500 characters"),
            ({"lived_experience": ["astrology"]}, "Select a valid choice"),
            ({"email": "nope"}, "Enter a valid email address"),
            ({"language": "xx"}, "Select a valid choice"),
        ],
    )
    def test_errors_keep_what_was_typed(self, member, client_for, overrides, message) -> None:
        response = client_for(member).post(reverse("accounts:profile_edit"), edit_data(**overrides))
        html = response.content.decode()
        assert response.status_code == 200
        assert message in html
        assert 'value="they/them"' in html
        member.refresh_from_db()
        assert member.pronouns == ""

    def test_email_can_be_removed(self, make_user, client_for) -> None:
        user = make_user("Rowan", email="old@example.org")
        client_for(user).post(reverse("accounts:profile_edit"), edit_data(email=""))
        user.refresh_from_db()
        assert user.email == ""


class TestPasswordChange:
    def test_change_password_keeps_the_member_signed_in(self, member, client_for) -> None:
        client = client_for(member)
        new = "bright-morning-walks-5"
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.check_password(new)
        assert client.get(reverse("accounts:profile", args=[member.handle])).status_code == 200

    def test_wrong_old_password_is_refused(self, member, client_for) -> None:
        new = "bright-morning-walks-5"
        response = client_for(member).post(
            reverse("accounts:password_change"),
            {"old_password": "wrong", "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 200
        assert User.objects.get(pk=member.pk).check_password(TEST_PASSWORD)

    def test_needs_sign_in(self) -> None:
        response = Client().get(reverse("accounts:password_change"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
