"""Builders and a URL configuration shared by the care and safety-hook tests (no tests here).

The URL configuration is the project's plus the care pages, in case the project does not
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
from alongside.chat import services as chat
from alongside.support.models import SupporterProfile, SupportRelationship


def _mounted() -> bool:
    return any(
        isinstance(entry, URLResolver) and entry.namespace == "support_care"
        for entry in project_urls.urlpatterns
    )


urlpatterns: list[URLPattern | URLResolver] = list(project_urls.urlpatterns)
if not _mounted():
    urlpatterns.insert(0, path("support/care/", include("alongside.support.care_urls")))

URLS = "alongside.support.tests.test_care_helpers"
CRISIS = "I have decided to end my life tonight, I've got the pills ready"


def make_supporter(make_user: MakeUser, handle: str, *, cap: int = 5) -> User:
    user = make_user(handle, role=Role.PEER_SUPPORTER)
    SupporterProfile.objects.create(user=user, caseload_cap=cap, on_probation=False)
    return user


def make_relationship(
    member: User, supporter: User, supervisor: User | None = None
) -> SupportRelationship:
    return SupportRelationship.objects.create(
        member=member,
        supporter=supporter,
        supervisor=supervisor,
        expected_end=timezone.now() + timedelta(weeks=8),
        status=SupportRelationship.Status.ACTIVE,
        conversation=chat.direct_open(initiator=supporter, recipient=member),
    )
