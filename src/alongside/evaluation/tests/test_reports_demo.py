"""The research reports work on the demo programme and study, and name none of its people."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.evaluation import reports
from alongside.evaluation.demo import ensure_demo_evaluation
from alongside.evaluation.models import Programme, Study


@pytest.mark.django_db
def test_reports_on_the_demo(
    role_users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    ensure_demo_evaluation(role_users)
    programme = Programme.objects.get()
    study = Study.objects.get()
    study_report = reports.build_study_report(study)
    effects = study_report.sections[0].tables[0]
    assert effects.rows[0][0] == "Intention to treat (primary)"
    # 40 randomised, less the one who asked for their answers to be left out.
    assert effects.rows[0][2] == "39"
    # The demo's access-now arm improves more than the waiting list: d favours peer support.
    assert not effects.rows[0][3].startswith("\u2212")
    assert study_report.consort is not None
    programme_report = reports.build_programme_report(programme)
    assert programme_report.consort is not None
    assert programme_report.forest is not None

    client = client_for(role_users[Role.RESEARCHER])
    handles = list(
        User.objects.exclude(groups__name=Role.RESEARCHER).values_list("handle", flat=True)
    )
    for name, pk in (
        ("programme_page", programme.pk),
        ("study_page", study.pk),
        ("study_html", study.pk),
        ("programme_forest", programme.pk),
    ):
        response = client.get(reverse(f"evaluation_reports:{name}", kwargs={"pk": pk}))
        assert response.status_code == 200, name
        text = response.content.decode("utf-8")
        leaked = [handle for handle in handles if handle in text]
        assert leaked == [], name
    pdf = client.get(reverse("evaluation_reports:study_pdf", kwargs={"pk": study.pk}))
    assert pdf.content.startswith(b"%PDF")
