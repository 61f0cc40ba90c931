"""The safety pathway a risk answer starts, such as PHQ-9 item 9 above 0.

Item 9 asks about thoughts of being better off dead or of hurting oneself. Any answer above
"Not at all" starts the pathway at once, whatever the total and whether or not the rest of the
questionnaire can be scored, because a person can score 3 overall and still mean it:

- the member sees, on the very next page (and in the API answer), a caring message, crisis
  lines for their region, their safety plan and one or two follow-up questions;
- an urgent item goes into the moderation queue, with an alert to the moderators on duty
  (the same ``alert_raise`` urgent posts use, so it escalates the same way), and the
  deployment's named responder is told directly as well;
- the start is written to the audit log.

Nothing a member answered goes into a notification, an email or the audit log: those say
only that something is waiting and where. The responder reads the item-9 answer, the total
and the follow-up answers on the queue item page, never the other items.

A questionnaire answer is not content, so it is resolved with its own two outcomes
("contacted the member", "no action needed") rather than the moderation actions on posts.
They are audited but not counted as moderation actions, so the public transparency figures
(hides, warnings, suspensions) stay about content and conduct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.accounts.access import has_permission
from alongside.core import crisis
from alongside.measures.responder import named_responder
from alongside.notifications.models import NotificationKind
from alongside.notifications.services import notify_message
from alongside.safety.live import announce_queue_change
from alongside.safety.models import Alert, ContentKind, QueueItem, Tier
from alongside.safety.services.audit import audit_record
from alongside.safety.services.screening import FLAG_PRIORITY, TIER_PRIORITY

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from alongside.accounts.models import User
    from alongside.measures.engine import MeasureDefinition, ScoreResult
    from alongside.measures.models import MeasureResponse

MODERATE_CONTENT = "safety.moderate_content"
# Where an urgent questionnaire item sits in the queue: with urgent posts that carry a
# safeguarding flag; a member who says the thoughts are there right now goes above them.
BASE_PRIORITY = TIER_PRIORITY[Tier.URGENT] + FLAG_PRIORITY["safeguarding"]
THOUGHTS_NOW_PRIORITY = 100.0
CONTACT_PRIORITY = 20.0
LINES_SHOWN = 3

# Follow-up answers and the flags they put on the queue item.
THOUGHTS_NOW = "thoughts_now"
CONTACT = "contact"
YES, NO, PREFER_NOT = "yes", "no", "prefer_not"


@dataclass(frozen=True)
class FollowUpQuestion:
    key: str
    text: StrOrPromise
    options: tuple[tuple[str, StrOrPromise], ...]

    def label_for(self, value: str) -> str:
        for option, label in self.options:
            if option == value:
                return str(label)
        return ""


FOLLOW_UP_QUESTIONS: tuple[FollowUpQuestion, ...] = (
    FollowUpQuestion(
        key=THOUGHTS_NOW,
        text=gettext_lazy("Are you having thoughts of ending your life right now?"),
        options=(
            (YES, gettext_lazy("Yes")),
            (NO, gettext_lazy("No")),
            (PREFER_NOT, gettext_lazy("I'd rather not say")),
        ),
    ),
    FollowUpQuestion(
        key=CONTACT,
        text=gettext_lazy("Would you like someone from our team to contact you here on the site?"),
        options=((YES, gettext_lazy("Yes, please")), (NO, gettext_lazy("No, thank you"))),
    ),
)
RESOLUTIONS: dict[str, StrOrPromise] = {
    "contacted_member": gettext_lazy("Contacted the member"),
    "no_action_needed": gettext_lazy("No action needed"),
}


def follow_up_question(key: str) -> FollowUpQuestion:
    for question in FOLLOW_UP_QUESTIONS:
        if question.key == key:
            return question
    raise KeyError(key)


def risk_flag(definition: MeasureDefinition, item_key: str) -> str:
    """The queue flag for an endorsed risk item: ``phq9_item9`` for PHQ-9 item 9."""
    return f"{definition.key}_item{definition.item(item_key).number}"


# --- What the member sees -------------------------------------------------------------------


@dataclass(frozen=True)
class CrisisLine:
    name: str
    phone: str = ""
    text: str = ""
    web: str = ""
    hours: str = ""


@dataclass(frozen=True)
class SafetySupport:
    """Everything the member's safety panel shows, for the page and the API alike."""

    lines: list[CrisisLine] = field(default_factory=list)
    emergency: str = ""
    get_help_url: str = ""
    # None while the safety plan page does not exist on this deployment.
    safety_plan_url: str | None = None
    # The responder's handle: the named person who reads this.
    responder: str | None = None
    # False when nobody is on duty now: the member is told replies may be slower.
    staffed: bool = True
    escalation_minutes: int = 0


def _optional_url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def crisis_lines(member: User) -> tuple[list[CrisisLine], str]:
    """The deployment's own lines, then the member's region's, as the support panel has them."""
    resources = list(crisis.deployment_contacts())
    regions = crisis.regions_for(member.region or settings.DEFAULT_REGION)
    emergency = regions[0].emergency if regions else ""
    if regions:
        resources.extend(regions[0].resources)
    lines = [
        CrisisLine(name=r.name, phone=r.phone, text=r.text, web=r.web, hours=r.hours)
        for r in resources[:LINES_SHOWN]
    ]
    return lines, emergency


def safety_support(member: User) -> SafetySupport:
    from alongside.safety.services.screening import moderator_on_duty_exists

    lines, emergency = crisis_lines(member)
    responder = named_responder()
    return SafetySupport(
        lines=lines,
        emergency=emergency,
        get_help_url=reverse("core:get_help"),
        safety_plan_url=_optional_url("selfcare:safety_plan"),
        responder=responder.handle if responder is not None else None,
        staffed=moderator_on_duty_exists(),
        escalation_minutes=round(settings.SAFETY_ESCALATION_MINUTES),
    )


# --- Starting the pathway -------------------------------------------------------------------


def _item_link(item: QueueItem) -> str:
    return reverse("safety_moderation:item", args=[item.pk])


def _tell_responder(*, item: QueueItem, member: User, already_told: set[int]) -> bool:
    """Tell the named responder directly, unless the alert already reached them."""
    responder = named_responder()
    if responder is None or responder.pk in already_told or responder.pk == member.pk:
        return False
    notify_message(
        recipient=responder,
        kind=NotificationKind.SAFETY_ALERT,
        message=_(
            "Urgent: a member's questionnaire answer started the safety pathway. "
            "You are the named responder. Please look now."
        ),
        link=_item_link(item),
        email_subject=_("[%(site)s] Urgent safety alert") % {"site": settings.SITE_NAME},
    )
    return True


@transaction.atomic(savepoint=False)
def pathway_start(
    *, response: MeasureResponse, definition: MeasureDefinition, result: ScoreResult
) -> QueueItem:
    """Queue, alert, tell the responder and audit; call inside the submitting transaction."""
    from alongside.safety.selectors.queue import moderators_on_duty
    from alongside.safety.services.alerts import alert_raise

    member = response.member
    now = timezone.now()
    item = QueueItem.objects.create(
        kind=ContentKind.MEASURE,
        object_id=response.pk,
        member=member,
        tier=Tier.URGENT,
        flags=[risk_flag(definition, key) for key in result.risk_items],
        priority=BASE_PRIORITY,
        created_at=now,
    )
    response.safety_started_at = now
    response.safety_item = item
    response.save(update_fields=["safety_started_at", "safety_item"])
    on_duty = {moderator.pk for moderator in moderators_on_duty()}
    alert = alert_raise(item=item)
    responder_told = _tell_responder(item=item, member=member, already_told=on_duty)
    audit_record(
        actor=None,
        action="measure_safety_started",
        target_kind="measure_response",
        target_id=response.pk,
        member=member,
        detail={
            "item_id": item.pk,
            "alert": alert.pk,
            "measure": definition.key,
            "risk_items": list(result.risk_items),
            "responder_told": responder_told,
        },
    )
    announce_queue_change(item_id=item.pk, tier=item.tier, event="urgent")
    return item


# --- The member's follow-up answers ---------------------------------------------------------


def clean_follow_up(answers: dict[str, str]) -> dict[str, str]:
    """Every question answered with one of its options; anything else is refused."""
    unknown = set(answers) - {question.key for question in FOLLOW_UP_QUESTIONS}
    if unknown:
        raise ValidationError(
            _("Unknown question: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )
    cleaned: dict[str, str] = {}
    problems: dict[str, str] = {}
    for question in FOLLOW_UP_QUESTIONS:
        value = (answers.get(question.key) or "").strip()
        if not question.label_for(value):
            problems[question.key] = _("Please choose one of the answers.")
            continue
        cleaned[question.key] = value
    if problems:
        raise ValidationError(problems)
    return cleaned


def follow_up_flags(answers: dict[str, str]) -> tuple[list[str], float]:
    """The flags and the extra priority the answers put on the queue item."""
    flags: list[str] = []
    extra = 0.0
    if answers.get(THOUGHTS_NOW) == YES:
        flags.append("thoughts_now")
        extra += THOUGHTS_NOW_PRIORITY
    if answers.get(CONTACT) == YES:
        flags.append("contact_requested")
        extra += CONTACT_PRIORITY
    return flags, extra


def follow_up_update_item(*, response: MeasureResponse, answers: dict[str, str]) -> None:
    """Raise the item's flags and priority; reopen it, and say so, when it matters now."""
    if response.safety_item_id is None:
        return
    item = QueueItem.objects.select_for_update().get(pk=response.safety_item_id)
    flags, extra = follow_up_flags(answers)
    item.flags = sorted(set(item.flags) | set(flags))
    item.priority = BASE_PRIORITY + extra
    fields = ["flags", "priority"]
    reopened = False
    if flags and item.status == QueueItem.Status.RESOLVED:
        # They answered after someone closed it: what they say now needs a fresh look.
        item.status = QueueItem.Status.OPEN
        item.resolved_at = None
        item.resolved_by = None
        item.resolution = ""
        fields += ["status", "resolved_at", "resolved_by", "resolution"]
        reopened = True
    item.save(update_fields=fields)
    if flags:
        _tell_responder(item=item, member=response.member, already_told=set())
    audit_record(
        actor=response.member,
        action="measure_safety_follow_up",
        target_kind="measure_response",
        target_id=response.pk,
        member=response.member,
        detail={"item_id": item.pk, "flags": flags, "reopened": reopened},
    )
    announce_queue_change(item_id=item.pk, tier=item.tier, event="changed")


# --- Resolving the queue item ---------------------------------------------------------------


@transaction.atomic
def safety_item_resolve(*, actor: User, item: QueueItem, outcome: str, note: str = "") -> QueueItem:
    """A moderator closes a questionnaire item: they contacted the member, or no action.

    Acknowledges a waiting alert on the way, as any decision on an urgent item does.
    """
    from alongside.safety.services.alerts import alert_acknowledge

    if not has_permission(actor, MODERATE_CONTENT):
        raise PermissionDenied(_("Only moderators can do this."))
    item = QueueItem.objects.select_for_update().select_related("member").get(pk=item.pk)
    if item.member_id == actor.pk:
        raise PermissionDenied(_("This is about you, so another moderator needs to decide it."))
    if item.kind != ContentKind.MEASURE:
        raise ValidationError(_("This item is not a questionnaire answer."))
    if outcome not in RESOLUTIONS:
        raise ValidationError({"outcome": _("Choose what happened.")})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("Please keep this under 2000 characters.")})
    if item.status != QueueItem.Status.OPEN:
        raise ValidationError(_("This item was already resolved."))
    waiting = Alert.objects.filter(item=item, acknowledged_at__isnull=True).first()
    if waiting is not None:
        alert_acknowledge(actor=actor, alert=waiting)
    item.status = QueueItem.Status.RESOLVED
    item.resolved_at = timezone.now()
    item.resolved_by = actor
    item.resolution = outcome
    item.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    detail: dict[str, object] = {"item_id": item.pk, "outcome": outcome}
    if note:
        detail["note"] = note
    audit_record(
        actor=actor,
        action="measure_safety_resolved",
        target_kind="measure_response",
        target_id=item.object_id,
        member=item.member,
        detail=detail,
    )
    announce_queue_change(item_id=item.pk, tier=item.tier, event="resolved")
    return item
