"""Reads for moderators: who is on duty, the queue and one item in context.

Only moderators (``safety.moderate_content``) reach these through the views; the helpers the
alerting imports (``moderators_on_duty``, ``moderators_on_rota``, ``is_on_duty``) answer for
the whole site and check nobody's access themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from alongside.accounts.access import AnyUser, has_permission
from alongside.accounts.models import User
from alongside.chat.models import Conversation, ConversationShare, Message
from alongside.communities.models import ModerationState, Post
from alongside.safety.models import (
    Alert,
    Appeal,
    ContentKind,
    DutyPeriod,
    HandoverNote,
    ModerationAction,
    QueueItem,
    Report,
    RotaSlot,
    Sanction,
    Screening,
    Tier,
)

MODERATE_CONTENT = "safety.moderate_content"
QUEUE_PAGE_SIZE = 50
# Posts shown before and after the one an item is about.
CONTEXT_POSTS = 3
# A shared one-to-one: this many of its latest messages.
SHARED_CONVERSATION_MESSAGES = 200
# Screenings, sanctions and actions shown in a member's history.
HISTORY_LENGTH = 10
HANDOVER_LENGTH = 5


def moderators() -> QuerySet[User]:
    """Active accounts holding ``safety.moderate_content`` through a role, directly, or as
    superusers: one query, where ``has_perm`` would need one per user."""
    app_label, codename = MODERATE_CONTENT.split(".")
    by_role = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    direct = Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    return User.objects.filter(
        Q(is_active=True) & (by_role | direct | Q(is_superuser=True))
    ).distinct()


def moderators_on_duty() -> list[User]:
    """Moderators with an open duty period now, by handle."""
    on_duty_ids = DutyPeriod.objects.filter(ended_at__isnull=True).values("moderator_id")
    return list(moderators().filter(pk__in=on_duty_ids).order_by("handle"))


def moderators_on_rota() -> list[User]:
    """Every moderator with a rota slot; with an empty rota, every moderator.

    The escalation path: when nobody on duty acknowledges an urgent alert in time, these
    are the people told next.
    """
    on_rota_ids = RotaSlot.objects.values("moderator_id")
    with_slots = list(moderators().filter(pk__in=on_rota_ids).order_by("handle"))
    if with_slots:
        return with_slots
    return list(moderators().order_by("handle"))


def is_on_duty(user: User) -> bool:
    """Whether the moderator has an open duty period now."""
    if not user.is_authenticated:
        return False
    return DutyPeriod.objects.filter(moderator=user, ended_at__isnull=True).exists()


# --- Access ---------------------------------------------------------------------------------


def can_moderate(user: AnyUser | None) -> bool:
    return has_permission(user, MODERATE_CONTENT)


def require_moderator(user: AnyUser | None) -> None:
    """Raise PermissionDenied (a 403 page) unless the user may work the queue."""
    if not can_moderate(user):
        raise PermissionDenied


def access_queue_item_by_id(user: AnyUser, item_id: int) -> QueueItem:
    require_moderator(user)
    item = (
        QueueItem.objects.select_related("member", "screening", "group", "resolved_by")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


def access_sanction_by_id(user: AnyUser, sanction_id: int) -> Sanction:
    """For moderators: any member's sanction."""
    require_moderator(user)
    sanction = Sanction.objects.select_related("member", "issued_by").filter(pk=sanction_id).first()
    if sanction is None:
        raise Http404
    return sanction


def access_member_by_id(user: AnyUser, member_id: int) -> User:
    require_moderator(user)
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


# --- The queue ------------------------------------------------------------------------------


def alert_of(item: QueueItem) -> Alert | None:
    """The item's alert, if it has one (no query after ``select_related("alert")``)."""
    try:
        return item.alert
    except Alert.DoesNotExist:
        return None


@dataclass(frozen=True)
class QueueRow:
    """One open item as the queue shows it: why it is there and who reported it."""

    item: QueueItem
    alert: Alert | None
    reports: list[Report]

    @property
    def screening(self) -> Screening | None:
        return self.item.screening

    @property
    def reasons(self) -> list[dict[str, Any]]:
        return list(self.screening.reasons) if self.screening else []

    @property
    def rule_ids(self) -> list[str]:
        return list(self.screening.rule_ids) if self.screening else []

    @property
    def scores(self) -> list[tuple[str, float]]:
        if self.screening is None:
            return []
        return sorted((str(name), float(value)) for name, value in self.screening.scores.items())

    @property
    def alert_waiting(self) -> bool:
        return self.alert is not None and self.alert.acknowledged_at is None

    @property
    def is_urgent(self) -> bool:
        return self.item.tier == Tier.URGENT


def _rows(items: list[QueueItem]) -> list[QueueRow]:
    return [
        QueueRow(item=item, alert=alert_of(item), reports=list(item.reports.all()))
        for item in items
    ]


def _with_row_data(queryset: QuerySet[QueueItem]) -> QuerySet[QueueItem]:
    return queryset.select_related(
        "member", "screening", "group", "alert", "alert__acknowledged_by"
    ).prefetch_related(
        Prefetch(
            "reports",
            queryset=Report.objects.select_related("reporter").order_by("created_at", "id"),
        )
    )


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    page: Page[QueueItem]
    waiting_alerts: int


def queue_page(user: AnyUser, page: int | str | None = 1) -> QueuePage:
    """Open items: urgent first, then by priority, then the oldest first.

    Three queries whatever the number of items: the count, the items with their member,
    screening, group and alert, and their reports with the reporters.
    """
    require_moderator(user)
    ordered = (
        QueueItem.objects.filter(status=QueueItem.Status.OPEN)
        .annotate(
            urgent_first=Case(When(tier=Tier.URGENT, then=Value(0)), default=Value(1)),
        )
        .order_by("urgent_first", "-priority", "created_at", "id")
    )
    paginator = Paginator(_with_row_data(ordered), QUEUE_PAGE_SIZE)
    current = paginator.get_page(page)
    rows = _rows(list(current.object_list))
    return QueuePage(
        rows=rows,
        page=current,
        waiting_alerts=sum(1 for row in rows if row.alert_waiting),
    )


# --- One item in context --------------------------------------------------------------------


@dataclass(frozen=True)
class MemberHistory:
    """What a moderator should know about a member before deciding."""

    member: User
    screenings: list[Screening]
    sanctions: list[Sanction]
    actions: list[ModerationAction]
    reports_received: int
    now: datetime

    @property
    def active_sanctions(self) -> list[Sanction]:
        return [sanction for sanction in self.sanctions if sanction.is_active_at(self.now)]


def member_history(user: AnyUser, member: User) -> MemberHistory:
    require_moderator(user)
    return MemberHistory(
        member=member,
        screenings=list(
            Screening.objects.filter(author=member).order_by("-created_at", "-id")[:HISTORY_LENGTH]
        ),
        sanctions=list(
            Sanction.objects.filter(member=member)
            .select_related("issued_by", "lifted_by")
            .order_by("-starts_at", "-id")[:HISTORY_LENGTH]
        ),
        actions=list(
            ModerationAction.objects.filter(member=member)
            .select_related("moderator")
            .order_by("-created_at", "-id")[:HISTORY_LENGTH]
        ),
        reports_received=Report.objects.filter(reported_member=member).count(),
        now=timezone.now(),
    )


@dataclass(frozen=True)
class ChatContext:
    """A chat message or conversation as a moderator may see it.

    Group rooms are read by the whole group, so a flagged room message comes with the
    messages around it. A one-to-one is private: moderators see only the flagged message,
    unless a participant who left and reported chose to share the conversation, and then
    every reading is recorded in the audit log.
    """

    conversation: Conversation
    message: Message | None
    messages: list[Message]
    shared: bool

    @property
    def is_private(self) -> bool:
        return self.conversation.is_direct

    @property
    def reads_private_conversation(self) -> bool:
        return self.is_private and self.shared and bool(self.messages)


@dataclass(frozen=True)
class ItemDetail:
    row: QueueRow
    post: Post | None
    # The post with up to CONTEXT_POSTS before and after it in its thread, in order.
    context_posts: list[Post]
    # The member whose bio this is, for a profile item.
    profile: User | None
    actions: list[ModerationAction]
    history: MemberHistory
    chat: ChatContext | None = None
    # A questionnaire answer that started the safety pathway: only the risk item, the total
    # and the follow-up answers (``alongside.measures.selectors.MeasureSafetySummary``).
    measure: Any = None

    @property
    def item(self) -> QueueItem:
        return self.row.item

    @property
    def content_state(self) -> str | None:
        if self.chat is not None and self.chat.message is not None:
            return self.chat.message.moderation_state
        if self.post is not None:
            return self.post.moderation_state
        if self.profile is not None:
            return ModerationState.HELD if self.profile.bio_held else ModerationState.PUBLISHED
        return None

    @property
    def held_post_ids(self) -> list[int]:
        """Posts on the page that other members cannot see (held, hidden or in such a
        thread, or removed): opening the page is a view of held content."""
        return [post.pk for post in self.context_posts if not _visible_to_members(post)]

    @property
    def held_message_ids(self) -> list[int]:
        if self.chat is None:
            return []
        return [message.pk for message in self.chat.messages if not _message_visible(message)]

    @property
    def shows_held_content(self) -> bool:
        if self.measure is not None:
            # Questionnaire answers are private to the member: every opening is audited.
            return True
        if self.chat is not None:
            return bool(self.held_message_ids)
        if self.profile is not None:
            return self.profile.bio_held
        return bool(self.held_post_ids)


def _visible_to_members(post: Post) -> bool:
    if post.deleted_at is not None or post.thread.deleted_at is not None:
        return False
    if post.moderation_state != ModerationState.PUBLISHED:
        return False
    return post.thread.moderation_state == ModerationState.PUBLISHED


def _message_visible(message: Message) -> bool:
    return message.deleted_at is None and message.moderation_state == ModerationState.PUBLISHED


def _chat_context(item: QueueItem) -> ChatContext | None:
    """The flagged message (with context where the moderator may read it), or a reported
    conversation (its messages only if shared)."""
    message: Message | None = None
    if item.kind == ContentKind.MESSAGE:
        message = (
            Message.objects.select_related("conversation", "author", "deleted_by")
            .filter(pk=item.object_id)
            .first()
        )
        if message is None:
            return None
        conversation = message.conversation
    else:
        found = Conversation.objects.filter(pk=item.object_id).first()
        if found is None:
            return None
        conversation = found
    shared = ConversationShare.objects.filter(conversation=conversation).exists()
    rows = Message.objects.filter(conversation=conversation).select_related("author", "deleted_by")
    if conversation.is_direct and not shared:
        messages = [message] if message is not None else []
    elif message is not None:
        before = list(rows.filter(seq__lt=message.seq).order_by("-seq")[:CONTEXT_POSTS])
        after = list(rows.filter(seq__gt=message.seq).order_by("seq")[:CONTEXT_POSTS])
        messages = [*reversed(before), message, *after]
    else:
        messages = list(reversed(rows.order_by("-seq")[:SHARED_CONVERSATION_MESSAGES]))
    return ChatContext(conversation=conversation, message=message, messages=messages, shared=shared)


def _context_posts(post: Post) -> list[Post]:
    base = Post.objects.filter(thread_id=post.thread_id).select_related(
        "author", "thread", "deleted_by"
    )
    before = list(base.filter(pk__lt=post.pk).order_by("-pk")[:CONTEXT_POSTS])
    after = list(base.filter(pk__gt=post.pk).order_by("pk")[:CONTEXT_POSTS])
    return [*reversed(before), post, *after]


def item_detail(user: AnyUser, item: QueueItem) -> ItemDetail:
    """The item with its content in context and the member's recent history."""
    require_moderator(user)
    item = _with_row_data(QueueItem.objects.filter(pk=item.pk)).get()
    post: Post | None = None
    context: list[Post] = []
    profile: User | None = None
    if item.kind == ContentKind.POST:
        post = (
            Post.objects.select_related("thread", "thread__group", "author", "deleted_by")
            .filter(pk=item.object_id)
            .first()
        )
        if post is not None:
            context = _context_posts(post)
    elif item.kind == ContentKind.PROFILE:
        profile = item.member
    chat = (
        _chat_context(item)
        if item.kind in (ContentKind.MESSAGE, ContentKind.CONVERSATION)
        else None
    )
    measure = None
    if item.kind == ContentKind.MEASURE:
        from alongside.measures.selectors import measure_safety_summary

        measure = measure_safety_summary(user, item)
    return ItemDetail(
        chat=chat,
        measure=measure,
        row=_rows([item])[0],
        post=post,
        context_posts=context,
        profile=profile,
        actions=list(
            ModerationAction.objects.filter(item=item)
            .select_related("moderator")
            .order_by("created_at", "id")
        ),
        history=member_history(user, item.member),
    )


# --- Sanctions and appeals ------------------------------------------------------------------


@dataclass(frozen=True)
class SanctionRow:
    """One of a member's own sanctions, for their appeals page."""

    sanction: Sanction
    appeal: Appeal | None
    is_active: bool

    @property
    def can_appeal(self) -> bool:
        return self.appeal is None and self.sanction.lifted_at is None


def _sanction_rows(sanctions: list[Sanction]) -> list[SanctionRow]:
    now = timezone.now()
    appeals = {
        appeal.sanction_id: appeal
        for appeal in Appeal.objects.filter(sanction__in=[s.pk for s in sanctions])
    }
    return [
        SanctionRow(
            sanction=sanction,
            appeal=appeals.get(sanction.pk),
            is_active=sanction.is_active_at(now),
        )
        for sanction in sanctions
    ]


def own_sanctions(user: User) -> list[SanctionRow]:
    """The member's sanctions, newest first, each with its appeal if there is one.

    Never says who issued a sanction or who reported the member.
    """
    return _sanction_rows(list(Sanction.objects.filter(member=user).order_by("-starts_at", "-id")))


def access_own_sanction(user: User, sanction_id: int) -> SanctionRow:
    """One of the member's own sanctions; anyone else's does not exist for them."""
    sanction = Sanction.objects.filter(pk=sanction_id, member=user).first()
    if sanction is None:
        raise Http404
    return _sanction_rows([sanction])[0]


def appeal_list(user: AnyUser, *, status: str = Appeal.Status.OPEN) -> list[Appeal]:
    """Appeals for moderators, oldest first for open ones, newest first for decided ones."""
    require_moderator(user)
    appeals = Appeal.objects.select_related(
        "member", "sanction", "sanction__issued_by", "decided_by"
    )
    if status == Appeal.Status.OPEN:
        return list(appeals.filter(status=status).order_by("created_at", "id"))
    return list(appeals.exclude(status=Appeal.Status.OPEN).order_by("-decided_at", "-id")[:100])


def access_appeal_by_id(user: AnyUser, appeal_id: int) -> Appeal:
    require_moderator(user)
    appeal = (
        Appeal.objects.select_related("member", "sanction", "sanction__issued_by", "decided_by")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


def can_decide_appeal(user: AnyUser, appeal: Appeal) -> bool:
    """A moderator who neither issued the sanction nor is its subject."""
    if not can_moderate(user):
        return False
    if appeal.sanction.issued_by_id == user.pk:
        return False
    return appeal.member_id != user.pk


# --- Duty -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RotaDay:
    weekday: int
    label: str
    slots: list[RotaSlot]


@dataclass(frozen=True)
class DutyOverview:
    on_duty: list[DutyPeriod]
    me_on_duty: bool
    rota: list[RotaDay]
    handovers: list[HandoverNote]
    moderators: list[User]


def duty_overview(user: AnyUser) -> DutyOverview:
    """Who is on duty now, the weekly rota, the latest handover notes."""
    require_moderator(user)
    on_duty = list(
        DutyPeriod.objects.filter(ended_at__isnull=True)
        .select_related("moderator")
        .order_by("started_at")
    )
    slots = list(RotaSlot.objects.select_related("moderator").order_by("weekday", "starts"))
    rota = [
        RotaDay(
            weekday=value,
            label=str(label),
            slots=[slot for slot in slots if slot.weekday == value],
        )
        for value, label in RotaSlot.Weekday.choices
    ]
    return DutyOverview(
        on_duty=on_duty,
        me_on_duty=any(period.moderator_id == user.pk for period in on_duty),
        rota=rota,
        handovers=list(
            HandoverNote.objects.select_related("author").order_by("-created_at", "-id")[
                :HANDOVER_LENGTH
            ]
        ),
        moderators=list(moderators().order_by("handle")),
    )


def access_rota_slot_by_id(user: AnyUser, slot_id: int) -> RotaSlot:
    require_moderator(user)
    slot = RotaSlot.objects.select_related("moderator").filter(pk=slot_id).first()
    if slot is None:
        raise Http404
    return slot


def access_alert_by_id(user: AnyUser, alert_id: int) -> Alert:
    require_moderator(user)
    alert = Alert.objects.select_related("item").filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert
