"""The conversation page without JavaScript: reading, sending, and each message's controls.

Every test goes through the pages as a member's browser would (no script): the page shows
the latest messages, the form sends and redirects back, and a refusal keeps what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.chat import services
from alongside.chat.models import Conversation, Message, MessageReaction, Participant
from alongside.communities import services as communities
from alongside.communities.models import Group, ModerationState
from alongside.safety.models import QueueItem, Tier
from alongside.safety.services import protection

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]

HELLO = "Thanks for checking in, today was a bit better than yesterday."
CONTACT_REQUEST = "add me on whatsapp 07700 900123 and we can talk privately"
CRISIS = "I have decided to end my life tonight, I've got the pills ready"


@pytest.fixture
def pair(make_user: MakeUser) -> tuple[User, User, Conversation]:
    """A member and a peer supporter in a one-to-one (the supporter opened it)."""
    member = make_user("willow")
    supporter = make_user("heron", role="peer_supporter")
    return member, supporter, services.direct_open(initiator=supporter, recipient=member)


def _url(conversation: Conversation) -> str:
    return reverse("chat:conversation", kwargs={"conversation_id": conversation.pk})


def _send_url(conversation: Conversation) -> str:
    return reverse("chat:send", kwargs={"conversation_id": conversation.pk})


def _message_url(message: Message, action: str) -> str:
    return reverse(
        f"chat:message_{action}",
        kwargs={"conversation_id": message.conversation_id, "message_id": message.pk},
    )


def _send(
    author: User, conversation: Conversation, body: str = HELLO, reply_to: Message | None = None
) -> Message:
    return services.message_send(
        author=author,
        conversation=conversation,
        body=body,
        reply_to_id=reply_to.pk if reply_to else None,
    ).message


def _page(client: Client, conversation: Conversation, query: str = "") -> str:
    response = client.get(_url(conversation) + query)
    assert response.status_code == 200
    return response.content.decode()


def _message_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-message-id="(\d+)"', page)]


# --- Who may see it -------------------------------------------------------------------------


def test_an_outsider_gets_not_found_for_the_page_and_every_action(
    pair: tuple[User, User, Conversation], make_user: MakeUser, client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    message = _send(member, conversation)
    outsider = client_for(make_user("stranger"))

    assert outsider.get(_url(conversation)).status_code == 404
    assert outsider.post(_send_url(conversation), {"body": "hi"}).status_code == 404
    assert outsider.post(_message_url(message, "react"), {"kind": "thanks"}).status_code == 404
    assert outsider.get(_message_url(message, "edit")).status_code == 404
    assert outsider.post(_message_url(message, "delete")).status_code == 404
    assert outsider.get(reverse("chat:leave", args=[conversation.pk])).status_code == 404
    assert not Message.objects.filter(body="hi").exists()
    assert not MessageReaction.objects.exists()


def test_a_visitor_is_sent_to_log_in(pair: tuple[User, User, Conversation]) -> None:
    _member, _supporter, conversation = pair
    response = Client().get(_url(conversation))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_someone_who_left_can_no_longer_open_it(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    services.conversation_leave(user=member, conversation=conversation)
    assert client_for(member).get(_url(conversation)).status_code == 404


# --- Reading --------------------------------------------------------------------------------


def test_the_page_shows_the_latest_fifty_and_links_to_earlier_ones(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    sent = [_send(member if n % 2 else supporter, conversation, f"note {n}") for n in range(55)]
    client = client_for(member)

    page = _page(client, conversation)

    assert _message_ids(page) == [m.pk for m in sent[5:]]
    assert f'href="?before={sent[5].seq}"' in page
    earlier = _page(client, conversation, f"?before={sent[5].seq}")
    assert _message_ids(earlier) == [m.pk for m in sent[:5]]
    assert "?before=" not in earlier  # nothing before the first message
    assert 'data-live="false"' in earlier


def test_the_page_starts_its_live_connection_after_everything_it_shows(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    first = _send(supporter, conversation)
    _send(member, conversation)
    services.reaction_toggle(user=member, message=first, kind="thanks")  # a later change
    conversation.refresh_from_db()

    page = _page(client_for(member), conversation)

    assert f'data-after="{conversation.last_seq}"' in page
    assert f'data-updated-seq="{conversation.last_seq}"' in page


def test_the_page_costs_the_same_queries_however_many_messages_it_shows(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    client = client_for(member)

    def queries() -> int:
        client.get(_url(conversation))  # refills the caches the last change cleared
        with CaptureQueriesContext(connection) as captured:
            _page(client, conversation)
        return len(captured)

    services.reaction_toggle(user=member, message=_send(supporter, conversation), kind="hug")
    few = queries()
    for n in range(10):
        sent = _send(member if n % 2 else supporter, conversation, f"note {n}")
        services.reaction_toggle(user=supporter, message=sent, kind="thanks")
    _send(member, conversation, "A reply", reply_to=sent)
    assert queries() == few


def test_opening_the_page_marks_the_conversation_read(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    _send(supporter, conversation)
    latest = _send(supporter, conversation, "Are you around this evening?")
    participant = Participant.objects.get(conversation=conversation, user=member)
    assert participant.last_read_seq == 0

    page = _page(client_for(member), conversation)

    participant.refresh_from_db()
    assert participant.last_read_seq == latest.seq
    assert page.count('class="unread-marker"') == 2  # new to them on this visit
    assert "unread-marker" not in _page(client_for(member), conversation)


def test_reading_earlier_messages_does_not_move_the_read_mark(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    latest = _send(supporter, conversation)
    _page(client_for(member), conversation, f"?before={latest.seq}")
    assert Participant.objects.get(conversation=conversation, user=member).last_read_seq == 0


def test_the_other_persons_read_state_shows_as_seen(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    mine = _send(member, conversation)
    seen = r'<p class="meta chat-seen">Seen</p>'
    assert not re.search(seen, _page(client_for(member), conversation))

    _page(client_for(supporter), conversation)  # they open it

    page = _page(client_for(member), conversation)
    assert len(re.findall(seen, page)) == 1
    assert page.index(f'data-message-id="{mine.pk}"') < page.index(seen.replace("\\", ""))


def test_presence_shows_only_where_the_other_person_allows_it(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    assert "heron isn't online right now" in _page(client_for(member), conversation)

    services.preferences_update(
        user=supporter, who_may_message="groups", presence_visibility="nobody"
    )

    page = _page(client_for(member), conversation)
    assert "chat-presence" not in page
    assert "online" not in page.split('id="chat"')[0]


def test_removed_edited_and_content_warned_messages(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    removed = _send(supporter, conversation, "I shouldn't have said that")
    services.message_delete(actor=supporter, message=removed)
    edited = _send(supporter, conversation, "see you tomorow")
    services.message_edit(actor=supporter, message=edited, body="see you tomorrow")
    services.message_send(
        author=supporter,
        conversation=conversation,
        body="My dad's illness came back this week.",
        content_warning="illness",
    )

    page = _page(client_for(member), conversation)

    assert "I shouldn&#x27;t have said that" not in page
    assert "The author removed this message." in page
    assert "see you tomorrow" in page
    assert '<span class="meta chat-edited">edited</span>' in page
    assert re.search(
        r'<details class="content-warning">\s*<summary>Content warning: illness</summary>', page
    )


def test_a_reply_shows_what_it_replies_to(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    original = _send(supporter, conversation, "How did the appointment go?")
    services.message_send(
        author=member,
        conversation=conversation,
        body="Better than I feared.",
        reply_to_id=original.pk,
    )

    page = _page(client_for(supporter), conversation)

    assert f'<a href="#message-{original.pk}">In reply to <span class="chat-reply-author">' in page
    assert '<q class="chat-reply-excerpt">How did the appointment go?</q>' in page


def test_a_reply_link_without_script_prepares_the_composer(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    original = _send(supporter, conversation)
    page = _page(client_for(member), conversation, f"?reply_to={original.pk}")
    assert f'name="reply_to" id="chat-reply-to" value="{original.pk}"' in page
    assert '<strong id="chat-replying-author">heron</strong>' in page


def test_blocked_authors_are_left_out_and_muted_words_fold(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    admin = make_user("ada", role="administrator")
    group = communities.group_create(actor=admin, name="Evening drop-in")
    room = services.room_create(actor=admin, group=group, title="Open room")
    reader, blocked, plain = make_user("reader"), make_user("rowan"), make_user("sage")
    for person in (reader, blocked, plain):
        communities.group_join(user=person, group=group)
    hidden = _send(blocked, room, "Something from someone I blocked.")
    muted = _send(plain, room, "The exams are on my mind again.")
    shown = _send(plain, room, "Anyone fancy a walk later?")
    protection.block_create(blocker=reader, blocked=blocked)
    protection.protection_update(user=reader, muted_words=["exams"])

    page = _page(client_for(reader), room)

    assert hidden.pk not in _message_ids(page)
    assert {muted.pk, shown.pk} <= set(_message_ids(page))
    folded = page[page.index(f'id="message-{muted.pk}"') :]
    assert folded.index('<details class="folded-post" data-keep-closed>') < folded.index(
        "The exams are on my mind again."
    )
    assert "Hidden because it contains a word you muted." in folded


def test_a_room_page_includes_the_room_header_and_tools_for_the_facilitator(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    admin = make_user("ada", role="administrator")
    group = communities.group_create(actor=admin, name="Evening drop-in")
    room = services.room_create(actor=admin, group=group, title="Open room")
    reader = make_user("reader")
    communities.group_join(user=reader, group=group)

    as_reader = _page(client_for(reader), room)
    as_facilitator = _page(client_for(admin), room)

    assert "room-header" in as_reader
    assert "facilitator-tools" not in as_reader
    assert "facilitator-tools" in as_facilitator


# --- Sending without script ----------------------------------------------------------------


def test_sending_saves_the_message_and_redirects_back_to_it(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    client = client_for(member)

    response = client.post(
        _send_url(conversation), {"body": HELLO, "client_id": "page-1", "content_warning": ""}
    )

    message = Message.objects.get(author=member)
    assert response.status_code == 302
    assert response["Location"] == f"{_url(conversation)}#message-{message.pk}"
    assert message.body == HELLO
    assert message.client_id == "page-1"
    assert message.pk in _message_ids(_page(client, conversation))


def test_sending_the_same_form_twice_sends_one_message(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    client = client_for(member)
    form = {"body": HELLO, "client_id": "double-click"}

    first = client.post(_send_url(conversation), form)
    second = client.post(_send_url(conversation), form)

    assert first["Location"] == second["Location"]
    assert Message.objects.filter(author=member).count() == 1


def test_the_page_gives_each_form_a_fresh_client_id(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    client = client_for(member)
    pattern = r'name="client_id" value="([0-9a-f-]{36})"'
    first = re.search(pattern, _page(client, conversation))
    second = re.search(pattern, _page(client, conversation))
    assert first and second and first.group(1) != second.group(1)


def test_a_reply_sent_from_the_page_keeps_what_it_replies_to(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    original = _send(supporter, conversation)
    client_for(member).post(
        _send_url(conversation), {"body": "Yes, thank you.", "reply_to": str(original.pk)}
    )
    assert Message.objects.get(author=member).reply_to_id == original.pk


def test_a_refusal_comes_back_with_the_typed_text(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    services.conversation_leave(user=supporter, conversation=conversation)
    typed = "I wanted to say thank you for last night.\nIt really helped."

    response = client_for(member).post(
        _send_url(conversation), {"body": typed, "client_id": "kept", "content_warning": "none"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "heron has left this conversation, so messages can&#x27;t reach them." in page
    assert "I wanted to say thank you for last night.\nIt really helped.</textarea>" in page
    assert 'value="none"' in page
    assert 'name="client_id" value="kept"' in page
    assert not Message.objects.filter(author=member).exists()


def test_slow_mode_refuses_with_the_wait_and_keeps_the_text(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    admin = make_user("ada", role="administrator")
    group = communities.group_create(actor=admin, name="Evening drop-in")
    room = services.room_create(actor=admin, group=group, title="Open room")
    member = make_user("reader")
    communities.group_join(user=member, group=group)
    services.slow_mode_set(actor=admin, conversation=room, seconds=60)
    client = client_for(member)
    client.post(_send_url(room), {"body": "First thought."})

    response = client.post(_send_url(room), {"body": "Second thought, straight after."})

    page = response.content.decode()
    assert "Slow mode is on: you can send again in" in page
    assert "Second thought, straight after.</textarea>" in page
    assert Message.objects.filter(author=member).count() == 1


def test_an_empty_message_is_refused_on_the_page(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    response = client_for(member).post(_send_url(conversation), {"body": "   "})
    assert response.status_code == 200
    assert "Please write a message first." in response.content.decode()
    assert not Message.objects.filter(author=member).exists()


def test_a_room_reader_who_has_not_joined_the_group_cannot_send(
    make_user: MakeUser, client_for: ClientFor
) -> None:
    admin = make_user("ada", role="administrator")
    group = communities.group_create(
        actor=admin, name="Evening drop-in", visibility=Group.Visibility.OPEN
    )
    room = services.room_create(actor=admin, group=group, title="Open room")
    reader = make_user("reader")

    client = client_for(reader)
    assert 'id="composer"' not in _page(client, room)

    response = client.post(_send_url(room), {"body": "Hello all"})

    assert "Join the group to take part in its rooms." in response.content.decode()
    assert "Hello all</textarea>" in response.content.decode()
    assert not Message.objects.filter(author=reader).exists()


# --- Held messages and crisis support -------------------------------------------------------


def test_a_held_message_shows_only_to_its_author_marked(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    response = client_for(member).post(_send_url(conversation), {"body": CONTACT_REQUEST})
    held = Message.objects.get(author=member, kind=Message.Kind.MEMBER)
    assert held.moderation_state == ModerationState.HELD

    own = client_for(member).get(response["Location"]).content.decode()
    theirs = _page(client_for(supporter), conversation)

    author_view = own[own.index(f'id="message-{held.pk}"') :]
    assert "whatsapp" in author_view
    assert "Waiting for a moderator: only you and the moderators" in author_view
    assert held.pk not in _message_ids(theirs)
    assert "whatsapp" not in theirs
    assert "A message here looked like a request to swap contact details" in theirs


def test_a_crisis_message_shows_crisis_resources_at_once(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    client = client_for(member)

    response = client.post(_send_url(conversation), {"body": CRISIS}, follow=True)

    message = Message.objects.get(author=member)
    item = QueueItem.objects.get(object_id=message.pk, kind="message")
    assert item.tier == Tier.URGENT  # moderators are alerted as for posts
    page = response.content.decode()
    assert response.redirect_chain[0][0].startswith(_url(conversation))
    panel = 'aria-labelledby="support-heading" role="status"'
    assert panel in page
    assert "If you are thinking about ending your life or hurting yourself" in page
    assert panel not in _page(client, conversation)  # shown once


# --- Reactions, editing, removing -----------------------------------------------------------


def test_reacting_without_script_toggles_and_returns_to_the_message(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    message = _send(supporter, conversation)
    client = client_for(member)

    response = client.post(_message_url(message, "react"), {"kind": "strength"})

    assert response["Location"] == f"{_url(conversation)}#message-{message.pk}"
    assert MessageReaction.objects.filter(message=message, user=member, kind="strength").exists()
    page = _page(client, conversation)
    assert re.search(r'value="strength" class="reaction-button" aria-pressed="true"', page)
    client.post(_message_url(message, "react"), {"kind": "strength"})
    assert not MessageReaction.objects.exists()


def test_an_unknown_reaction_is_refused_politely(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    message = _send(supporter, conversation)
    response = client_for(member).post(
        _message_url(message, "react"), {"kind": "angry"}, follow=True
    )
    assert "Please choose one of the reactions." in response.content.decode()
    assert not MessageReaction.objects.exists()


def test_own_messages_offer_edit_and_remove_and_others_do_not(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    mine = _send(member, conversation)
    theirs = _send(supporter, conversation)
    page = _page(client_for(member), conversation)
    assert _message_url(mine, "edit") in page
    assert _message_url(mine, "delete") in page
    assert _message_url(theirs, "edit") not in page
    assert _message_url(theirs, "delete") not in page


def test_editing_within_the_window(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    message = _send(member, conversation, "see you tomorow")
    client = client_for(member)
    form = client.get(_message_url(message, "edit")).content.decode()
    assert "see you tomorow</textarea>" in form

    response = client.post(_message_url(message, "edit"), {"body": "see you tomorrow"})

    message.refresh_from_db()
    assert response.status_code == 302
    assert message.body == "see you tomorrow"
    assert message.edited_at is not None


def test_editing_after_the_window_is_refused(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, _supporter, conversation = pair
    message = _send(member, conversation, "see you tomorow")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client = client_for(member)

    response = client.post(_message_url(message, "edit"), {"body": "changed"}, follow=True)

    message.refresh_from_db()
    assert message.body == "see you tomorow"
    assert "Messages can be edited for 5 minutes after sending." in response.content.decode()
    assert _message_url(message, "edit") not in _page(client, conversation)


def test_someone_else_cannot_edit_or_remove_a_message(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    message = _send(supporter, conversation)
    client = client_for(member)
    client.post(_message_url(message, "edit"), {"body": "not mine"})
    assert client.post(_message_url(message, "delete")).status_code == 403
    message.refresh_from_db()
    assert message.body == HELLO
    assert message.deleted_at is None


def test_removing_asks_first_then_leaves_a_placeholder(
    pair: tuple[User, User, Conversation], client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    message = _send(member, conversation, "I regret sending this")
    client = client_for(member)
    assert "Remove this message?" in client.get(_message_url(message, "delete")).content.decode()

    response = client.post(_message_url(message, "delete"))

    message.refresh_from_db()
    assert response.status_code == 302
    assert message.deleted_at is not None
    page = _page(client_for(supporter), conversation)
    assert "I regret sending this" not in page
    assert "The author removed this message." in page


def test_a_message_from_another_conversation_is_not_found_here(
    pair: tuple[User, User, Conversation], make_user: MakeUser, client_for: ClientFor
) -> None:
    member, supporter, conversation = pair
    other = services.direct_open(initiator=supporter, recipient=make_user("third"))
    elsewhere = _send(supporter, other)
    wrong = reverse(
        "chat:message_react",
        kwargs={"conversation_id": conversation.pk, "message_id": elsewhere.pk},
    )
    assert client_for(supporter).post(wrong, {"kind": "thanks"}).status_code == 404
    assert client_for(member).post(wrong, {"kind": "thanks"}).status_code == 404
    assert not MessageReaction.objects.exists()
