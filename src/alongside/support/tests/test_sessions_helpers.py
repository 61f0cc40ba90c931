"""Builders and a URL configuration shared by the session and note tests (no tests here;
each test module wraps the builders in its own fixtures).

The URL configuration is the project's plus the sessions pages, in case the project does not
mount them yet, so these tests do not depend on that edit.
"""

from __future__ import annotations

from datetime import timedelta

from conftest import MakeUser
from django.urls import URLPattern, URLResolver, include, path
from django.utils import timezone

from alongside import urls as project_urls
from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.support.models import SupporterProfile, SupportRelationship

ALL_WEEK = [{"weekday": day, "start": "00:00", "end": "24:00"} for day in range(7)]


def _mounted() -> bool:
    return any(
        isinstance(entry, URLResolver) and entry.namespace == "support_sessions"
        for entry in project_urls.urlpatterns
    )


urlpatterns: list[URLPattern | URLResolver] = list(project_urls.urlpatterns)
if not _mounted():
    urlpatterns.insert(0, path("support/sessions/", include("alongside.support.session_urls")))

URLS = "alongside.support.tests.test_sessions_helpers"


def make_supervisor(make_user: MakeUser, handle: str) -> User:
    """A member with the supervisor role (``support.supervise``)."""
    return make_user(handle, role=Role.SUPERVISOR)


def make_supporter(make_user: MakeUser) -> User:
    """A supporter in London, available all week."""
    user = make_user("alex")
    SupporterProfile.objects.create(user=user, availability=ALL_WEEK, time_zone="Europe/London")
    return user


def make_relationship(member: User, supporter: User, supervisor: User) -> SupportRelationship:
    return SupportRelationship.objects.create(
        member=member,
        supporter=supporter,
        supervisor=supervisor,
        expected_end=timezone.now() + timedelta(weeks=8),
        status=SupportRelationship.Status.ACTIVE,
    )
