from django.urls import path

from alongside.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/welcome/", views.signup_done, name="signup_done"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("recover/", views.recover, name="recover"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path(
        "recovery-codes/new/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("policies/accept/", views.accept_policies, name="accept_policies"),
    path("policies/publish/", views.policy_publish, name="policy_publish"),
    path("policies/<str:kind>/", views.policy, name="policy"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("members/<str:handle>/", views.profile, name="profile"),
    path("members/<str:handle>/roles/", views.member_roles, name="member_roles"),
    path(
        "members/<str:handle>/background-check/",
        views.member_background_check,
        name="member_background_check",
    ),
]
