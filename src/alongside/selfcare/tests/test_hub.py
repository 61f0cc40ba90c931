"""The "Looking after myself" page, and the demo member's self-care."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.selfcare import services
from alongside.selfcare.demo import ensure_demo_selfcare
from alongside.selfcare.models import CheckIn, Goal, GoalRating, GoalStep, HelpfulThing, SafetyPlan
from alongside.selfcare.views import url_or_none

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


def test_a_new_member_sees_a_quick_check_in_and_gentle_invitations(
    member: User, client_for: ClientFor
) -> None:
    response = client_for(member).get(reverse("selfcare:hub"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Looking after myself" in page
    assert f'action="{reverse("selfcare:check_in")}"' in page
    assert "Very low" in page
    assert "Very good" in page
    assert reverse("selfcare:goal_create") in page
    assert reverse("selfcare:helps") in page
    assert "Make a safety plan" in page
    assert "Only you can see what you write here" in page
    lowered = page.lower()
    for gamified in ("streak", "points", "badge-", "level up"):
        assert gamified not in lowered


def test_the_hub_shows_today_goals_helps_and_the_plan(member: User, client_for: ClientFor) -> None:
    services.check_in_record(member=member, mood=4, note="Sunny walk to work.")
    goal = services.goal_create(member=member, title="Join the Thursday choir", first_rating=3)
    services.goal_rate(member=member, goal=goal, rating=6)
    services.goal_step_add(member=member, goal=goal, text="Email the organiser")
    closed = services.goal_create(member=member, title="Finish the jigsaw")
    services.goal_set_status(member=member, goal=closed, status=Goal.Status.ACHIEVED)
    services.helpful_thing_add(member=member, text="Tea in the garden")
    services.safety_plan_update(member=member, sections={"coping": ["A cold shower"]})
    page = client_for(member).get(reverse("selfcare:hub")).content.decode()
    assert "feeling <strong>Good</strong> today" in page
    assert "Sunny walk to work." in page
    assert f'action="{reverse("selfcare:check_in")}"' not in page
    assert "Join the Thursday choir" in page
    assert "6 out of 10 last time" in page
    assert "0 of 1 steps done" in page
    assert "Finish the jigsaw" not in page  # only goals being worked on
    assert "Tea in the garden" in page
    assert "Open my safety plan" in page
    assert "A cold shower" not in page  # the plan itself stays one click away


def test_the_hub_reads_in_a_fixed_number_of_queries(member: User, client_for: ClientFor) -> None:
    client = client_for(member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("selfcare:hub")).status_code == 200
        return len(queries)

    services.goal_create(member=member, title="Goal one", first_rating=1)
    count()  # the first request also reads the session and caches what every page needs
    baseline = count()
    for n in range(5):
        goal = services.goal_create(member=member, title=f"Goal {n}", first_rating=n)
        services.goal_step_add(member=member, goal=goal, text="Step")
        services.helpful_thing_add(member=member, text=f"Helps {n}")
    assert count() == baseline


def test_links_to_other_pages_appear_only_when_they_exist(
    member: User, client_for: ClientFor
) -> None:
    assert url_or_none("selfcare:hub") == reverse("selfcare:hub")
    assert url_or_none("selfcare:no_such_page") is None
    page = client_for(member).get(reverse("selfcare:hub")).content.decode()
    for name in ("measures:index", "progress:index", "progress:summary"):
        url = url_or_none(name)
        if url is not None:
            assert f'href="{url}"' in page


def test_the_hub_needs_a_signed_in_member() -> None:
    response = Client().get(reverse("selfcare:hub"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_demo_selfcare_is_realistic_and_idempotent(member: User) -> None:
    ensure_demo_selfcare(member)
    counts = (
        CheckIn.objects.filter(member=member).count(),
        Goal.objects.filter(member=member).count(),
        GoalStep.objects.filter(goal__member=member).count(),
        GoalRating.objects.filter(goal__member=member).count(),
        HelpfulThing.objects.filter(member=member).count(),
        SafetyPlan.objects.filter(member=member).count(),
    )
    ensure_demo_selfcare(member)
    again = (
        CheckIn.objects.filter(member=member).count(),
        Goal.objects.filter(member=member).count(),
        GoalStep.objects.filter(goal__member=member).count(),
        GoalRating.objects.filter(goal__member=member).count(),
        HelpfulThing.objects.filter(member=member).count(),
        SafetyPlan.objects.filter(member=member).count(),
    )
    assert counts == again
    check_ins, goals, steps, ratings, helps, plans = counts
    assert 35 <= check_ins <= 41
    assert goals == 2
    assert steps >= 4
    assert all(4 <= goal.ratings.count() <= 6 for goal in Goal.objects.filter(member=member))
    assert ratings >= 8
    assert helps == 4
    assert plans == 1
    moods = set(CheckIn.objects.filter(member=member).values_list("mood", flat=True))
    assert len(moods) >= 3  # moods vary, as real ones do
    today = timezone.localdate()
    assert CheckIn.objects.filter(member=member, day__gt=today).count() == 0
    assert CheckIn.objects.filter(member=member, day__lt=today - timedelta(days=45)).count() == 0
    assert any(c.note for c in CheckIn.objects.filter(member=member))
