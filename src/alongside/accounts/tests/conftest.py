"""Fixtures for the accounts tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from alongside.accounts.models import PolicyDocument
from alongside.accounts.services import policy_publish


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Argon2 is slow on purpose; these tests hash hundreds of passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def publish_v2(db: None) -> Callable[..., PolicyDocument]:
    def publish(
        kind: str = "agreement", summary: str = "Clearer words on content warnings."
    ) -> PolicyDocument:
        return policy_publish(
            kind=kind,
            version="2",
            title="Community agreement" if kind == "agreement" else "Privacy notice",
            body="## Be kind\n\nStill kind, now with clearer content warnings.\n",
            summary_of_changes=summary,
        )

    return publish


@pytest.fixture
def anon() -> Client:
    return Client()
