from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.accounts.middleware import ACCEPTED_POLICIES_SESSION_KEY
from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
from alongside.accounts.selectors import current_policy_ids
from alongside.accounts.services import policy_publish

pytestmark = pytest.mark.django_db

ACCEPT = "accounts:accept_policies"


def profile_url(user: User) -> str:
    return reverse("accounts:profile", args=[user.handle])


def accept_redirect(next_url: str) -> str:
    return f"{reverse(ACCEPT)}?next={quote(next_url, safe='')}"


class TestSeededPolicies:
    def test_version_one_of_each_policy_is_published_by_the_migrations(self) -> None:
        documents = {d.kind: d for d in PolicyDocument.objects.filter(version="1")}
        assert set(documents) == {"agreement", "privacy"}
        agreement, privacy = documents["agreement"], documents["privacy"]
        assert agreement.title == "Community agreement"
        assert "No diagnosis and no medical advice" in agreement.body
        assert "Get help now" in agreement.body
        assert privacy.title == "Privacy notice"
        assert "No trackers" in privacy.body
        assert "erase" in privacy.body

    @pytest.mark.parametrize("kind", ["agreement", "privacy"])
    def test_anyone_can_read_the_current_version(self, kind: str) -> None:
        response = Client().get(reverse("accounts:policy", args=[kind]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Version 1, published" in html
        assert "<h3>" in html  # markdown headings rendered below the page title

    def test_unknown_kind_is_not_found(self) -> None:
        assert Client().get(reverse("accounts:policy", args=["cookies"])).status_code == 404
        url = reverse("accounts:policy", args=["agreement"]) + "?version=99"
        assert Client().get(url).status_code == 404

    def test_earlier_versions_stay_readable(self, publish_v2) -> None:
        publish_v2("agreement", summary="Clearer words on content warnings.")
        client = Client()
        current = client.get(reverse("accounts:policy", args=["agreement"])).content.decode()
        assert "Version 2, published" in current
        assert "Clearer words on content warnings." in current
        assert "?version=1" in current
        old = client.get(reverse("accounts:policy", args=["agreement"]) + "?version=1")
        assert "This is an earlier version." in old.content.decode()


class TestPublishing:
    def test_publish_makes_the_new_version_current(self, publish_v2) -> None:
        before = current_policy_ids()
        document = publish_v2("privacy")
        after = current_policy_ids()
        assert after["privacy"] == document.pk
        assert after["agreement"] == before["agreement"]

    def test_same_version_twice_is_refused(self, publish_v2) -> None:
        publish_v2("agreement")
        with pytest.raises(ValidationError):
            publish_v2("agreement")

    def test_unknown_kind_and_empty_text_are_refused(self) -> None:
        with pytest.raises(ValidationError):
            policy_publish(kind="cookies", version="2", title="x", body="text")
        with pytest.raises(ValidationError):
            policy_publish(kind="agreement", version="2", title="x", body="  ")

    def test_management_command_publishes_a_file(self, tmp_path: Path) -> None:
        path = tmp_path / "agreement-v2.md"
        path.write_text("# Our community agreement\n\n## Be kind\n\nAlways.\n", encoding="utf-8")
        call_command(
            "publish_policy",
            "--kind=agreement",
            "--version=2",
            f"--file={path}",
            "--summary=Shorter.",
        )
        document = PolicyDocument.objects.get(kind="agreement", version="2")
        assert document.title == "Our community agreement"
        assert document.body.startswith("## Be kind")
        assert document.summary_of_changes == "Shorter."
        assert current_policy_ids()["agreement"] == document.pk

    def test_management_command_reports_problems(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError):
            call_command("publish_policy", "--kind=agreement", "--version=2", "--file=/nope.md")
        path = tmp_path / "v1.md"
        path.write_text("Again", encoding="utf-8")
        with pytest.raises(CommandError, match="published already"):
            call_command("publish_policy", "--kind=agreement", "--version=1", f"--file={path}")


class TestReacceptance:
    def test_after_v2_member_is_asked_then_accepts_then_carries_on(
        self, member, client_for, publish_v2
    ) -> None:
        client = client_for(member)
        assert client.get(profile_url(member)).status_code == 200
        document = publish_v2("agreement", summary="Clearer words on content warnings.")

        response = client.get(profile_url(member))
        assert response.status_code == 302
        assert response["Location"] == accept_redirect(profile_url(member))

        page = client.get(response["Location"])
        html = page.content.decode()
        assert page.status_code == 200
        assert "Clearer words on content warnings." in html
        assert "What changed" in html
        assert "Privacy notice" not in html.split("<main")[1].split("</main>")[0]

        done = client.post(
            reverse(ACCEPT),
            {"documents": [document.pk], "accept": "on", "next": profile_url(member)},
        )
        assert done.status_code == 302
        assert done["Location"] == profile_url(member)
        acceptance = PolicyAcceptance.objects.get(user=member, document=document)
        assert acceptance.accepted_at is not None
        assert client.get(profile_url(member)).status_code == 200

    def test_accepting_needs_the_tick(self, member, client_for, publish_v2) -> None:
        document = publish_v2()
        client = client_for(member)
        response = client.post(reverse(ACCEPT), {"documents": [document.pk]})
        assert response.status_code == 200
        assert "Please tick the box" in response.content.decode()
        assert not PolicyAcceptance.objects.filter(document=document).exists()

    def test_stale_form_shows_the_newest_text_again(self, member, client_for, publish_v2) -> None:
        publish_v2()
        old = PolicyDocument.objects.get(kind="agreement", version="1")
        client = client_for(member)
        response = client.post(reverse(ACCEPT), {"documents": [old.pk], "accept": "on"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(ACCEPT))
        assert client.get(profile_url(member)).status_code == 302

    def test_member_who_never_accepted_is_asked_too(self, client_for) -> None:
        user = User.objects.create_user("NewHere", "a-long-test-passphrase-42")
        client = client_for(user)
        response = client.get(profile_url(user))
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
        assert html.count("You have not accepted this yet.") == 2

    def test_api_gets_json_403(self, member, client_for, publish_v2) -> None:
        publish_v2()
        response = client_for(member).get(reverse("api:openapi-json"))
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert "accept policies" in body["detail"]
        assert body["accept_url"] == reverse(ACCEPT)

    def test_unsafe_requests_are_refused_with_an_explanation(
        self, member, client_for, publish_v2
    ) -> None:
        publish_v2()
        response = client_for(member).post(reverse("accounts:profile_edit"), {"bio": "Hi"})
        assert response.status_code == 403
        assert "has not been saved" in response.content.decode()
        member.refresh_from_db()
        assert member.bio == ""

    @pytest.mark.parametrize(
        ("name", "args"),
        [
            ("core:get_help", []),
            ("accounts:policy", ["agreement"]),
            ("accounts:policy", ["privacy"]),
            ("accounts:accept_policies", []),
        ],
    )
    def test_help_and_the_policies_are_never_behind_it(
        self, member, client_for, publish_v2, name, args
    ) -> None:
        publish_v2()
        assert client_for(member).get(reverse(name, args=args)).status_code == 200

    def test_logout_still_works(self, member, client_for, publish_v2) -> None:
        publish_v2()
        client = client_for(member)
        assert client.post(reverse("accounts:logout")).status_code == 302
        assert client.get(reverse("accounts:policy", args=["agreement"])).status_code == 200

    def test_anonymous_visitors_are_not_affected(self, publish_v2) -> None:
        publish_v2()
        assert Client().get(reverse("accounts:login")).status_code == 200

    def test_accept_page_without_anything_outstanding_goes_on(self, member, client_for) -> None:
        client = client_for(member)
        response = client.get(reverse(ACCEPT) + "?next=" + quote(profile_url(member)))
        assert response["Location"] == profile_url(member)

    def test_next_pointing_elsewhere_is_ignored(self, member, client_for, publish_v2) -> None:
        document = publish_v2()
        response = client_for(member).post(
            reverse(ACCEPT),
            {"documents": [document.pk], "accept": "on", "next": "https://evil.example/"},
        )
        assert response.status_code == 302
        assert "evil.example" not in response["Location"]

    def test_accepting_elsewhere_is_noticed(self, member, client_for, publish_v2) -> None:
        document = publish_v2()
        client = client_for(member)
        assert client.get(profile_url(member)).status_code == 302
        PolicyAcceptance.objects.create(user=member, document=document)
        assert client.get(profile_url(member)).status_code == 200


class TestCost:
    def test_after_the_first_request_the_middleware_costs_no_queries(
        self, member, client_for, settings
    ) -> None:
        client = client_for(member)
        url = profile_url(member)
        client.get(url)  # fills the policy cache and the session
        assert client.session[ACCEPTED_POLICIES_SESSION_KEY]["ids"]

        with CaptureQueriesContext(connection) as with_middleware:
            assert client.get(url).status_code == 200
        assert not any("policy" in query["sql"] for query in with_middleware.captured_queries)

        settings.MIDDLEWARE = [
            name for name in settings.MIDDLEWARE if not name.endswith("PolicyAcceptanceMiddleware")
        ]
        with CaptureQueriesContext(connection) as without_middleware:
            assert client.get(url).status_code == 200
        assert len(with_middleware) == len(without_middleware)

    def test_the_first_request_costs_one_query_then_none(self, member, client_for) -> None:
        client = client_for(member)
        url = reverse("accounts:policy", args=["agreement"])  # warm the policy cache
        client.get(url)
        with CaptureQueriesContext(connection) as first:
            client.get(profile_url(member))
        with CaptureQueriesContext(connection) as second:
            client.get(profile_url(member))
        policy_queries = [q for q in first.captured_queries if "policyacceptance" in q["sql"]]
        assert len(policy_queries) == 1
        assert len(second) < len(first)


class TestPublishPage:
    URL = reverse("accounts:policy_publish")

    def data(self) -> dict[str, str]:
        return {
            "kind": "privacy",
            "version": "2",
            "title": "Privacy notice",
            "body": "## Still private\n\nNothing new is collected.\n",
            "summary_of_changes": "Shorter and clearer.",
        }

    def test_administrator_publishes_and_members_are_asked(
        self, role_users, member, client_for
    ) -> None:
        admin_client = client_for(role_users["administrator"])
        form = admin_client.get(self.URL + "?kind=privacy").content.decode()
        assert "Privacy notice" in form
        assert "No trackers" in form  # starts from the current text
        response = admin_client.post(self.URL, self.data())
        assert response["Location"] == reverse("accounts:policy", args=["privacy"])
        document = PolicyDocument.objects.get(kind="privacy", version="2")
        assert document.summary_of_changes == "Shorter and clearer."
        assert client_for(member).get(profile_url(member)).status_code == 302

    def test_existing_version_is_an_error_that_keeps_the_text(self, role_users, client_for):
        data = {**self.data(), "version": "1"}
        response = client_for(role_users["administrator"]).post(self.URL, data)
        html = response.content.decode()
        assert response.status_code == 200
        assert "published already" in html
        assert "Nothing new is collected." in html

    @pytest.mark.parametrize("role", ["member", "peer_supporter", "moderator", "researcher"])
    def test_others_are_refused(self, role_users, client_for, role) -> None:
        client = client_for(role_users[role])
        assert client.get(self.URL).status_code == 403
        assert client.post(self.URL, self.data()).status_code == 403
        assert not PolicyDocument.objects.filter(version="2").exists()

    def test_service_checks_the_actor(self, role_users) -> None:
        with pytest.raises(PermissionDenied):
            policy_publish(actor=role_users["moderator"], **self.data())

    def test_visitors_are_sent_to_log_in(self) -> None:
        response = Client().get(self.URL)
        assert response["Location"].startswith(reverse("accounts:login"))
