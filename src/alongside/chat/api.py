"""JSON endpoints for live conversations, under /api/v1/chat/.

The same access helpers and services as the chat socket (``consumers``): a conversation comes
through ``selectors.access_conversation`` and a message through ``selectors.access_message``
(404 for anything the caller may not read, so nothing reveals it exists), and every change
goes through ``services``. The root API turns the services' refusals into answers:
``PermissionDenied`` is 403 and ``ValidationError`` 422 with the service's own words.

Messages carry the same numbers as on the socket. A client that remembers the ``seq`` of its
last answer asks ``GET .../messages?after=<seq>`` for everything that changed since, so the
API alone is enough to stay in step, and it can switch to (or from) the socket at any number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from alongside.accounts import selectors as accounts_selectors
from alongside.accounts.models import User
from alongside.api_schemas import ErrorOut, ValidationErrorOut
from alongside.chat import policy, presence, selectors, services
from alongside.chat.models import ChatPreferences, Conversation, Message, Participant
from alongside.chat.payloads import message_payload, reactions_by_message
from alongside.communities.api import ScreeningOut
from alongside.communities.models import ModerationState, Reaction
from alongside.safety.models import ContentKind, Report
from alongside.safety.selectors.protection import reader_filter
from alongside.safety.services.reports import report_create
from alongside.safety.support import SupportNotice

router = Router(tags=["chat"])

READS: dict[int | str, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITES: dict[int | str, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
HISTORY_PAGE = 50

# Both are called ``Kind`` in the models, as is the reactions' enum the groups API publishes:
# inline schemas keep the three apart in the OpenAPI document.
ConversationKind = Annotated[
    Conversation.Kind,
    WithJsonSchema({"type": "string", "enum": list(Conversation.Kind.values)}),
]
MessageKind = Annotated[
    Message.Kind, WithJsonSchema({"type": "string", "enum": list(Message.Kind.values)})
]


# --- Schemas --------------------------------------------------------------------------------


class ReplyToOut(Schema):
    id: int
    author: str = Field(description="The original's author's handle.")
    excerpt: str = Field(description="Its start; empty when it was removed or is held.")


class MessageOut(Schema):
    """A message as it is now: the same shape as the socket's ``message`` frames."""

    id: int
    conversation: int
    seq: int = Field(description="Its place in the conversation, fixed when it was sent.")
    updated_seq: int = Field(
        description="The number of its latest change: sent, edited, reacted to, removed, "
        "approved. Catch-up asks for changes after the highest number seen."
    )
    kind: MessageKind = Field(description="member, or notice: a note the platform adds.")
    notice_code: str = Field(description='What a notice is about; "" on members\' messages.')
    author: str | None = Field(description="The author's handle; null on notices.")
    author_id: int | None
    client_id: str = Field(description="The sender's own id for it, if they gave one.")
    body: str = Field(description="Plain text; empty when removed or hidden.")
    content_warning: str = Field(description="When set, show the body only on request.")
    reply_to: ReplyToOut | None
    state: ModerationState = Field(
        description="held: waiting for a moderator, shown only to its author."
    )
    removed: bool
    removed_by_author: bool
    edited: bool
    created_at: datetime
    reactions: dict[Reaction.Kind, list[str]] = Field(
        description="Who reacted, by kind, in the order they reacted."
    )
    folded: str = Field(
        "",
        description='Why my own safety settings fold it: "muted" (a word I muted) or '
        '"content_warning" (I fold those); "" when they do not.',
    )


class ParticipantOut(Schema):
    handle: str
    online: bool | None = Field(description="Null where they don't let me see it.")
    last_read_seq: int | None = Field(description="How far they have read; one-to-ones only.")


class RoomStateOut(Schema):
    conversation: int
    kind: ConversationKind
    open: bool = Field(description="Whether messages can be sent now.")
    next_opens_at: datetime | None = Field(
        description="A session's next (or current) slot; null for rooms and one-to-ones."
    )
    ground_rules: str
    slow_mode_seconds: int
    muted_until: datetime | None = Field(description="Until when the facilitator paused me.")
    last_seq: int
    can_facilitate: bool


class ConversationOut(Schema):
    id: int
    kind: ConversationKind
    title: str = Field(description="A room's name; for a one-to-one, the other person.")
    group: str | None = Field(description="The group's slug; null for a one-to-one.")
    unread: int = Field(description="Messages from others after my read mark.")
    last_read_seq: int
    last_seq: int = Field(description="The number of the conversation's latest change.")
    last_message_at: datetime | None


class ConversationDetailOut(ConversationOut):
    joined: bool = Field(description="Whether I take part (a room can be read without).")
    state: RoomStateOut
    participants: list[ParticipantOut] = Field(description="The others taking part.")


class MessagesQuery(Schema):
    after: int | None = Field(
        None, ge=0, description="Every message changed after this number (catch-up)."
    )
    before: int | None = Field(
        None, ge=1, description="The page of messages sent before this number (history)."
    )
    limit: int = Field(
        HISTORY_PAGE, ge=1, le=200, description="Page size for history; catch-up pages are 200."
    )


class MessagesOut(Schema):
    messages: list[MessageOut] = Field(description="Oldest first.")
    seq: int = Field(
        description="Ask with after=this next time: everything up to it has been answered."
    )
    has_more: bool = Field(
        description="Catch-up: more changes after seq. History: older messages before these."
    )


class SendIn(Schema):
    client_id: str = Field(
        "",
        description="My own id for this message (up to 64 characters): sending it again "
        "after a dropped connection returns the message already sent.",
    )
    body: str
    reply_to: int | None = Field(None, description="The id of a message in this conversation.")
    content_warning: str = ""


class SentOut(Schema):
    message: MessageOut
    duplicate: bool = Field(description="Already sent with this client_id: nothing new sent.")
    support: ScreeningOut | None = Field(
        description="Crisis lines or why it waits for a moderator; null when nothing to say."
    )


class EditIn(Schema):
    body: str
    content_warning: str | None = Field(None, description="Null leaves it as it is.")


class EditedOut(Schema):
    message: MessageOut
    support: ScreeningOut | None


class ReactedOut(Schema):
    added: bool = Field(description="True: the reaction is there now; false: taken back.")
    message: MessageOut


class ReadIn(Schema):
    seq: int = Field(ge=0, description="The number of the latest change I have seen.")


class ReadOut(Schema):
    conversation: int
    last_read_seq: int = Field(description="My read mark; it never moves back.")
    unread: int


class DirectIn(Schema):
    handle: str = Field(description="The member to talk with.")


class LeaveIn(Schema):
    reported: str | None = Field(None, description="The handle of someone here to report.")
    reason: Report.Reason | None = Field(None, description="What's wrong; needed to report.")
    note: str = Field("", description="For the moderators only.")
    share: bool = Field(False, description="Let moderators read this conversation.")
    block: bool = Field(False, description="Block the reported member too.")


class LeftOut(Schema):
    conversation: int
    report_id: int | None = Field(description="The report made, if any.")
    shared: bool
    blocked: bool


class MessageReportIn(Schema):
    reason: Report.Reason
    note: str = Field("", description="For the moderators only.")


class MessageReportOut(Schema):
    id: int
    kind: ContentKind
    message_id: int
    reason: Report.Reason
    outcome: Report.Outcome


class ChatPreferencesOut(Schema):
    who_may_message: ChatPreferences.WhoMayMessage = Field(
        description="Who may start a one-to-one with me."
    )
    presence_visibility: ChatPreferences.PresenceVisibility = Field(
        description="Who may see when I'm online."
    )


class ChatPreferencesIn(Schema):
    who_may_message: ChatPreferences.WhoMayMessage | None = Field(
        None, description="Null keeps it as it is."
    )
    presence_visibility: ChatPreferences.PresenceVisibility | None = Field(
        None, description="Null keeps it as it is."
    )


# --- Helpers --------------------------------------------------------------------------------


def _member(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _messages_out(user: User, payloads: list[dict[str, Any]]) -> list[MessageOut]:
    """Payloads as this reader is shown them: none from members blocked either way (as on
    the socket), and a fold reason from their own muted words and content-warning choice."""
    reader = reader_filter(user)
    blocked = reader.blocks.either_way
    shown = []
    for payload in payloads:
        author_id = payload["author_id"]
        if author_id is not None and author_id != user.pk and author_id in blocked:
            continue
        folded = ""
        if author_id is not None and not payload["removed"]:
            folded = reader.reason_for(
                author_id=author_id,
                body=payload["body"],
                content_warning=payload["content_warning"],
            )
        shown.append(MessageOut(**payload, folded=folded))
    return shown


def _message_out(message: Message) -> MessageOut:
    """The author's (or a facilitator's) view of a message they just changed."""
    return MessageOut(
        **message_payload(message, reactions_by_message([message.pk]).get(message.pk))
    )


def _support_out(notice: SupportNotice | None) -> ScreeningOut | None:
    return None if notice is None else ScreeningOut(**notice.as_dict())


def _title(user: User, conversation: Conversation) -> str:
    if not conversation.is_direct:
        return conversation.title
    handles = (
        Participant.objects.filter(conversation=conversation)
        .exclude(user=user)
        .order_by("joined_at")
        .values_list("user__handle", flat=True)
    )
    return ", ".join(handles) or "—"


def _conversation_out(row: selectors.ConversationRow) -> ConversationOut:
    conversation = row.conversation
    return ConversationOut(
        id=conversation.pk,
        kind=Conversation.Kind(conversation.kind),
        title=row.title,
        group=conversation.group.slug if conversation.group else None,
        unread=row.unread,
        last_read_seq=row.last_read_seq,
        last_seq=conversation.last_seq,
        last_message_at=conversation.last_message_at,
    )


def _detail_out(user: User, conversation: Conversation) -> ConversationDetailOut:
    participant = selectors.participant_for(user, conversation)
    joined = participant is not None and participant.left_at is None
    row = selectors.ConversationRow(
        conversation=conversation,
        title=_title(user, conversation),
        unread=selectors.unread_count(user, participant) if joined and participant else 0,
        last_read_seq=participant.last_read_seq if participant is not None else 0,
    )
    return ConversationDetailOut(
        **_conversation_out(row).model_dump(),
        joined=joined,
        state=RoomStateOut(**selectors.room_state(user, conversation)),
        participants=[
            ParticipantOut(**each) for each in presence.participants_for(user, conversation)
        ],
    )


def _other_member(handle: str) -> User:
    member = accounts_selectors.member_get(handle=handle.strip().lstrip("@"))
    if member is None:
        raise Http404
    return member


# --- Conversations --------------------------------------------------------------------------


@router.get(
    "/conversations",
    response={200: list[ConversationOut], 401: ErrorOut},
    summary="My conversations, latest first, with unread counts",
)
def list_conversations(request: HttpRequest) -> list[ConversationOut]:
    return [_conversation_out(row) for row in selectors.conversations_for(_member(request))]


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationDetailOut, **READS},
    summary="One conversation: its state and who is in it",
)
def conversation_detail(request: HttpRequest, conversation_id: int) -> ConversationDetailOut:
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    return _detail_out(user, conversation)


@router.post(
    "/conversations/{conversation_id}/join",
    response={200: ConversationDetailOut, **WRITES},
    summary="Take part in a group room (to send, and to have it in my list)",
)
def join_room(request: HttpRequest, conversation_id: int) -> ConversationDetailOut:
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    services.room_join(user=user, conversation=conversation)
    return _detail_out(user, conversation)


@router.post(
    "/direct",
    response={200: ConversationDetailOut, **WRITES},
    summary="Open (or reopen) a one-to-one conversation with a member",
)
def open_direct(request: HttpRequest, payload: DirectIn) -> ConversationDetailOut:
    user = _member(request)
    recipient = _other_member(payload.handle)
    conversation = services.direct_open(initiator=user, recipient=recipient)
    return _detail_out(user, selectors.access_conversation(user, conversation.pk))


@router.post(
    "/conversations/{conversation_id}/leave",
    response={200: LeftOut, **WRITES},
    summary="Leave a conversation, optionally reporting someone in it",
)
def leave_conversation(request: HttpRequest, conversation_id: int, payload: LeaveIn) -> LeftOut:
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    reported = None
    if payload.reported:
        reported = accounts_selectors.member_get(handle=payload.reported.strip().lstrip("@"))
        if reported is None:
            raise ValidationError({"reported": _("That member isn't in this conversation.")})
    report = services.conversation_leave(
        user=user,
        conversation=conversation,
        reason=payload.reason or "",
        note=payload.note,
        reported=reported,
        share=payload.share,
        block=payload.block,
    )
    return LeftOut(
        conversation=conversation.pk,
        report_id=report.pk if report is not None else None,
        shared=report is not None and payload.share,
        blocked=reported is not None and payload.block,
    )


@router.post(
    "/conversations/{conversation_id}/read",
    response={200: ReadOut, **WRITES},
    summary="Move my read mark forward (it never moves back)",
)
def mark_read(request: HttpRequest, conversation_id: int, payload: ReadIn) -> ReadOut:
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    services.read_mark(user=user, conversation=conversation, seq=payload.seq)
    participant = selectors.participant_for(user, conversation)
    return ReadOut(
        conversation=conversation.pk,
        last_read_seq=participant.last_read_seq if participant is not None else 0,
        unread=selectors.unread_count(user, participant) if participant is not None else 0,
    )


# --- Messages -------------------------------------------------------------------------------


@router.get(
    "/conversations/{conversation_id}/messages",
    response={200: MessagesOut, **READS},
    summary="Messages: changed after a number (catch-up), or a page of history",
)
def list_messages(
    request: HttpRequest, conversation_id: int, query: Query[MessagesQuery]
) -> MessagesOut:
    """With ``after``: every message whose latest change is numbered above it, in number
    order, up to 200 at a time. Otherwise the latest messages (before ``before``, if given),
    oldest first. Either way ``seq`` is where to catch up from next."""
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    if query.after is not None and query.before is not None:
        raise ValidationError(_("Ask for messages after a number or before one, not both."))
    # The number first, then the rows: a change made in between comes twice, never not at all.
    conversation.refresh_from_db(fields=["last_seq"])
    last_seq = conversation.last_seq
    if query.after is not None:
        batch = selectors.changes_after(user, conversation, query.after, upto=last_seq)
        has_more = len(batch) >= selectors.CATCH_UP_BATCH
        seq = batch[-1]["updated_seq"] if has_more else last_seq
    else:
        batch = selectors.recent_messages(
            user, conversation, before_seq=query.before, limit=query.limit
        )
        has_more = len(batch) >= query.limit
        seq = last_seq
    return MessagesOut(messages=_messages_out(user, batch), seq=seq, has_more=has_more)


@router.post(
    "/conversations/{conversation_id}/messages",
    response={200: SentOut, 201: SentOut, **WRITES},
    summary="Send a message (201; 200 when this client_id was already sent)",
)
def send_message(request: HttpRequest, conversation_id: int, payload: SendIn) -> Status[SentOut]:
    user = _member(request)
    conversation = selectors.access_conversation(user, conversation_id)
    outcome = services.message_send(
        author=user,
        conversation=conversation,
        body=payload.body,
        client_id=payload.client_id,
        reply_to_id=payload.reply_to,
        content_warning=payload.content_warning,
    )
    sent = SentOut(
        message=MessageOut(**outcome.payload),
        duplicate=outcome.duplicate,
        support=_support_out(outcome.notice),
    )
    return Status(200 if outcome.duplicate else 201, sent)


@router.patch(
    "/messages/{message_id}",
    response={200: EditedOut, **WRITES},
    summary="Edit my message (within a few minutes of sending)",
)
def edit_message(request: HttpRequest, message_id: int, payload: EditIn) -> EditedOut:
    user = _member(request)
    message = selectors.access_message(user, message_id)
    outcome = services.message_edit(
        actor=user, message=message, body=payload.body, content_warning=payload.content_warning
    )
    return EditedOut(message=_message_out(outcome.message), support=_support_out(outcome.notice))


@router.delete(
    "/messages/{message_id}",
    response={200: MessageOut, **WRITES},
    summary="Remove a message (mine, or any as the facilitator)",
)
def delete_message(request: HttpRequest, message_id: int) -> MessageOut:
    user = _member(request)
    message = selectors.access_message(user, message_id)
    return _message_out(services.message_delete(actor=user, message=message))


@router.post(
    "/messages/{message_id}/reactions/{kind}",
    response={200: ReactedOut, **WRITES},
    summary="React to a message, or take the reaction back if I already gave it",
)
def toggle_reaction(request: HttpRequest, message_id: int, kind: Reaction.Kind) -> ReactedOut:
    user = _member(request)
    message = selectors.access_message(user, message_id)
    added = services.reaction_toggle(user=user, message=message, kind=kind)
    message.refresh_from_db(fields=["updated_seq"])
    return ReactedOut(added=added, message=_message_out(message))


@router.post(
    "/messages/{message_id}/report",
    response={201: MessageReportOut, **WRITES},
    summary="Report a message to the moderators",
)
def report_message(
    request: HttpRequest, message_id: int, payload: MessageReportIn
) -> Status[MessageReportOut]:
    user = _member(request)
    message = selectors.access_message(user, message_id)
    report = report_create(reporter=user, reason=payload.reason, note=payload.note, message=message)
    return Status(
        201,
        MessageReportOut(
            id=report.pk,
            kind=ContentKind(report.kind),
            message_id=message.pk,
            reason=Report.Reason(report.reason),
            outcome=Report.Outcome(report.outcome),
        ),
    )


# --- Preferences ----------------------------------------------------------------------------


def _preferences_out(preferences: ChatPreferences) -> ChatPreferencesOut:
    return ChatPreferencesOut(
        who_may_message=ChatPreferences.WhoMayMessage(preferences.who_may_message),
        presence_visibility=ChatPreferences.PresenceVisibility(preferences.presence_visibility),
    )


@router.get(
    "/preferences",
    response={200: ChatPreferencesOut, 401: ErrorOut},
    summary="Who may message me and see when I'm online",
)
def get_preferences(request: HttpRequest) -> ChatPreferencesOut:
    return _preferences_out(policy.preferences_for(_member(request)))


@router.patch(
    "/preferences",
    response={200: ChatPreferencesOut, **WRITES},
    summary="Change who may message me or see when I'm online",
)
def update_preferences(request: HttpRequest, payload: ChatPreferencesIn) -> ChatPreferencesOut:
    user = _member(request)
    current = policy.preferences_for(user)
    preferences = services.preferences_update(
        user=user,
        who_may_message=payload.who_may_message or current.who_may_message,
        presence_visibility=payload.presence_visibility or current.presence_visibility,
    )
    return _preferences_out(preferences)
