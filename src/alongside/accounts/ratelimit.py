"""Slowing down guessing: the handle axes counts login failures under, and recovery attempts.

Log-in failures are counted by django-axes (see ``AXES_*`` in settings). Recovery-code
attempts are counted here in the cache, per (handle, IP address) like log-ins, plus a wider
per-handle limit so that guessing spread over many addresses is slowed down too. Each count
ends by itself after its window, so nobody is locked out for good.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

RECOVERY_FAILURES_PER_ADDRESS = 5
RECOVERY_FAILURES_PER_HANDLE = 20
RECOVERY_HANDLE_WINDOW = timedelta(hours=1)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The handle axes counts failures under: lower-cased, because handles ignore case.

    Without this, "River", "river" and "RIVER" would each get their own five tries.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get(field)
    if not value:
        return None
    return str(value).strip().lower()


def client_ip(request: HttpRequest) -> str:
    """The client's address, resolved the same way as for log-in limits."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or "unknown"


def recovery_window() -> timedelta:
    cooloff = settings.AXES_COOLOFF_TIME
    return cooloff if isinstance(cooloff, timedelta) else timedelta(minutes=15)


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"accounts:recovery:{digest}"


def _address_key(handle: str, ip: str) -> str:
    return _key("address", handle.strip().lower(), ip)


def _handle_key(handle: str) -> str:
    return _key("handle", handle.strip().lower())


def recovery_attempts_blocked(*, handle: str, ip: str) -> bool:
    """Whether recovery for this handle is paused, from this address or from everywhere."""
    address_failures = cache.get(_address_key(handle, ip), 0)
    handle_failures = cache.get(_handle_key(handle), 0)
    return bool(
        address_failures >= RECOVERY_FAILURES_PER_ADDRESS
        or handle_failures >= RECOVERY_FAILURES_PER_HANDLE
    )


def _count(key: str, window: timedelta) -> None:
    # add() starts the window only once; incr() keeps the original expiry.
    cache.add(key, 0, int(window.total_seconds()))
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, int(window.total_seconds()))


def recovery_attempt_failed(*, handle: str, ip: str) -> None:
    _count(_address_key(handle, ip), recovery_window())
    _count(_handle_key(handle), RECOVERY_HANDLE_WINDOW)


def recovery_attempts_reset(*, handle: str, ip: str) -> None:
    cache.delete(_address_key(handle, ip))
