"""Members' own safety pages, under /safety/ (appeals have their own include, before this one)."""

from django.urls import path

from alongside.safety.views import member as views

app_name = "safety_member"

urlpatterns = [
    path("reports/", views.report_list, name="reports"),
    path("report/post/<int:post_id>/", views.report_post, name="report_post"),
    path("report/member/<str:handle>/", views.report_member, name="report_member"),
    path("blocked/", views.blocked_list, name="blocked"),
    path("block/<str:handle>/", views.block, name="block"),
    path("unblock/<str:handle>/", views.unblock, name="unblock"),
    path("settings/", views.protection_settings, name="settings"),
    path("break/", views.break_start, name="break_start"),
    path("break/end/", views.break_stop, name="break_end"),
]
