from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from conftest import TEST_PASSWORD
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"


def attempt(client: Client, handle: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse(LOGIN), {"username": handle, "password": password}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_login_page_labels_the_field_handle() -> None:
    html = Client().get(reverse(LOGIN)).content.decode()
    assert '<label for="id_username">Handle' in html
    assert 'name="username"' in html
    assert reverse("accounts:recover") in html
    assert reverse("accounts:password_reset") in html


def test_login_ignores_case_of_the_handle(make_user) -> None:
    make_user("Willow")
    client = Client()
    response = attempt(client, "wILLOW", TEST_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_wrong_password_shows_a_kind_error_and_keeps_the_handle(make_user) -> None:
    make_user("Willow")
    client = Client()
    response = attempt(client, "Willow", "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "That handle and password don&#x27;t match" in html
    assert 'value="Willow"' in html
    assert not signed_in(client)


def test_inactive_member_cannot_log_in(make_user) -> None:
    make_user("Willow", is_active=False)
    client = Client()
    attempt(client, "Willow", TEST_PASSWORD)
    assert not signed_in(client)


def test_logout_is_post_only(member, client_for) -> None:
    client = client_for(member)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not signed_in(client)


def test_successful_logins_are_not_logged(make_user) -> None:
    make_user("Willow")
    attempt(Client(), "Willow", TEST_PASSWORD)
    assert not AccessLog.objects.exists()


class TestLockout:
    """django-axes: 5 failures lock a (handle, IP address) pair for the cool-off."""

    def lock(self, handle: str = "Willow", ip: str = "10.0.0.1") -> None:
        client = Client()
        responses = [attempt(client, handle, f"wrong-{i}", ip) for i in range(5)]
        assert [r.status_code for r in responses[:4]] == [200] * 4
        assert responses[4].status_code == 429

    def test_five_wrong_passwords_lock_the_handle_from_that_address(self, make_user) -> None:
        make_user("Willow")
        self.lock()
        client = Client()
        response = attempt(client, "Willow", TEST_PASSWORD)
        assert response.status_code == 429
        assert not signed_in(client)

    def test_lockout_page_is_kind_says_when_and_links_to_recovery(self, make_user) -> None:
        make_user("Willow")
        self.lock()
        response = attempt(Client(), "Willow", TEST_PASSWORD)
        html = response.content.decode()
        assert "Please wait a little" in html
        assert "You can try again in 15 minutes" in html
        assert reverse("accounts:recover") in html
        assert reverse("accounts:password_reset") in html
        assert reverse("core:get_help") in html

    def test_any_case_of_the_handle_counts_together(self, make_user) -> None:
        make_user("Willow")
        client = Client()
        for handle in ("willow", "WILLOW", "Willow", "wIllow"):
            attempt(client, handle, "wrong")
        assert attempt(client, "WiLLoW", "wrong").status_code == 429
        assert attempt(client, "willow", TEST_PASSWORD).status_code == 429

    def test_same_handle_from_another_address_still_logs_in(self, make_user) -> None:
        make_user("Willow")
        self.lock(ip="10.0.0.1")
        client = Client()
        response = attempt(client, "Willow", TEST_PASSWORD, ip="10.0.0.2")
        assert response.status_code == 302
        assert signed_in(client)

    def test_other_handles_from_the_same_address_still_log_in(self, make_user) -> None:
        make_user("Willow")
        make_user("Birch")
        self.lock("Willow")
        client = Client()
        assert attempt(client, "Birch", TEST_PASSWORD).status_code == 302

    def test_lockout_ends_after_the_cool_off(self, make_user) -> None:
        make_user("Willow")
        self.lock()
        AccessAttempt.objects.update(
            attempt_time=AccessAttempt.objects.get().attempt_time
            - settings.AXES_COOLOFF_TIME
            - timedelta(seconds=1)
        )
        client = Client()
        response = attempt(client, "Willow", TEST_PASSWORD)
        assert response.status_code == 302
        assert signed_in(client)

    def test_success_before_the_limit_resets_the_count(self, make_user) -> None:
        make_user("Willow")
        client = Client()
        for i in range(4):
            attempt(client, "Willow", f"wrong-{i}")
        assert attempt(Client(), "Willow", TEST_PASSWORD).status_code == 302
        for i in range(4):
            assert attempt(Client(), "Willow", f"wrong-again-{i}").status_code == 200
