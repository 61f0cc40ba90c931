"""Every accounts page, for a visitor and for each role: who gets in, who is turned away."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.roles import Role

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ROLES = [role.value for role in Role]

# (url name, args, expected for a visitor, expected for a signed-in member).
# "login" means a redirect to the log-in page; a number is the status code.
PAGES = [
    ("accounts:signup", [], 200, 302),
    ("accounts:signup_done", [], "login", 200),
    ("accounts:login", [], 200, 302),
    ("accounts:password_reset", [], 200, 200),
    ("accounts:password_reset_done", [], 200, 200),
    ("accounts:password_reset_complete", [], 200, 200),
    ("accounts:recover", [], 200, 302),
    ("accounts:password_change", [], "login", 200),
    ("accounts:recovery_codes", [], "login", 302),
    ("accounts:accept_policies", [], "login", 302),
    ("accounts:policy", ["agreement"], 200, 200),
    ("accounts:policy", ["privacy"], 200, 200),
    ("accounts:profile_edit", [], "login", 200),
    ("accounts:profile", ["user_member"], "login", 200),
]


def check(response, expected) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("name", "args", "visitor", "_member"), PAGES)
def test_visitor(role_users, name, args, visitor, _member) -> None:
    check(Client().get(reverse(name, args=args)), visitor)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "_visitor", "signed_in"), PAGES)
def test_each_role(role_users, client_for, role, name, args, _visitor, signed_in) -> None:
    check(client_for(role_users[role]).get(reverse(name, args=args)), signed_in)


@pytest.mark.parametrize("role", ROLES)
def test_member_roles_page_is_for_administrators_only(role_users, client_for, role) -> None:
    response = client_for(role_users[role]).get(
        reverse("accounts:member_roles", args=["user_member"])
    )
    assert response.status_code == (200 if role == Role.ADMINISTRATOR else 403)


def test_member_roles_page_for_visitors() -> None:
    check(Client().get(reverse("accounts:member_roles", args=["anyone"])), "login")


@pytest.mark.parametrize("role", ROLES)
def test_logout_for_each_role(role_users, client_for, role) -> None:
    client = client_for(role_users[role])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302


@pytest.mark.parametrize(
    "name", ["accounts:recovery_codes_regenerate", "accounts:profile_edit", "accounts:logout"]
)
def test_visitor_posts(name) -> None:
    response = Client().post(reverse(name), {})
    assert response.status_code == 302
