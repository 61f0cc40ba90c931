"""Roles are Django auth groups with a fixed set of permissions; ``docs/roles.md`` is the matrix.

``ensure_roles`` runs after every migrate, so the groups and their permissions always match
this table. Code never checks a role by name: it asks for a permission through
``alongside.accounts.access``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group as RoleGroup
from django.contrib.auth.models import Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    PEER_SUPPORTER = "peer_supporter", _("Peer supporter")
    MODERATOR = "moderator", _("Moderator")
    ADMINISTRATOR = "administrator", _("Administrator")
    RESEARCHER = "researcher", _("Researcher")
    # Looks after peer supporters: training records, probation reviews, unmatched requests.
    SUPERVISOR = "supervisor", _("Supervisor")


# "app_label.codename" for each role. Members have no extra permissions: everything a member
# may do follows from group membership and authorship, checked in the access helpers.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.MEMBER: [],
    Role.PEER_SUPPORTER: ["accounts.support_members"],
    Role.MODERATOR: [
        "communities.moderate_all_groups",
        "communities.view_hidden_groups",
        "accounts.view_member_details",
        "safety.moderate_content",
    ],
    Role.ADMINISTRATOR: [
        "communities.moderate_all_groups",
        "communities.view_hidden_groups",
        "communities.create_groups",
        "accounts.view_member_details",
        "accounts.assign_roles",
        "accounts.publish_policies",
        "safety.moderate_content",
        "safety.view_audit_log",
        "measures.manage_measure_schedules",
        "evaluation.manage_programmes",
        "accounts.view_research_data",
        "support.supervise",
    ],
    Role.RESEARCHER: ["accounts.view_research_data"],
    Role.SUPERVISOR: ["support.supervise"],
}


def ensure_roles(**_kwargs: Any) -> None:
    """Create or update the role groups (a post_migrate handler; safe to run repeatedly).

    post_migrate is sent once per app, and each app's permissions only exist after its own
    signal, so this sets whatever exists so far; the last app's signal completes the set.
    """
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = RoleGroup.objects.get_or_create(name=role)
        wanted = {tuple(name.split(".")) for name in perm_names}
        permissions = [
            permission
            for permission in Permission.objects.filter(
                codename__in=[codename for _app, codename in wanted]
            ).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)
