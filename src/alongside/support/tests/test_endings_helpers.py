"""Builders and a URL configuration shared by the endings and tools tests (no tests here).

The URL configuration is the project's plus the endings pages, in case the project does not
mount them yet.
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


def _mounted(namespace: str) -> bool:
    return any(
        isinstance(entry, URLResolver) and entry.namespace == namespace
        for entry in project_urls.urlpatterns
    )


urlpatterns: list[URLPattern | URLResolver] = list(project_urls.urlpatterns)
if not _mounted("support_endings"):
    urlpatterns.insert(0, path("support/endings/", include("alongside.support.ending_urls")))
if not _mounted("support_sessions"):
    urlpatterns.insert(0, path("support/sessions/", include("alongside.support.session_urls")))

URLS = "alongside.support.tests.test_endings_helpers"


def make_supporter(make_user: MakeUser, handle: str = "alex", zone: str = "Europe/London") -> User:
    user = make_user(handle, role=Role.PEER_SUPPORTER)
    SupporterProfile.objects.create(user=user, time_zone=zone)
    return user


def make_relationship(
    member: User, supporter: User, status: str = SupportRelationship.Status.ACTIVE
) -> SupportRelationship:
    return SupportRelationship.objects.create(
        member=member,
        supporter=supporter,
        expected_end=timezone.now() + timedelta(weeks=8),
        status=status,
    )
