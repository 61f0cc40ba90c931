"""My progress (/me/progress/): charts and tables, the summary to take along, and sharing."""

from django.urls import path

from alongside.selfcare import views_progress as views

app_name = "progress"
urlpatterns = [
    path("", views.index, name="index"),
    path("charts/measure/<slug:key>.svg", views.chart_measure, name="chart_measure"),
    path("charts/mood.svg", views.chart_mood, name="chart_mood"),
    path("charts/goal/<int:goal_id>.svg", views.chart_goal, name="chart_goal"),
    path("summary/", views.summary, name="summary"),
    path("summary/pdf/", views.summary_pdf_download, name="summary_pdf"),
    path("summary/print/", views.summary_print, name="summary_print"),
    path("share/", views.share_grant, name="share_grant"),
    path("share/<int:share_id>/withdraw/", views.share_withdraw, name="share_withdraw"),
    path("shared/", views.shared, name="shared"),
    path("shared/<str:handle>/", views.member, name="member"),
    path(
        "shared/<str:handle>/charts/measure/<slug:key>.svg",
        views.chart_measure,
        name="member_chart_measure",
    ),
    path("shared/<str:handle>/charts/mood.svg", views.chart_mood, name="member_chart_mood"),
    path(
        "shared/<str:handle>/charts/goal/<int:goal_id>.svg",
        views.chart_goal,
        name="member_chart_goal",
    ),
]
