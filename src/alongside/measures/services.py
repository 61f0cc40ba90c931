"""Writes for questionnaires: a member's answers, and their answers to the safety follow-up.

Every answer is scored by ``alongside.measures.engine`` when it is given, and the result is
kept exactly as the engine produced it then (score, band, version), so a later change to a
definition never rewrites someone's history. Item answers and follow-up answers are encrypted
at rest; the score and band stay in the clear for progress charts.

A risk answer (PHQ-9 item 9 above 0) starts the safety pathway in the same transaction as the
answer itself: if one fails, neither is saved, so an answer is never kept without its alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.measures import safety_pathway
from alongside.measures.engine import (
    MeasureDefinition,
    ResponseError,
    ScoreResult,
    UnknownMeasure,
    get_definition,
    score,
)
from alongside.measures.models import MeasureInvitation, MeasureResponse
from alongside.measures.responder import offered_measure_key

if TYPE_CHECKING:
    from alongside.accounts.models import User


def offered_definition(measure_key: str) -> MeasureDefinition:
    """The definition for a measure this deployment offers; ValidationError otherwise.

    The PHQ-9 is refused where nobody is named to respond to item 9 (the PHQ-8 is offered in
    its place), so the answer can never arrive without someone to read it.
    """
    try:
        definition = get_definition(measure_key)
    except UnknownMeasure:
        raise ValidationError(
            {"measure": _("There is no questionnaire called “%(key)s”.") % {"key": measure_key}}
        ) from None
    offered = offered_measure_key(measure_key)
    if offered != measure_key:
        raise ValidationError(
            {
                "measure": _(
                    "This site does not offer the %(name)s. Please use the %(offered)s instead."
                )
                % {"name": definition.short_name, "offered": get_definition(offered).short_name}
            }
        )
    return definition


def _invitation_for(*, member: User, invitation: MeasureInvitation, measure_key: str) -> None:
    """Lock and check an invitation: the member's own, still due, for this measure."""
    locked = MeasureInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
    refused = ValidationError(
        {"invitation": _("This questionnaire request is not open for you any more.")}
    )
    if locked is None or locked.member_id != member.pk:
        raise refused
    if locked.status != MeasureInvitation.Status.DUE:
        raise refused
    if measure_key not in {locked.measure, offered_measure_key(locked.measure)}:
        raise ValidationError({"invitation": _("This request is for a different questionnaire.")})
    locked.status = MeasureInvitation.Status.COMPLETED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])


def _store(
    *,
    member: User,
    result: ScoreResult,
    answers: Sequence[int | None],
    invitation: MeasureInvitation | None = None,
    completed_at: datetime | None = None,
) -> MeasureResponse:
    return MeasureResponse.objects.create(
        member=member,
        measure=result.measure,
        measure_version=result.version,
        answers=list(answers),
        score=result.score,
        raw_total=result.raw_total,
        band=result.band,
        valid=result.valid,
        invalid_reason=result.reason[:300],
        prorated=result.prorated,
        flags=list(result.flags),
        invitation=invitation,
        completed_at=completed_at or timezone.now(),
    )


@transaction.atomic
def response_submit(
    *,
    member: User,
    measure_key: str,
    answers: Sequence[int | None],
    invitation: MeasureInvitation | None = None,
) -> MeasureResponse:
    """Score and keep one completed questionnaire; start the safety pathway if it asks.

    ``answers`` are in item order, None for an item left blank. Too many blanks is not an
    error (the score is then invalid and says why); a wrong number of answers or a value not
    on offer is. With ``invitation``, it must be the member's and still due; it is completed.
    """
    definition = offered_definition(measure_key)
    try:
        result = score(definition, answers)
    except ResponseError as error:
        raise ValidationError({"answers": str(error)}) from None
    if invitation is not None:
        _invitation_for(member=member, invitation=invitation, measure_key=measure_key)
    response = _store(member=member, result=result, answers=answers, invitation=invitation)
    if result.risk_items:
        safety_pathway.pathway_start(response=response, definition=definition, result=result)
    return response


@transaction.atomic
def safety_follow_up_record(
    *, member: User, response: MeasureResponse, answers: dict[str, str]
) -> MeasureResponse:
    """Keep the member's answers to the follow-up questions and tell the queue item.

    Answered once: the page then shows what happens next. "Yes" to thoughts of ending their
    life right now raises the item above other urgent items; either "yes" tells the named
    responder again (without the answers) and reopens the item if someone had closed it.
    """
    response = MeasureResponse.objects.select_for_update().get(pk=response.pk)
    if response.member_id != member.pk:
        raise Http404
    if response.safety_started_at is None:
        raise ValidationError(_("There are no follow-up questions for this questionnaire."))
    if response.follow_up:
        raise ValidationError(_("You have already answered these questions. Thank you."))
    cleaned = safety_pathway.clean_follow_up(answers)
    # EncryptedJSON holds any JSON value; the stubs only know its text base class.
    response.follow_up = {**cleaned, "answered_at": timezone.now().isoformat()}  # type: ignore[assignment]
    response.save(update_fields=["follow_up"])
    safety_pathway.follow_up_update_item(response=response, answers=cleaned)
    return response
