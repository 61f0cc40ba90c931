"""The chat services: sending and its refusals, changing messages, numbers, safety, leaving."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat import delivery, schedule, services
from alongside.chat.models import Conversation, ConversationShare, Message, Participant
from alongside.chat.selectors import changes_after, conversations_for, visible_messages
from alongside.communities import services as communities
from alongside.communities.models import Group, ModerationState
from alongside.safety.models import (
    Alert,
    AuditEntry,
    Block,
    ContentKind,
    QueueItem,
    Report,
    Sanction,
    Screening,
)
from alongside.safety.services.protection import block_create
from alongside.safety.services.reports import report_create

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]

CONTACT_REQUEST = "add me on whatsapp 07700 900123 and we can talk privately"
URGENT = "I have decided to end my life tonight, the pills are ready"


def refused(call: Callable[[], Any]) -> str:
    """The words of the ValidationError ``call`` raises."""
    with pytest.raises(ValidationError) as caught:
        call()
    return " ".join(caught.value.messages)


def send(author: User, conversation: Conversation, body: str, **fields: Any) -> Message:
    return services.message_send(
        author=author, conversation=conversation, body=body, **fields
    ).message


def last_seq(conversation: Conversation) -> int:
    return Conversation.objects.get(pk=conversation.pk).last_seq


@pytest.fixture
def pair(make_user: MakeUser) -> tuple[User, User, Conversation]:
    """A member and the peer supporter who opened a one-to-one with them."""
    member = make_user("ash_tree")
    supporter = make_user("birch_path", role=Role.PEER_SUPPORTER)
    return member, supporter, services.direct_open(initiator=supporter, recipient=member)


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("rowan", role=Role.ADMINISTRATOR)


@pytest.fixture
def group(admin: User) -> Group:
    return communities.group_create(actor=admin, name="Evening drop-in")


@pytest.fixture
def facilitator(make_user: MakeUser, group: Group) -> User:
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    communities.group_join(user=supporter, group=group)
    return supporter


@pytest.fixture
def room(admin: User, group: Group, facilitator: User) -> Conversation:
    return services.room_create(
        actor=admin, group=group, title="Open room", facilitator=facilitator
    )


@pytest.fixture
def talker(make_user: MakeUser, group: Group) -> User:
    member = make_user("alder")
    communities.group_join(user=member, group=group)
    return member


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The events the services hand to the channel layer after commit."""
    events: list[dict[str, Any]] = []
    monkeypatch.setattr(delivery, "_send", lambda group, event: events.append(event))
    yield events


# --- Sending --------------------------------------------------------------------------------


def test_a_message_is_saved_numbered_and_moves_the_senders_read_mark(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    outcome = services.message_send(
        author=member, conversation=conversation, body="  Hi.\r\nToday was OK.  ", client_id="a1"
    )

    message = outcome.message
    assert (message.body, message.seq, message.updated_seq) == ("Hi.\nToday was OK.", 1, 1)
    assert outcome.payload["body"] == "Hi.\nToday was OK."
    assert outcome.notice is None
    assert outcome.duplicate is False
    assert Participant.objects.get(conversation=conversation, user=member).last_read_seq == 1
    assert Participant.objects.get(conversation=conversation, user=supporter).last_read_seq == 0
    assert Conversation.objects.get(pk=conversation.pk).last_message_at == message.created_at
    assert Screening.objects.filter(kind=ContentKind.MESSAGE, object_id=message.pk).exists()


@pytest.mark.parametrize(
    ("body", "content_warning", "client_id", "field", "words"),
    [
        ("", "", "", "body", "Please write a message first."),
        (" \n\t ", "", "", "body", "Please write a message first."),
        (
            "x" * 4001,
            "",
            "",
            "body",
            "Please keep a message to 4000 characters; this one is 4001.",
        ),
        ("Fine.", "w" * 121, "", "content_warning", "Please keep the content warning to 120"),
        ("Fine.", "", "c" * 65, "client_id", "The message id is too long."),
    ],
    ids=["empty", "blank", "too long", "long warning", "long client id"],
)
def test_what_cannot_be_sent_says_why(
    pair: tuple[User, User, Conversation],
    body: str,
    content_warning: str,
    client_id: str,
    field: str,
    words: str,
) -> None:
    member, _supporter, conversation = pair

    with pytest.raises(ValidationError) as caught:
        send(member, conversation, body, content_warning=content_warning, client_id=client_id)

    assert words in caught.value.message_dict[field][0]
    assert not conversation.messages.exists()
    assert last_seq(conversation) == 0


def test_exactly_4000_characters_is_fine(pair: tuple[User, User, Conversation]) -> None:
    member, _supporter, conversation = pair

    assert len(send(member, conversation, "x" * 4000).body) == 4000


def test_a_retry_with_the_same_client_id_sends_nothing_twice(
    pair: tuple[User, User, Conversation],
    published: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    member, _supporter, conversation = pair
    with django_capture_on_commit_callbacks(execute=True):
        first = services.message_send(
            author=member, conversation=conversation, body="On my way.", client_id="k-7"
        )
        again = services.message_send(
            author=member, conversation=conversation, body="On my way.", client_id="k-7"
        )

    assert again.duplicate is True
    assert again.message.pk == first.message.pk
    assert again.payload["id"] == first.payload["id"]
    assert last_seq(conversation) == 1
    assert len([e for e in published if e["type"] == "chat.change"]) == 1


def test_a_client_id_used_in_another_conversation_is_refused_not_swallowed(
    pair: tuple[User, User, Conversation], make_user: MakeUser
) -> None:
    member, _supporter, conversation = pair
    other = services.direct_open(
        initiator=make_user("poplar", role=Role.PEER_SUPPORTER), recipient=member
    )
    send(member, conversation, "Morning!", client_id="1")

    words = refused(lambda: send(member, other, "Morning to you too!", client_id="1"))

    assert words == "This message id was already used in another conversation."
    assert not other.messages.exists()


def test_replying_to_a_message_of_another_conversation_is_refused(
    pair: tuple[User, User, Conversation], room: Conversation, facilitator: User
) -> None:
    member, supporter, conversation = pair
    elsewhere = send(facilitator, room, "Welcome, everyone.")

    words = refused(lambda: send(member, conversation, "Agreed!", reply_to_id=elsewhere.pk))

    assert words == "That message isn't in this conversation."
    assert last_seq(conversation) == 0
    original = send(supporter, conversation, "How did the appointment go?")
    reply = send(member, conversation, "It went well.", reply_to_id=original.pk)
    assert reply.reply_to == original


# --- Refusals -------------------------------------------------------------------------------


def test_after_the_other_person_left_messages_cannot_reach_them(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair
    services.conversation_leave(user=member, conversation=conversation)

    words = refused(lambda: send(supporter, conversation, "Take care."))

    assert words == "ash_tree has left this conversation, so messages can't reach them."


def test_after_leaving_oneself_the_conversation_is_closed_to_you(
    pair: tuple[User, User, Conversation],
) -> None:
    member, _supporter, conversation = pair
    services.conversation_leave(user=member, conversation=conversation)

    with pytest.raises(PermissionDenied):
        send(member, conversation, "Sorry, wrong button.")


@pytest.mark.parametrize("who_blocks", ["member", "supporter"])
def test_a_block_after_the_start_stops_both_sides(
    pair: tuple[User, User, Conversation], who_blocks: str
) -> None:
    member, supporter, conversation = pair
    send(member, conversation, "Thanks for listening.")
    if who_blocks == "member":
        block_create(blocker=member, blocked=supporter)
    else:
        block_create(blocker=supporter, blocked=member)

    for author in (member, supporter):
        words = refused(lambda author=author: send(author, conversation, "Hello?"))  # type: ignore[misc]
        assert words == "You can't send messages in this conversation any more."


def test_a_muted_account_is_told_why(pair: tuple[User, User, Conversation]) -> None:
    member, _supporter, conversation = pair
    Sanction.objects.create(
        member=member,
        kind=Sanction.Kind.MUTE,
        reason="Repeated contact requests.",
        ends_at=timezone.now() + timedelta(hours=2),
    )

    assert "Reason: Repeated contact requests." in refused(lambda: send(member, conversation, "Hi"))


def test_only_group_members_send_in_its_rooms(
    room: Conversation, make_user: MakeUser, group: Group
) -> None:
    visitor = make_user("passing_by")

    assert refused(lambda: send(visitor, room, "Hi all")) == (
        "Join the group to take part in its rooms."
    )
    assert refused(lambda: services.room_join(user=visitor, conversation=room)) == (
        "Join the group to take part in its rooms."
    )
    communities.group_join(user=visitor, group=group)
    assert send(visitor, room, "Hi all").seq == 1


def test_a_member_the_facilitator_muted_can_read_but_not_send(
    room: Conversation, facilitator: User, talker: User
) -> None:
    send(talker, room, "Can I say something off topic?")

    participant = services.participant_mute(actor=facilitator, conversation=room, member=talker)

    assert participant.muted_until is not None
    words = refused(lambda: send(talker, room, "Why was I muted?"))
    assert words.startswith("The facilitator has paused your messages for this session.")
    assert changes_after(talker, room, 0)[-1]["notice_code"] == "participant_muted"
    assert AuditEntry.objects.filter(action="chat_participant_mute", member=talker).exists()
    with pytest.raises(PermissionDenied):
        services.participant_mute(actor=talker, conversation=room, member=facilitator)
    assert refused(
        lambda: services.participant_mute(actor=facilitator, conversation=room, member=facilitator)
    ) == ("You can't mute yourself.")


def test_a_mute_ends(room: Conversation, facilitator: User, talker: User) -> None:
    send(talker, room, "Hello.")
    services.participant_mute(actor=facilitator, conversation=room, member=talker)
    Participant.objects.filter(conversation=room, user=talker).update(
        muted_until=timezone.now() - timedelta(seconds=1)
    )

    assert send(talker, room, "Thanks, I'll keep to the topic.").body


def test_slow_mode_spaces_out_messages_but_not_the_facilitators(
    room: Conversation, facilitator: User, talker: User
) -> None:
    services.slow_mode_set(actor=facilitator, conversation=room, seconds=30)
    send(talker, room, "First thought.")

    words = refused(lambda: send(talker, room, "Second thought."))

    assert words == "Slow mode is on: you can send again in 30 seconds."
    Participant.objects.filter(conversation=room, user=talker).update(
        last_sent_at=timezone.now() - timedelta(seconds=31)
    )
    send(talker, room, "Second thought, later.")
    send(facilitator, room, "Thanks all.")
    send(facilitator, room, "Let's take a breath.")
    assert refused(
        lambda: services.slow_mode_set(actor=facilitator, conversation=room, seconds=601)
    ) == ("Slow mode is between 0 (off) and 600 seconds.")
    with pytest.raises(PermissionDenied):
        services.slow_mode_set(actor=talker, conversation=room, seconds=0)


def test_a_closed_room_and_an_ended_session(
    room: Conversation, admin: User, group: Group, facilitator: User, talker: User
) -> None:
    services.session_end(actor=facilitator, conversation=room)
    assert refused(lambda: send(talker, room, "Anyone here?")) == (
        "The facilitator has closed this room for now."
    )
    services.room_reopen(actor=facilitator, conversation=room)
    assert send(talker, room, "Anyone here?").body

    now = timezone.now()
    running = services.room_create(
        actor=admin,
        group=group,
        title="Weekly check-in",
        kind=Conversation.Kind.SESSION,
        facilitator=facilitator,
        schedule_weekday=now.weekday(),
        schedule_start=time(max(now.hour - 1, 0), 0),
        schedule_minutes=240,
        schedule_timezone="UTC",
    )
    assert schedule.is_open(running, now)
    send(talker, running, "Hello from the check-in.")

    services.session_end(actor=facilitator, conversation=running)

    words = refused(lambda: send(talker, running, "Sorry I'm late."))
    assert words.startswith("This session is closed. It opens next on ")
    codes = [m["notice_code"] for m in changes_after(talker, running, 0)]
    assert codes == ["", "session_ended"]
    assert AuditEntry.objects.filter(action="chat_session_end", target_id=running.pk).exists()


# --- Editing --------------------------------------------------------------------------------


def _age(message: Message, minutes: float) -> None:
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    message.refresh_from_db()


@override_settings(CHAT_EDIT_MINUTES=5)
def test_an_edit_within_the_window_takes_a_new_number(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair
    message = send(member, conversation, "I feel a bit beter.", content_warning="low mood")
    send(supporter, conversation, "Good to hear.")
    _age(message, 4)

    edited = services.message_edit(actor=member, message=message, body="I feel a bit better.")

    assert edited.message.body == "I feel a bit better."
    assert edited.message.content_warning == "low mood"  # None keeps it
    assert (edited.message.seq, edited.message.updated_seq) == (1, 3)
    assert edited.payload["edited"] is True
    caught = changes_after(supporter, conversation, 2)
    assert [(m["id"], m["body"]) for m in caught] == [(message.pk, "I feel a bit better.")]
    assert Screening.objects.filter(object_id=message.pk, kind=ContentKind.MESSAGE).count() == 2


@override_settings(CHAT_EDIT_MINUTES=5)
def test_an_edit_after_the_window_is_refused(pair: tuple[User, User, Conversation]) -> None:
    member, _supporter, conversation = pair
    message = send(member, conversation, "See you Tuesday.")
    _age(message, 6)

    words = refused(lambda: services.message_edit(actor=member, message=message, body="Weds."))

    assert words == "Messages can be edited for 5 minutes after sending."
    assert last_seq(conversation) == 1


@override_settings(CHAT_EDIT_MINUTES=0.5)
def test_the_window_follows_the_setting(pair: tuple[User, User, Conversation]) -> None:
    member, _supporter, conversation = pair
    message = send(member, conversation, "See you Tuesday.")
    _age(message, 1)

    words = refused(lambda: services.message_edit(actor=member, message=message, body="Weds."))

    assert words == "Messages can be edited for 0.5 minutes after sending."


def test_only_the_author_edits_and_not_once_removed(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair
    message = send(member, conversation, "Original words.")

    with pytest.raises(PermissionDenied):
        services.message_edit(actor=supporter, message=message, body="Other words.")
    assert refused(lambda: services.message_edit(actor=member, message=message, body=" ")) == (
        "Please write a message first."
    )
    message = services.message_delete(actor=member, message=message)
    assert refused(lambda: services.message_edit(actor=member, message=message, body="Oops")) == (
        "This message was removed, so it can't be edited."
    )


def test_an_edit_is_screened_again_and_can_be_held(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair
    message = send(member, conversation, "Nice chatting today.")

    edited = services.message_edit(actor=member, message=message, body=CONTACT_REQUEST)

    assert edited.message.moderation_state == ModerationState.HELD
    assert edited.notice is not None
    assert edited.notice.held is True
    assert changes_after(supporter, conversation, 0) == []
    assert [m["state"] for m in changes_after(member, conversation, 0)] == ["held"]
    item = QueueItem.objects.get(kind=ContentKind.MESSAGE, object_id=message.pk)
    assert item.content_held is True


def test_an_edit_into_crisis_words_gets_crisis_lines(
    pair: tuple[User, User, Conversation],
) -> None:
    member, _supporter, conversation = pair
    message = send(member, conversation, "Not a great day.")

    edited = services.message_edit(actor=member, message=message, body=URGENT)

    assert edited.notice is not None
    assert edited.notice.tier == "urgent"
    assert edited.notice.lines
    assert Alert.objects.filter(item__object_id=message.pk).exists()


# --- Removing -------------------------------------------------------------------------------


def test_removing_is_soft_and_leaves_a_placeholder(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair
    message = send(member, conversation, "I shouldn't have said that.", content_warning="anger")

    removed = services.message_delete(actor=member, message=message)

    stored = Message.objects.get(pk=message.pk)
    assert stored.body == "I shouldn't have said that."  # kept for the moderators
    assert stored.deleted_by == member
    assert removed.updated_seq == 2
    shown = changes_after(supporter, conversation, 1)
    assert len(shown) == 1
    assert (shown[0]["body"], shown[0]["content_warning"], shown[0]["removed"]) == ("", "", True)
    assert shown[0]["removed_by_author"] is True
    again = services.message_delete(actor=member, message=message)
    assert again.updated_seq == 2  # removing twice changes nothing
    with pytest.raises(PermissionDenied):
        services.message_delete(actor=supporter, message=send(member, conversation, "Other."))


def test_a_facilitator_removal_is_logged_and_noticed(
    room: Conversation, facilitator: User, talker: User
) -> None:
    message = send(talker, room, "Here's the name of a pharmacy that sells without questions.")

    services.message_delete(actor=facilitator, message=message)

    codes = [(m["id"], m["notice_code"], m["removed"]) for m in changes_after(talker, room, 1)]
    assert codes[0] == (message.pk, "", True)
    assert codes[1][1] == "message_removed"
    payload = changes_after(talker, room, 0)[0]
    assert payload["removed_by_author"] is False
    entry = AuditEntry.objects.get(action="chat_message_remove")
    assert entry.detail == {"message_id": message.pk}
    notice = Message.objects.get(notice_code="message_removed")
    assert refused(lambda: services.message_delete(actor=facilitator, message=notice)) == (
        "Notices can't be removed."
    )


# --- Reactions ------------------------------------------------------------------------------


def test_a_reaction_toggles_and_each_change_takes_a_number(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair
    message = send(member, conversation, "Got the job!")

    assert services.reaction_toggle(user=supporter, message=message, kind="strength") is True
    assert changes_after(member, conversation, 1)[0]["reactions"] == {"strength": ["birch_path"]}
    assert services.reaction_toggle(user=member, message=message, kind="strength") is True
    assert services.reaction_toggle(user=supporter, message=message, kind="strength") is False

    assert changes_after(member, conversation, 3)[0]["reactions"] == {"strength": ["ash_tree"]}
    assert last_seq(conversation) == 4
    assert refused(
        lambda: services.reaction_toggle(user=supporter, message=message, kind="thumbs_down")
    ) == ("Please choose one of the reactions.")


def test_held_and_removed_messages_take_no_reactions(
    pair: tuple[User, User, Conversation],
) -> None:
    member, _supporter, conversation = pair
    held = send(member, conversation, CONTACT_REQUEST)
    removed = send(member, conversation, "Never mind.")
    services.message_delete(actor=member, message=removed)

    for message in (held, removed):
        assert refused(
            lambda message=message: services.reaction_toggle(  # type: ignore[misc]
                user=member, message=message, kind="hug"
            )
        ) == ("This message can't take reactions.")


def test_a_stranger_cannot_react(
    pair: tuple[User, User, Conversation], make_user: MakeUser
) -> None:
    member, _supporter, conversation = pair
    message = send(member, conversation, "Quiet evening.")

    with pytest.raises(PermissionDenied):
        services.reaction_toggle(user=make_user("cedar"), message=message, kind="hug")


# --- Reading --------------------------------------------------------------------------------


def test_read_marks_only_move_forward_and_not_past_the_end(
    pair: tuple[User, User, Conversation],
    published: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    member, supporter, conversation = pair
    for body in ("One.", "Two.", "Three."):
        send(supporter, conversation, body)
    conversation.refresh_from_db()

    def mark(seq: int) -> int:
        services.read_mark(user=member, conversation=conversation, seq=seq)
        return Participant.objects.get(conversation=conversation, user=member).last_read_seq

    with django_capture_on_commit_callbacks(execute=True):
        assert mark(2) == 2
        assert mark(1) == 2
        assert mark(2) == 2
        assert mark(50) == 3
    reads = [e for e in published if e["type"] == "chat.read"]
    assert [(e["user"], e["seq"]) for e in reads] == [(member.pk, 2), (member.pk, 3)]
    assert conversations_for(member)[0].unread == 0


# --- Numbers --------------------------------------------------------------------------------


def test_numbers_are_gapless_and_increasing_across_every_kind_of_change(
    room: Conversation, facilitator: User, talker: User
) -> None:
    numbers = [last_seq(room)]

    def step(change: Callable[[], object]) -> None:
        change()
        numbers.append(last_seq(room))

    first = send(talker, room, "Hello, first time here.")
    numbers.append(last_seq(room))
    step(lambda: send(facilitator, room, "Welcome!", reply_to_id=first.pk))
    step(lambda: services.message_edit(actor=talker, message=first, body="Hello, I'm new."))
    step(lambda: services.reaction_toggle(user=facilitator, message=first, kind="hug"))
    step(lambda: services.rules_pin(actor=facilitator, conversation=room, ground_rules="Be kind."))
    step(lambda: services.slow_mode_set(actor=facilitator, conversation=room, seconds=0))
    step(lambda: services.message_delete(actor=talker, message=first))

    assert numbers == list(range(len(numbers)))
    seqs = list(
        Message.objects.filter(conversation=room).order_by("id").values_list("seq", flat=True)
    )
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    updated = [m["updated_seq"] for m in changes_after(talker, room, 0)]
    assert updated == sorted(set(updated))
    assert updated[-1] == last_seq(room)


# --- Safety in the path ---------------------------------------------------------------------


def test_what_screening_finds_in_a_contact_request() -> None:
    from alongside.safety.screening import AuthorContext, screen

    result = screen(CONTACT_REQUEST, role="member", context=AuthorContext(account_age_days=90))

    assert {"contact_request", "personal_info"} <= set(result.flags)
    assert set(result.flags) >= services.CONTACT_FLAGS


def test_a_contact_request_is_held_and_both_people_are_warned(
    pair: tuple[User, User, Conversation],
    published: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    member, supporter, conversation = pair

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.message_send(
            author=member, conversation=conversation, body=CONTACT_REQUEST
        )

    message = outcome.message
    assert message.moderation_state == ModerationState.HELD
    assert outcome.notice is not None
    assert outcome.notice.held is True
    assert len(outcome.notice.held_reasons) == 2
    assert list(visible_messages(supporter, conversation)) == [
        Message.objects.get(notice_code="contact_warning")
    ]
    assert [m["kind"] for m in changes_after(member, conversation, 0)] == ["member", "notice"]
    assert [m["notice_code"] for m in changes_after(supporter, conversation, 0)] == [
        "contact_warning"
    ]
    changes = [e for e in published if e["type"] == "chat.change"]
    assert [(e["seq"], e["only"]) for e in changes] == [(1, member.pk), (2, None)]
    item = QueueItem.objects.get(kind=ContentKind.MESSAGE, object_id=message.pk)
    assert item.content_held is True
    assert {"contact_request", "personal_info"} <= set(item.flags)
    assert item.member == member
    assert conversations_for(supporter)[0].unread == 0  # held messages aren't counted


def test_in_a_room_a_contact_request_is_held_without_a_notice(
    room: Conversation, talker: User, facilitator: User
) -> None:
    message = send(talker, room, CONTACT_REQUEST)

    assert message.moderation_state == ModerationState.HELD
    assert not Message.objects.filter(kind=Message.Kind.NOTICE, conversation=room).exists()
    assert changes_after(facilitator, room, 0) == []
    assert QueueItem.objects.get(kind=ContentKind.MESSAGE, object_id=message.pk).group == room.group


def test_an_urgent_message_alerts_moderators_and_gives_the_author_crisis_lines(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair

    outcome = services.message_send(author=member, conversation=conversation, body=URGENT)

    assert outcome.message.moderation_state == ModerationState.PUBLISHED
    notice = outcome.notice
    assert notice is not None
    assert notice.tier == "urgent"
    assert notice.crisis is True
    assert notice.lines
    assert notice.emergency
    item = QueueItem.objects.get(kind=ContentKind.MESSAGE, object_id=outcome.message.pk)
    assert item.tier == "urgent"
    assert Alert.objects.filter(item=item).exists()
    assert [m["body"] for m in changes_after(supporter, conversation, 0)] == [URGENT]


def test_approving_a_held_message_delivers_it_with_a_new_number(
    pair: tuple[User, User, Conversation],
    make_user: MakeUser,
    published: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    member, supporter, conversation = pair
    moderator = make_user("kestrel", role=Role.MODERATOR)
    held = send(member, conversation, CONTACT_REQUEST)
    seen = last_seq(conversation)

    with django_capture_on_commit_callbacks(execute=True):
        services.message_set_moderation_state(
            actor=moderator, message=held, state=ModerationState.PUBLISHED
        )
        services.message_set_moderation_state(
            actor=moderator, message=held, state=ModerationState.PUBLISHED
        )

    caught = changes_after(supporter, conversation, seen)
    assert [(m["id"], m["seq"], m["updated_seq"]) for m in caught] == [(held.pk, 1, seen + 1)]
    assert last_seq(conversation) == seen + 1  # the second, unchanged decision took no number
    assert [(e["seq"], e["only"]) for e in published] == [(seen + 1, None)]


def test_hiding_a_message_keeps_its_place_without_its_text(
    pair: tuple[User, User, Conversation], make_user: MakeUser
) -> None:
    member, supporter, conversation = pair
    message = send(member, conversation, "Something unkind.")
    moderator = make_user("kestrel", role=Role.MODERATOR)

    services.message_set_moderation_state(
        actor=moderator, message=message, state=ModerationState.HIDDEN
    )
    edited = services.message_edit(actor=member, message=message, body="Something kinder.")

    assert edited.message.moderation_state == ModerationState.HIDDEN  # an edit can't unhide
    shown = changes_after(supporter, conversation, 0)
    assert (shown[0]["body"], shown[0]["removed"]) == ("", True)


# --- Reports and leaving --------------------------------------------------------------------


def test_reporting_a_message(pair: tuple[User, User, Conversation]) -> None:
    member, supporter, conversation = pair
    message = send(supporter, conversation, "Honestly, just stop your medication.")

    report = report_create(
        reporter=member, reason=Report.Reason.MISINFORMATION, message=message, note="Worrying."
    )

    assert (report.kind, report.object_id) == (ContentKind.MESSAGE, message.pk)
    assert report.reported_member == supporter
    assert report.item.kind == ContentKind.MESSAGE
    assert "already reported" in refused(
        lambda: report_create(reporter=member, reason=Report.Reason.OTHER, message=message)
    )
    assert refused(
        lambda: report_create(reporter=supporter, reason=Report.Reason.OTHER, message=message)
    ) == ("This is your own message. You can remove it instead.")


def test_leave_report_share_and_block(
    pair: tuple[User, User, Conversation],
    published: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    member, supporter, conversation = pair
    send(supporter, conversation, "Can you send me a photo?")

    with django_capture_on_commit_callbacks(execute=True):
        report = services.conversation_leave(
            user=member,
            conversation=conversation,
            reason=Report.Reason.OFF_PLATFORM,
            note="Kept pushing.",
            reported=supporter,
            share=True,
            block=True,
        )

    assert report is not None
    assert (report.kind, report.object_id) == (ContentKind.CONVERSATION, conversation.pk)
    assert report.item.kind == ContentKind.CONVERSATION
    share = ConversationShare.objects.get(conversation=conversation)
    assert (share.shared_by, share.report) == (member, report)
    assert Block.objects.filter(blocker=member, blocked=supporter).exists()
    assert Participant.objects.get(conversation=conversation, user=member).left_at is not None
    assert conversations_for(member) == []
    codes = [m["notice_code"] for m in changes_after(supporter, conversation, 0)]
    assert codes == ["", "left"]
    assert published[-1]["message"]["notice_code"] == "left"
    assert refused(lambda: services.conversation_leave(user=member, conversation=conversation)) == (
        "You're not in this conversation."
    )


def test_a_report_without_sharing_shares_nothing(pair: tuple[User, User, Conversation]) -> None:
    member, supporter, conversation = pair

    report = services.conversation_leave(
        user=member, conversation=conversation, reason=Report.Reason.HARASSMENT, reported=supporter
    )

    assert report is not None
    assert not ConversationShare.objects.exists()
    assert not Block.objects.exists()


def test_leaving_quietly_makes_no_report(pair: tuple[User, User, Conversation]) -> None:
    member, _supporter, conversation = pair

    assert services.conversation_leave(user=member, conversation=conversation) is None
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"reason": "harassment"}, "reported", "Please choose who you are reporting."),
        ({"share": True}, "reported", "Please choose who you are reporting."),
        ({"block": True}, "reported", "Please choose who you are reporting."),
        ({"share": True, "reported": True}, "reason", "To share the conversation, please"),
    ],
    ids=["reason only", "share only", "block only", "share without a reason"],
)
def test_leaving_with_half_a_report_is_refused(
    pair: tuple[User, User, Conversation], fields: dict[str, Any], field: str, words: str
) -> None:
    member, supporter, conversation = pair
    if fields.get("reported"):
        fields = {**fields, "reported": supporter}

    with pytest.raises(ValidationError) as caught:
        services.conversation_leave(user=member, conversation=conversation, **fields)

    assert caught.value.message_dict[field][0].startswith(words)
    assert Participant.objects.get(conversation=conversation, user=member).left_at is None
    assert not ConversationShare.objects.exists()


def test_one_can_only_report_someone_in_the_conversation(
    pair: tuple[User, User, Conversation], make_user: MakeUser
) -> None:
    member, _supporter, conversation = pair

    with pytest.raises(ValidationError) as caught:
        services.conversation_leave(
            user=member,
            conversation=conversation,
            reason=Report.Reason.HARASSMENT,
            reported=make_user("cedar"),
        )

    assert caught.value.message_dict["reported"] == ["That member isn't in this conversation."]


# --- Opening and rooms ----------------------------------------------------------------------


def test_opening_again_reopens_the_same_conversation(
    pair: tuple[User, User, Conversation],
) -> None:
    member, supporter, conversation = pair
    services.conversation_leave(user=supporter, conversation=conversation)

    again = services.direct_open(initiator=supporter, recipient=member)

    assert again.pk == conversation.pk
    assert Participant.objects.get(conversation=conversation, user=supporter).left_at is None
    assert Conversation.objects.filter(kind=Conversation.Kind.DIRECT).count() == 1


def test_creating_rooms_and_sessions(
    admin: User, group: Group, facilitator: User, talker: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.room_create(actor=talker, group=group, title="Mine")
    assert refused(lambda: services.room_create(actor=admin, group=group, title="  ")) == (
        "Please give the room a name."
    )
    assert refused(
        lambda: services.room_create(
            actor=admin, group=group, title="Drop-in", kind=Conversation.Kind.SESSION
        )
    ) == ("A facilitated session needs a facilitator.")
    with pytest.raises(ValidationError) as caught:
        services.room_create(
            actor=admin,
            group=group,
            title="Drop-in",
            kind=Conversation.Kind.SESSION,
            facilitator=facilitator,
            schedule_weekday=7,
            schedule_minutes=5,
            schedule_timezone="Mars/Olympus",
        )
    assert set(caught.value.message_dict) == {
        "schedule_weekday",
        "schedule_start",
        "schedule_minutes",
        "schedule_timezone",
    }

    session = services.room_create(
        actor=admin,
        group=group,
        title="Tuesday check-in",
        kind=Conversation.Kind.SESSION,
        facilitator=facilitator,
        schedule_weekday=1,
        schedule_start=time(19, 0),
    )
    assert session.participants.get().user == facilitator
    assert AuditEntry.objects.filter(action="chat_room_create", target_id=session.pk).exists()
