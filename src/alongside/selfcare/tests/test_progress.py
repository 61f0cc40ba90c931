"""The progress page and the selectors behind it: tables, sentences, empty states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.core.tests.test_no_third_party import PageAudit
from alongside.measures.models import MeasureResponse
from alongside.selfcare import sharing
from alongside.selfcare.models import CheckIn, Goal, GoalRating
from alongside.selfcare.progress import (
    goal_progress,
    goal_sentence,
    measure_progress,
    mood_progress,
    mood_sentence,
)

TODAY = date(2026, 3, 31)


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def add_score(member, measure, day, score, band, *, valid=True, reason="", answers=None):
    return MeasureResponse.objects.create(
        member=member,
        measure=measure,
        measure_version="1",
        answers=answers,
        score=score if valid else None,
        raw_total=score if valid else None,
        band=band,
        valid=valid,
        invalid_reason=reason,
        completed_at=at_noon(day),
    )


def add_goal(member, title, ratings, *, status=Goal.Status.ACTIVE):
    goal = Goal.objects.create(member=member, title=title, status=status)
    for day, rating in ratings:
        GoalRating.objects.create(goal=goal, rating=rating, rated_at=at_noon(day))
    return goal


def test_measure_progress_change_since_first_and_reliable_change(member):
    add_score(member, "phq9", date(2026, 1, 5), 18, "moderately severe")
    add_score(member, "phq9", date(2026, 2, 2), 14, "moderate")
    add_score(member, "phq9", date(2026, 3, 2), 9, "mild")
    add_score(member, "phq9", date(2026, 3, 9), None, "", valid=False, reason="Too many left out")

    (phq9,) = measure_progress(member)

    assert phq9.short_name == "PHQ-9"
    assert phq9.higher_is_worse is True
    assert [point.score for point in phq9.points] == [18, 14, 9]
    assert [point.change for point in phq9.points] == [None, -4, -9]
    # NHS Talking Therapies: a fall of 6 or more on the PHQ-9 is reliable improvement.
    assert [point.reliable for point in phq9.points] == ["", "no_reliable_change", "improved"]
    assert [band.label for band in phq9.bands][:2] == ["minimal", "mild"]
    assert len(phq9.invalid) == 1
    assert phq9.invalid[0].reason == "Too many left out"


def test_measures_of_another_member_are_not_included(member, make_user):
    other = make_user("willow")
    add_score(other, "gad7", date(2026, 1, 5), 12, "moderate")
    assert measure_progress(member) == ()


def test_mood_averages_and_sentence(member):
    # The last 30 days (2 Mar to 31 Mar): moods 4, 3, 4 → 3.7; the 30 before: 3, 2, 3, 3 → 2.8.
    for day, value in [
        (date(2026, 3, 31), 4),
        (date(2026, 3, 30), 3),
        (date(2026, 3, 2), 4),
        (date(2026, 3, 1), 3),
        (date(2026, 2, 20), 2),
        (date(2026, 2, 1), 3),
        (date(2026, 1, 31), 3),
        (date(2026, 1, 30), 5),  # 61 days back: in the chart, in neither average
    ]:
        CheckIn.objects.create(member=member, day=day, mood=value)

    mood = mood_progress(member, today=TODAY)

    assert mood.recent_average == 3.7
    assert mood.earlier_average == 2.8
    assert mood_sentence(mood) == (
        "Your average mood over the last 30 days was 3.7, up from 2.8 the 30 days before."
    )
    assert mood_sentence(mood, own=False).startswith("The average mood over the last 30 days")
    assert mood.days[0].day == date(2026, 1, 30)
    by_day = {each.day: each.average7 for each in mood.days}
    # 31 Mar: the check-ins of 25 to 31 Mar are 30 Mar (3) and 31 Mar (4).
    assert by_day[date(2026, 3, 31)] == 3.5
    assert by_day[date(2026, 3, 2)] == 3.5  # 1 Mar (3) and 2 Mar (4)
    assert by_day[date(2026, 2, 20)] == 2.0


def test_mood_sentence_down_and_without_earlier_days(member):
    CheckIn.objects.create(member=member, day=date(2026, 3, 20), mood=2)
    assert mood_sentence(mood_progress(member, today=TODAY)) == (
        "Your average mood over the last 30 days was 2.0."
    )
    CheckIn.objects.create(member=member, day=date(2026, 2, 20), mood=4)
    assert mood_sentence(mood_progress(member, today=TODAY)) == (
        "Your average mood over the last 30 days was 2.0, down from 4.0 the 30 days before."
    )


def test_check_ins_older_than_90_days_are_left_out(member):
    CheckIn.objects.create(member=member, day=TODAY - timedelta(days=90), mood=1)
    CheckIn.objects.create(member=member, day=TODAY - timedelta(days=89), mood=5)
    mood = mood_progress(member, today=TODAY)
    assert [each.mood for each in mood.days] == [5]


def test_goal_progress_and_sentence(member):
    add_goal(member, "Walk to the allotment", [(date(2026, 1, 3), 2), (date(2026, 2, 3), 6)])
    add_goal(member, "Sleep before midnight", [], status=Goal.Status.SET_ASIDE)

    walk, sleep = goal_progress(member)

    assert walk.title == "Walk to the allotment"
    assert [(r.day, r.rating) for r in walk.ratings] == [
        (date(2026, 1, 3), 2),
        (date(2026, 2, 3), 6),
    ]
    assert goal_sentence(walk) == "Up from 2 to 6 out of 10 since the first rating."
    assert goal_sentence(sleep) == "No ratings yet."


def test_empty_progress_page_has_friendly_text_and_no_charts(member, client_for):
    response = client_for(member).get(reverse("progress:index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "You haven't answered any questionnaires yet" in page
    assert "No check-ins in the last 90 days" in page
    assert "You haven't set any goals yet" in page
    assert "<img" not in page
    assert "/me/progress/charts/" not in page
    assert "not a diagnosis" in page


def test_progress_page_shows_tables_sentences_and_charts(member, client_for):
    today = timezone.localdate()
    add_score(member, "phq9", today - timedelta(days=60), 17, "moderately severe")
    add_score(member, "phq9", today - timedelta(days=30), 10, "moderate")
    add_score(member, "qpr15", today - timedelta(days=30), 41, "")
    add_score(
        member, "gad7", today - timedelta(days=3), None, "", valid=False, reason="Item 4 blank"
    )
    CheckIn.objects.create(member=member, day=today, mood=4, note="Saw Marnie at the pond")
    CheckIn.objects.create(member=member, day=today - timedelta(days=40), mood=2)
    goal = add_goal(member, "Phone my aunt on Sundays", [(today - timedelta(days=10), 3)])

    response = client_for(member).get(reverse("progress:index"))

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("progress:chart_measure", kwargs={"key": "phq9"}) in page
    assert reverse("progress:chart_measure", kwargs={"key": "qpr15"}) in page
    assert reverse("progress:chart_mood") in page
    assert reverse("progress:chart_goal", kwargs={"goal_id": goal.pk}) in page
    # Invalid questionnaires are listed with the reason, not charted.
    assert reverse("progress:chart_measure", kwargs={"key": "gad7"}) not in page
    assert "Item 4 blank" in page
    # The table alternative carries the same numbers.
    assert "<td>17</td><td>moderately severe</td><td>first score</td>" in page
    assert "<td>10</td><td>moderate</td><td>-7 (Reliable improvement)</td>" in page
    assert "<td>3</td>" in page
    # Plain language: not a diagnosis, and which way is better for each measure.
    assert "not a diagnosis" in page
    assert "lower score means fewer difficulties" in page
    assert "higher score means things are going better" in page
    assert (
        "Your average mood over the last 30 days was 4.0, up from 2.0 the 30 days before." in page
    )
    assert "Phone my aunt on Sundays" in page
    # Notes are the member's own words and are not on the progress page.
    assert "Saw Marnie" not in page
    assert '<link rel="stylesheet" href="/static/selfcare/progress.css">' in page


def test_progress_page_needs_signing_in(client):
    response = client.get(reverse("progress:index"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "name",
    ["progress:index", "progress:summary", "progress:shared"],
)
def test_pages_keep_the_strict_csp(name, member, client_for):
    response = client_for(member).get(reverse(name))
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy


def test_progress_pages_have_no_inline_code_or_third_party_requests(member, make_user, client_for):
    today = timezone.localdate()
    add_score(member, "phq9", today - timedelta(days=20), 12, "moderate")
    add_score(member, "phq9", today, 6, "mild")
    CheckIn.objects.create(member=member, day=today, mood=4)
    add_goal(member, "Plant the bulbs", [(today, 7)])
    supporter = make_user("hazel", role="peer_supporter")
    sharing.share_grant(member=member, supporter=supporter)
    pages = [
        client_for(member).get(reverse("progress:index")),
        client_for(member).get(reverse("progress:summary")),
        client_for(member).post(
            reverse("progress:summary_print"), {"measures": ["phq9"], "goals": "on"}
        ),
        client_for(supporter).get(reverse("progress:shared")),
        client_for(supporter).get(reverse("progress:member", args=["river"])),
    ]
    for number, response in enumerate(pages):
        assert response.status_code == 200
        audit = PageAudit(f"page {number}")
        audit.feed(response.content.decode())
        audit.close()
        assert audit.problems == []


def test_a_measure_no_longer_defined_is_still_shown(member, client_for):
    add_score(member, "swemwbs_local", date(2026, 1, 4), 21.5, "")
    (progress,) = measure_progress(member)
    assert progress.name == "swemwbs_local"
    assert progress.bands == ()
    page = client_for(member).get(reverse("progress:index")).content.decode()
    assert "<td>21.5</td>" in page


def test_progress_queries_do_not_grow_with_the_data(member, django_assert_num_queries):
    today = timezone.localdate()
    for number in range(6):
        add_score(member, "phq9", today - timedelta(days=7 * number), 10 + number, "moderate")
        add_score(member, "gad7", today - timedelta(days=7 * number), 5 + number, "mild")
        CheckIn.objects.create(member=member, day=today - timedelta(days=number), mood=3)
        add_goal(member, f"Goal {number}", [(today, number), (today, number + 1)])
    # Responses, check-ins, goals and their ratings: one query each.
    with django_assert_num_queries(4):
        sharing.progress_for_viewer(viewer=member, member=member)
