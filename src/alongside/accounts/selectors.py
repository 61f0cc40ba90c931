"""Reads for accounts: members by handle, current policies, roles and recovery codes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import Group as RoleGroup
from django.core.cache import cache
from django.db.models import QuerySet

from alongside.accounts.models import (
    PolicyAcceptance,
    PolicyDocument,
    RecoveryCode,
    RoleChange,
    User,
)
from alongside.accounts.roles import Role

# Current policy ids are read on every signed-in request, so they live in the cache; publishing
# a policy deletes the key. The timeout bounds staleness where the cache is per process.
CURRENT_POLICIES_CACHE_KEY = "accounts:current-policy-ids"
CURRENT_POLICIES_CACHE_SECONDS = 300

ROLE_ORDER = [role.value for role in Role]


def current_policy_ids() -> dict[str, int]:
    """``{kind: id}`` of the newest published version of each policy (cached)."""
    ids: dict[str, int] | None = cache.get(CURRENT_POLICIES_CACHE_KEY)
    if ids is None:
        ids = {}
        for kind, document_id in PolicyDocument.objects.order_by(
            "kind", "-published_at", "-id"
        ).values_list("kind", "id"):
            ids.setdefault(kind, document_id)
        cache.set(CURRENT_POLICIES_CACHE_KEY, ids, CURRENT_POLICIES_CACHE_SECONDS)
    return ids


def current_policies() -> list[PolicyDocument]:
    """The current version of each policy, the community agreement first."""
    ids = current_policy_ids()
    documents = PolicyDocument.objects.in_bulk(list(ids.values()))
    kinds = [kind.value for kind in PolicyDocument.Kind]
    return sorted(documents.values(), key=lambda document: kinds.index(document.kind))


def policy_get(*, kind: str, version: str | None = None) -> PolicyDocument | None:
    """One version of a policy (the current one when no version is given), or None."""
    if version is not None:
        return PolicyDocument.objects.filter(kind=kind, version=version).first()
    document_id = current_policy_ids().get(kind)
    if document_id is None:
        return None
    return PolicyDocument.objects.filter(pk=document_id).first()


def policy_versions(*, kind: str) -> QuerySet[PolicyDocument]:
    """Every published version of a policy, newest first, without the (long) bodies."""
    return (
        PolicyDocument.objects.filter(kind=kind)
        .order_by("-published_at", "-id")
        .only("id", "kind", "version", "title", "published_at")
    )


def accepted_policy_ids(*, user: User, document_ids: Iterable[int]) -> set[int]:
    """Which of the given policy documents the member has accepted."""
    return set(
        PolicyAcceptance.objects.filter(user=user, document_id__in=list(document_ids)).values_list(
            "document_id", flat=True
        )
    )


def policies_outstanding(*, user: User) -> list[PolicyDocument]:
    """Current policy versions the member has not yet accepted, the agreement first."""
    current = current_policies()
    accepted = accepted_policy_ids(user=user, document_ids=[d.pk for d in current])
    return [document for document in current if document.pk not in accepted]


def policy_previously_accepted_kinds(*, user: User) -> set[str]:
    """Kinds of policy the member has accepted some version of (to say "updated" or "new")."""
    return set(PolicyAcceptance.objects.filter(user=user).values_list("document__kind", flat=True))


def member_get(*, handle: str) -> User | None:
    """An active member by handle, ignoring case."""
    return User.objects.filter(handle__iexact=handle, is_active=True).first()


def users_role_names(*, user_ids: Iterable[int]) -> dict[int, list[str]]:
    """Role names for many members in one query, for badges on lists of posts or members."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = RoleGroup.objects.filter(user__in=list(user_ids), name__in=ROLE_ORDER).values_list(
        "user", "name"
    )
    for user_id, name in rows:
        names[user_id].append(name)
    return {user_id: sorted(roles, key=ROLE_ORDER.index) for user_id, roles in names.items()}


def members_with_role(*, role: str) -> QuerySet[User]:
    return User.objects.filter(groups__name=role, is_active=True).order_by("handle")


def recovery_codes_unused_count(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def role_changes(*, user: User) -> QuerySet[RoleChange]:
    """The audit trail of a member's roles, newest first."""
    return RoleChange.objects.filter(user=user).select_related("actor")
