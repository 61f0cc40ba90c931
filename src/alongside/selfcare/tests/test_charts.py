"""Chart images: served as SVG, self-contained, deterministic, labelled, under an image CSP."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from alongside.selfcare import charts
from alongside.selfcare.models import CheckIn
from alongside.selfcare.progress import goal_progress, measure_progress, mood_progress
from alongside.selfcare.tests.test_progress import add_goal, add_score

SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def external_references(svg: str) -> list[str]:
    """Every URL-ish reference other than the SVG namespace itself."""
    found = re.findall(r"(?:https?:|//|url\((?!#))[^\"')\s]*", svg)
    return [ref for ref in found if ref != SVG_NAMESPACE]


def phq9_history(member) -> None:
    today = timezone.localdate()
    for back, score, band in [(90, 19, "moderately severe"), (60, 14, "moderate"), (20, 8, "mild")]:
        add_score(member, "phq9", today - timedelta(days=back), score, band)


def test_measure_chart_is_a_self_contained_svg_with_band_labels(member, client_for):
    phq9_history(member)

    response = client_for(member).get(reverse("progress:chart_measure", kwargs={"key": "phq9"}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    for label in ["minimal", "mild", "moderate", "moderately severe", "severe"]:
        assert f">{label}</text>" in svg
    assert external_references(svg) == []
    assert "<!DOCTYPE" not in svg
    assert "<script" not in svg
    assert "Date" not in svg and "Matplotlib" not in svg
    assert len(svg) < 40_000


def test_chart_response_has_an_image_csp(member, client_for):
    phq9_history(member)

    response = client_for(member).get(reverse("progress:chart_measure", kwargs={"key": "phq9"}))

    directives = {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert directives["default-src"] == ["'none'"]
    assert directives["style-src"] == ["'unsafe-inline'"]
    assert "script-src" not in directives


def test_svg_is_the_same_bytes_for_the_same_data(member):
    phq9_history(member)
    (progress,) = measure_progress(member)
    assert charts.measure_chart_svg(progress) == charts.measure_chart_svg(progress)


def test_mood_and_goal_charts(member, client_for):
    today = timezone.localdate()
    for back in range(0, 40, 3):
        CheckIn.objects.create(member=member, day=today - timedelta(days=back), mood=1 + back % 5)
    goal = add_goal(member, "Cook once a week", [(today - timedelta(days=20), 1), (today, 4)])
    client = client_for(member)

    mood = client.get(reverse("progress:chart_mood"))
    goal_chart = client.get(reverse("progress:chart_goal", kwargs={"goal_id": goal.pk}))

    for response in (mood, goal_chart):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert external_references(response.content.decode()) == []
    assert "7-day average" in mood.content.decode()
    # The goal's own words stay out of the image (the page has them, beside the chart).
    assert "Cook once a week" not in goal_chart.content.decode()


def test_no_chart_without_data(member, client_for):
    client = client_for(member)
    assert client.get(reverse("progress:chart_measure", kwargs={"key": "phq9"})).status_code == 404
    assert client.get(reverse("progress:chart_mood")).status_code == 404
    goal = add_goal(member, "Read a chapter", [])
    url = reverse("progress:chart_goal", kwargs={"goal_id": goal.pk})
    assert client.get(url).status_code == 404


def test_another_members_goal_chart_is_not_found(member, make_user, client_for):
    other = make_user("sorrel")
    goal = add_goal(other, "Swim twice", [(timezone.localdate(), 5)])
    response = client_for(member).get(reverse("progress:chart_goal", kwargs={"goal_id": goal.pk}))
    assert response.status_code == 404


def test_empty_charts_render_a_message(member):
    mood = mood_progress(member)
    assert b"No check-ins yet" in charts.mood_chart_svg(mood)
    goal = add_goal(member, "Tidy the shed", [])
    (progress,) = goal_progress(member)
    assert goal.pk == progress.goal_id
    assert b"No ratings yet" in charts.goal_chart_svg(progress)


def test_measure_without_bands_still_charts(member):
    add_score(member, "qpr15", date(2026, 1, 4), 30, "")
    add_score(member, "qpr15", date(2026, 2, 4), 38, "")
    (progress,) = measure_progress(member)
    svg = charts.measure_chart_svg(progress).decode()
    assert "<path" in svg
    assert external_references(svg) == []
