"""Research report pages, their plots and their downloads: researchers and administrators only.

Thin views: ``reports`` builds the de-identified ``Report`` and draws the plots,
``report_pdf`` writes the PDF. The page embeds the plots as SVG images from their own URLs
(``IMAGE_CSP``, as the progress charts do), so it works under the site's strict policy and
without JavaScript. The HTML download is one self-contained file: its stylesheet inlined and
the plots as ``data:`` images, so opening it makes no request anywhere. Each download writes
an audit row.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import cast

from csp.decorators import csp
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from alongside.accounts.access import ASSIGN_ROLES, VIEW_RESEARCH_DATA, AnyUser, has_permission
from alongside.accounts.models import User
from alongside.evaluation import reports
from alongside.evaluation.models import Programme, Study
from alongside.evaluation.privacy import min_cell
from alongside.evaluation.report_pdf import report_pdf
from alongside.selfcare.views_progress import IMAGE_CSP

PRIVATE = "private, no-store"
CSS_FILE = Path(__file__).resolve().parent / "static" / "evaluation" / "reports.css"


def can_view_research(user: AnyUser | None) -> bool:
    """Researchers, and administrators (who hold the role-assigning permission)."""
    return has_permission(user, VIEW_RESEARCH_DATA) or has_permission(user, ASSIGN_ROLES)


def _require(request: HttpRequest) -> User:
    if not can_view_research(request.user):
        raise PermissionDenied
    return cast(User, request.user)


def _report(kind: str, pk: int) -> reports.Report:
    if kind == "programme":
        return reports.programme_report(get_object_or_404(Programme, pk=pk))
    if kind == "study":
        return reports.study_report(
            get_object_or_404(Study.objects.select_related("programme"), pk=pk)
        )
    raise Http404


def _urls(kind: str, pk: int) -> dict[str, str]:
    return {
        name: reverse(f"evaluation_reports:{kind}_{name}", kwargs={"pk": pk})
        for name in ("page", "forest", "funnel", "html", "pdf", "csv")
    }


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = PRIVATE
    return response


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require(request)
    programmes = Programme.objects.order_by("name").prefetch_related("studies")
    context = {"programmes": programmes, "min_cell": min_cell()}
    return _private(render(request, "evaluation/reports/index.html", context))


View = Callable[..., HttpResponseBase]


def _page(kind: str) -> View:
    @login_required
    @require_GET
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        _require(request)
        report = _report(kind, pk)
        urls = _urls(kind, pk)
        context = {
            "report": report,
            "urls": urls,
            "forest_src": urls["forest"] if report.forest is not None else "",
            "funnel_src": urls["funnel"] if report.funnel is not None else "",
            "studies": (
                list(Study.objects.filter(programme_id=pk).order_by("title"))
                if kind == "programme"
                else []
            ),
        }
        return _private(render(request, "evaluation/reports/report.html", context))

    return view


def _plot(kind: str, which: str) -> View:
    @login_required
    @require_GET
    @csp(IMAGE_CSP)  # type: ignore[arg-type]  # django-csp types views as taking only request
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        _require(request)
        report = _report(kind, pk)
        content = reports.forest_svg(report) if which == "forest" else reports.funnel_svg(report)
        if content is None:
            raise Http404
        return _private(HttpResponse(content, content_type="image/svg+xml"))

    return view


def _data_uri(svg: bytes | None) -> str:
    if svg is None:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _filename(report: reports.Report, extension: str) -> str:
    stem = slugify(report.title) or report.kind
    return f"research-report-{report.kind}-{report.pk}-{stem}.{extension}"


def _download(kind: str, export_format: str) -> View:
    @login_required
    @require_GET
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        user = _require(request)
        report = _report(kind, pk)
        if export_format == "csv":
            owner = (
                get_object_or_404(Programme, pk=pk)
                if kind == "programme"
                else get_object_or_404(Study.objects.select_related("programme"), pk=pk)
            )
            response = HttpResponse(
                reports.deidentified_csv(owner), content_type="text/csv; charset=utf-8"
            )
        elif export_format == "html":
            html = render_to_string(
                "evaluation/reports/export.html",
                {
                    "report": report,
                    "css": CSS_FILE.read_text(encoding="utf-8"),
                    "forest_src": _data_uri(reports.forest_svg(report)),
                    "funnel_src": _data_uri(reports.funnel_svg(report)),
                    "export": True,
                },
            )
            response = HttpResponse(html, content_type="text/html; charset=utf-8")
        else:
            response = HttpResponse(report_pdf(report), content_type="application/pdf")
        reports.report_export_record(actor=user, report=report, export_format=export_format)
        response["Content-Disposition"] = (
            f'attachment; filename="{_filename(report, export_format)}"'
        )
        return _private(response)

    return view


programme_page = _page("programme")
programme_forest = _plot("programme", "forest")
programme_funnel = _plot("programme", "funnel")
programme_html = _download("programme", "html")
programme_pdf = _download("programme", "pdf")
programme_csv = _download("programme", "csv")
study_page = _page("study")
study_forest = _plot("study", "forest")
study_funnel = _plot("study", "funnel")
study_html = _download("study", "html")
study_pdf = _download("study", "pdf")
study_csv = _download("study", "csv")
