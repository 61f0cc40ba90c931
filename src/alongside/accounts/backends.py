"""Authentication backend that keeps each member's role permissions in the cache.

Django's ModelBackend asks the database for a member's permissions (two queries) on the
first ``has_perm`` of every request, and nearly every page asks. Roles change rarely, so the
set is cached per member under a generation number that any change to roles or their
permissions bumps (see ``apps.AccountsConfig.ready``). With Redis the change is seen by every
worker at once; with the in-process cache of the embedded default there is one process.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "accounts:perm-generation"
CACHE_SECONDS = 300


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def permissions_changed(**_kwargs: Any) -> None:
    """Invalidate every cached permission set (a signal handler for role changes).

    Now, and again once the change commits: a request that read the old roles in between
    must not leave them cached under the new generation.
    """
    _next_generation()
    transaction.on_commit(_next_generation)


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            generation = cache.get_or_set(GENERATION_KEY, 1, None)
            key = f"accounts:perms:{generation}:{user_obj.pk}"
            permissions = cache.get(key)
            if permissions is None:
                permissions = super().get_all_permissions(user_obj, obj)
                cache.set(key, permissions, CACHE_SECONDS)
            user_obj._perm_cache = permissions
        cached: set[str] = user_obj._perm_cache
        return cached
