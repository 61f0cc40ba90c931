"""The personal safety plan: its sections, privacy, printing, and the crisis panel's link.

The plan's content here is invented for these tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.accounts.models import User
from alongside.core import crisis
from alongside.selfcare import safety_plan, selectors, services
from alongside.selfcare.models import SafetyPlan

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]

PLAN = {
    "warning_signs": ["Not sleeping", "Cancelling on friends"],
    "coping": ["Cold water on my face", "The rain playlist"],
    "distractions": ["The library on Holloway Road"],
    "people_to_ask": ["My brother Tomasz, any time by text"],
    "professionals": ["Dr Okafor at the Elm Street surgery"],
    "safer_surroundings": ["Ask Tomasz to keep my tablets"],
    "reasons_for_living": ["My cat Biscuit", "Seeing the sea again"],
}
CRISIS_NOTICE = {
    "tier": "urgent",
    "crisis": True,
    "held": False,
    "held_reasons": [],
    "lines": [],
    "emergency": "999",
    "staffed": True,
    "info_cards": [],
}


def _form_data(plan: dict[str, list[str]]) -> dict[str, str]:
    return {key: "\n".join(entries) for key, entries in plan.items()}


def test_the_sections_follow_the_recognised_structure() -> None:
    assert safety_plan.SECTION_KEYS == (
        "warning_signs",
        "coping",
        "distractions",
        "people_to_ask",
        "professionals",
        "safer_surroundings",
        "reasons_for_living",
    )


def test_a_plan_is_saved_trimmed_and_encrypted_at_rest(member: User) -> None:
    services.safety_plan_update(
        member=member, sections={**PLAN, "coping": ["  Cold water on my face ", "", "   "]}
    )
    plan = SafetyPlan.objects.get(member=member)
    assert plan.sections["coping"] == ["Cold water on my face"]
    assert plan.sections["reasons_for_living"] == ["My cat Biscuit", "Seeing the sea again"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT sections FROM selfcare_safetyplan")
        (stored,) = cursor.fetchone()
    for plain in ("Biscuit", "Tomasz", "sleeping", "reasons_for_living"):
        assert plain not in stored


def test_an_unknown_section_or_a_long_line_is_refused(member: User) -> None:
    with pytest.raises(ValidationError):
        services.safety_plan_update(member=member, sections={"favourite_food": ["Soup"]})
    with pytest.raises(ValidationError) as caught:
        services.safety_plan_update(
            member=member, sections={"coping": ["x" * (safety_plan.ENTRY_MAX + 1)]}
        )
    assert "coping" in caught.value.message_dict
    assert not SafetyPlan.objects.exists()


def test_emptying_every_section_removes_the_plan(member: User) -> None:
    services.safety_plan_update(member=member, sections=PLAN)
    assert services.safety_plan_update(member=member, sections={"coping": [" "]}) is None
    assert not SafetyPlan.objects.exists()


def test_without_a_plan_the_page_invites_one_and_shows_crisis_lines(
    member: User, client_for: ClientFor
) -> None:
    page = client_for(member).get(reverse("selfcare:safety_plan")).content.decode()
    assert "Make my safety plan" in page
    assert "only you can see your safety plan" in page
    first_line = crisis.regions_for(member.region)[0].resources[0]
    assert first_line.name in page


def test_making_a_plan_through_the_page(member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    edit = client.get(reverse("selfcare:safety_plan_edit")).content.decode()
    assert "Crisis lines you could add" in edit
    for section in safety_plan.SECTIONS:
        assert f'name="{section.key}"' in edit
    response = client.post(reverse("selfcare:safety_plan_edit"), _form_data(PLAN))
    assert response["Location"] == reverse("selfcare:safety_plan")
    assert (
        selectors.plan_sections(SafetyPlan.objects.get())[6].entries == PLAN["reasons_for_living"]
    )
    page = client.get(reverse("selfcare:safety_plan")).content.decode()
    assert "My cat Biscuit" in page
    assert page.index("Warning signs") < page.index("My reasons for living")
    assert "only you can see your safety plan" in page


def test_a_plan_form_error_keeps_what_was_typed(member: User, client_for: ClientFor) -> None:
    too_long = "z" * (safety_plan.ENTRY_MAX + 1)
    response = client_for(member).post(
        reverse("selfcare:safety_plan_edit"),
        {**_form_data(PLAN), "coping": f"Cold water on my face\n{too_long}"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please keep each line" in page
    assert "My cat Biscuit" in page
    assert too_long in page
    assert not SafetyPlan.objects.exists()


def test_the_print_page_is_clean_and_complete(member: User, client_for: ClientFor) -> None:
    services.safety_plan_update(member=member, sections=PLAN)
    response = client_for(member).get(reverse("selfcare:safety_plan_print"))
    page = response.content.decode()
    assert response.status_code == 200
    for entries in PLAN.values():
        for entry in entries:
            assert entry in page
    assert "site-header" not in page  # no site navigation on paper
    assert "selfcare/selfcare.css" in page
    assert "<script>" not in page  # the print button's script is a static file (CSP)
    assert "7. My reasons for living" in page


def test_the_stylesheet_has_print_rules() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("selfcare/selfcare.css")
    assert path
    with open(path, encoding="utf-8") as css:
        assert "@media print" in css.read()


def test_nobody_else_sees_the_plan(
    member: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    services.safety_plan_update(member=member, sections=PLAN)
    for other in (make_user("olu"), make_user("morgan", role="moderator")):
        client = client_for(other)
        for name in ("selfcare:safety_plan", "selfcare:safety_plan_print"):
            page = client.get(reverse(name)).content.decode()
            assert "Biscuit" not in page
            assert "Make my safety plan" in page


def test_the_plan_pages_need_a_signed_in_member() -> None:
    for name in ("safety_plan", "safety_plan_edit", "safety_plan_print"):
        assert Client().get(reverse(f"selfcare:{name}")).status_code == 302


# --- The crisis panel's link ----------------------------------------------------------------


def test_the_crisis_panel_links_a_member_to_make_a_plan_then_to_open_it(member: User) -> None:
    page = render_to_string(
        "safety/_support_panel.html", {"support_notice": CRISIS_NOTICE, "user": member}
    )
    assert reverse("selfcare:safety_plan") in page
    assert "Make a safety plan" in page
    services.safety_plan_update(member=member, sections=PLAN)
    member = User.objects.get(pk=member.pk)
    page = render_to_string(
        "safety/_support_panel.html", {"support_notice": CRISIS_NOTICE, "user": member}
    )
    assert "Open my safety plan" in page


def test_the_crisis_panel_has_no_plan_link_for_anonymous_visitors() -> None:
    with CaptureQueriesContext(connection) as queries:
        page = render_to_string(
            "safety/_support_panel.html",
            {"support_notice": CRISIS_NOTICE, "user": AnonymousUser()},
        )
    assert "support-panel" in page
    assert reverse("selfcare:safety_plan") not in page
    assert len(queries) == 0


def test_the_panel_costs_no_query_when_there_is_nothing_to_show(member: User) -> None:
    member = User.objects.get(pk=member.pk)
    for notice in (None, {**CRISIS_NOTICE, "tier": "none", "crisis": False}):
        with CaptureQueriesContext(connection) as queries:
            page = render_to_string(
                "safety/_support_panel.html", {"support_notice": notice, "user": member}
            )
        assert reverse("selfcare:safety_plan") not in page
        assert len(queries) == 0


def test_the_panel_after_a_post_still_says_a_moderator_was_told(member: User) -> None:
    page = render_to_string(
        "safety/_support_panel.html", {"support_notice": CRISIS_NOTICE, "user": member}
    )
    assert "A moderator from our team has been let know" in page
    assert "no one else has been told" not in page
