"""The one way to write the moderation audit log.

Every moderator action and every view of held content calls ``audit_record`` inside the same
transaction as the change it records, so the log and the data cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.safety.models import AuditEntry

if TYPE_CHECKING:
    from alongside.accounts.models import User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target_kind: str = "",
    target_id: int | None = None,
    member: User | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; ``actor`` None means the system did it (an escalation, say).

    ``detail`` holds ids, codes and reasons, never a copy of a member's text.
    """
    return AuditEntry.objects.create(
        actor=actor,
        actor_handle=actor.handle if actor is not None else "",
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        member=member,
        member_handle=member.handle if member is not None else "",
        detail=detail or {},
    )
