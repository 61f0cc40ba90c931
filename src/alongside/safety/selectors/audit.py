"""Reading the moderation audit log: administrators only, filtered, a page at a time.

There is no way to change the log from here or anywhere else (``models.AuditEntry`` refuses
updates and deletes); this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator

from alongside.accounts.access import AnyUser, has_permission
from alongside.safety.models import AuditEntry

VIEW_AUDIT_LOG = "safety.view_audit_log"
AUDIT_PAGE_SIZE = 50


def can_view_audit_log(user: AnyUser | None) -> bool:
    return has_permission(user, VIEW_AUDIT_LOG)


@dataclass(frozen=True)
class AuditPage:
    page: Page[AuditEntry]
    actions: list[str]
    action: str
    handle: str


def audit_page(
    user: AnyUser, *, action: str = "", handle: str = "", page: int | str | None = 1
) -> AuditPage:
    """Newest first; ``action`` exact, ``handle`` the member's handle at the time (any case)."""
    if not can_view_audit_log(user):
        raise PermissionDenied
    entries = AuditEntry.objects.all()
    action, handle = action.strip(), handle.strip().lstrip("@")
    if action:
        entries = entries.filter(action=action)
    if handle:
        entries = entries.filter(member_handle__iexact=handle)
    actions = list(
        AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    )
    paginator = Paginator(entries.order_by("-created_at", "-id"), AUDIT_PAGE_SIZE)
    return AuditPage(page=paginator.get_page(page), actions=actions, action=action, handle=handle)
