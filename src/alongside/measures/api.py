"""JSON endpoints for questionnaires, under /api/v1/measures/.

The same selectors and services as the pages: a completed questionnaire comes only through
``selectors.response_for_member`` (a 404 for anyone else's, so nothing reveals it exists), and
every change through ``services``. When an answer starts the safety pathway, the submit
answer itself carries ``safety``: the crisis lines and the follow-up questions, so an app can
show them at once, before anything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from alongside.accounts.models import User
from alongside.api_schemas import CrisisLineOut, ErrorOut, ValidationErrorOut
from alongside.measures import safety_pathway, selectors, services
from alongside.measures.engine import MeasureDefinition
from alongside.measures.models import MeasureResponse

router = Router(tags=["measures"])

READS: dict[int | str, Any] = {401: ErrorOut, 404: ErrorOut}
WRITES: dict[int | str, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


# --- Schemas --------------------------------------------------------------------------------


class MeasureOptionOut(Schema):
    value: int
    label: str


class MeasureItemOut(Schema):
    key: str
    number: int = Field(description="1-based, as printed on the questionnaire.")
    text: str
    options: list[MeasureOptionOut]


class MeasureBandOut(Schema):
    lower: float
    upper: float
    label: str


class MeasureDefinitionOut(Schema):
    key: str
    name: str
    short_name: str
    version: str
    licence: str
    instructions: str = Field(description="The stem read before the items.")
    items: list[MeasureItemOut]
    bands: list[MeasureBandOut]
    score_min: float
    score_max: float
    higher_is_worse: bool
    max_missing: int = Field(description="How many items may be left blank and still scored.")
    risk_items: list[int] = Field(
        description="Numbers of the items whose answer starts the safety pathway; a named "
        "person on the team sees that answer."
    )


class MeasureSubmitIn(Schema):
    measure: str = Field(description="The measure's key, as GET /measures/ lists it.")
    answers: list[int | None] = Field(
        description="One per item, in order; null for an item left blank."
    )
    invitation: int | None = Field(None, description="The request this answers, if any.")


class MeasureFollowUpOptionOut(Schema):
    value: str
    label: str


class MeasureFollowUpQuestionOut(Schema):
    key: str
    text: str
    options: list[MeasureFollowUpOptionOut]


class MeasureSafetyOut(Schema):
    """Shown at once when an answer started the safety pathway."""

    started_at: datetime
    message: str
    lines: list[CrisisLineOut]
    emergency: str = Field(description="The emergency number for the member's region.")
    get_help_url: str
    safety_plan_url: str | None = Field(description="Null where the site has no safety plan.")
    responder: str | None = Field(description="Handle of the named person who reads this.")
    follow_up_questions: list[MeasureFollowUpQuestionOut]
    follow_up_answered: bool
    next_steps: str


class MeasureResponseOut(Schema):
    id: int
    measure: str
    measure_version: str
    answers: list[int | None] = Field(description="My own answers, in item order.")
    score: float | None = Field(description="Null when the answers could not be scored.")
    raw_total: float | None
    band: str
    valid: bool
    reason: str = Field(description="Why it could not be scored; empty when valid.")
    prorated: bool
    flags: list[str]
    completed_at: datetime
    safety: MeasureSafetyOut | None = Field(description="Set when the safety pathway started.")


class MeasureFollowUpIn(Schema):
    answers: dict[str, str] = Field(
        description="Each follow-up question's key to one of its option values, e.g. "
        '{"thoughts_now": "no", "contact": "yes"}.'
    )


# --- Shaping --------------------------------------------------------------------------------


def _member(request: HttpRequest) -> User:
    return cast(User, request.user)


def _definition_out(definition: MeasureDefinition) -> MeasureDefinitionOut:
    return MeasureDefinitionOut(
        key=definition.key,
        name=definition.name,
        short_name=definition.short_name,
        version=definition.version,
        licence=definition.licence,
        instructions=definition.instructions,
        items=[
            MeasureItemOut(
                key=item.key,
                number=item.number,
                text=item.text,
                options=[
                    MeasureOptionOut(value=option.value, label=option.label)
                    for option in item.options
                ],
            )
            for item in definition.items
        ],
        bands=[
            MeasureBandOut(lower=band.lower, upper=band.upper, label=band.label)
            for band in definition.bands
        ],
        score_min=definition.score_min,
        score_max=definition.score_max,
        higher_is_worse=definition.higher_is_worse,
        max_missing=definition.missing.max_missing,
        risk_items=[definition.item(s.item_key).number for s in definition.safety_items],
    )


def _safety_out(member: User, response: MeasureResponse) -> MeasureSafetyOut | None:
    if response.safety_started_at is None:
        return None
    support = safety_pathway.safety_support(member)
    who = support.responder or _("The moderators on duty")
    return MeasureSafetyOut(
        started_at=response.safety_started_at,
        message=_(
            "Thank you for answering honestly. You said you have had thoughts that you would "
            "be better off dead, or of hurting yourself. You don't have to carry this alone: "
            "if you are thinking about ending your life, you can talk to someone now."
        ),
        lines=[
            CrisisLineOut(
                name=line.name, phone=line.phone, text=line.text, web=line.web, hours=line.hours
            )
            for line in support.lines
        ],
        emergency=support.emergency,
        get_help_url=support.get_help_url,
        safety_plan_url=support.safety_plan_url,
        responder=support.responder,
        follow_up_questions=[
            MeasureFollowUpQuestionOut(
                key=question.key,
                text=str(question.text),
                options=[
                    MeasureFollowUpOptionOut(value=value, label=str(label))
                    for value, label in question.options
                ],
            )
            for question in safety_pathway.FOLLOW_UP_QUESTIONS
        ],
        follow_up_answered=bool(response.follow_up),
        next_steps=_(
            "%(who)s will read this and may get in touch with you here on the site. If nobody "
            "has picked it up within %(minutes)d minutes, it goes to every moderator on the "
            "rota. We are not an emergency service: the lines above are there for you now."
        )
        % {"who": who, "minutes": support.escalation_minutes},
    )


def _response_out(member: User, response: MeasureResponse) -> MeasureResponseOut:
    return MeasureResponseOut(
        id=response.pk,
        measure=response.measure,
        measure_version=response.measure_version,
        answers=list(response.answers or []),
        score=response.score,
        raw_total=response.raw_total,
        band=response.band,
        valid=response.valid,
        reason=response.invalid_reason,
        prorated=response.prorated,
        flags=list(response.flags),
        completed_at=response.completed_at,
        safety=_safety_out(member, response),
    )


# --- Endpoints ------------------------------------------------------------------------------


@router.get(
    "/",
    response={200: list[MeasureDefinitionOut], 401: ErrorOut},
    summary="The questionnaires I may take here",
    url_name="measures_list",
)
def list_measures(request: HttpRequest) -> list[MeasureDefinitionOut]:
    return [_definition_out(definition) for definition in selectors.offered_definitions()]


@router.post(
    "/responses",
    response={201: MeasureResponseOut, **WRITES},
    summary="Answer a questionnaire",
    url_name="measures_submit",
)
def submit_response(request: HttpRequest, payload: MeasureSubmitIn) -> Status[MeasureResponseOut]:
    member = _member(request)
    invitation = selectors.invitation_for_member(member=member, invitation_id=payload.invitation)
    if payload.invitation is not None and invitation is None:
        raise ValidationError(
            {"invitation": _("This questionnaire request is not open for you any more.")}
        )
    response = services.response_submit(
        member=member,
        measure_key=payload.measure,
        answers=list(payload.answers),
        invitation=invitation,
    )
    return Status(201, _response_out(member, response))


@router.get(
    "/responses",
    response={200: list[MeasureResponseOut], 401: ErrorOut},
    summary="My completed questionnaires, newest first",
    url_name="measures_responses",
)
def list_responses(request: HttpRequest) -> list[MeasureResponseOut]:
    member = _member(request)
    return [
        _response_out(member, response)
        for response in selectors.responses_for_member(member=member)
    ]


@router.get(
    "/responses/{response_id}",
    response={200: MeasureResponseOut, **READS},
    summary="One of my completed questionnaires",
    url_name="measures_response",
)
def get_response(request: HttpRequest, response_id: int) -> MeasureResponseOut:
    member = _member(request)
    return _response_out(
        member, selectors.response_for_member(member=member, response_id=response_id)
    )


@router.post(
    "/responses/{response_id}/follow-up",
    response={200: MeasureResponseOut, **WRITES},
    summary="Answer the safety follow-up questions",
    url_name="measures_follow_up",
)
def follow_up(
    request: HttpRequest, response_id: int, payload: MeasureFollowUpIn
) -> MeasureResponseOut:
    member = _member(request)
    response = selectors.response_for_member(member=member, response_id=response_id)
    response = services.safety_follow_up_record(
        member=member, response=response, answers=dict(payload.answers)
    )
    return _response_out(member, response)
