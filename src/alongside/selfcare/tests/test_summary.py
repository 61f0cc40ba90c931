"""The summary to share: one PDF page (or a print page) holding what the member chose only."""

from __future__ import annotations

import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alongside.selfcare.models import HelpfulThing, SafetyPlan
from alongside.selfcare.summary import SummaryChoices, summary_contents, summary_pdf
from alongside.selfcare.tests.test_progress import add_goal, add_score


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def fill_in(member) -> None:
    today = timezone.localdate()
    add_score(member, "phq9", today - timedelta(days=40), 16, "moderately severe")
    add_score(member, "phq9", today - timedelta(days=10), 11, "moderate")
    add_score(member, "gad7", today - timedelta(days=10), 9, "mild")
    add_goal(member, "Join the walking group", [(today - timedelta(days=30), 2), (today, 5)])
    HelpfulThing.objects.create(member=member, text="Tea on the back step", position=0)
    SafetyPlan.objects.create(
        member=member,
        sections={
            "warning_signs": ["Staying in bed past noon"],
            "people_to_ask": ["My cousin Ansel, by text"],
        },
    )


def test_summary_page_says_nothing_is_shared(member, client_for):
    fill_in(member)
    response = client_for(member).get(reverse("progress:summary"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing is shared unless you give or send it yourself." in page
    assert "Patient Health Questionnaire (PHQ-9)" in page
    assert f'action="{reverse("progress:summary_pdf")}"' in page
    assert f'formaction="{reverse("progress:summary_print")}"' in page


def test_pdf_is_one_page_with_the_chosen_parts_only(member, client_for):
    fill_in(member)
    member.email = "river@example.org"
    member.save(update_fields=["email"])

    response = client_for(member).post(
        reverse("progress:summary_pdf"),
        {
            "measures": ["phq9"],
            "goals": "on",
            "questions": "Could the new tablets be why I wake at four?",
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    pages, text = pdf_text(response.content)
    assert pages == 1
    assert "river" in text
    assert "river@example.org" not in text
    assert "Patient Health Questionnaire (PHQ-9)" in text
    assert "moderately severe" in text
    assert "not a diagnosis" in text
    assert "Kroenke" in text  # the measure's reference
    assert "Join the walking group" in text
    assert "5/10 now, 2/10 at first" in text
    assert "Could the new tablets be why I wake at four?" in text
    # Not chosen: left out.
    assert "GAD-7" not in text
    assert "Tea on the back step" not in text
    assert "Staying in bed past noon" not in text
    assert "My cousin Ansel" not in text
    assert "(more in Alongside)" not in text


def test_safety_plan_and_helps_only_when_ticked(member, client_for):
    fill_in(member)
    response = client_for(member).post(
        reverse("progress:summary_pdf"), {"helps": "on", "safety_plan": "on"}
    )
    pages, text = pdf_text(response.content)
    assert pages == 1
    assert "Tea on the back step" in text
    assert "Staying in bed past noon" in text
    assert "My cousin Ansel, by text" in text
    assert "Join the walking group" not in text
    assert "Patient Health Questionnaire" not in text


def test_a_long_summary_is_trimmed_to_one_page(member):
    today = timezone.localdate()
    for back in range(12):
        add_score(member, "phq9", today - timedelta(days=14 * back + 1), 10 + back % 5, "moderate")
    for number in range(15):
        add_goal(member, f"Goal number {number} about the garden", [(today, number % 11)])
    for number in range(25):
        HelpfulThing.objects.create(member=member, text=f"Helpful thing {number}", position=number)
    choices = SummaryChoices(
        measures=("phq9",),
        goals=True,
        helps=True,
        safety_plan=True,
        questions="Why do I feel worse in the mornings? " * 80,
    )

    contents = summary_contents(member=member, choices=choices)
    pages, text = pdf_text(summary_pdf(contents))

    assert contents.trimmed
    assert pages == 1
    assert "(more in Alongside)" in text
    assert "Helpful thing 0" in text
    assert "Helpful thing 24" not in text


def test_print_view_has_the_chosen_parts_and_print_css(member, client_for):
    fill_in(member)
    response = client_for(member).post(
        reverse("progress:summary_print"),
        {"measures": ["gad7"], "safety_plan": "on", "questions": "Ask about the wait list"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/selfcare/progress.css" in page
    assert "Generalised Anxiety Disorder assessment (GAD-7)" in page
    assert "Staying in bed past noon" in page
    assert "Ask about the wait list" in page
    assert "not a diagnosis" in page
    assert "Patient Health Questionnaire" not in page
    assert "Join the walking group" not in page
    assert "Tea on the back step" not in page
    assert "Nothing is shared unless you give or send it yourself." in page


def test_form_error_keeps_what_was_typed(member, client_for):
    fill_in(member)
    long_question = "Is this normal? " * 300  # over the form's limit
    response = client_for(member).post(
        reverse("progress:summary_pdf"),
        {"measures": ["phq9"], "goals": "on", "questions": long_question},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Is this normal?" in page
    assert 'value="phq9"' in page and "checked" in page
    assert 'name="goals" id="id_goals" checked' in page


def test_nothing_chosen_is_an_error(member, client_for):
    response = client_for(member).post(reverse("progress:summary_pdf"), {})
    assert response.status_code == 400
    assert "Choose at least one thing to include" in response.content.decode()


def test_a_measure_the_member_never_answered_cannot_be_chosen(member, client_for):
    fill_in(member)
    response = client_for(member).post(reverse("progress:summary_pdf"), {"measures": ["ucla3"]})
    assert response.status_code == 400


def test_summary_needs_signing_in(client):
    response = client.post(reverse("progress:summary_pdf"), {"goals": "on"})
    assert response.status_code == 302
