"""Root URL configuration: one include per app, plus the JSON API."""

from django.urls import include, path

from alongside.api import api

urlpatterns = [
    path("", include("alongside.core.urls")),
    path("accounts/", include("alongside.accounts.urls")),
    path("groups/", include("alongside.communities.urls")),
    path("notifications/", include("alongside.notifications.urls")),
    path("chat/", include("alongside.chat.urls")),
    path("measures/", include("alongside.measures.urls")),
    path("me/progress/", include("alongside.selfcare.progress_urls")),
    path("me/", include("alongside.selfcare.urls")),
    path("moderation/", include("alongside.safety.urls.moderation")),
    path("safety/appeals/", include("alongside.safety.urls.appeals")),
    path("safety/", include("alongside.safety.urls.member")),
    path("evaluation/", include("alongside.evaluation.urls")),
    path("support/sessions/", include("alongside.support.session_urls")),
    path("support/fidelity/", include("alongside.support.fidelity_urls")),
    path("support/endings/", include("alongside.support.ending_urls")),
    path("support/care/", include("alongside.support.care_urls")),
    path("support/", include("alongside.support.urls")),
    path("research/", include("alongside.evaluation.report_urls")),
    path("api/v1/", api.urls),
]
