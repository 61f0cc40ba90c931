"""Members reporting a post or another member to the moderators.

A report never changes what anyone sees: it adds to the moderators' queue item for that
content (opening one if there is none) and a moderator decides. The reported member is never
told who reported them; the reporter hears the outcome, in general terms, from the
moderation services.

How much a report moves the queue
---------------------------------
Each report carries the reporter's **weight**, from their track record of reports that a
moderator has already decided::

    weight = clamp(2 * (1 + upheld) / (2 + upheld + dismissed), 0.25, 1.5)

where ``upheld`` counts their reports that led to action (``action_taken``) and
``dismissed`` those a moderator left as they were (``no_action``). A new reporter weighs 1.0;
one upheld report makes 1.33, two make the ceiling 1.5; one dismissed report makes 0.67,
three make 0.4, and six or more without an upheld one make the floor 0.25. Pending reports
do not count either way.

A queue item's ``report_weight`` is the sum of what its pending reports contribute, and its
``priority`` is screening's part (``TIER_PRIORITY`` and flags, see ``services.screening``)
plus that sum. So that one account (or a handful) reporting the same member over and over
cannot push that member up the queue, a reporter's pending reports about one member count
together as at most ``REPORTS_COUNTED_PER_REPORTER`` of their reports: with ``n`` of them
open, each contributes ``weight * min(1, REPORTS_COUNTED_PER_REPORTER / n)``.

A report that someone may be at risk puts the item at least in the ``review`` tier, with the
review tier's priority, whoever sent it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.accounts.models import User
from alongside.communities.models import Group, Post
from alongside.safety.live import announce_queue_change
from alongside.safety.models import ContentKind, QueueItem, Report, Tier

if TYPE_CHECKING:
    from alongside.chat.models import Message

NOTE_MAX = 1000
WEIGHT_MIN = 0.25
WEIGHT_MAX = 1.5
REPORTS_COUNTED_PER_REPORTER = 2
# Screening's priority for the review tier (``services.screening.TIER_PRIORITY``), not
# imported so that reporting never loads the screening models; a test checks they agree.
REVIEW_PRIORITY = 200.0
_TIER_ORDER = [Tier.NONE, Tier.REVIEW, Tier.URGENT]


def reporter_weight(*, upheld: int, dismissed: int) -> float:
    """A reporter's weight from their decided reports (the formula is in the module's doc)."""
    raw = 2 * (1 + upheld) / (2 + upheld + dismissed)
    return round(min(WEIGHT_MAX, max(WEIGHT_MIN, raw)), 4)


def _record_and_recent(reporter: User) -> tuple[int, int, int]:
    """(upheld, dismissed, reports in the last 24 hours), in one query."""
    since = timezone.now() - timedelta(days=1)
    counts = Report.objects.filter(reporter=reporter).aggregate(
        upheld=Count("id", filter=Q(outcome=Report.Outcome.ACTION_TAKEN)),
        dismissed=Count("id", filter=Q(outcome=Report.Outcome.NO_ACTION)),
        recent=Count("id", filter=Q(created_at__gte=since)),
    )
    return counts["upheld"], counts["dismissed"], counts["recent"]


def _refuse_too_many(recent: int) -> None:
    limit = settings.SAFETY_REPORTS_PER_DAY
    if recent < limit:
        return
    raise ValidationError(
        ngettext(
            "You've sent %(count)d report in the last 24 hours, which is as many as one member "
            "can send in a day. Thank you for looking out for others; please try again "
            "tomorrow. If someone is in danger now, see “Get help now”.",
            "You've sent %(count)d reports in the last 24 hours, which is as many as one member "
            "can send in a day. Thank you for looking out for others; please try again "
            "tomorrow. If someone is in danger now, see “Get help now”.",
            recent,
        )
        % {"count": recent}
    )


def _chat_subject(
    *, reporter: User, member: User | None, message: Message | None, conversation: Any
) -> tuple[str, int, User, Group | None]:
    """A chat message, or a member in a conversation the reporter leaves."""
    if message is not None:
        if message.author_id == reporter.pk or message.author is None:
            raise ValidationError(_("This is your own message. You can remove it instead."))
        if message.deleted_at is not None:
            raise ValidationError(_("This message has already been removed."))
        group = message.conversation.group
        return ContentKind.MESSAGE, message.pk, message.author, group
    if member is None:
        raise ValidationError(_("Please choose who you are reporting."))
    if member.pk == reporter.pk:
        raise ValidationError(_("You can't report yourself."))
    return ContentKind.CONVERSATION, conversation.pk, member, conversation.group


def _subject(
    *,
    reporter: User,
    post: Post | None,
    member: User | None,
    message: Message | None = None,
    conversation: Any = None,
) -> tuple[str, int, User, Group | None]:
    """(kind, object id, reported member, group) for the thing reported, after the checks
    that depend on what it is."""
    if message is not None or conversation is not None:
        return _chat_subject(
            reporter=reporter, member=member, message=message, conversation=conversation
        )
    if (post is None) == (member is None):
        raise ValidationError(_("Please choose one post or one member to report."))
    if post is not None:
        if post.author_id == reporter.pk:
            raise ValidationError(
                _("This is your own post. You can edit or remove it instead of reporting it.")
            )
        if post.deleted_at is not None or post.thread.deleted_at is not None:
            raise ValidationError(_("This post has already been removed."))
        return ContentKind.POST, post.pk, post.author, post.thread.group
    assert member is not None  # noqa: S101 - one of the two, checked above
    if member.pk == reporter.pk:
        raise ValidationError(_("You can't report yourself."))
    if not member.is_active:
        raise ValidationError(_("This member's account is no longer active."))
    return ContentKind.MEMBER, member.pk, member, None


def _refuse_repeat(*, reporter: User, kind: str, object_id: int) -> None:
    if not Report.objects.filter(reporter=reporter, kind=kind, object_id=object_id).exists():
        return
    if kind in (ContentKind.MESSAGE, ContentKind.CONVERSATION):
        raise ValidationError(
            _(
                "You've already reported this, thank you. A moderator will look at it, "
                "and you'll find what happened under “My reports”."
            )
        )
    if kind == ContentKind.POST:
        raise ValidationError(
            _(
                "You've already reported this post, thank you. A moderator will look at it, "
                "and you'll find what happened under “My reports”."
            )
        )
    raise ValidationError(
        _(
            "You've already reported this member, thank you. If something new has happened, "
            "please report the post itself."
        )
    )


def _open_item(
    *, kind: str, object_id: int, member: User, group: Group | None, at_risk: bool
) -> tuple[QueueItem, bool]:
    """The open queue item for this content, or a new one; (item, created)."""
    item = (
        QueueItem.objects.select_for_update()
        .filter(kind=kind, object_id=object_id, status=QueueItem.Status.OPEN)
        .order_by("-id")
        .first()
    )
    if item is not None:
        return item, False
    item = QueueItem.objects.create(
        kind=kind,
        object_id=object_id,
        member=member,
        group=group,
        tier=Tier.REVIEW if at_risk else Tier.NONE,
        priority=REVIEW_PRIORITY if at_risk else 0.0,
    )
    return item, True


def _contributions(member_id: int) -> dict[int, float]:
    """Each open item's report weight about this member, with every reporter's share capped
    (see the module's doc)."""
    rows = list(
        Report.objects.filter(
            reported_member_id=member_id,
            outcome=Report.Outcome.PENDING,
            item__status=QueueItem.Status.OPEN,
        ).values_list("item_id", "reporter_id", "weight")
    )
    per_reporter = Counter(reporter_id for _item, reporter_id, _weight in rows)
    totals: dict[int, float] = defaultdict(float)
    for item_id, reporter_id, weight in rows:
        share = min(1.0, REPORTS_COUNTED_PER_REPORTER / per_reporter[reporter_id])
        totals[item_id] += weight * share
    return totals


def _reweigh(*, member: User, reporter: User, item: QueueItem) -> None:
    """Bring the report weight (and so the priority) of the reporter's open items about this
    member up to date: a new report can lower the share of the reporter's earlier ones."""
    totals = _contributions(member.pk)
    affected = list(
        QueueItem.objects.select_for_update()
        .filter(status=QueueItem.Status.OPEN, reports__reporter=reporter, member=member)
        .exclude(pk=item.pk)
        .distinct()
    )
    for each in [item, *affected]:
        new_weight = round(totals.get(each.pk, 0.0), 4)
        if new_weight == each.report_weight:
            continue
        each.priority = round(each.priority - each.report_weight + new_weight, 4)
        each.report_weight = new_weight
        each.save(update_fields=["priority", "report_weight"])


def _raise_to_review(item: QueueItem) -> None:
    """Someone may be at risk: at least the review tier, with at least its priority."""
    if _TIER_ORDER.index(Tier(item.tier)) >= _TIER_ORDER.index(Tier.REVIEW):
        return
    item.tier = Tier.REVIEW
    item.priority = max(item.priority, REVIEW_PRIORITY + item.report_weight)
    item.save(update_fields=["tier", "priority"])


@transaction.atomic
def report_create(
    *,
    reporter: User,
    reason: str,
    note: str = "",
    post: Post | None = None,
    member: User | None = None,
    message: Message | None = None,
    conversation: Any = None,
) -> Report:
    """Report one post (got through ``access_post_by_id``) or one member.

    Refuses, with a message the reporter can act on: reporting oneself or one's own post, a
    removed post, an unknown reason, a note over ``NOTE_MAX``, a second report of the same
    thing, and more than ``SAFETY_REPORTS_PER_DAY`` reports in 24 hours. Nothing is hidden
    because of a report; the moderators' open pages are told after commit.
    """
    if not reporter.is_authenticated or not reporter.is_active:
        raise PermissionDenied
    kind, object_id, reported, group = _subject(
        reporter=reporter, post=post, member=member, message=message, conversation=conversation
    )
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Please choose what's wrong.")})
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {
                "note": _("Please keep this to %(max)d characters; it is %(length)d now.")
                % {"max": NOTE_MAX, "length": len(note)}
            }
        )
    _refuse_repeat(reporter=reporter, kind=kind, object_id=object_id)
    upheld, dismissed, recent = _record_and_recent(reporter)
    _refuse_too_many(recent)
    at_risk = reason == Report.Reason.AT_RISK
    item, created = _open_item(
        kind=kind, object_id=object_id, member=reported, group=group, at_risk=at_risk
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                kind=kind,
                object_id=object_id,
                reported_member=reported,
                reason=reason,
                note=note,
                weight=reporter_weight(upheld=upheld, dismissed=dismissed),
                item=item,
            )
    except IntegrityError:  # the same report sent twice at once
        _refuse_repeat(reporter=reporter, kind=kind, object_id=object_id)
        raise
    _reweigh(member=reported, reporter=reporter, item=item)
    if at_risk:
        _raise_to_review(item)
    announce_queue_change(item_id=item.pk, tier=item.tier, event="new" if created else "changed")
    return report
