"""Where formal peer support meets safety screening.

Chat's send path calls ``on_urgent_message`` when a message screens as urgent. The moderators
are alerted by the safety app as for any urgent content; if the conversation is the one-to-one
of an open support relationship, the relationship's supervisor (or, with none named, everyone
who supervises) is told as well, without the message text. While such an item is open, the
supporter sees a short "what to do now" protocol in the conversation (``care_tags``).

Supporters' own messages need nothing extra here: ``screen_text`` screens anyone holding
``accounts.support_members`` with ``role="supporter"``. That blanks a supporter's questions
(asking directly about suicide is good practice), and raises the crisis model's review
threshold; giving methods, disclosing one's own intent, and the harmful-advice flags
(``misinformation``: known harmful health claims, plus abuse, contact and personal details)
apply to supporters exactly as to members, and go to the moderators' queue the same way.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from alongside.notifications.services import notify_message
from alongside.safety.models import ContentKind, QueueItem, Tier
from alongside.safety.services.audit import audit_record
from alongside.support.models import SupportRelationship

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.chat.models import Conversation, Message

DATA_FILE = Path(__file__).resolve().parent / "data" / "what_to_do_now.json"
SUPPORT_KIND = "support"


@cache
def what_to_do_now() -> dict[str, Any]:
    """The protocol shown to a supporter, from the data file (words kept out of the code)."""
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def open_relationship_for(conversation: Conversation) -> SupportRelationship | None:
    """The open support relationship whose one-to-one this is, if any."""
    return (
        SupportRelationship.objects.filter(
            conversation=conversation, status__in=SupportRelationship.OPEN_STATUSES
        )
        .select_related("supervisor")
        .order_by("-started_at", "-id")
        .first()
    )


def _supervisors_for(relationship: SupportRelationship) -> list[User]:
    if relationship.supervisor is not None and relationship.supervisor.is_active:
        return [relationship.supervisor]
    from alongside.support.services import coordinators

    return coordinators()


def on_urgent_message(message: Message) -> None:
    """Tell the supervisor about an urgent message in a support one-to-one (never its text).

    Called inside chat's sending transaction, after the screening is recorded; nothing happens
    for conversations that are not a support relationship's.
    """
    relationship = open_relationship_for(message.conversation)
    if relationship is None:
        return
    link = reverse("support:relationship", args=[relationship.pk])
    text = _(
        "Urgent: a message in a support conversation you supervise may show someone at risk. "
        "The moderators have been alerted. Please check in with %(handle)s, the supporter."
    ) % {"handle": relationship.supporter.handle}
    told = []
    for supervisor in _supervisors_for(relationship):
        if supervisor.pk in (relationship.member_id, message.author_id):
            continue
        notify_message(recipient=supervisor, kind=SUPPORT_KIND, message=text, link=link)
        told.append(supervisor.pk)
    audit_record(
        actor=None,
        action="support.urgent_message",
        target_kind="support_relationship",
        target_id=relationship.pk,
        member=relationship.member,
        detail={"message": message.pk, "supervisors_told": told},
    )


def has_open_urgent_item(conversation: Conversation, *, about: User | None = None) -> bool:
    """Whether a message in this conversation (by ``about``, when given) is an open urgent
    item in the moderators' queue."""
    from alongside.chat.models import Message

    items = QueueItem.objects.all() if about is None else QueueItem.objects.filter(member=about)
    return items.filter(
        kind=ContentKind.MESSAGE,
        tier=Tier.URGENT,
        status=QueueItem.Status.OPEN,
        object_id__in=Message.objects.filter(conversation=conversation).values("pk"),
    ).exists()


def protocol_for(user: User, conversation: Conversation) -> dict[str, Any] | None:
    """The "what to do now" protocol, for the supporter of this conversation's relationship
    while an urgent item in it is open; None for everyone else."""
    if not conversation.is_direct:
        return None
    relationship = open_relationship_for(conversation)
    if relationship is None or relationship.supporter_id != user.pk:
        return None
    if not has_open_urgent_item(conversation, about=relationship.member):
        return None
    return what_to_do_now()
