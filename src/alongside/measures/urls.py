"""Questionnaire pages under ``/measures/`` (namespace ``measures``)."""

from django.urls import URLPattern, URLResolver, include, path

from alongside.measures import views

app_name = "measures"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("results/<int:response_id>/", views.result, name="result"),
    path("results/<int:response_id>/follow-up/", views.follow_up, name="follow_up"),
    path("safety/items/<int:item_id>/resolve/", views.safety_resolve, name="safety_resolve"),
    # Schedules (who is asked for what, when) and a member's skip: namespace
    # ``measures:measure_schedules``.
    path("schedules/", include("alongside.measures.schedule_urls")),
    # Last, so that a measure key never hides the pages above.
    path("<slug:key>/", views.take, name="take"),
]
