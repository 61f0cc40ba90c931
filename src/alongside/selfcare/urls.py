"""Looking after myself, under /me/: check-ins, goals, what helps me and the safety plan."""

from django.urls import path

from alongside.selfcare import views

app_name = "selfcare"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("check-in/", views.check_in, name="check_in"),
    path("check-ins/", views.check_ins, name="check_ins"),
    path("check-ins/<str:day>/", views.check_in_edit, name="check_in_edit"),
    path("check-ins/<str:day>/delete/", views.check_in_delete, name="check_in_delete"),
    path("goals/", views.goals, name="goals"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:goal_id>/", views.goal_detail, name="goal_detail"),
    path("goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/status/", views.goal_status, name="goal_status"),
    path("goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path("goals/<int:goal_id>/rate/", views.goal_rate, name="goal_rate"),
    path("goals/<int:goal_id>/steps/", views.goal_step_add, name="goal_step_add"),
    path(
        "goals/<int:goal_id>/steps/<int:step_id>/done/",
        views.goal_step_done,
        name="goal_step_done",
    ),
    path(
        "goals/<int:goal_id>/steps/<int:step_id>/remove/",
        views.goal_step_remove,
        name="goal_step_remove",
    ),
    path(
        "goals/<int:goal_id>/steps/<int:step_id>/move/",
        views.goal_step_move,
        name="goal_step_move",
    ),
    path("helps/", views.helps, name="helps"),
    path("helps/<int:thing_id>/edit/", views.help_edit, name="help_edit"),
    path("helps/<int:thing_id>/remove/", views.help_remove, name="help_remove"),
    path("helps/<int:thing_id>/move/", views.help_move, name="help_move"),
    path("safety-plan/", views.safety_plan, name="safety_plan"),
    path("safety-plan/edit/", views.safety_plan_edit, name="safety_plan_edit"),
    path("safety-plan/print/", views.safety_plan_print, name="safety_plan_print"),
]
