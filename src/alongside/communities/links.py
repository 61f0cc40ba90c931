"""Addresses for long lists of threads and posts, without a ``reverse()`` for each one.

``reverse()`` costs tens of microseconds, and a thread page or thread list needs dozens of
addresses that differ only in one id or handle. ``fill_url`` reverses each pattern once (per
script prefix) with a placeholder, remembers the text around it, and fills in the value, so
every address still comes from ``urls.py``.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Digits only, so it passes both the int and the str path converters.
_PLACEHOLDER = "987654321987654321"


@lru_cache(maxsize=4096)
def _pattern(
    name: str, key: str, fixed: tuple[tuple[str, str], ...], prefix: str, urlconf: str
) -> tuple[str, str]:
    url = reverse(name, urlconf=urlconf, kwargs={**dict(fixed), key: _PLACEHOLDER})
    head, found, tail = url.rpartition(_PLACEHOLDER)
    if not found:
        raise ValueError(f"{name}: the {key} value does not appear in its URL as given")
    return head, tail


def fill_url(name: str, key: str, value: object, **fixed: str) -> str:
    """``reverse(name, kwargs={key: value, **fixed})``, quickly; ``value`` must be URL-safe."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    head, tail = _pattern(name, key, tuple(sorted(fixed.items())), get_script_prefix(), urlconf)
    return f"{head}{value}{tail}"


def thread_url(slug: str, thread_id: int) -> str:
    return fill_url("communities:thread_detail", "thread_id", thread_id, slug=slug)


def react_url(post_id: int) -> str:
    return fill_url("communities:react", "post_id", post_id)


def profile_url(handle: str) -> str:
    """A member's profile; handles are letters, digits and underscores, safe in a URL."""
    return fill_url("accounts:profile", "handle", handle)
