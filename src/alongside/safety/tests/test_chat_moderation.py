"""Chat in the moderation queue: flagged messages, shared conversations, and privacy.

A one-to-one stays private: a moderator sees only the message screening flagged, unless a
participant who left and reported chose to share the conversation; every such reading is
in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat import services as chat
from alongside.chat.models import Conversation, Message
from alongside.chat.selectors import changes_after
from alongside.communities import services as communities
from alongside.communities.models import ModerationState
from alongside.safety.models import AuditEntry, ContentKind, QueueItem, Report
from alongside.safety.services import moderation

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]

CONTACT_REQUEST = "add me on whatsapp 07700 900123 and we can talk privately"
PRIVATE_CHAT = "It was a long week, but the walk on Sunday helped me reset a bit."


@pytest.fixture
def moderator(make_user: MakeUser) -> User:
    return make_user("kestrel", role=Role.MODERATOR)


@pytest.fixture
def pair(make_user: MakeUser) -> tuple[User, User, Conversation]:
    sender = make_user("willow")
    recipient = make_user("heron", role=Role.PEER_SUPPORTER)
    return sender, recipient, chat.direct_open(initiator=recipient, recipient=sender)


def _page(client_for: Callable[[User], Client], user: User, item: QueueItem) -> str:
    response = client_for(user).get(reverse("safety_moderation:item", args=[item.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_held_message_in_a_one_to_one_shows_alone_and_its_view_is_logged(
    pair: tuple[User, User, Conversation],
    moderator: User,
    client_for: Callable[[User], Client],
) -> None:
    sender, _recipient, conversation = pair
    chat.message_send(author=sender, conversation=conversation, body=PRIVATE_CHAT)
    flagged = chat.message_send(author=sender, conversation=conversation, body=CONTACT_REQUEST)
    item = QueueItem.objects.get(kind=ContentKind.MESSAGE, object_id=flagged.message.pk)
    assert item.content_held is True

    page = _page(client_for, moderator, item)

    assert "whatsapp" in page
    assert PRIVATE_CHAT not in page  # the rest of a private conversation stays private
    entry = AuditEntry.objects.get(action="view_held_content")
    assert entry.detail["message_ids"] == [flagged.message.pk]
    assert not AuditEntry.objects.filter(action="read_shared_conversation").exists()


def test_approving_a_held_message_delivers_it_with_a_new_number(
    pair: tuple[User, User, Conversation], moderator: User
) -> None:
    sender, recipient, conversation = pair
    flagged = chat.message_send(author=sender, conversation=conversation, body=CONTACT_REQUEST)
    assert [m["id"] for m in changes_after(recipient, conversation, 0)] == [
        flagged.message.pk + 1  # only the warning notice both people see
    ]
    seen_up_to = Conversation.objects.get(pk=conversation.pk).last_seq
    item = QueueItem.objects.get(kind=ContentKind.MESSAGE, object_id=flagged.message.pk)

    moderation.item_approve(actor=moderator, item=item, note="They agreed to keep it here")

    message = Message.objects.get(pk=flagged.message.pk)
    assert message.moderation_state == ModerationState.PUBLISHED
    assert message.updated_seq > seen_up_to
    caught_up = changes_after(recipient, conversation, seen_up_to)
    assert [m["id"] for m in caught_up] == [message.pk]


def test_hiding_a_message_removes_its_text_for_everyone(
    pair: tuple[User, User, Conversation], moderator: User
) -> None:
    sender, _recipient, conversation = pair
    flagged = chat.message_send(author=sender, conversation=conversation, body=CONTACT_REQUEST)
    item = QueueItem.objects.get(kind=ContentKind.MESSAGE, object_id=flagged.message.pk)

    moderation.item_hide(actor=moderator, item=item, reason="Asked for contact details")

    mine = [m for m in changes_after(sender, conversation, 0) if m["id"] == flagged.message.pk]
    assert mine[0]["removed"] is True
    assert mine[0]["body"] == ""


def test_a_shared_conversation_can_be_read_and_each_reading_is_logged(
    pair: tuple[User, User, Conversation],
    moderator: User,
    client_for: Callable[[User], Client],
) -> None:
    sender, recipient, conversation = pair
    chat.message_send(author=sender, conversation=conversation, body=PRIVATE_CHAT)
    report = chat.conversation_leave(
        user=recipient,
        conversation=conversation,
        reason=Report.Reason.OFF_PLATFORM,
        note="Kept asking me to move to another app.",
        reported=sender,
        share=True,
    )
    assert report is not None
    item = report.item
    assert item.kind == ContentKind.CONVERSATION

    page = _page(client_for, moderator, item)
    _page(client_for, moderator, item)

    assert PRIVATE_CHAT in page
    readings = AuditEntry.objects.filter(action="read_shared_conversation")
    assert readings.count() == 2
    assert readings.first() is not None
    assert readings.first().target_id == conversation.pk  # type: ignore[union-attr]


def test_an_unshared_report_keeps_the_conversation_private(
    pair: tuple[User, User, Conversation],
    moderator: User,
    client_for: Callable[[User], Client],
) -> None:
    sender, recipient, conversation = pair
    chat.message_send(author=sender, conversation=conversation, body=PRIVATE_CHAT)
    report = chat.conversation_leave(
        user=recipient,
        conversation=conversation,
        reason=Report.Reason.HARASSMENT,
        reported=sender,
        share=False,
    )
    assert report is not None

    page = _page(client_for, moderator, report.item)

    assert PRIVATE_CHAT not in page
    assert "did not share this conversation" in page
    assert not AuditEntry.objects.filter(action="read_shared_conversation").exists()


def test_a_flagged_room_message_comes_with_the_messages_around_it(
    make_user: MakeUser, moderator: User, client_for: Callable[[User], Client]
) -> None:
    admin = make_user("ros", role=Role.ADMINISTRATOR)
    group = communities.group_create(actor=admin, name="Evening drop-in")
    room = chat.room_create(actor=admin, group=group, title="Open room")
    talker = make_user("alder")
    communities.group_join(user=talker, group=group)
    chat.message_send(author=talker, conversation=room, body=PRIVATE_CHAT)
    flagged = chat.message_send(author=talker, conversation=room, body=CONTACT_REQUEST)
    item = QueueItem.objects.get(kind=ContentKind.MESSAGE, object_id=flagged.message.pk)

    page = _page(client_for, moderator, item)

    assert PRIVATE_CHAT in page
    assert "Open room" in page
