"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group as RoleGroup
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone

from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
from alongside.accounts.roles import Role

TEST_PASSWORD = "a-long-test-passphrase-42"  # noqa: S105

MakeUser = Callable[..., User]


@pytest.fixture(autouse=True, scope="session")
def _in_memory_caches() -> Iterator[None]:
    """Each test worker keeps its caches in its own memory, not in the shared data folder."""
    memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(
        CACHES={"default": {**memory, "LOCATION": "default"}, "fragments": memory}
    ):
        yield


@pytest.fixture(autouse=True)
def _clear_cache(_in_memory_caches: None) -> Iterator[None]:
    """Start and end every test with empty caches.

    The cache outlives each test's database transaction: without this, cached values such as
    the current policy ids or rate-limit counters from one test would leak into the next.
    """
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture
def make_user(db: None) -> MakeUser:
    """Create a member who has accepted the current policies, optionally with a role."""
    counter = iter(range(1, 10_000))

    def make(handle: str | None = None, *, role: str = Role.MEMBER, **fields: object) -> User:
        # Established members by default: brand-new accounts meet extra spam checks, which
        # tests of those checks ask for with date_joined=timezone.now().
        fields.setdefault("date_joined", timezone.now() - timedelta(days=90))
        user = User.objects.create_user(handle or f"member{next(counter)}", TEST_PASSWORD, **fields)
        user.groups.add(RoleGroup.objects.get(name=role))
        PolicyAcceptance.objects.bulk_create(
            PolicyAcceptance(user=user, document=document)
            for document in PolicyDocument.objects.all()
        )
        return user

    return make


@pytest.fixture
def member(make_user: MakeUser) -> User:
    return make_user("river")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """A test client signed in as the given member."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def role_users(make_user: MakeUser) -> dict[str, User]:
    """One user for each role, keyed by role name."""
    return {role.value: make_user(f"user_{role.value}", role=role.value) for role in Role}
