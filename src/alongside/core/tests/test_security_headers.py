"""Security headers, CSRF and cookie flags, as a browser would receive them.

Every response (pages for visitors and members, API JSON, errors, redirects) carries a strict
Content-Security-Policy and the other protective headers. Forms and the API refuse unsafe
requests without the CSRF token, and change nothing when they do. In production mode (a
separate process, since settings are read at import) responses add HSTS, plain HTTP is
redirected to HTTPS and the session and CSRF cookies are Secure, with ``__Host-`` names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from http.cookies import Morsel
from pathlib import Path

import pytest
from conftest import TEST_PASSWORD, MakeUser
from django.conf import settings
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Group, Membership, Post, Thread

pytestmark = pytest.mark.django_db

SRC_DIR = Path(__file__).resolve().parents[3]


# --- Helpers --------------------------------------------------------------------------------


def csp_directives(response: HttpResponseBase) -> dict[str, list[str]]:
    """The enforced policy, as directive name -> sources (exactly one header, no duplicates)."""
    assert "Content-Security-Policy-Report-Only" not in response.headers
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.status_code} response"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if not words:
            continue
        name = words[0].lower()
        assert name not in directives, f"{name} appears twice in {header!r}"
        directives[name] = words[1:]
    return directives


def assert_strict_csp(response: HttpResponseBase) -> None:
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    style = directives.get("style-src", directives["default-src"])
    assert "'unsafe-inline'" not in style
    # Nothing anywhere may re-enable inline code, eval, or any origin but our own.
    for name, sources in directives.items():
        for source in sources:
            assert source not in {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"}, name
            assert source != "*" and not source.startswith(("http:", "https:")), (name, source)


def assert_security_headers(response: HttpResponseBase) -> None:
    assert_strict_csp(response)
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin"


def csrf_token(client: Client) -> str:
    """The CSRF cookie's value, which Django accepts as the form token too."""
    return client.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("ada", role="administrator")


@pytest.fixture
def group(admin: User) -> Group:
    return services.group_create(
        actor=admin, name="Quiet corner", description="A calm place.", visibility="open"
    )


@pytest.fixture
def thread(group: Group, member: User) -> Thread:
    services.group_join(user=member, group=group)
    return services.thread_create(author=member, group=group, title="Hard week", body="Hello")


# --- Headers on every kind of response ------------------------------------------------------


def test_anonymous_page(db: None) -> None:
    response = Client().get(reverse("core:home"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_signed_in_pages(
    member: User, thread: Thread, client_for: Callable[[User], Client]
) -> None:
    client = client_for(member)
    urls = [
        reverse("communities:feed"),
        reverse("communities:group_detail", args=[thread.group.slug]),
        reverse("communities:thread_detail", args=[thread.group.slug, thread.pk]),
        reverse("notifications:list"),
        reverse("accounts:profile", args=[member.handle]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_api_json(member: User, group: Group, client_for: Callable[[User], Client]) -> None:
    response = client_for(member).get(f"/api/v1/groups/{group.slug}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert_security_headers(response)


def test_api_refusal_json(db: None) -> None:
    response = Client().get("/api/v1/groups/")
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert_security_headers(response)


@pytest.mark.parametrize(
    "url", ["/no-such-page/", "/accounts/policies/no-such-policy/", "/api/v1/nope"]
)
def test_not_found(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 404
    assert_security_headers(response)


def test_redirect_to_login(db: None) -> None:
    response = Client().get(reverse("communities:feed"))
    assert response.status_code == 302
    assert_security_headers(response)


def test_static_files_are_not_sniffed(db: None) -> None:
    """WhiteNoise answers before the CSP middleware, but the security middleware still adds
    nosniff, so a static file is only ever used as the type it is served as."""
    response = Client().get(f"{settings.STATIC_URL}alongside/alongside.js")
    assert response.status_code == 200
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert "javascript" in response.headers["Content-Type"]


# --- CSRF -----------------------------------------------------------------------------------


def test_reply_without_csrf_token_is_refused(member: User, thread: Thread) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = reverse("communities:thread_reply", args=[thread.group.slug, thread.pk])
    posts = Post.objects.count()

    refused = client.post(url, {"body": "Forged reply"})
    assert refused.status_code == 403
    assert_security_headers(refused)
    assert Post.objects.count() == posts

    # The same request with the token goes through, so the 403 above was the CSRF check.
    client.get(reverse("communities:thread_detail", args=[thread.group.slug, thread.pk]))
    accepted = client.post(url, {"body": "A real reply", "csrfmiddlewaretoken": csrf_token(client)})
    assert accepted.status_code == 302
    assert Post.objects.count() == posts + 1


def test_join_without_csrf_token_is_refused(make_user: MakeUser, group: Group) -> None:
    outsider = make_user("sam")
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)
    url = reverse("communities:group_join", args=[group.slug])

    assert client.post(url).status_code == 403
    assert not Membership.objects.filter(user=outsider, group=group).exists()

    client.get(reverse("communities:group_detail", args=[group.slug]))
    accepted = client.post(url, {"csrfmiddlewaretoken": csrf_token(client)})
    assert accepted.status_code == 302
    assert Membership.objects.filter(user=outsider, group=group).exists()


def test_login_without_csrf_token_is_refused(member: User) -> None:
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": member.handle, "password": TEST_PASSWORD}

    refused = client.post(reverse("accounts:login"), credentials)
    assert refused.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in refused.cookies
    assert client.get(reverse("communities:feed")).status_code == 302  # still signed out

    client.get(reverse("accounts:login"))
    accepted = client.post(
        reverse("accounts:login"), {**credentials, "csrfmiddlewaretoken": csrf_token(client)}
    )
    assert accepted.status_code == 302
    assert client.get(reverse("communities:feed")).status_code == 200


def test_api_post_without_csrf_token_is_refused(
    make_user: MakeUser, group: Group, thread: Thread
) -> None:
    outsider = make_user("sam")
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)

    response = client.post(f"/api/v1/groups/{group.slug}/join", {}, content_type="application/json")
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider, group=group).exists()

    client.get(reverse("communities:group_list"))
    accepted = client.post(
        f"/api/v1/groups/{group.slug}/join",
        {},
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert accepted.status_code == 200
    assert Membership.objects.filter(user=outsider, group=group).exists()


# --- Cookies --------------------------------------------------------------------------------


def test_session_and_csrf_cookie_flags(member: User) -> None:
    client = Client()
    page = client.get(reverse("accounts:login"))
    csrf: Morsel[str] = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["samesite"] == "Lax"

    response = client.post(
        reverse("accounts:login"), {"username": member.handle, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    session: Morsel[str] = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]


# --- Production mode ------------------------------------------------------------------------

PRODUCTION_SCRIPT = textwrap.dedent(
    """
    import json

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from alongside.accounts.models import User

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    User.objects.create_user("river", "a-long-test-passphrase-42")

    def cookie(morsel):
        return {
            "name": morsel.key,
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
            "path": morsel["path"],
            "domain": morsel["domain"],
        }

    result = {
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
    }

    plain = Client(HTTP_HOST="example.org").get("/groups/?page=2")
    result["http"] = {"status": plain.status_code, "location": plain.headers.get("Location")}
    proxied = Client(HTTP_HOST="example.org", HTTP_X_FORWARDED_PROTO="http").get("/")
    result["proxied_http"] = {
        "status": proxied.status_code,
        "location": proxied.headers.get("Location"),
    }

    client = Client(HTTP_HOST="example.org", enforce_csrf_checks=True)
    home = client.get("/", secure=True)
    result["https"] = {"status": home.status_code, "headers": dict(home.headers)}
    behind_proxy = Client(HTTP_HOST="example.org", HTTP_X_FORWARDED_PROTO="https").get("/")
    result["proxied_https"] = {
        "status": behind_proxy.status_code,
        "hsts": behind_proxy.headers.get("Strict-Transport-Security"),
    }

    login_page = client.get("/accounts/login/", secure=True)
    csrf = login_page.cookies[settings.CSRF_COOKIE_NAME]
    result["csrf_cookie"] = cookie(csrf)
    login = client.post(
        "/accounts/login/",
        {
            "username": "river",
            "password": "a-long-test-passphrase-42",
            "csrfmiddlewaretoken": csrf.value,
        },
        secure=True,
        HTTP_REFERER="https://example.org/accounts/login/",
    )
    result["login_status"] = login.status_code
    result["session_cookie"] = cookie(login.cookies[settings.SESSION_COOKIE_NAME])
    print(json.dumps(result))
    """
)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What a production-mode process sends, measured in that process and printed as JSON."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ALONGSIDE_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "alongside.settings",
            "ALONGSIDE_PRODUCTION": "1",
            "ALONGSIDE_SECRET_KEY": "x" * 60,
            "ALONGSIDE_DATA_DIR": str(tmp_path_factory.mktemp("production")),
            "ALONGSIDE_ALLOWED_HOSTS": "example.org",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC_DIR), env.get("PYTHONPATH")])),
        }
    )
    completed = subprocess.run(
        [sys.executable, "-c", PRODUCTION_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
def test_production_sends_hsts(production: dict) -> None:
    https = production["https"]
    assert https["status"] == 200
    hsts = [part.strip() for part in https["headers"]["Strict-Transport-Security"].split(";")]
    max_age = next(part for part in hsts if part.startswith("max-age="))
    assert int(max_age.removeprefix("max-age=")) >= 31_536_000
    assert "includeSubDomains" in hsts
    # Behind the proxy, its X-Forwarded-Proto header decides.
    assert production["proxied_https"]["status"] == 200
    assert production["proxied_https"]["hsts"] == https["headers"]["Strict-Transport-Security"]


@pytest.mark.slow
def test_production_keeps_the_strict_headers(production: dict) -> None:
    response = HttpResponse()
    for name, value in production["https"]["headers"].items():
        response.headers[name] = value
    assert_security_headers(response)


@pytest.mark.slow
def test_production_redirects_http_to_https(production: dict) -> None:
    assert production["http"] == {"status": 301, "location": "https://example.org/groups/?page=2"}
    assert production["proxied_http"] == {"status": 301, "location": "https://example.org/"}


@pytest.mark.slow
def test_production_cookies_are_secure_host_cookies(production: dict) -> None:
    assert production["session_cookie_name"].startswith("__Host-")
    assert production["csrf_cookie_name"].startswith("__Host-")
    assert production["login_status"] == 302
    for kind in ("csrf_cookie", "session_cookie"):
        cookie = production[kind]
        assert cookie["name"] == production[f"{kind}_name"]
        # A __Host- cookie is only kept by browsers when Secure, Path=/ and without Domain.
        assert cookie["secure"] is True, kind
        assert cookie["path"] == "/", kind
        assert not cookie["domain"], kind
        assert cookie["samesite"] == "Lax", kind
    assert production["session_cookie"]["httponly"] is True
