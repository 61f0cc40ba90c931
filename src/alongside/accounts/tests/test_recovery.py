from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from conftest import TEST_PASSWORD
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import RecoveryCode
from alongside.accounts.ratelimit import RECOVERY_FAILURES_PER_ADDRESS
from alongside.accounts.services import recovery_codes_generate
from alongside.accounts.views import RECOVERY_CODES_SESSION_KEY

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "gentle-rain-on-slate-31"


def recover(client: Client, handle: str, code: str, password: str = NEW_PASSWORD, **extra):
    return client.post(
        reverse("accounts:recover"),
        {"handle": handle, "code": code, "new_password1": password, "new_password2": password},
        **extra,
    )


class TestRecoveryCodes:
    def test_a_code_sets_a_new_password_signs_in_and_is_used_up(self, make_user) -> None:
        user = make_user("Fern")
        codes = recovery_codes_generate(user=user)
        client = Client()
        response = recover(client, "fern", codes[3].upper())
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:profile", args=["Fern"])
        assert int(client.session[SESSION_KEY]) == user.pk
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)
        assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
        page = client.get(response["Location"]).content.decode()
        assert "You have 9 recovery codes left" in page

    def test_a_code_works_only_once(self, make_user) -> None:
        user = make_user("Fern")
        code = recovery_codes_generate(user=user)[0]
        assert recover(Client(), "Fern", code).status_code == 302
        response = recover(Client(), "Fern", code, password="another-fine-passphrase-8")
        assert response.status_code == 200
        assert "don&#x27;t match, or the code has been used already" in response.content.decode()
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)

    def test_codes_are_accepted_without_dashes_or_with_spaces(self, make_user) -> None:
        user = make_user("Fern")
        code = recovery_codes_generate(user=user)[0]
        assert recover(Client(), "Fern", f"  {code.replace('-', ' ')} ").status_code == 302

    @pytest.mark.parametrize("case", ["wrong code", "unknown handle", "other member's code"])
    def test_failures_give_one_generic_error_and_keep_the_handle(self, make_user, case) -> None:
        fern = make_user("Fern")
        other = make_user("Moss")
        fern_code = recovery_codes_generate(user=fern)[0]
        other_code = recovery_codes_generate(user=other)[0]
        handle, code = {
            "wrong code": ("Fern", "aaaa-bbbb-cccc"),
            "unknown handle": ("Nobody_here", fern_code),
            "other member's code": ("Fern", other_code),
        }[case]
        response = recover(Client(), handle, code)
        html = response.content.decode()
        assert response.status_code == 200
        assert "That handle and recovery code don&#x27;t match" in html
        assert f'value="{handle}"' in html
        fern.refresh_from_db()
        assert fern.check_password(TEST_PASSWORD)

    def test_password_rules_apply_and_do_not_use_up_the_code(self, make_user) -> None:
        user = make_user("Fern")
        code = recovery_codes_generate(user=user)[0]
        response = recover(Client(), "Fern", code, password="short")
        assert "too short" in response.content.decode()
        assert not RecoveryCode.objects.filter(used_at__isnull=False).exists()

    def test_inactive_members_cannot_recover(self, make_user) -> None:
        user = make_user("Fern", is_active=False)
        code = recovery_codes_generate(user=user)[0]
        assert recover(Client(), "Fern", code).status_code == 200
        user.refresh_from_db()
        assert user.check_password(TEST_PASSWORD)

    def test_attempts_are_rate_limited_per_handle_and_address(self, make_user) -> None:
        user = make_user("Fern")
        code = recovery_codes_generate(user=user)[0]
        client = Client()
        for i in range(RECOVERY_FAILURES_PER_ADDRESS):
            recover(client, "Fern", f"wrong-{i}", REMOTE_ADDR="10.0.0.1")
        blocked = recover(client, "FERN", code, REMOTE_ADDR="10.0.0.1")
        assert blocked.status_code == 429
        assert "too many tries" in blocked.content.decode()
        user.refresh_from_db()
        assert user.check_password(TEST_PASSWORD)
        # Another address is not blocked by someone else's guessing.
        assert recover(Client(), "Fern", code, REMOTE_ADDR="10.0.0.2").status_code == 302

    def test_recovering_clears_a_login_lockout_from_that_address(self, make_user) -> None:
        user = make_user("Fern")
        code = recovery_codes_generate(user=user)[0]
        for i in range(5):
            Client().post(
                reverse("accounts:login"),
                {"username": "fern", "password": f"wrong-{i}"},
                REMOTE_ADDR="10.0.0.1",
            )
        assert AccessAttempt.objects.exists()
        recover(Client(), "Fern", code, REMOTE_ADDR="10.0.0.1")
        assert not AccessAttempt.objects.exists()
        client = Client()
        response = client.post(
            reverse("accounts:login"),
            {"username": "Fern", "password": NEW_PASSWORD},
            REMOTE_ADDR="10.0.0.1",
        )
        assert response.status_code == 302

    def test_signed_in_members_are_sent_to_change_password(self, member, client_for) -> None:
        response = client_for(member).get(reverse("accounts:recover"))
        assert response["Location"] == reverse("accounts:password_change")


class TestRegenerateCodes:
    def test_profile_offers_new_codes_which_replace_the_old(self, make_user, client_for) -> None:
        user = make_user("Fern", email="fern@example.org")
        old = recovery_codes_generate(user=user)
        client = client_for(user)
        profile = client.get(reverse("accounts:profile", args=["Fern"])).content.decode()
        assert "Generate new recovery codes" in profile
        assert reverse("accounts:recovery_codes_regenerate") in profile

        response = client.post(
            reverse("accounts:recovery_codes_regenerate"), {"password": TEST_PASSWORD}
        )
        assert response["Location"] == reverse("accounts:recovery_codes")
        page = client.get(reverse("accounts:recovery_codes")).content.decode()
        new = re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", page)
        assert len(new) == 10
        assert not set(new) & set(old)
        assert RecoveryCode.objects.filter(user=user).count() == 10
        # Shown once.
        again = client.get(reverse("accounts:recovery_codes"))
        assert again.status_code == 302
        # Old codes no longer work; new ones do.
        assert recover(Client(), "Fern", old[0]).status_code == 200
        assert recover(Client(), "Fern", new[0]).status_code == 302

    def test_new_codes_need_the_password(self, member, client_for) -> None:
        client = client_for(member)
        response = client.post(reverse("accounts:recovery_codes_regenerate"), {"password": "no"})
        assert response.status_code == 302
        assert RECOVERY_CODES_SESSION_KEY not in client.session
        assert not RecoveryCode.objects.filter(user=member).exists()

    def test_new_codes_need_post_and_sign_in(self, member, client_for) -> None:
        url = reverse("accounts:recovery_codes_regenerate")
        assert client_for(member).get(url).status_code == 405
        assert Client().post(url, {"password": TEST_PASSWORD}).status_code == 302
        assert not RecoveryCode.objects.exists()


class TestPasswordResetByEmail:
    def request_reset(self, email: str):
        return Client().post(reverse("accounts:password_reset"), {"email": email})

    def test_email_link_lets_the_member_choose_a_new_password(self, make_user) -> None:
        user = make_user("Fern", email="fern@example.org")
        response = self.request_reset("FERN@example.org")
        assert response["Location"] == reverse("accounts:password_reset_done")
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["fern@example.org"]
        assert "Alongside" in message.subject
        assert "Fern" in message.body
        link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", str(message.body))
        assert link
        client = Client()
        form_page = client.get(link.group(1), follow=True)
        assert form_page.status_code == 200
        assert 'name="new_password1"' in form_page.content.decode()
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert done["Location"] == reverse("accounts:password_reset_complete")
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)

    def test_unknown_address_looks_the_same_and_sends_nothing(self, make_user) -> None:
        make_user("Fern", email="fern@example.org")
        response = self.request_reset("someone@example.org")
        assert response["Location"] == reverse("accounts:password_reset_done")
        assert mail.outbox == []

    def test_only_active_members_with_a_usable_password_are_found(self, make_user) -> None:
        make_user("Paused", email="shared@example.org", is_active=False)
        unusable = make_user("Unusable", email="shared@example.org")
        unusable.set_unusable_password()
        unusable.save()
        make_user("Active", email="shared@example.org")
        self.request_reset("shared@example.org")
        assert len(mail.outbox) == 1
        assert "Active" in mail.outbox[0].body

    def test_pages_render(self) -> None:
        client = Client()
        for name in ("password_reset", "password_reset_done", "password_reset_complete"):
            assert client.get(reverse(f"accounts:{name}")).status_code == 200
        bad = client.get(reverse("accounts:password_reset_confirm", args=["xx", "set-password"]))
        assert "This link doesn" in bad.content.decode()
