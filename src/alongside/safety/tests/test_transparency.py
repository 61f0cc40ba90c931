"""The public page that explains screening, with last months' figures."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.safety.models import MonthlyStatistics

pytestmark = pytest.mark.django_db
URL = reverse("core:about_screening")


def test_anyone_can_read_what_is_screened_how_and_why(settings: object) -> None:
    settings.SAFETY_RETENTION_DAYS = 180  # type: ignore[attr-defined]
    response = Client().get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for words in (
        "Every new thread, every reply and every profile bio",
        "chats",
        "its own ID",
        "small models that we trained ourselves",
        "never sent to any outside company",
        "A moderator on duty is alerted",
        "held back from other members",
        "Nothing is ever deleted automatically",
        "Emergency services are never contacted automatically",
        "Administrators can read the audit log",
        "180 days",
        "never a second copy of what you wrote",
    ):
        assert words in html, words
    assert "There are no figures yet" in html


def test_the_figures_table_shows_recent_months_without_scanning() -> None:
    MonthlyStatistics.objects.create(
        month=date(2025, 2, 1),
        counts={"hide": 4, "warn": 2, "reports": 9, "alerts": 3},
        median_ack_seconds=150,
    )
    MonthlyStatistics.objects.create(
        month=date(2025, 3, 1), counts={"hide": 1, "reports": 2, "alerts": 1}
    )
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        html = client.get(URL).content.decode()
    assert "Feb 2025" in html
    assert "Mar 2025" in html
    assert html.index("Feb 2025") < html.index("Mar 2025")
    assert "<td>9</td>" in html
    assert "3 minutes" in html  # 150 seconds, rounded
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "safety_moderationaction" not in tables
    assert "safety_alert" not in tables


def test_only_the_last_six_months_are_shown() -> None:
    for month in range(1, 9):
        MonthlyStatistics.objects.create(month=date(2024, month, 1), counts={})
    html = Client().get(URL).content.decode()
    assert "Feb 2024" not in html
    assert "Mar 2024" in html
    assert "Aug 2024" in html
