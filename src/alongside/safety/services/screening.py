"""Screening member text as it is written, and what follows from the result.

The communities services (and later chat and session notes) call these in two steps:

1. ``screen_text`` before their transaction opens: it runs the screening function with the
   author's recent activity as context. It only reads, so the single SQLite writer is not
   held while the models run.
2. ``record_screening`` inside their transaction, once the content has an id: it stores the
   result (never the text), puts concerning or flagged content in the moderators' queue,
   raises an alert for urgent content and, after commit, tells moderators' open pages.

``publication_state`` decides between the two whether the content is shown to others now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from alongside.accounts.access import has_permission
from alongside.communities.models import ModerationState
from alongside.safety.live import announce_queue_change
from alongside.safety.models import (
    ContentKind,
    ModerationAction,
    QueueItem,
    Sanction,
    Screening,
    Tier,
)
from alongside.safety.screening import HELD_FLAGS, AuthorContext, screen
from alongside.safety.screening import Screening as ScreeningResult
from alongside.safety.services.audit import audit_record

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.communities.models import Group

# Flags that keep content from other members until a moderator has looked: the engine's own.
HOLDING_FLAGS = HELD_FLAGS
# Queue order: tier first, then flags; reports add their weight on top (see reports service).
TIER_PRIORITY = {Tier.URGENT: 300.0, Tier.REVIEW: 200.0, Tier.NONE: 0.0}
FLAG_PRIORITY = {
    "safeguarding": 150.0,
    "abuse": 60.0,
    "contact_request": 60.0,
    "personal_info": 50.0,
    "misinformation": 40.0,
    "spam": 20.0,
}
RECENT_TEXTS = 5
# Spam screenings from a new account within a day before it is muted automatically.
SPAM_STRIKES = 2


@dataclass(frozen=True)
class ScreenedText:
    """A screening result plus what the writing service needs to act on it."""

    result: ScreeningResult
    role: str

    @property
    def tier(self) -> str:
        return self.result.tier

    @property
    def is_concerning(self) -> bool:
        return self.result.tier != Tier.NONE

    @property
    def holding_flags(self) -> set[str]:
        return set(self.result.flags) & HOLDING_FLAGS


def _role(author: User) -> str:
    return "supporter" if has_permission(author, "accounts.support_members") else "member"


def author_context(author: User) -> AuthorContext:
    """What screening should know about the author: account age, earlier concerning posts,
    and for new accounts their recent posts and pace."""
    from alongside.communities.models import Post

    now = timezone.now()
    age_days = (now - author.date_joined).total_seconds() / 86400
    concerning = (
        Screening.objects.filter(author=author, created_at__gte=now - timedelta(days=1))
        .exclude(tier=Tier.NONE)
        .count()
    )
    if age_days > settings.SAFETY_NEW_ACCOUNT_DAYS:
        # Repetition and pace are spam signals only for new accounts: established members
        # post in bursts during a lively conversation, and say "same here" more than once.
        return AuthorContext(account_age_days=age_days, concerning_last_24h=concerning)
    recent = list(
        Post.objects.filter(author=author, created_at__gte=now - timedelta(days=1))
        .order_by("-id")
        .values_list("body", "created_at")[:RECENT_TEXTS]
    )
    return AuthorContext(
        account_age_days=age_days,
        recent_texts=tuple(body for body, _created in recent),
        posts_last_10_minutes=Post.objects.filter(
            author=author, created_at__gte=now - timedelta(minutes=10)
        ).count(),
        concerning_last_24h=concerning,
    )


def screen_text(*, author: User, text: str) -> ScreenedText:
    """Screen what ``author`` is about to publish; reads only, so call it before writing."""
    role = _role(author)
    return ScreenedText(
        result=screen(text, role=role, context=author_context(author)),  # type: ignore[arg-type]
        role=role,
    )


def moderator_on_duty_exists() -> bool:
    from alongside.safety.models import DutyPeriod

    return DutyPeriod.objects.filter(ended_at__isnull=True).exists()


def publication_state(*, screened: ScreenedText, group: Group | None) -> str:
    """Published or held: held for holding flags, for risky content in a pre-moderated
    group, and for risky content when nobody is on duty and the deployment chose to hold.

    Never deletes and never blocks the author: held content stays visible to its author,
    marked, and to moderators.
    """
    if screened.holding_flags:
        return ModerationState.HELD
    if not screened.is_concerning:
        return ModerationState.PUBLISHED
    if group is not None and group.risky_post_policy == group.RiskyPostPolicy.PRE_MODERATE:
        return ModerationState.HELD
    if settings.SAFETY_UNSTAFFED_POLICY == "hold" and not moderator_on_duty_exists():
        return ModerationState.HELD
    return ModerationState.PUBLISHED


def _queue(
    *,
    kind: str,
    object_id: int,
    author: User,
    group: Group | None,
    record: Screening,
    held: bool,
) -> QueueItem:
    """Add to the open queue item for this content, or open one."""
    priority = _priority_from_record(record)
    item = (
        QueueItem.objects.filter(kind=kind, object_id=object_id, status=QueueItem.Status.OPEN)
        .order_by("-id")
        .first()
    )
    if item is None:
        return QueueItem.objects.create(
            kind=kind,
            object_id=object_id,
            member=author,
            group=group,
            tier=record.tier,
            flags=record.flags,
            priority=priority,
            screening=record,
            content_held=held,
        )
    item.tier = _higher_tier(item.tier, record.tier)
    item.flags = sorted(set(item.flags) | set(record.flags))
    item.priority = max(item.priority, priority + item.report_weight)
    item.screening = record
    item.content_held = held
    item.save(update_fields=["tier", "flags", "priority", "screening", "content_held"])
    return item


def _priority_from_record(record: Screening) -> float:
    """Tier, then flags, then the crisis model's confidence as a tie-breaker."""
    score = TIER_PRIORITY.get(Tier(record.tier), 0.0)
    score += sum(FLAG_PRIORITY.get(flag, 10.0) for flag in record.flags)
    return score + 10 * float(record.scores.get("crisis", 0.0))


def _higher_tier(first: str, second: str) -> str:
    order = [Tier.NONE, Tier.REVIEW, Tier.URGENT]
    return max(first, second, key=lambda tier: order.index(Tier(tier)))


def record_screening(
    *,
    kind: str,
    object_id: int,
    author: User,
    screened: ScreenedText,
    held: bool,
    group: Group | None = None,
) -> Screening:
    """Store the result and, when it matters, queue it, alert on it and restrict spammers.

    Call inside the writing service's transaction: if the content is rolled back, so is all
    of this, and the live announcement (sent after commit) never goes out.
    """
    result = screened.result
    record = Screening.objects.create(
        kind=kind,
        object_id=object_id,
        author=author,
        role=screened.role,
        tier=result.tier,
        flags=list(result.flags),
        rule_ids=list(result.rule_ids),
        reasons=list(result.to_json()["reasons"]),
        scores=dict(result.scores),
        language=result.language,
        model_version=result.model_version,
        held=held,
    )
    if not (screened.is_concerning or result.flags):
        return record
    item = _queue(
        kind=kind, object_id=object_id, author=author, group=group, record=record, held=held
    )
    event = "new"
    if result.tier == Tier.URGENT:
        from alongside.safety.services.alerts import alert_raise

        alert_raise(item=item)
        event = "urgent"
    announce_queue_change(item_id=item.pk, tier=item.tier, event=event)
    if "spam" in result.flags:
        _restrict_repeated_spam(author)
    return record


def _restrict_repeated_spam(author: User) -> None:
    """Mute a new account that keeps posting spam, for a while, and say so in the log."""
    now = timezone.now()
    if now - author.date_joined > timedelta(days=settings.SAFETY_NEW_ACCOUNT_DAYS):
        return
    # A day of one new account's screenings is a handful of rows; SQLite cannot search JSON.
    recent_flags = Screening.objects.filter(
        author=author, created_at__gte=now - timedelta(days=1)
    ).values_list("flags", flat=True)
    strikes = sum(1 for flags in recent_flags if "spam" in flags)
    if strikes < SPAM_STRIKES:
        return
    already = Sanction.objects.filter(
        member=author, kind=Sanction.Kind.MUTE, lifted_at__isnull=True, ends_at__gt=now
    ).exists()
    if already:
        return
    ends_at = now + timedelta(hours=settings.SAFETY_SPAM_MUTE_HOURS)
    reason = (
        "New accounts that post several messages that look like advertising are paused from "
        "posting for a while. A moderator will look, and you can appeal."
    )
    action = ModerationAction.objects.create(
        moderator=None,
        kind=ModerationAction.Kind.MUTE,
        member=author,
        reason=reason,
        note="automatic: repeated spam from a new account",
    )
    Sanction.objects.create(
        member=author,
        kind=Sanction.Kind.MUTE,
        reason=reason,
        starts_at=now,
        ends_at=ends_at,
        issued_by=None,
        action=action,
    )
    audit_record(
        actor=None,
        action="auto_mute",
        target_kind=ContentKind.MEMBER,
        target_id=author.pk,
        member=author,
        detail={"strikes": strikes, "ends_at": ends_at.isoformat()},
    )
