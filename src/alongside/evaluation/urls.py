"""Programme and study pages under ``/evaluation/`` (namespace ``evaluation``).

Members: ``/evaluation/`` (programmes), ``<id>/`` and ``studies/<id>/``. Coordinators (the
``evaluation.manage_programmes`` permission): ``manage/``. Research reports live elsewhere
(``/research/``, namespace ``evaluation_reports``).
"""

from django.urls import URLPattern, URLResolver, path

from alongside.evaluation import views

app_name = "evaluation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<int:programme_id>/", views.programme_page, name="programme"),
    path("<int:programme_id>/join/", views.programme_join, name="programme_join"),
    path("<int:programme_id>/leave/", views.programme_leave, name="programme_leave"),
    path("studies/<int:study_id>/", views.study_page, name="study"),
    path("studies/<int:study_id>/consent/", views.study_consent, name="study_consent"),
    path("studies/<int:study_id>/decline/", views.study_decline, name="study_decline"),
    path("studies/<int:study_id>/randomise/", views.study_randomise, name="study_randomise"),
    path("studies/<int:study_id>/withdraw/", views.study_withdraw, name="study_withdraw"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/new/", views.programme_create, name="manage_programme_create"),
    path("manage/<int:programme_id>/", views.programme_detail, name="manage_programme"),
    path("manage/<int:programme_id>/edit/", views.programme_edit, name="manage_programme_edit"),
    path(
        "manage/<int:programme_id>/studies/new/",
        views.study_create,
        name="manage_study_create",
    ),
    path("manage/studies/<int:study_id>/", views.study_detail, name="manage_study"),
    path("manage/studies/<int:study_id>/edit/", views.study_edit, name="manage_study_edit"),
    path("manage/studies/<int:study_id>/open/", views.study_open, name="manage_study_open"),
    path("manage/studies/<int:study_id>/close/", views.study_close, name="manage_study_close"),
]
