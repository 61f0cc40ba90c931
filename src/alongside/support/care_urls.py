"""Supporter care pages, mounted at ``/support/care/``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from alongside.support import care_views

app_name = "support_care"

urlpatterns: list[URLPattern | URLResolver] = [
    path("debrief/", care_views.debrief_new, name="debrief_new"),
    path("debriefs/", care_views.debriefs, name="debriefs"),
    path("debriefs/<int:debrief_id>/take/", care_views.debrief_take, name="debrief_take"),
    path(
        "relationships/<int:relationship_id>/handover/",
        care_views.handover_new,
        name="handover_new",
    ),
    path("handovers/<int:handover_id>/", care_views.handover_detail, name="handover"),
    path("handovers/<int:handover_id>/answer/", care_views.handover_answer, name="handover_answer"),
]
