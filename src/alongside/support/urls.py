"""Formal peer support pages, under ``/support/``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from alongside.support import views

app_name = "support"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("requests/<int:request_id>/choose/", views.request_choose, name="request_choose"),
    path("requests/<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("requests/<int:request_id>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:request_id>/decline/", views.request_decline, name="request_decline"),
    path(
        "relationships/<int:relationship_id>/",
        views.relationship_detail,
        name="relationship",
    ),
    path(
        "relationships/<int:relationship_id>/renew/",
        views.relationship_renew,
        name="relationship_renew",
    ),
    path("profile/", views.profile, name="profile"),
    path("supervision/", views.supervision, name="supervision"),
    path(
        "supervision/supporters/<int:supporter_id>/",
        views.supervision_supporter,
        name="supervision_supporter",
    ),
]
