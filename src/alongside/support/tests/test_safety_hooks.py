"""Urgent risk in a support one-to-one: the supervisor is told, the supporter sees what to do."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import MakeUser
from django.test import Client
from django.utils.html import escape

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat import services as chat
from alongside.chat.models import Conversation
from alongside.notifications.models import Notification
from alongside.safety.models import QueueItem
from alongside.support.models import SupportRelationship
from alongside.support.safety_hooks import has_open_urgent_item, protocol_for, what_to_do_now
from alongside.support.tests.test_care_helpers import (
    CRISIS,
    URLS,
    make_relationship,
    make_supporter,
)

ClientFor = Callable[[User], Client]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]
PROTOCOL_TITLE = 'id="support-protocol-title"'


def _page(client: Client, conversation: Conversation) -> str:
    response = client.get(f"/chat/{conversation.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def people(make_user: MakeUser) -> dict[str, User]:
    return {
        "member": make_user("willow"),
        "supporter": make_supporter(make_user, "heron"),
        "supervisor": make_user("oak", role=Role.SUPERVISOR),
        "other_supervisor": make_user("elm", role=Role.SUPERVISOR),
    }


def test_an_urgent_message_tells_the_supervisor_without_the_text(
    people: dict[str, User],
) -> None:
    relationship = make_relationship(
        people["member"], people["supporter"], supervisor=people["supervisor"]
    )
    assert relationship.conversation is not None

    chat.message_send(author=people["member"], conversation=relationship.conversation, body=CRISIS)

    told = Notification.objects.filter(recipient=people["supervisor"], kind="support")
    assert told.count() == 1
    note = told.get()
    assert "pills" not in note.message
    assert "end my life" not in note.message
    assert note.link == f"/support/relationships/{relationship.pk}/"
    # Only the named supervisor, not every supervisor.
    assert not Notification.objects.filter(
        recipient=people["other_supervisor"], kind="support"
    ).exists()


def test_without_a_named_supervisor_every_supervisor_is_told(people: dict[str, User]) -> None:
    relationship = make_relationship(people["member"], people["supporter"])
    assert relationship.conversation is not None

    chat.message_send(author=people["member"], conversation=relationship.conversation, body=CRISIS)

    for who in ("supervisor", "other_supervisor"):
        assert Notification.objects.filter(recipient=people[who], kind="support").count() == 1


def test_an_ordinary_message_tells_no_supervisor(people: dict[str, User]) -> None:
    relationship = make_relationship(
        people["member"], people["supporter"], supervisor=people["supervisor"]
    )
    assert relationship.conversation is not None

    chat.message_send(
        author=people["member"],
        conversation=relationship.conversation,
        body="Thanks, the walk helped today.",
    )

    assert not Notification.objects.filter(recipient=people["supervisor"]).exists()
    assert not has_open_urgent_item(relationship.conversation)


def test_an_urgent_message_outside_support_tells_no_supervisor(
    people: dict[str, User], make_user: MakeUser
) -> None:
    friend = make_user("birch", role=Role.PEER_SUPPORTER)  # no support relationship
    conversation = chat.direct_open(initiator=friend, recipient=people["member"])

    chat.message_send(author=people["member"], conversation=conversation, body=CRISIS)

    assert QueueItem.objects.filter(tier="urgent").exists()  # moderators still alerted
    assert not Notification.objects.filter(recipient=people["supervisor"]).exists()


def test_the_protocol_shows_to_that_supporter_only_while_the_item_is_open(
    people: dict[str, User], client_for: ClientFor, make_user: MakeUser
) -> None:
    relationship = make_relationship(
        people["member"], people["supporter"], supervisor=people["supervisor"]
    )
    conversation = relationship.conversation
    assert conversation is not None
    # The supporter's other conversation, with no urgent message, shows nothing.
    other_member = make_user("aspen")
    other = make_relationship(other_member, people["supporter"]).conversation
    assert other is not None
    supporter_client = client_for(people["supporter"])
    assert PROTOCOL_TITLE not in _page(supporter_client, conversation)

    chat.message_send(author=people["member"], conversation=conversation, body=CRISIS)

    page = _page(supporter_client, conversation)
    assert PROTOCOL_TITLE in page
    protocol = what_to_do_now()
    for step in protocol["steps"]:
        assert escape(step["heading"]) in page
    assert PROTOCOL_TITLE not in _page(supporter_client, other)
    member_page = _page(client_for(people["member"]), conversation)
    assert PROTOCOL_TITLE not in member_page

    QueueItem.objects.filter(tier="urgent").update(status=QueueItem.Status.RESOLVED)
    assert PROTOCOL_TITLE not in _page(supporter_client, conversation)


def test_the_protocol_data_says_the_five_things() -> None:
    headings = [step["heading"] for step in what_to_do_now()["steps"]]
    assert headings == [
        "Stay with them",
        "Ask directly about safety",
        "Share the crisis lines",
        "Tell your supervisor",
        "Don't promise secrecy",
    ]


def test_an_ended_relationship_no_longer_tells_the_supervisor(people: dict[str, User]) -> None:
    relationship = make_relationship(
        people["member"], people["supporter"], supervisor=people["supervisor"]
    )
    relationship.status = SupportRelationship.Status.ENDED
    relationship.save(update_fields=["status"])
    assert relationship.conversation is not None

    chat.message_send(author=people["member"], conversation=relationship.conversation, body=CRISIS)

    assert not Notification.objects.filter(recipient=people["supervisor"]).exists()


def test_the_protocol_is_about_the_member_not_the_supporters_own_words(
    people: dict[str, User],
) -> None:
    relationship = make_relationship(people["member"], people["supporter"])
    conversation = relationship.conversation
    assert conversation is not None
    chat.message_send(author=people["supporter"], conversation=conversation, body=CRISIS)

    assert has_open_urgent_item(conversation, about=people["supporter"])
    assert protocol_for(people["supporter"], conversation) is None
