"""Reads for questionnaires, with the access checks that keep answers the member's own.

``response_for_member`` is the one door to a completed questionnaire: it answers only the
member who gave it, and a 404 to everyone else, moderators included. Moderators see a
questionnaire only through the safety summary of a queue item, which carries the risk item's
answer, the total and band and the follow-up answers, never the other items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from alongside.accounts.access import AnyUser
from alongside.accounts.models import User
from alongside.measures import safety_pathway
from alongside.measures.engine import (
    MeasureDefinition,
    UnknownMeasure,
    available_measures,
    get_definition,
)
from alongside.measures.models import MeasureInvitation, MeasureResponse
from alongside.measures.responder import WITHOUT_RISK_ITEM, named_responder
from alongside.safety.models import ContentKind, QueueItem
from alongside.safety.selectors.queue import require_moderator

HISTORY_LENGTH = 50


# --- Measures on offer ----------------------------------------------------------------------


def offered_definitions() -> list[MeasureDefinition]:
    """Every measure a member may take here: all available ones but those with a risk item
    when nobody is named to respond (the PHQ-9 then, whose PHQ-8 stays on offer)."""
    has_responder = named_responder() is not None
    return [
        definition
        for definition in available_measures()
        if has_responder or definition.key not in WITHOUT_RISK_ITEM
    ]


def offered_definition_or_404(key: str) -> MeasureDefinition:
    """The definition to show on a questionnaire page; 404 for one not offered here."""
    from alongside.measures.responder import offered_measure_key

    if offered_measure_key(key) != key:
        raise Http404
    try:
        return get_definition(key)
    except UnknownMeasure:
        raise Http404 from None


def definition_or_none(key: str) -> MeasureDefinition | None:
    """For showing past answers: a measure whose definition left the deployment is None."""
    try:
        return get_definition(key)
    except UnknownMeasure:
        return None


# --- A member's own -------------------------------------------------------------------------


def due_invitations(*, member: User, now: datetime | None = None) -> list[MeasureInvitation]:
    """The questionnaires the member has been asked for and not yet answered or skipped."""
    moment = now or timezone.now()
    return list(
        MeasureInvitation.objects.filter(
            member=member, status=MeasureInvitation.Status.DUE, due_at__lte=moment
        ).order_by("due_at", "id")
    )


def invitation_for_member(*, member: User, invitation_id: int | None) -> MeasureInvitation | None:
    """One of the member's own invitations still due, or None (never anyone else's)."""
    if invitation_id is None:
        return None
    return MeasureInvitation.objects.filter(
        pk=invitation_id, member=member, status=MeasureInvitation.Status.DUE
    ).first()


def responses_for_member(*, member: User) -> list[MeasureResponse]:
    """The member's completed questionnaires, newest first."""
    return list(
        MeasureResponse.objects.filter(member=member).order_by("-completed_at", "-id")[
            :HISTORY_LENGTH
        ]
    )


def response_for_member(*, member: AnyUser, response_id: int) -> MeasureResponse:
    """The member's own questionnaire; a 404 for anyone else's, whoever asks."""
    if not member.is_authenticated:
        raise Http404
    response = MeasureResponse.objects.filter(pk=response_id, member_id=member.pk).first()
    if response is None:
        raise Http404
    return response


# --- What a responder sees on the queue item ------------------------------------------------


@dataclass(frozen=True)
class RiskAnswer:
    number: int
    text: str
    value: int
    label: str


@dataclass(frozen=True)
class FollowUpAnswer:
    question: str
    answer: str


@dataclass(frozen=True)
class MeasureSafetySummary:
    """A questionnaire as the queue item shows it: only what the responder needs."""

    response_id: int
    handle: str
    measure: str
    measure_name: str
    risk_answers: list[RiskAnswer]
    score: float | None
    band: str
    valid: bool
    invalid_reason: str
    completed_at: datetime
    safety_started_at: datetime | None
    follow_up: list[FollowUpAnswer]
    follow_up_at: str
    resolutions: list[tuple[str, str]]


def _risk_answers(
    definition: MeasureDefinition | None, answers: list[int | None]
) -> list[RiskAnswer]:
    if definition is None:
        return []
    found: list[RiskAnswer] = []
    for safety in definition.safety_items:
        item = definition.item(safety.item_key)
        index = item.number - 1
        value = answers[index] if index < len(answers) else None
        if value is None:
            continue
        found.append(
            RiskAnswer(number=item.number, text=item.text, value=value, label=item.label_for(value))
        )
    return found


def _follow_up(stored: object) -> tuple[list[FollowUpAnswer], str]:
    if not isinstance(stored, dict):
        return [], ""
    shown = [
        FollowUpAnswer(question=str(question.text), answer=question.label_for(str(stored[key])))
        for question in safety_pathway.FOLLOW_UP_QUESTIONS
        if (key := question.key) in stored
    ]
    return shown, str(stored.get("answered_at", ""))


def measure_safety_summary(user: AnyUser, item: QueueItem) -> MeasureSafetySummary | None:
    """For moderators: the questionnaire behind a queue item, minimised; None if it is gone."""
    require_moderator(user)
    if item.kind != ContentKind.MEASURE:
        return None
    response = MeasureResponse.objects.select_related("member").filter(pk=item.object_id).first()
    if response is None:
        return None
    definition = definition_or_none(response.measure)
    follow_up, follow_up_at = _follow_up(response.follow_up)
    return MeasureSafetySummary(
        response_id=response.pk,
        handle=response.member.handle,
        measure=response.measure,
        measure_name=definition.name if definition else response.measure,
        risk_answers=_risk_answers(definition, list(response.answers or [])),
        score=response.score,
        band=response.band,
        valid=response.valid,
        invalid_reason=response.invalid_reason,
        completed_at=response.completed_at,
        safety_started_at=response.safety_started_at,
        follow_up=follow_up,
        follow_up_at=follow_up_at,
        resolutions=[(key, str(label)) for key, label in safety_pathway.RESOLUTIONS.items()],
    )
