"""Goals with steps and 0 to 10 ratings over time, private to their member.

Every goal here is invented for these tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.accounts.models import User
from alongside.selfcare import selectors, services
from alongside.selfcare.models import Goal, GoalRating, GoalStep

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]

TITLE = "Swim at the leisure centre once a week"


@pytest.fixture
def goal(member: User) -> Goal:
    return services.goal_create(member=member, title=TITLE, why="I used to love it.")


def _detail(goal: Goal) -> str:
    return reverse("selfcare:goal_detail", kwargs={"goal_id": goal.pk})


# --- Services -------------------------------------------------------------------------------


def test_a_goal_is_created_with_an_optional_first_rating(member: User) -> None:
    goal = services.goal_create(member=member, title="  Cook a proper meal  ", first_rating=2)
    assert goal.title == "Cook a proper meal"
    assert goal.status == Goal.Status.ACTIVE
    assert [r.rating for r in goal.ratings.all()] == [2]


def test_a_goal_needs_a_title(member: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.goal_create(member=member, title="   ")
    assert "title" in caught.value.message_dict


def test_goal_text_is_encrypted_at_rest(goal: Goal, member: User) -> None:
    services.goal_step_add(member=member, goal=goal, text="Find my old goggles")
    services.goal_rate(member=member, goal=goal, rating=3, note="Booked a lane")
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, why FROM selfcare_goal")
        stored = " ".join(str(value) for value in cursor.fetchone())
        cursor.execute("SELECT text FROM selfcare_goalstep")
        stored += str(cursor.fetchone()[0])
        cursor.execute("SELECT note FROM selfcare_goalrating")
        stored += str(cursor.fetchone()[0])
    for plain in ("leisure", "love", "goggles", "lane"):
        assert plain not in stored


def test_ratings_build_a_history_and_are_checked(goal: Goal, member: User) -> None:
    for value in (2, 4, 7):
        services.goal_rate(member=member, goal=goal, rating=value)
    assert [r.rating for r in selectors.goal_ratings(member, goal)] == [2, 4, 7]
    for bad in (-1, 11):
        with pytest.raises(ValidationError):
            services.goal_rate(member=member, goal=goal, rating=bad)
    assert GoalRating.objects.count() == 3


def test_status_changes_close_and_reopen_a_goal(goal: Goal, member: User) -> None:
    services.goal_set_status(member=member, goal=goal, status=Goal.Status.ACHIEVED)
    assert goal.closed_at is not None
    services.goal_set_status(member=member, goal=goal, status=Goal.Status.ACTIVE)
    goal.refresh_from_db()
    assert (goal.status, goal.closed_at) == (Goal.Status.ACTIVE, None)
    with pytest.raises(ValidationError):
        services.goal_set_status(member=member, goal=goal, status="abandoned")


def test_steps_are_added_ticked_moved_and_removed(goal: Goal, member: User) -> None:
    first = services.goal_step_add(member=member, goal=goal, text="Find my goggles")
    second = services.goal_step_add(member=member, goal=goal, text="Check the timetable")
    third = services.goal_step_add(member=member, goal=goal, text="Go once")
    services.goal_step_set_done(member=member, step=first, done=True)
    assert GoalStep.objects.get(pk=first.pk).done_at is not None
    services.goal_step_set_done(member=member, step=first, done=False)
    assert GoalStep.objects.get(pk=first.pk).done_at is None
    services.goal_step_move(member=member, step=third, direction="up")
    assert [s.pk for s in selectors.goal_steps(member, goal)] == [first.pk, third.pk, second.pk]
    services.goal_step_move(member=member, step=first, direction="up")  # already first
    assert [s.pk for s in selectors.goal_steps(member, goal)] == [first.pk, third.pk, second.pk]
    services.goal_step_remove(member=member, step=third)
    assert [s.pk for s in selectors.goal_steps(member, goal)] == [first.pk, second.pk]


def test_nobody_else_can_change_a_goal(goal: Goal, make_user: MakeUser) -> None:
    other = make_user("olu", role="administrator")
    step = GoalStep.objects.create(goal=goal, text="Mine")
    attempts: list[Callable[[], object]] = [
        lambda: services.goal_rate(member=other, goal=goal, rating=5),
        lambda: services.goal_update(member=other, goal=goal, title="Theirs"),
        lambda: services.goal_set_status(member=other, goal=goal, status="achieved"),
        lambda: services.goal_step_add(member=other, goal=goal, text="Theirs"),
        lambda: services.goal_step_set_done(member=other, step=step, done=True),
        lambda: services.goal_step_remove(member=other, step=step),
        lambda: services.goal_delete(member=other, goal=goal),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.ratings.count()) == (TITLE, "active", 0)
    GoalRating.objects.create(goal=goal, rating=4)
    assert selectors.goal_steps(other, goal) == []
    assert selectors.goal_ratings(other, goal) == []


def test_goal_rows_read_in_three_queries_with_the_latest_rating(member: User) -> None:
    for n in range(4):
        goal = services.goal_create(member=member, title=f"Goal {n}", first_rating=n)
        services.goal_rate(member=member, goal=goal, rating=n + 5)
        services.goal_step_add(member=member, goal=goal, text="A step")
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.goal_rows(member)
    assert len(queries) == 3
    assert [row.latest.rating for row in rows if row.latest] == [8, 7, 6, 5]
    assert all(row.steps_total == 1 and row.steps_done == 0 for row in rows)


# --- Pages ----------------------------------------------------------------------------------


def test_creating_a_goal_through_the_page(member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    response = client.post(
        reverse("selfcare:goal_create"),
        {"title": "Ring my brother on Sundays", "why": "", "first_rating": "1"},
    )
    goal = Goal.objects.get()
    assert response["Location"] == _detail(goal)
    assert [r.rating for r in goal.ratings.all()] == [1]
    assert "Ring my brother on Sundays" in client.get(reverse("selfcare:goals")).content.decode()


def test_a_goal_form_error_keeps_what_was_typed(member: User, client_for: ClientFor) -> None:
    response = client_for(member).post(
        reverse("selfcare:goal_create"), {"title": "", "why": "To feel stronger again"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please say what the goal is" in page
    assert "To feel stronger again" in page
    assert not Goal.objects.exists()


def test_the_goal_page_shows_steps_and_the_rating_history_as_a_table(
    goal: Goal, member: User, client_for: ClientFor
) -> None:
    services.goal_step_add(member=member, goal=goal, text="Find my goggles")
    for value, note in ((2, "Nervous"), (5, "Went twice"), (6, "")):
        services.goal_rate(member=member, goal=goal, rating=value, note=note)
    page = client_for(member).get(_detail(goal)).content.decode()
    assert TITLE in page
    assert "Find my goggles" in page
    assert "<table" in page
    assert page.index("Nervous") < page.index("Went twice")
    assert page.count("<tr>") == 4  # header and three ratings


def test_rating_stepping_and_status_through_the_page(
    goal: Goal, member: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    base = {"goal_id": goal.pk}
    client.post(reverse("selfcare:goal_rate", kwargs=base), {"rating": "4", "note": "Halfway-ish"})
    client.post(reverse("selfcare:goal_step_add", kwargs=base), {"text": "Buy a swim cap"})
    step = GoalStep.objects.get()
    step_kwargs = {**base, "step_id": step.pk}
    client.post(reverse("selfcare:goal_step_done", kwargs=step_kwargs), {"done": "1"})
    step.refresh_from_db()
    assert step.done_at is not None
    client.post(reverse("selfcare:goal_status", kwargs=base), {"status": "achieved"})
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACHIEVED
    assert [(r.rating, r.note) for r in goal.ratings.all()] == [(4, "Halfway-ish")]
    client.post(reverse("selfcare:goal_step_remove", kwargs=step_kwargs))
    assert not GoalStep.objects.exists()


def test_a_rating_error_keeps_the_note(goal: Goal, member: User, client_for: ClientFor) -> None:
    response = client_for(member).post(
        reverse("selfcare:goal_rate", kwargs={"goal_id": goal.pk}),
        {"rating": "", "note": "Missed a week with a cold"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please choose a number from 0 to 10" in page
    assert "Missed a week with a cold" in page
    assert not GoalRating.objects.exists()


def test_editing_and_deleting_a_goal(goal: Goal, member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    edit = reverse("selfcare:goal_edit", kwargs={"goal_id": goal.pk})
    assert TITLE in client.get(edit).content.decode()
    client.post(edit, {"title": "Swim twice a week", "why": ""})
    goal.refresh_from_db()
    assert (goal.title, goal.why) == ("Swim twice a week", None)
    delete = reverse("selfcare:goal_delete", kwargs={"goal_id": goal.pk})
    assert "set it aside instead" in client.get(delete).content.decode()
    client.post(delete)
    assert not Goal.objects.exists()


def test_another_members_goal_is_not_found(
    goal: Goal, make_user: MakeUser, client_for: ClientFor
) -> None:
    step = GoalStep.objects.create(goal=goal, text="Mine")
    kwargs = {"goal_id": goal.pk}
    step_kwargs = {**kwargs, "step_id": step.pk}
    for other in (make_user("olu"), make_user("morgan", role="moderator")):
        client = client_for(other)
        assert client.get(reverse("selfcare:goal_detail", kwargs=kwargs)).status_code == 404
        assert client.get(reverse("selfcare:goal_edit", kwargs=kwargs)).status_code == 404
        for name in ("goal_rate", "goal_status", "goal_step_add", "goal_delete"):
            assert client.post(reverse(f"selfcare:{name}", kwargs=kwargs)).status_code == 404
        for name in ("goal_step_done", "goal_step_remove", "goal_step_move"):
            assert client.post(reverse(f"selfcare:{name}", kwargs=step_kwargs)).status_code == 404
        assert TITLE not in client.get(reverse("selfcare:goals")).content.decode()
    assert Goal.objects.count() == 1
    assert GoalStep.objects.count() == 1


def test_a_step_of_another_goal_is_not_found_through_mine(
    goal: Goal, member: User, client_for: ClientFor
) -> None:
    mine = services.goal_create(member=member, title="Read a chapter a night")
    step = GoalStep.objects.create(goal=goal, text="Goggles")
    url = reverse("selfcare:goal_step_remove", kwargs={"goal_id": mine.pk, "step_id": step.pk})
    assert client_for(member).post(url).status_code == 404
    assert GoalStep.objects.filter(pk=step.pk).exists()
