"""Group rooms and facilitated sessions: adding one, joining it, and the facilitator's tools.

Thin, like the other pages: an access helper fetches the conversation (404 for anyone who may
not read it), a service makes the change and writes the audit row, and the view says what
happened and goes back to the conversation. A service's ``PermissionDenied`` becomes a 403;
its ``ValidationError`` becomes a message on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.accounts.selectors import member_get
from alongside.chat import selectors, services
from alongside.chat.forms_rooms import MuteForm, RoomForm, RulesForm, SlowModeForm
from alongside.chat.models import Conversation
from alongside.communities.selectors import access_group_by_slug, can_moderate_group
from alongside.core.form_errors import keep_service_errors

FacilitatorAction = Callable[[User, Conversation, HttpRequest], str]


def _member(request: HttpRequest) -> User:
    """The signed-in member (every view here requires one)."""
    return cast(User, request.user)


def conversation_url(conversation: Conversation) -> str:
    """The conversation page (``views.conversations``), where every tool returns to."""
    return reverse("chat:conversation", kwargs={"conversation_id": conversation.pk})


def _say(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _form_problem(form: forms.Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _room(request: HttpRequest, conversation_id: int) -> Conversation:
    """A group room or session the member may read; 404 for anything else."""
    conversation = selectors.access_conversation(_member(request), conversation_id)
    if conversation.is_direct:
        raise Http404
    return conversation


# --- Adding and joining ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def room_create(request: HttpRequest, slug: str) -> HttpResponse:
    """For the group's moderators: an always-open room or a weekly facilitated session."""
    user = _member(request)
    group = access_group_by_slug(user, slug)
    if not can_moderate_group(user, group):
        raise PermissionDenied
    form = RoomForm(request.POST if request.method == "POST" else None, group=group)
    if form.is_bound and form.is_valid():
        try:
            room = services.room_create(actor=user, group=group, **form.service_arguments())
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is ready.") % {"name": room.title})
            return redirect(conversation_url(room))
    return render(request, "chat/rooms/room_form.html", {"form": form, "group": group})


@login_required
@require_POST
def room_join(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _room(request, conversation_id)
    try:
        services.room_join(user=_member(request), conversation=conversation)
    except ValidationError as error:
        messages.error(request, _say(error))
    else:
        messages.success(
            request,
            _("You've joined “%(name)s”. Have a look at the ground rules before you say hello.")
            % {"name": conversation.title},
        )
    return redirect(conversation_url(conversation))


# --- Facilitator tools ----------------------------------------------------------------------


def _facilitate(request: HttpRequest, conversation_id: int, act: FacilitatorAction) -> HttpResponse:
    """Run one tool; the service checks the member may facilitate (403 if not) and logs it."""
    conversation = _room(request, conversation_id)
    try:
        done = act(_member(request), conversation, request)
    except ValidationError as error:
        messages.error(request, _say(error))
    else:
        messages.success(request, done)
    return redirect(conversation_url(conversation))


def _pin_rules(actor: User, conversation: Conversation, request: HttpRequest) -> str:
    form = RulesForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_form_problem(form))
    services.rules_pin(
        actor=actor, conversation=conversation, ground_rules=form.cleaned_data["ground_rules"]
    )
    if not form.cleaned_data["ground_rules"].strip():
        return _("The ground rules are cleared.")
    return _("The ground rules are pinned at the top for everyone.")


def _set_slow_mode(actor: User, conversation: Conversation, request: HttpRequest) -> str:
    form = SlowModeForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_form_problem(form))
    seconds: int = form.cleaned_data["seconds"]
    services.slow_mode_set(actor=actor, conversation=conversation, seconds=seconds)
    if not seconds:
        return _("Slow mode is off.")
    return _("Slow mode is on: each person can send one message every %(seconds)d seconds.") % {
        "seconds": seconds
    }


def _mute(actor: User, conversation: Conversation, request: HttpRequest) -> str:
    form = MuteForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_form_problem(form))
    handle = form.cleaned_data["handle"].strip().lstrip("@")
    member = member_get(handle=handle)
    if member is None:
        raise ValidationError(_("%(handle)s isn't in this room.") % {"handle": handle})
    services.participant_mute(actor=actor, conversation=conversation, member=member)
    if conversation.kind == Conversation.Kind.SESSION:
        return _(
            "%(handle)s's messages are paused until the end of this session. They can still read."
        ) % {"handle": member.handle}
    return _("%(handle)s's messages are paused for an hour. They can still read.") % {
        "handle": member.handle
    }


def _end(actor: User, conversation: Conversation, request: HttpRequest) -> str:
    services.session_end(actor=actor, conversation=conversation)
    if conversation.kind == Conversation.Kind.SESSION:
        return _("The session has ended. Thank you for looking after it.")
    return _("The room is closed until you open it again.")


def _reopen(actor: User, conversation: Conversation, request: HttpRequest) -> str:
    services.room_reopen(actor=actor, conversation=conversation)
    return _("The room is open again.")


@login_required
@require_POST
def rules_pin(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _facilitate(request, conversation_id, _pin_rules)


@login_required
@require_POST
def slow_mode_set(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _facilitate(request, conversation_id, _set_slow_mode)


@login_required
@require_POST
def participant_mute(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _facilitate(request, conversation_id, _mute)


@login_required
@require_POST
def session_end(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _facilitate(request, conversation_id, _end)


@login_required
@require_POST
def room_reopen(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _facilitate(request, conversation_id, _reopen)


@login_required
@require_POST
def message_remove(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """A facilitator removes someone's message; everyone sees a note in its place."""
    user = _member(request)
    conversation = _room(request, conversation_id)
    message = selectors.access_message(user, message_id)
    if message.conversation_id != conversation.pk:
        raise Http404
    if not selectors.can_facilitate(user, conversation):
        raise PermissionDenied
    try:
        services.message_delete(actor=user, message=message)
    except ValidationError as error:
        messages.error(request, _say(error))
    else:
        messages.success(request, _("The message is removed. Moderators can still read it."))
    return redirect(conversation_url(conversation))


urlpatterns = [
    path("rooms/new/<slug:slug>/", room_create, name="room_create"),
    path("rooms/<int:conversation_id>/join/", room_join, name="room_join"),
    path("rooms/<int:conversation_id>/facilitate/rules/", rules_pin, name="room_rules_pin"),
    path(
        "rooms/<int:conversation_id>/facilitate/slow-mode/",
        slow_mode_set,
        name="room_slow_mode",
    ),
    path("rooms/<int:conversation_id>/facilitate/mute/", participant_mute, name="room_mute"),
    path("rooms/<int:conversation_id>/facilitate/end/", session_end, name="room_session_end"),
    path("rooms/<int:conversation_id>/facilitate/reopen/", room_reopen, name="room_reopen"),
    path(
        "rooms/<int:conversation_id>/messages/<int:message_id>/remove/",
        message_remove,
        name="room_message_remove",
    ),
]
