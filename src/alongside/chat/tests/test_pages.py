"""The chat pages around a conversation: the list, starting a one-to-one, leaving and
reporting, settings, and the header's unread count."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.accounts.models import User
from alongside.chat import selectors, services
from alongside.chat.context_processors import unread_total
from alongside.chat.models import ChatPreferences, Conversation, ConversationShare, Participant
from alongside.communities import services as communities
from alongside.safety.models import Block, Report

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]

HELLO = "Thanks for checking in, today was a bit better than yesterday."


@pytest.fixture
def pair(make_user: MakeUser) -> tuple[User, User, Conversation]:
    member = make_user("willow")
    supporter = make_user("heron", role="peer_supporter")
    return member, supporter, services.direct_open(initiator=supporter, recipient=member)


def _send(author: User, conversation: Conversation, body: str = HELLO) -> None:
    services.message_send(author=author, conversation=conversation, body=body)


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_each_conversation_with_its_kind_and_unread_count(
    pair: tuple[User, User, Conversation], make_user: MakeUser, client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    admin = make_user("ada", role="administrator")
    group = communities.group_create(actor=admin, name="Evening drop-in")
    room = services.room_create(actor=admin, group=group, title="Tuesday room")
    communities.group_join(user=member, group=group)
    services.room_join(user=member, conversation=room)
    _send(supporter, conversation)
    _send(supporter, conversation, "Are you around later?")

    page = _get(client_for(member), reverse("chat:list"))

    direct_row = page[page.index(f'data-conversation-id="{conversation.pk}"') :]
    assert ">heron</a>" in direct_row
    assert '<span class="tag chat-kind">One-to-one</span>' in direct_row
    assert re.search(r'class="badge chat-unread" data-count="2"', direct_row)
    room_row = page[page.index(f'data-conversation-id="{room.pk}"') :]
    assert ">Tuesday room</a>" in room_row
    assert "Group room" in room_row
    assert re.search(r'class="badge chat-unread" hidden data-count="0"', room_row)
    assert reverse("chat:preferences") in page
    assert 'href="/about/screening/"' in page
    assert "Messages are screened for safety like posts are." in page


def test_the_list_page_costs_the_same_queries_for_many_conversations(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    supporter = make_user("heron", role="peer_supporter")
    client = client_for(supporter)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _get(client, reverse("chat:list"))
        return len(captured)

    services.direct_open(initiator=supporter, recipient=make_user())
    queries()  # the first request after a change fills the caches it cleared
    few = queries()
    for _ in range(5):
        conversation = services.direct_open(initiator=supporter, recipient=make_user())
        _send(supporter, conversation)
    queries()
    assert queries() == few


def test_someone_with_no_conversations_is_told_how_to_start_one(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    page = _get(client_for(make_user()), reverse("chat:list"))
    assert "You don't have any conversations yet." in page


# --- The header ---------------------------------------------------------------------------


def test_the_header_counts_unread_messages_like_the_list(
    pair: tuple[User, User, Conversation], make_user: MakeUser, client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    kestrel = make_user("kestrel", role="peer_supporter")
    other = services.direct_open(initiator=kestrel, recipient=member)
    _send(member, other)  # one's own messages never count
    _send(kestrel, other, "Hello from me too")
    _send(supporter, conversation)
    _send(supporter, conversation)

    assert unread_total(member) == selectors.total_unread(member) == 3
    page = _get(client_for(member), reverse("communities:feed"))
    assert re.search(
        r'class="chat-link">Chat <span class="badge" aria-label="3 unread messages">3<', page
    )

    _get(client_for(member), reverse("chat:conversation", args=[conversation.pk]))
    assert unread_total(member) == 1


def test_the_header_count_is_one_query(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    _send(supporter, conversation)
    with CaptureQueriesContext(connection) as captured:
        _get(client_for(member), reverse("communities:feed"))
    counted = [q for q in captured.captured_queries if "last_read_seq" in q["sql"]]
    assert len(counted) == 1


def test_visitors_see_no_chat_link(db: None) -> None:
    page = Client().get(reverse("communities:group_list")).content.decode()
    assert "chat-link" not in page


# --- Starting a one-to-one -----------------------------------------------------------------


def test_starting_asks_first_with_a_safety_note_then_opens_the_conversation(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    supporter = make_user("heron", role="peer_supporter")
    member = make_user("willow")
    client = client_for(supporter)
    url = reverse("chat:start", args=["willow"])

    page = _get(client, url)
    assert "Keep conversations on Alongside" in page
    assert "Never share contact details" in page
    assert "You can leave and report at any time" in page
    assert not Conversation.objects.exists()

    response = client.post(url)

    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("chat:conversation", args=[conversation.pk])
    assert set(conversation.participants.values_list("user", flat=True)) == {
        supporter.pk,
        member.pk,
    }
    assert client.post(url)["Location"] == response["Location"]  # the same one again


def test_a_new_account_is_refused_with_the_policys_reason(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    from django.utils import timezone

    newcomer = make_user("sprout", date_joined=timezone.now())
    make_user("willow")
    client = client_for(newcomer)
    url = reverse("chat:start", args=["willow"])
    reason = "new accounts can start one-to-one conversations once they are"

    shown = _get(client, url)
    response = client.post(url)

    assert reason in shown
    assert 'action="/chat/with/willow/"' not in shown  # no button to press
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert reverse("accounts:profile", args=["willow"]) in response.content.decode()
    assert not Conversation.objects.exists()


def test_a_member_who_takes_no_conversations_is_not_messaged(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    supporter = make_user("heron", role="peer_supporter")
    member = make_user("willow")
    services.preferences_update(user=member, who_may_message="nobody", presence_visibility="direct")

    response = client_for(supporter).post(reverse("chat:start", args=["willow"]))

    assert response.status_code == 200
    assert "willow isn&#x27;t taking new one-to-one conversations from you" in (
        response.content.decode()
    )
    assert not Conversation.objects.exists()


def test_starting_with_an_unknown_member_is_not_found(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    client = client_for(make_user("heron", role="peer_supporter"))
    assert client.get(reverse("chat:start", args=["nobody_here"])).status_code == 404


def test_the_profile_offers_a_message_button_only_when_allowed(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    supporter = make_user("heron", role="peer_supporter")
    member = make_user("willow")
    button = reverse("chat:start", args=["willow"])
    profile = reverse("accounts:profile", args=["willow"])

    assert button in _get(client_for(supporter), profile)
    services.preferences_update(user=member, who_may_message="nobody", presence_visibility="direct")
    assert button not in _get(client_for(supporter), profile)
    assert reverse("chat:start", args=["willow"]) not in _get(client_for(member), profile)


# --- Leaving and reporting -----------------------------------------------------------------


def test_leaving_without_a_report(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    client = client_for(member)
    url = reverse("chat:leave", args=[conversation.pk])
    page = _get(client, url)
    assert "unless you share this one, moderators cannot read it" in page
    assert "each time they do it is recorded" in page

    response = client.post(url, {"reported": "", "reason": "", "note": ""}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("chat:list")
    assert "You&#x27;ve left the conversation." in response.content.decode()
    assert Participant.objects.get(conversation=conversation, user=member).left_at is not None
    assert not Report.objects.exists()
    assert not ConversationShare.objects.exists()


def test_leave_and_report_with_sharing_and_a_block(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    _send(supporter, conversation, "Let's talk somewhere more private.")

    response = client_for(member).post(
        reverse("chat:leave", args=[conversation.pk]),
        {
            "reported": str(supporter.pk),
            "reason": Report.Reason.OFF_PLATFORM,
            "note": "They keep asking for my number.",
            "share": "on",
            "block": "on",
        },
    )

    assert response["Location"] == reverse("chat:list")
    report = Report.objects.get()
    assert report.reporter == member
    assert report.reason == Report.Reason.OFF_PLATFORM
    share = ConversationShare.objects.get()
    assert (share.conversation, share.shared_by, share.report) == (conversation, member, report)
    assert Block.objects.filter(blocker=member, blocked=supporter).exists()
    assert Participant.objects.get(conversation=conversation, user=member).left_at is not None


def test_a_report_without_sharing_keeps_the_conversation_private(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    client_for(member).post(
        reverse("chat:leave", args=[conversation.pk]),
        {"reported": str(supporter.pk), "reason": Report.Reason.HARASSMENT},
    )
    assert Report.objects.count() == 1
    assert not ConversationShare.objects.exists()


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"reason": Report.Reason.HARASSMENT}, "Please choose who you are reporting."),
        ({"share": "on"}, "To share the conversation, please choose what&#x27;s wrong as well."),
        ({"block": "on"}, "Please choose whom to block."),
    ],
)
def test_an_incomplete_report_comes_back_and_nobody_leaves(
    pair: tuple[User, User, Conversation],
    client_for: ClientFor,
    form: dict[str, str],
    problem: str,
) -> None:
    member, _supporter, conversation = pair
    response = client_for(member).post(
        reverse("chat:leave", args=[conversation.pk]), {"note": "kept note", **form}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert problem in page
    assert "kept note</textarea>" in page
    assert Participant.objects.get(conversation=conversation, user=member).left_at is None
    assert not Report.objects.exists()


def test_only_people_in_the_conversation_can_be_reported(
    pair: tuple[User, User, Conversation], make_user: MakeUser, client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    stranger = make_user("stranger")
    response = client_for(member).post(
        reverse("chat:leave", args=[conversation.pk]),
        {"reported": str(stranger.pk), "reason": Report.Reason.SPAM},
    )
    assert response.status_code == 200
    assert not Report.objects.exists()


# --- Preferences ----------------------------------------------------------------------------


def test_preferences_explain_the_defaults_and_save(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    member = make_user("willow")
    client = client_for(member)
    url = reverse("chat:preferences")
    page = _get(client, url)
    assert "you have the defaults" in page
    assert re.search(r'value="groups"[^>]*checked', page)

    response = client.post(url, {"who_may_message": "supporters", "presence_visibility": "nobody"})

    assert response["Location"] == url
    saved = ChatPreferences.objects.get(user=member)
    assert (saved.who_may_message, saved.presence_visibility) == ("supporters", "nobody")
    assert re.search(r'value="supporters"[^>]*checked', _get(client, url))


def test_preferences_refuse_an_unknown_choice(make_user: MakeUser, client_for: ClientFor) -> None:
    member = make_user("willow")
    response = client_for(member).post(
        reverse("chat:preferences"),
        {"who_may_message": "everyone", "presence_visibility": "nobody"},
    )
    assert response.status_code == 200
    assert not ChatPreferences.objects.exists()
