"""Conversation pages: the list, one conversation, starting a one-to-one, leaving, settings.

Thin on purpose, like the group pages: an access helper fetches what the member asked for,
a service makes any change, and the view picks the page, the message and where to go next.
Every page works without JavaScript: the conversation shows its latest messages and a form
sends (then redirects back, so a reload never sends twice); ``chat.js`` makes it live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts import selectors as accounts_selectors
from alongside.accounts.models import User
from alongside.chat import policy, presence, selectors, services
from alongside.chat.forms import LeaveForm, MessageEditForm, MessageForm, PreferencesForm
from alongside.chat.models import Conversation, Message, Participant
from alongside.communities.models import ModerationState, Reaction
from alongside.safety import support
from alongside.safety.selectors.protection import ReaderFilter, reader_filter

PAGE_SIZE = 50
# How many people the "Leave and report" form offers to report (a one-to-one has one).
REPORTABLE_LISTED = 200


def _member(request: HttpRequest) -> User:
    """The signed-in member (every view here requires one)."""
    return cast(User, request.user)


def _say(error: ValidationError) -> str:
    return " ".join(error.messages)


def _keep_errors(form: forms.Form, error: ValidationError, shown: tuple[str, ...]) -> None:
    """Show a service's refusal on the form, by field where the page shows that field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in shown else None, errors)
    else:
        form.add_error(None, error)


def _conversation_url(conversation_id: int, message_id: int | None = None) -> str:
    url = reverse("chat:conversation", kwargs={"conversation_id": conversation_id})
    return f"{url}#message-{message_id}" if message_id else url


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- What the conversation page shows -------------------------------------------------------


@dataclass(frozen=True)
class ReactionChoice:
    kind: str
    label: str
    handles: list[str]
    pressed: bool

    @property
    def count(self) -> int:
        return len(self.handles)


@dataclass
class MessageRow:
    """One message as this reader sees it: the shared payload plus what they may do."""

    message: dict[str, Any]
    created_at: datetime | None
    folded: str = ""
    own: bool = False
    is_new: bool = False
    seen: bool = False
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_react: bool = False
    reactions: list[ReactionChoice] = field(default_factory=list)

    @property
    def is_notice(self) -> bool:
        return bool(self.message["kind"] == Message.Kind.NOTICE)

    @property
    def held(self) -> bool:
        return bool(self.message["state"] == ModerationState.HELD)


def _reaction_choices(payload: dict[str, Any], handle: str) -> list[ReactionChoice]:
    given: dict[str, list[str]] = payload["reactions"]
    return [
        ReactionChoice(
            kind=kind,
            label=str(label),
            handles=given.get(kind, []),
            pressed=handle in given.get(kind, []),
        )
        for kind, label in Reaction.Kind.choices
    ]


@dataclass(frozen=True)
class Viewer:
    """What every row of the page needs to know about its reader, worked out once."""

    user: User
    protection: ReaderFilter
    read_before: int
    facilitates: bool
    edit_window: timedelta
    now: datetime


def _row(payload: dict[str, Any], viewer: Viewer) -> MessageRow | None:
    """The row for one message, or None when the reader blocked (or was blocked by) its
    author: the same rule the live connection applies."""
    author_id = payload["author_id"]
    own = author_id == viewer.user.pk
    if author_id is not None and not own and author_id in viewer.protection.blocks.either_way:
        return None
    created_at = parse_datetime(payload["created_at"])
    row = MessageRow(message=payload, created_at=created_at, own=own)
    if payload["kind"] != Message.Kind.MEMBER:
        return row
    removed = payload["removed"]
    if not removed:
        row.folded = viewer.protection.reason_for(
            author_id=author_id, body=payload["body"], content_warning=payload["content_warning"]
        )
    row.is_new = not own and payload["seq"] > viewer.read_before
    published = payload["state"] == ModerationState.PUBLISHED
    row.can_reply = not removed and published
    row.can_react = not removed and published
    row.can_delete = not removed and (own or viewer.facilitates)
    recent = created_at is not None and viewer.now - created_at <= viewer.edit_window
    row.can_edit = own and not removed and recent
    if row.can_react:
        row.reactions = _reaction_choices(payload, viewer.user.handle)
    return row


def _mark_seen(rows: list[MessageRow], seen_seq: int | None) -> None:
    """Put "Seen" under the latest of one's own messages the other person has read."""
    if seen_seq is None:
        return
    for row in reversed(rows):
        if row.own and not row.is_notice and row.message["seq"] <= seen_seq:
            row.seen = True
            return


def _viewer(user: User, conversation: Conversation, read_before: int) -> Viewer:
    return Viewer(
        user=user,
        protection=reader_filter(user),
        read_before=read_before,
        facilitates=selectors.can_facilitate(user, conversation),
        edit_window=timedelta(minutes=settings.CHAT_EDIT_MINUTES),
        now=timezone.now(),
    )


def _rows(payloads: list[dict[str, Any]], viewer: Viewer) -> list[MessageRow]:
    found = (_row(payload, viewer) for payload in payloads)
    return [row for row in found if row is not None]


def _reply_target(
    user: User, conversation: Conversation, message_id: int | None
) -> dict[str, Any] | None:
    """The message the composer replies to (from ``?reply_to=``), if the reader can see it."""
    if message_id is None:
        return None
    try:
        message = selectors.access_message(user, message_id)
    except Http404:
        return None
    if message.conversation_id != conversation.pk or message.kind != Message.Kind.MEMBER:
        return None
    if message.deleted_at is not None:
        return None
    return {"id": message.pk, "author": message.author.handle if message.author else ""}


def _direct_others(participants: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, int | None]:
    """In a one-to-one: the other person (with presence) and how far they have read."""
    if not participants:
        return None, None
    other = participants[0]
    return other, other.get("last_read_seq")


def _has_left(conversation: Conversation, user: User) -> str:
    """In a one-to-one, the handle of the other person if they left (sending is pointless)."""
    if not conversation.is_direct:
        return ""
    left = (
        Participant.objects.filter(conversation=conversation, left_at__isnull=False)
        .exclude(user=user)
        .values_list("user__handle", flat=True)
        .first()
    )
    return left or ""


def _title(conversation: Conversation, participants: list[dict[str, Any]], left: str) -> str:
    if not conversation.is_direct:
        return str(conversation)
    handles = [p["handle"] for p in participants] or ([left] if left else [])
    return ", ".join(handles) or _("A conversation")


def _live_after(conversation: Conversation, rows: list[MessageRow]) -> int:
    """Where the page's live connection resumes. The conversation was read before its
    messages, so every change numbered up to its ``last_seq`` is already on the page, as is
    every change a message shown carries."""
    shown = max((row.message["updated_seq"] for row in rows), default=0)
    return max(conversation.last_seq, shown)


def _conversation_page(
    request: HttpRequest,
    conversation: Conversation,
    form: MessageForm,
    *,
    status: int = 200,
) -> HttpResponse:
    user = _member(request)
    before = _int_or_none(request.GET.get("before"))
    participant = selectors.participant_for(user, conversation)
    read_before = participant.last_read_seq if participant is not None else conversation.last_seq
    viewer = _viewer(user, conversation, read_before)
    rows = _rows(selectors.recent_messages(user, conversation, before_seq=before), viewer)
    participants = presence.participants_for(user, conversation)
    other, seen_seq = _direct_others(participants) if conversation.is_direct else (None, None)
    _mark_seen(rows, seen_seq)
    earliest = rows[0].message["seq"] if rows else None
    has_earlier = (
        earliest is not None
        and selectors.visible_messages(user, conversation).filter(seq__lt=earliest).exists()
    )
    if request.method == "GET" and before is None and participant is not None:
        services.read_mark(user=user, conversation=conversation, seq=conversation.last_seq)
    left = _has_left(conversation, user)
    reply_id = form["reply_to"].value() if form.is_bound else request.GET.get("reply_to")
    context = {
        "conversation": conversation,
        "title": _title(conversation, participants, left),
        "rows": rows,
        "form": form,
        "reply_target": _reply_target(user, conversation, _int_or_none(str(reply_id or ""))),
        "participants": participants,
        "other": other,
        "other_left": left,
        "room_state": selectors.room_state(user, conversation),
        "can_facilitate": viewer.facilitates,
        "is_participant": participant is not None and participant.left_at is None,
        # A refused form always comes back, so what was typed is never lost.
        "can_send": form.is_bound or _can_send(user, conversation, left),
        "before": before,
        "has_earlier": has_earlier,
        "earliest_seq": earliest,
        "live_after": _live_after(conversation, rows),
        "edit_minutes": f"{settings.CHAT_EDIT_MINUTES:g}",
        "reaction_kinds": Reaction.Kind.choices,
    }
    return render(request, "chat/conversation.html", context, status=status)


def _can_send(user: User, conversation: Conversation, left: str) -> bool:
    """Whether to offer the composer (the service has the last word on each message)."""
    if conversation.is_direct:
        return not left
    return selectors.can_send_in_room(user, conversation)


# --- The list and one conversation ----------------------------------------------------------


@login_required
@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    """The member's conversations, latest first, with what is unread in each."""
    return render(
        request,
        "chat/list.html",
        {"rows": selectors.conversations_for(_member(request))},
    )


@login_required
@require_GET
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The latest messages (``?before=<seq>`` for earlier ones); opening it marks them read."""
    conversation = selectors.access_conversation(_member(request), conversation_id)
    return _conversation_page(request, conversation, MessageForm())


@login_required
@require_POST
def message_send(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Send from the page's form. A refusal comes back on the page with the text as typed."""
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            outcome = services.message_send(
                author=user,
                conversation=conversation,
                body=form.cleaned_data["body"],
                client_id=form.cleaned_data["client_id"] or "",
                reply_to_id=form.cleaned_data["reply_to"],
                content_warning=form.cleaned_data["content_warning"],
            )
        except ValidationError as error:
            _keep_errors(form, error, ("body", "content_warning"))
        else:
            support.remember(request, outcome.notice)
            return redirect(_conversation_url(conversation.pk, outcome.message.pk))
    return _conversation_page(request, conversation, form)


# --- One message: react, edit, remove -------------------------------------------------------


def _message_in(request: HttpRequest, conversation_id: int, message_id: int) -> Message:
    """The message, if the member may see it and it belongs to this conversation."""
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    message = selectors.access_message(user, message_id)
    if message.conversation_id != conversation.pk:
        raise Http404
    return message


@login_required
@require_POST
def message_react(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """Give or take back a supportive reaction, then return to the message."""
    message = _message_in(request, conversation_id, message_id)
    try:
        services.reaction_toggle(
            user=_member(request), message=message, kind=request.POST.get("kind", "")
        )
    except ValidationError as error:
        messages.error(request, _say(error))
    return redirect(_conversation_url(conversation_id, message.pk))


def _edit_refusal(user: User, message: Message) -> str:
    if message.author_id != user.pk or message.kind != Message.Kind.MEMBER:
        return _("You can only edit your own messages.")
    if message.deleted_at is not None:
        return _("This message was removed, so it can't be edited.")
    if timezone.now() - message.created_at > timedelta(minutes=settings.CHAT_EDIT_MINUTES):
        return _("Messages can be edited for %(minutes)s minutes after sending.") % {
            "minutes": f"{settings.CHAT_EDIT_MINUTES:g}"
        }
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """Change one's own message within the edit window; the new text is screened again."""
    user = _member(request)
    message = _message_in(request, conversation_id, message_id)
    refusal = _edit_refusal(user, message)
    if refusal:
        messages.info(request, refusal)
        return redirect(_conversation_url(conversation_id, message.pk))
    if request.method == "POST":
        form = MessageEditForm(request.POST)
        if form.is_valid():
            try:
                outcome = services.message_edit(actor=user, message=message, **form.cleaned_data)
            except ValidationError as error:
                _keep_errors(form, error, ("body", "content_warning"))
            else:
                messages.success(request, _("Your changes are saved."))
                support.remember(request, outcome.notice)
                return redirect(_conversation_url(conversation_id, message.pk))
    else:
        form = MessageEditForm(
            initial={"body": message.body, "content_warning": message.content_warning}
        )
    return render(
        request,
        "chat/message_edit.html",
        {
            "form": form,
            "message": message,
            "conversation": message.conversation,
            "back": _conversation_url(conversation_id, message.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_delete(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """Remove a message (one's own, or as the facilitator), after a confirmation page."""
    user = _member(request)
    message = _message_in(request, conversation_id, message_id)
    back = _conversation_url(conversation_id, message.pk)
    if request.method == "POST":
        try:
            services.message_delete(actor=user, message=message)
        except ValidationError as error:
            messages.error(request, _say(error))
        else:
            messages.info(request, _("The message was removed."))
        return redirect(back)
    own = message.author_id == user.pk
    return render(
        request,
        "chat/confirm.html",
        {
            "title": _("Remove this message?"),
            "question": _("Everyone in the conversation will see “This message was removed”.")
            if own
            else _(
                "Everyone will see that the facilitator removed a message. The moderators can "
                "still read it, and the removal is recorded."
            ),
            "excerpt": message.body,
            "action": reverse(
                "chat:message_delete",
                kwargs={"conversation_id": conversation_id, "message_id": message.pk},
            ),
            "button": _("Remove"),
            "back": back,
        },
    )


# --- Starting a one-to-one ------------------------------------------------------------------


def _direct_refusal(user: User, member: User) -> str:
    try:
        policy.require_may_open_direct(user, member)
    except ValidationError as error:
        return _say(error)
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def direct_start(request: HttpRequest, handle: str) -> HttpResponse:
    """Confirm, then open (or reopen) a one-to-one; a refusal says why, in the policy's words."""
    user = _member(request)
    member = accounts_selectors.member_get(handle=handle)
    if member is None:
        raise Http404
    refusal = ""
    if request.method == "POST":
        try:
            conversation = services.direct_open(initiator=user, recipient=member)
        except ValidationError as error:
            refusal = _say(error)
        else:
            return redirect(_conversation_url(conversation.pk))
    else:
        refusal = _direct_refusal(user, member)
    return render(request, "chat/start.html", {"member": member, "refusal": refusal})


# --- Leaving and reporting ------------------------------------------------------------------


def _reportable(conversation: Conversation, user: User) -> list[User]:
    """Everyone else who is or was in the conversation: someone who has just left can still
    be reported."""
    rows = (
        Participant.objects.filter(conversation=conversation)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__handle")[:REPORTABLE_LISTED]
    )
    return [row.user for row in rows]


def _left_messages(request: HttpRequest, *, reported: bool, shared: bool, blocked: str) -> None:
    if reported:
        messages.success(
            request,
            _(
                "You've left the conversation and your report has gone to the moderators. "
                "You'll find what happens under “My reports”. Nobody is told who reported them."
            ),
        )
    else:
        messages.success(request, _("You've left the conversation."))
    if shared:
        messages.info(
            request,
            _(
                "You shared the conversation with the moderators looking at your report. "
                "Each time they read it, it is recorded."
            ),
        )
    if blocked:
        messages.info(request, _("You've blocked %(handle)s.") % {"handle": blocked})


@login_required
@require_http_methods(["GET", "POST"])
def conversation_leave(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Leave, and if the member wants, report someone, share the conversation, block them."""
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    if not selectors.is_active_participant(user, conversation):
        messages.info(request, _("You're not taking part in this conversation."))
        return redirect(_conversation_url(conversation.pk))
    people = {str(person.pk): person for person in _reportable(conversation, user)}
    form = LeaveForm(
        request.POST if request.method == "POST" else None,
        others=[(key, person.handle) for key, person in people.items()],
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        reported = people.get(data["reported"])
        try:
            report = services.conversation_leave(
                user=user,
                conversation=conversation,
                reason=data["reason"],
                note=data["note"],
                reported=reported,
                share=data["share"],
                block=data["block"],
            )
        except ValidationError as error:
            _keep_errors(form, error, ("reported", "reason", "note"))
        else:
            _left_messages(
                request,
                reported=report is not None,
                shared=report is not None and data["share"],
                blocked=reported.handle if reported is not None and data["block"] else "",
            )
            return redirect("chat:list")
    return render(
        request,
        "chat/leave.html",
        {"conversation": conversation, "form": form, "back": _conversation_url(conversation.pk)},
    )


# --- Preferences ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def chat_preferences(request: HttpRequest) -> HttpResponse:
    """Who may start a one-to-one with me, and who may see when I'm online."""
    user = _member(request)
    current = policy.preferences_for(user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.preferences_update(user=user, **form.cleaned_data)
            except ValidationError as error:
                _keep_errors(form, error, ("who_may_message", "presence_visibility"))
            else:
                messages.success(request, _("Your chat settings are saved."))
                return redirect("chat:preferences")
    else:
        form = PreferencesForm(
            initial={
                "who_may_message": current.who_may_message,
                "presence_visibility": current.presence_visibility,
            }
        )
    return render(request, "chat/preferences.html", {"form": form, "saved": current.pk is not None})


urlpatterns = [
    path("", conversation_list, name="list"),
    path("preferences/", chat_preferences, name="preferences"),
    path("with/<str:handle>/", direct_start, name="start"),
    path("<int:conversation_id>/", conversation_detail, name="conversation"),
    path("<int:conversation_id>/send/", message_send, name="send"),
    path("<int:conversation_id>/leave/", conversation_leave, name="leave"),
    path(
        "<int:conversation_id>/messages/<int:message_id>/react/",
        message_react,
        name="message_react",
    ),
    path(
        "<int:conversation_id>/messages/<int:message_id>/edit/",
        message_edit,
        name="message_edit",
    ),
    path(
        "<int:conversation_id>/messages/<int:message_id>/delete/",
        message_delete,
        name="message_delete",
    ),
]
