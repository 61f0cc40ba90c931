"""Questionnaire pages: what is due, taking one, the result, and the safety follow-up.

Thin: a completed questionnaire comes only through ``selectors.response_for_member`` (a 404
for anyone but the member who gave it), every change through ``services``. Every page works
without JavaScript. Moderators reach a questionnaire only through its queue item; the one
moderator view here closes such an item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.measures import safety_pathway, selectors, services
from alongside.measures.engine import MeasureDefinition
from alongside.measures.forms import FollowUpForm, MeasureForm, ResolveForm
from alongside.measures.models import MeasureInvitation, MeasureResponse
from alongside.measures.responder import named_responder, offered_measure_key


def _user(request: HttpRequest) -> User:
    """The signed-in user; only called behind login_required."""
    return cast(User, request.user)


def _optional_url(name: str) -> str | None:
    """A page another part of the site provides, if this deployment has it."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


@dataclass(frozen=True)
class DueRow:
    invitation: MeasureInvitation
    key: str
    name: str


@dataclass(frozen=True)
class PastRow:
    response: MeasureResponse
    name: str


def _name(key: str) -> str:
    definition = selectors.definition_or_none(key)
    return definition.name if definition else key


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """What is due for me, what I may take any time, and my past results."""
    member = _user(request)
    due = []
    for invitation in selectors.due_invitations(member=member):
        key = offered_measure_key(invitation.measure)
        due.append(DueRow(invitation=invitation, key=key, name=_name(key)))
    past = [
        PastRow(response=response, name=_name(response.measure))
        for response in selectors.responses_for_member(member=member)
    ]
    return render(
        request,
        "measures/index.html",
        {
            "due": due,
            "definitions": selectors.offered_definitions(),
            "past": past,
            "progress_url": _optional_url("progress:index"),
        },
    )


def _take_page(
    request: HttpRequest, definition: MeasureDefinition, form: MeasureForm, status: int = 200
) -> HttpResponse:
    responder = named_responder() if definition.safety_items else None
    return render(
        request,
        "measures/take.html",
        {
            "definition": definition,
            "form": form,
            "risk_numbers": [
                definition.item(safety.item_key).number for safety in definition.safety_items
            ],
            "responder": responder,
        },
        status=status,
    )


def _invitation_id(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, key: str) -> HttpResponse:
    """One questionnaire: every item a radio group; a problem keeps every answer given."""
    member = _user(request)
    definition = selectors.offered_definition_or_404(key)
    if request.method != "POST":
        initial = {"invitation": _invitation_id(request.GET.get("invitation"))}
        return _take_page(request, definition, MeasureForm(initial=initial, definition=definition))
    form = MeasureForm(request.POST, definition=definition)
    if not form.is_valid():
        return _take_page(request, definition, form, status=400)
    invitation_id = form.cleaned_data.get("invitation")
    invitation = selectors.invitation_for_member(member=member, invitation_id=invitation_id)
    if invitation_id is not None and invitation is None:
        form.add_error(None, _("This questionnaire request is not open for you any more."))
        return _take_page(request, definition, form, status=400)
    try:
        response = services.response_submit(
            member=member, measure_key=definition.key, answers=form.answers(), invitation=invitation
        )
    except ValidationError as error:
        form.add_error(None, _error_text(error))
        return _take_page(request, definition, form, status=400)
    return redirect("measures:result", response_id=response.pk)


def _result_page(
    request: HttpRequest,
    response: MeasureResponse,
    follow_up_form: FollowUpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = _user(request)
    definition = selectors.definition_or_none(response.measure)
    safety = None
    if response.safety_started_at is not None:
        safety = safety_pathway.safety_support(member)
    answered = []
    if definition is not None:
        answers = list(response.answers or [])
        for item in definition.items:
            value = answers[item.number - 1] if item.number - 1 < len(answers) else None
            answered.append(
                (item, item.label_for(value) if value is not None else _("Not answered"))
            )
    return render(
        request,
        "measures/result.html",
        {
            "response": response,
            "definition": definition,
            "answered": answered,
            "safety": safety,
            "follow_up_done": bool(response.follow_up),
            "follow_up_form": follow_up_form or FollowUpForm(),
            "progress_url": _optional_url("progress:index"),
        },
        status=status,
    )


@login_required
@require_GET
def result(request: HttpRequest, response_id: int) -> HttpResponse:
    """My score in plain words, and the safety panel when the answers started it."""
    response = selectors.response_for_member(member=_user(request), response_id=response_id)
    return _result_page(request, response)


@login_required
@require_POST
def follow_up(request: HttpRequest, response_id: int) -> HttpResponse:
    member = _user(request)
    response = selectors.response_for_member(member=member, response_id=response_id)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _result_page(request, response, follow_up_form=form, status=400)
    try:
        services.safety_follow_up_record(
            member=member, response=response, answers=dict(form.cleaned_data)
        )
    except ValidationError as error:
        messages.info(request, _error_text(error))
    return redirect(reverse("measures:result", args=[response.pk]) + "#safety-heading")


@login_required
@require_POST
def safety_resolve(request: HttpRequest, item_id: int) -> HttpResponse:
    """A moderator closes a questionnaire queue item (see ``safety_pathway``)."""
    from alongside.safety.selectors.queue import access_queue_item_by_id

    user = _user(request)
    item = access_queue_item_by_id(user, item_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what happened."))
        return redirect("safety_moderation:item", item_id=item.pk)
    try:
        safety_pathway.safety_item_resolve(
            actor=user,
            item=item,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("safety_moderation:item", item_id=item.pk)
    messages.success(request, _("Resolved. The log says what you did."))
    return redirect("safety_moderation:queue")
