"""Who may do what: the few helpers every app uses to check roles and permissions.

Roles are auth groups holding permissions (``roles.py``; the matrix is ``docs/roles.md``).
Code asks for a *permission*, never for a role by name, so changing what a role may do is
one edit in ``ROLE_PERMISSIONS``. Group-level moderators (``Membership.role`` in
communities) are checked by the communities access helpers, not here.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from alongside.accounts.models import User
from alongside.accounts.roles import Role

AnyUser = User | AnonymousUser

MODERATE_ALL_GROUPS = "communities.moderate_all_groups"
VIEW_HIDDEN_GROUPS = "communities.view_hidden_groups"
CREATE_GROUPS = "communities.create_groups"
SUPPORT_MEMBERS = "accounts.support_members"
VIEW_MEMBER_DETAILS = "accounts.view_member_details"
ASSIGN_ROLES = "accounts.assign_roles"
PUBLISH_POLICIES = "accounts.publish_policies"
VIEW_RESEARCH_DATA = "accounts.view_research_data"

# Roles shown as a badge beside a member's handle, in this order.
BADGE_ROLES = [Role.PEER_SUPPORTER, Role.MODERATOR, Role.ADMINISTRATOR, Role.RESEARCHER]

_ROLE_NAMES_ATTR = "_alongside_role_names"


def has_permission(user: AnyUser | None, perm: str) -> bool:
    """Whether a signed-in, active member holds ``"app_label.codename"`` through their roles."""
    if user is None:
        return False
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    return user.has_perm(perm)


def require_permission(user: AnyUser | None, perm: str) -> None:
    """Raise PermissionDenied (a 403 page) unless the member holds the permission."""
    if not has_permission(user, perm):
        raise PermissionDenied


def user_role_names(user: AnyUser | None) -> list[str]:
    """The member's role names in ``Role`` order; one query, remembered on the user object."""
    if user is None or not user.is_authenticated:
        return []
    assert isinstance(user, User)  # noqa: S101 - authenticated users are always ``User``
    cached: list[str] | None = getattr(user, _ROLE_NAMES_ATTR, None)
    if cached is None:
        order = [role.value for role in Role]
        names = set(user.groups.filter(name__in=order).values_list("name", flat=True))
        cached = [name for name in order if name in names]
        setattr(user, _ROLE_NAMES_ATTR, cached)
    return cached


def forget_role_names(user: User) -> None:
    """Drop what ``user_role_names`` and Django's permission cache remember after a change."""
    for attr in (_ROLE_NAMES_ATTR, "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def role_badges(role_names: list[str]) -> list[Role]:
    """The roles worth a badge (everyone is a member, so that one is not shown)."""
    return [role for role in BADGE_ROLES if role.value in role_names]


def is_moderator(user: AnyUser | None) -> bool:
    """A site-wide moderator (or administrator): may moderate every group."""
    return has_permission(user, MODERATE_ALL_GROUPS)


def is_peer_supporter(user: AnyUser | None) -> bool:
    """A trained peer supporter."""
    return has_permission(user, SUPPORT_MEMBERS)


def can_assign_roles(user: AnyUser | None) -> bool:
    return has_permission(user, ASSIGN_ROLES)


def can_publish_policies(user: AnyUser | None) -> bool:
    return has_permission(user, PUBLISH_POLICIES)
