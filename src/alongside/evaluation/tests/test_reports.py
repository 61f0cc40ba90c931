"""Research reports: what they show, what they never show, who may see them, the audit."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conftest import MakeUser
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.evaluation import reports
from alongside.evaluation.models import Programme, Study
from alongside.evaluation.tests.report_fixtures import Built, build_trial
from alongside.safety.models import AuditEntry

ClientFor = Callable[[User], Client]


@pytest.fixture
def trial(make_user: MakeUser) -> Built:
    return build_trial(make_user)


@pytest.fixture
def researcher(make_user: MakeUser) -> User:
    return make_user("quill", role=Role.RESEARCHER)


def _texts(report: reports.Report) -> str:
    parts = [report.title, report.direction, *report.citations]
    for table in report.all_tables:
        parts += [table.caption, table.note, *table.headers]
        parts += [cell for row in table.rows for cell in row]
    for section in report.sections:
        parts += [section.heading, section.method, *section.notes]
    return "\n".join(parts)


def _handles(built: Built) -> list[str]:
    return [user.handle for user in built.participants + built.declined]


@pytest.mark.django_db
def test_study_report_estimates_favour_peer_support_and_state_the_method(trial: Built) -> None:
    report = reports.build_study_report(trial.study)
    effects = report.sections[0].tables[0]
    assert effects.rows[0][0] == "Intention to treat (primary)"
    assert "mixed model" in effects.rows[0][1]
    assert effects.rows[0][2] == "60"
    match = re.match(r"(\S+) \((\S+) to (\S+)\)", effects.rows[0][3])
    assert match is not None
    estimate = float(match.group(1).replace("\u2212", "-"))
    # Peer support ends about 3 PHQ-9 points lower (a benefit): a clearly positive d.
    assert 0.3 < estimate < 2.0
    assert effects.rows[2][0] == "Completers (sensitivity)"
    assert "Hedges' g" in effects.rows[2][1]
    assert "positive number means improvement" in report.direction
    assert report.forest is not None
    assert report.forest.direction == ("favours control", "favours peer support")
    assert [ref.label for ref in report.forest.references] == [
        "Yeo et al. 2025: Mental health",
        "Croke et al. 2026: Depression",
    ]
    assert report.forest.references[1].estimate == pytest.approx(0.28)


@pytest.mark.django_db
def test_small_cells_are_suppressed_in_every_table(trial: Built) -> None:
    study = reports.build_study_report(trial.study)
    consort = {row[0]: row[1:] for row in study.consort.rows} if study.consort else {}
    assert consort["Assessed for eligibility"][0] == "67"
    assert consort["Excluded"][0] == "<10"  # seven declined
    assert consort["Randomised"][0] == "60"
    assert consort["Allocated"] == ("30", "30")
    # Everyone received the allocation: "did not receive" (0) is hidden, and "received" is
    # withheld because allocated minus received would give it away.
    assert consort["Did not receive it"] == ("<10", "<10")
    assert consort["Received allocated intervention"] == ("withheld", "withheld")
    programme = reports.build_programme_report(trial.programme)
    participants = programme.sections[0].tables[0]
    by_cohort = {row[0]: row for row in participants.rows}
    assert by_cohort["Winter (East)"][1:] == ("<10", "<10", "<10")
    assert by_cohort["Spring (North)"][1] == "30"
    within = {row[0]: row for row in programme.sections[1].tables[0].rows}
    assert within["Winter (East)"][2] == "suppressed (n <10)"
    # The total would give the small cohort away: one other part is withheld.
    assert within["All cohorts together"][1] == "63"
    assert "withheld" in (within["Spring (North)"][1], within["Autumn (South)"][1])
    # Nothing anywhere shows a count from 1 to 9.
    for report in (study, programme):
        for table in report.all_tables:
            for row in table.rows:
                for cell in row[1:]:
                    assert not re.fullmatch(r"[0-9]", cell), (table.caption, row)
    # The small cohort is left out of the plots too.
    assert programme.forest is not None
    assert "Winter (East)" not in programme.forest.labels


@pytest.mark.django_db
def test_reports_and_exports_hold_no_handle(
    trial: Built, researcher: User, client_for: ClientFor
) -> None:
    client = client_for(researcher)
    handles = _handles(trial)
    for kind, pk in (("programme", trial.programme.pk), ("study", trial.study.pk)):
        page = client.get(reverse(f"evaluation_reports:{kind}_page", kwargs={"pk": pk}))
        html = client.get(reverse(f"evaluation_reports:{kind}_html", kwargs={"pk": pk}))
        forest = client.get(reverse(f"evaluation_reports:{kind}_forest", kwargs={"pk": pk}))
        assert page.status_code == html.status_code == forest.status_code == 200
        for body in (page.content, html.content, forest.content):
            text = body.decode("utf-8")
            for handle in handles:
                assert handle not in text
    for report in (
        reports.build_programme_report(trial.programme),
        reports.build_study_report(trial.study),
    ):
        text = _texts(report)
        assert all(handle not in text for handle in handles)


@pytest.mark.django_db
def test_html_export_is_self_contained_and_audited(
    trial: Built, researcher: User, client_for: ClientFor
) -> None:
    client = client_for(researcher)
    url = reverse("evaluation_reports:study_html", kwargs={"pk": trial.study.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert "CONSORT flow" in text
    assert 'src="data:image/svg+xml;base64,' in text
    # No request leaves the file: no linked stylesheet, script or remote image.
    assert "<link" not in text
    assert "<script" not in text
    assert not re.search(r'(src|href)="(https?:)?//', text)
    entry = AuditEntry.objects.get(action=reports.EXPORT_ACTION)
    assert entry.actor == researcher
    assert (entry.target_kind, entry.target_id) == ("study", trial.study.pk)
    assert entry.detail["format"] == "html"
    client.get(reverse("evaluation_reports:programme_pdf", kwargs={"pk": trial.programme.pk}))
    assert AuditEntry.objects.filter(action=reports.EXPORT_ACTION).count() == 2


@pytest.mark.django_db
def test_pdf_export(trial: Built, researcher: User, client_for: ClientFor) -> None:
    response = client_for(researcher).get(
        reverse("evaluation_reports:study_pdf", kwargs={"pk": trial.study.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.get(action=reports.EXPORT_ACTION).detail["format"] == "pdf"


@pytest.mark.django_db
def test_viewing_the_page_is_not_an_export(
    trial: Built, researcher: User, client_for: ClientFor
) -> None:
    client_for(researcher).get(
        reverse("evaluation_reports:programme_page", kwargs={"pk": trial.programme.pk})
    )
    assert not AuditEntry.objects.filter(action=reports.EXPORT_ACTION).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.RESEARCHER, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.MEMBER, 403),
        (Role.PEER_SUPPORTER, 403),
        (Role.MODERATOR, 403),
    ],
)
def test_only_researchers_and_administrators(
    trial: Built, make_user: MakeUser, client_for: ClientFor, role: str, status: int
) -> None:
    client = client_for(make_user("visitor", role=role))
    pk = trial.programme.pk
    for name in ("index", "programme_page", "programme_forest", "programme_html", "study_pdf"):
        kwargs = {} if name == "index" else {"pk": trial.study.pk if "study" in name else pk}
        response = client.get(reverse(f"evaluation_reports:{name}", kwargs=kwargs))
        assert response.status_code == status, name
    if status == 403:
        assert not AuditEntry.objects.filter(action=reports.EXPORT_ACTION).exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(trial: Built) -> None:
    response = Client().get(
        reverse("evaluation_reports:programme_page", kwargs={"pk": trial.programme.pk})
    )
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


@pytest.mark.django_db
def test_plots_are_served_as_images_under_the_image_policy(
    trial: Built, researcher: User, client_for: ClientFor
) -> None:
    response = client_for(researcher).get(
        reverse("evaluation_reports:study_forest", kwargs={"pk": trial.study.pk})
    )
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    svg = response.content.decode("utf-8")
    assert "Published pooled effects" in svg
    assert "Croke et al. 2026" in svg


@pytest.mark.django_db
def test_page_shows_consort_literature_and_plot(
    trial: Built, researcher: User, client_for: ClientFor
) -> None:
    response = client_for(researcher).get(
        reverse("evaluation_reports:study_page", kwargs={"pk": trial.study.pk})
    )
    text = response.content.decode("utf-8")
    assert "CONSORT flow" in text
    assert 'id="forest-plot"' in text
    assert "Yeo G, Fortuna KL, Lansford JE, Rudolph KD" in text
    assert "BMJ Mental Health 2026;29:e302275" in text
    assert "style=" not in text.split('<main id="main"')[1]


@pytest.mark.django_db
def test_deidentified_rows_export(trial: Built, researcher: User, client_for: ClientFor) -> None:
    client = client_for(researcher)
    first = client.get(
        reverse("evaluation_reports:programme_csv", kwargs={"pk": trial.programme.pk})
    )
    second = client.get(
        reverse("evaluation_reports:programme_csv", kwargs={"pk": trial.programme.pk})
    )
    assert first.status_code == 200
    assert first["Content-Type"].startswith("text/csv")
    lines = first.content.decode("utf-8").splitlines()
    assert lines[0].split(",") == list(reports.ROW_HEADERS)
    rows = [line.split(",") for line in lines[1:]]
    # The nine-person cohort is left out entirely; the two cohorts of thirty are there.
    assert len(rows) == 60
    assert {row[1] for row in rows} == {"Spring", "Autumn"}
    # Pseudonyms, not ids or handles; new ones in every export; weeks, not dates.
    pseudonyms = {row[0] for row in rows}
    assert all(name.startswith("P-") for name in pseudonyms)
    assert pseudonyms.isdisjoint(
        row.split(",")[0] for row in second.content.decode("utf-8").splitlines()[1:]
    )
    ids = {str(user.pk) for user in trial.participants}
    assert pseudonyms.isdisjoint(ids)
    assert {row[4] for row in rows} <= {"12", "13"}
    text = first.content.decode("utf-8")
    assert all(handle not in text for handle in _handles(trial))
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    formats = AuditEntry.objects.filter(action=reports.EXPORT_ACTION).values_list(
        "detail__format", flat=True
    )
    assert list(formats) == ["csv", "csv"]


@pytest.mark.django_db
def test_study_rows_leave_out_small_arms(trial: Built) -> None:
    rows, left_out = reports.deidentified_rows(trial.study, k=16)
    # Each cohort has 15 per arm: below 16, every group is left out.
    assert rows == []
    assert left_out == 60
    rows, left_out = reports.deidentified_rows(trial.study, k=10)
    assert (len(rows), left_out) == (60, 0)
    assert {row[3] for row in rows} == {"Access now", "Waitlist"}


@pytest.mark.django_db
def test_funnel_plot_once_three_sites_can_be_pooled(
    make_user: MakeUser, researcher: User, client_for: ClientFor
) -> None:
    built = build_trial(
        make_user,
        cohorts=(("Spring", "North", 24), ("Summer", "West", 24), ("Autumn", "South", 24)),
        small_cohort=0,
        declined=0,
    )
    report = reports.build_study_report(built.study)
    assert report.funnel is not None
    assert report.funnel.k == 3
    client = client_for(researcher)
    response = client.get(reverse("evaluation_reports:study_funnel", kwargs={"pk": built.study.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    page = client.get(reverse("evaluation_reports:study_page", kwargs={"pk": built.study.pk}))
    assert 'id="funnel-plot"' in page.content.decode("utf-8")


@pytest.mark.django_db
def test_no_funnel_with_two_units_says_why(
    trial: Built, researcher: User, client_for: ClientFor
) -> None:
    response = client_for(researcher).get(
        reverse("evaluation_reports:study_funnel", kwargs={"pk": trial.study.pk})
    )
    assert response.status_code == 404
    assert "at least 3" in reports.build_study_report(trial.study).funnel_reason


@pytest.mark.django_db
def test_empty_programme_and_study_still_make_a_report(
    researcher: User, client_for: ClientFor
) -> None:
    programme = Programme.objects.create(name="A new programme")
    study = Study.objects.create(
        programme=programme, title="Not yet recruiting", summary="", primary_outcome="gad7"
    )
    client = client_for(researcher)
    for name, pk in (("programme_page", programme.pk), ("study_page", study.pk)):
        response = client.get(reverse(f"evaluation_reports:{name}", kwargs={"pk": pk}))
        assert response.status_code == 200
        assert "nothing of the organisation" in response.content.decode("utf-8")
    assert (
        client.get(reverse("evaluation_reports:study_pdf", kwargs={"pk": study.pk})).status_code
        == 200
    )
    assert (
        client.get(reverse("evaluation_reports:study_forest", kwargs={"pk": study.pk})).status_code
        == 404
    )
