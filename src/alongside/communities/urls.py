"""Group, thread and post pages, under /groups/.

Fixed words ("feed", "new", "posts") come before ``<slug>`` and are reserved as group slugs
(``services.RESERVED_SLUGS``), so no group can hide one of these pages.
"""

from django.urls import path

from alongside.communities import views

app_name = "communities"

urlpatterns = [
    path("", views.group_list, name="group_list"),
    path("feed/", views.feed, name="feed"),
    path("new/", views.group_create, name="group_create"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:post_id>/history/", views.post_history, name="post_history"),
    path("posts/<int:post_id>/react/", views.react, name="react"),
    path("<slug:slug>/", views.group_detail, name="group_detail"),
    path("<slug:slug>/edit/", views.group_edit, name="group_edit"),
    path("<slug:slug>/join/", views.group_join, name="group_join"),
    path("<slug:slug>/join/<str:token>/", views.group_invite, name="group_invite"),
    path("<slug:slug>/leave/", views.group_leave, name="group_leave"),
    path("<slug:slug>/invite/reset/", views.group_invite_reset, name="group_invite_reset"),
    path("<slug:slug>/members/", views.group_members, name="group_members"),
    path(
        "<slug:slug>/members/<int:membership_id>/approve/",
        views.membership_approve,
        name="membership_approve",
    ),
    path(
        "<slug:slug>/members/<int:membership_id>/decline/",
        views.membership_decline,
        name="membership_decline",
    ),
    path(
        "<slug:slug>/members/<int:membership_id>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path("<slug:slug>/new/", views.thread_create, name="thread_create"),
    path("<slug:slug>/t/<int:thread_id>/", views.thread_detail, name="thread_detail"),
    path("<slug:slug>/t/<int:thread_id>/reply/", views.thread_reply, name="thread_reply"),
]
