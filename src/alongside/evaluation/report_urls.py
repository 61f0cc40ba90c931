"""Research reports, mounted at ``research/`` (namespace "evaluation_reports")."""

from django.urls import path

from alongside.evaluation import report_views as views

app_name = "evaluation_reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:pk>/", views.programme_page, name="programme_page"),
    path("programmes/<int:pk>/forest.svg", views.programme_forest, name="programme_forest"),
    path("programmes/<int:pk>/funnel.svg", views.programme_funnel, name="programme_funnel"),
    path("programmes/<int:pk>/report.html", views.programme_html, name="programme_html"),
    path("programmes/<int:pk>/report.pdf", views.programme_pdf, name="programme_pdf"),
    path("programmes/<int:pk>/rows.csv", views.programme_csv, name="programme_csv"),
    path("studies/<int:pk>/", views.study_page, name="study_page"),
    path("studies/<int:pk>/forest.svg", views.study_forest, name="study_forest"),
    path("studies/<int:pk>/funnel.svg", views.study_funnel, name="study_funnel"),
    path("studies/<int:pk>/report.html", views.study_html, name="study_html"),
    path("studies/<int:pk>/report.pdf", views.study_pdf, name="study_pdf"),
    path("studies/<int:pk>/rows.csv", views.study_csv, name="study_csv"),
]
