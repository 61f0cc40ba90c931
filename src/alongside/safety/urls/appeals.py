"""A member's sanctions and appeals under ``/safety/appeals/``."""

from django.urls import path

from alongside.safety.views import appeals

app_name = "safety_appeals"

urlpatterns = [
    path("", appeals.appeal_list, name="list"),
    path("<int:sanction_id>/", appeals.appeal_create, name="appeal"),
    path("suspended/<str:token>/", appeals.suspended_appeal, name="suspended"),
]
