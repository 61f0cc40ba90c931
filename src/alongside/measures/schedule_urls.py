"""Coordinators' schedule pages and a member's skip, mounted at ``/measures/schedules/``."""

from django.urls import path

from alongside.measures import schedule_views as views

app_name = "measure_schedules"

urlpatterns = [
    path("", views.schedule_list, name="list"),
    path("new/", views.schedule_create, name="create"),
    path("<int:schedule_id>/edit/", views.schedule_edit, name="edit"),
    path("<int:schedule_id>/deactivate/", views.schedule_deactivate, name="deactivate"),
    path("invitations/<int:invitation_id>/skip/", views.invitation_skip, name="skip"),
]
