"""The chat JSON API: every endpoint, as a member's app would call it.

Each answer is checked against the published OpenAPI document, and the last test proves that
a page of history plus catch-up by number equals a fresh fetch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat import services
from alongside.chat.models import ChatPreferences, Conversation, ConversationShare, Message
from alongside.communities import services as communities
from alongside.communities.models import Group
from alongside.core.tests.test_api_schema import SCHEMA_URL, concrete, operations, schema_errors
from alongside.safety.models import Alert, ContentKind, Report
from alongside.safety.services.protection import block_create, protection_update

pytestmark = pytest.mark.django_db
BASE = "/api/v1/chat/"
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]

CONTACT_REQUEST = "add me on whatsapp 07700 900123 and we can talk privately"
URGENT = "I have decided to end my life tonight, the pills are ready"


@dataclass
class Answer:
    status_code: int
    data: Any


class Api:
    """A signed-in JSON client that checks every answer against the OpenAPI document."""

    def __init__(self, client: Client, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document

    def call(self, method: str, path: str, template: str, body: Any = None, **query: Any) -> Answer:
        if method == "get":
            response = self.client.get(BASE + path, query)
        else:
            response = getattr(self.client, method)(
                BASE + path, body if body is not None else {}, content_type="application/json"
            )
        declared = self.document["paths"][BASE + template][method]["responses"]
        status = str(response.status_code)
        assert status in declared, f"{method} {path}: undocumented {status} {response.content!r}"
        schema = declared[status]["content"]["application/json"]["schema"]
        data = response.json()
        assert schema_errors(self.document, schema, data) == [], data
        return Answer(response.status_code, data)

    def get(self, path: str, template: str, **query: Any) -> Answer:
        return self.call("get", path, template, **query)

    def messages(self, conversation: Conversation, **query: Any) -> Answer:
        return self.get(
            f"conversations/{conversation.pk}/messages",
            "conversations/{conversation_id}/messages",
            **query,
        )

    def send(self, conversation: Conversation, body: str, **fields: Any) -> Answer:
        return self.call(
            "post",
            f"conversations/{conversation.pk}/messages",
            "conversations/{conversation_id}/messages",
            {"body": body, **fields},
        )


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    body: dict[str, Any] = Client().get(SCHEMA_URL).json()
    return body


@pytest.fixture
def api_for(client_for: ClientFor, document: dict[str, Any]) -> Callable[[User], Api]:
    return lambda user: Api(client_for(user), document)


@pytest.fixture
def pair(make_user: MakeUser) -> tuple[User, User, Conversation]:
    """A member and the peer supporter who opened a one-to-one with them."""
    member = make_user("ash_tree")
    supporter = make_user("birch_path", role=Role.PEER_SUPPORTER)
    return member, supporter, services.direct_open(initiator=supporter, recipient=member)


@pytest.fixture
def room(make_user: MakeUser) -> Conversation:
    admin = make_user("rowan", role=Role.ADMINISTRATOR)
    group = communities.group_create(actor=admin, name="Evening drop-in")
    return services.room_create(actor=admin, group=group, title="Open room")


def _msg(answer: Answer) -> str:
    return " ".join(problem["msg"] for problem in answer.data["detail"])


def test_every_endpoint_is_documented(document: dict[str, Any]) -> None:
    paths = {path for path in document["paths"] if path.startswith(BASE)}
    assert paths == {
        f"{BASE}conversations",
        f"{BASE}conversations/{{conversation_id}}",
        f"{BASE}conversations/{{conversation_id}}/join",
        f"{BASE}conversations/{{conversation_id}}/leave",
        f"{BASE}conversations/{{conversation_id}}/read",
        f"{BASE}conversations/{{conversation_id}}/messages",
        f"{BASE}direct",
        f"{BASE}messages/{{message_id}}",
        f"{BASE}messages/{{message_id}}/reactions/{{kind}}",
        f"{BASE}messages/{{message_id}}/report",
        f"{BASE}preferences",
    }
    send = document["paths"][f"{BASE}conversations/{{conversation_id}}/messages"]["post"]
    assert {"200", "201", "401", "403", "404", "422"} <= set(send["responses"])


def _chat_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [op for op in operations(document) if op[0].startswith(BASE)]


def test_every_operation_needs_sign_in_and_unsafe_ones_the_csrf_token(
    document: dict[str, Any], pair: tuple[User, User, Conversation]
) -> None:
    member, _supporter, _conversation = pair
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(member)
    request = RequestFactory().get("/")
    get_token(request)
    guarded.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    for path, method, operation in _chat_operations(document):
        assert operation["summary"], path
        assert "401" in operation["responses"], f"{method} {path}"
        anonymous = getattr(Client(), method)(concrete(path), content_type="application/json")
        assert anonymous.status_code == 401, f"{method} {path}"
        if method == "get":
            continue
        assert "403" in operation["responses"], f"{method} {path}"
        response = getattr(guarded, method)(concrete(path), {}, content_type="application/json")
        assert response.status_code == 403, f"{method} {path}"
    assert not Message.objects.exists()


# --- Conversations --------------------------------------------------------------------------


def test_my_conversations_with_unread_counts(
    pair: tuple[User, User, Conversation],
    room: Conversation,
    api_for: Callable[[User], Api],
    make_user: MakeUser,
) -> None:
    member, supporter, conversation = pair
    communities.group_join(user=member, group=room.group)  # type: ignore[arg-type]
    services.room_join(user=member, conversation=room)
    services.message_send(author=supporter, conversation=conversation, body="How was today?")
    services.message_send(author=supporter, conversation=conversation, body="No rush to answer.")
    services.message_send(author=member, conversation=conversation, body="Better, thanks.")
    api = api_for(member)

    with CaptureQueriesContext(connection) as two:
        listed = api.get("conversations", "conversations").data

    assert [row["id"] for row in listed] == [conversation.pk, room.pk]
    direct, group_room = listed
    assert direct["title"] == "birch_path"
    assert direct["kind"] == "direct"
    assert direct["group"] is None
    assert direct["unread"] == 0  # my own reply moved my read mark past theirs
    assert group_room["title"] == "Open room"
    assert group_room["group"] == room.group.slug  # type: ignore[union-attr]
    services.message_send(author=supporter, conversation=conversation, body="Glad to hear.")
    assert api.get("conversations", "conversations").data[0]["unread"] == 1
    assert api_for(supporter).get("conversations", "conversations").data[0]["title"] == "ash_tree"
    for number in range(3):
        other = make_user(f"supporter{number}", role=Role.PEER_SUPPORTER)
        direct = services.direct_open(initiator=other, recipient=member)
        services.message_send(author=other, conversation=direct, body="Checking in.")
    with CaptureQueriesContext(connection) as five:
        assert len(api.get("conversations", "conversations").data) == 5
    assert len(five.captured_queries) == len(two.captured_queries)


def test_one_conversation_with_its_state_and_participants(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api], make_user: MakeUser
) -> None:
    member, supporter, conversation = pair
    services.message_send(author=supporter, conversation=conversation, body="Hi, I'm here.")

    detail = api_for(member).get(
        f"conversations/{conversation.pk}", "conversations/{conversation_id}"
    )

    data = detail.data
    assert (data["id"], data["kind"], data["title"]) == (conversation.pk, "direct", "birch_path")
    assert data["joined"] is True
    assert data["unread"] == 1
    assert data["last_seq"] == 1
    assert data["state"]["open"] is True
    assert data["state"]["last_seq"] == 1
    assert data["state"]["can_facilitate"] is False
    assert data["participants"] == [{"handle": "birch_path", "online": False, "last_read_seq": 1}]
    stranger = api_for(make_user("cedar"))
    path = f"conversations/{conversation.pk}"
    assert stranger.get(path, "conversations/{conversation_id}").status_code == 404
    assert (
        stranger.get("conversations/999999", "conversations/{conversation_id}").status_code == 404
    )


def test_joining_a_room(
    room: Conversation, make_user: MakeUser, api_for: Callable[[User], Api]
) -> None:
    member = make_user("hazel")
    api = api_for(member)
    template = "conversations/{conversation_id}/join"
    path = f"conversations/{room.pk}/join"

    refused = api.call("post", path, template)
    assert refused.status_code == 422
    assert _msg(refused) == "Join the group to take part in its rooms."

    communities.group_join(user=member, group=room.group)  # type: ignore[arg-type]
    before = api.get(f"conversations/{room.pk}", "conversations/{conversation_id}").data
    assert before["joined"] is False
    joined = api.call("post", path, template).data
    assert joined["joined"] is True
    assert joined["title"] == "Open room"
    assert [row["id"] for row in api.get("conversations", "conversations").data] == [room.pk]


def test_opening_a_direct_conversation(make_user: MakeUser, api_for: Callable[[User], Api]) -> None:
    member = make_user("linden")
    newcomer = make_user("fresh_start", date_joined=timezone.now())
    supporter = make_user("willow", role=Role.PEER_SUPPORTER)

    opened = api_for(supporter).call("post", "direct", "direct", {"handle": "@Linden"})
    assert opened.status_code == 200
    assert opened.data["kind"] == "direct"
    assert opened.data["title"] == "linden"
    again = api_for(supporter).call("post", "direct", "direct", {"handle": "linden"})
    assert again.data["id"] == opened.data["id"]

    refused = api_for(newcomer).call("post", "direct", "direct", {"handle": "linden"})
    assert refused.status_code == 422
    assert "new accounts can start one-to-one conversations once" in _msg(refused)

    services.preferences_update(
        user=member,
        who_may_message=ChatPreferences.WhoMayMessage.NOBODY,
        presence_visibility=ChatPreferences.PresenceVisibility.NOBODY,
    )
    other = api_for(make_user("poplar", role=Role.PEER_SUPPORTER))
    refused = other.call("post", "direct", "direct", {"handle": "linden"})
    assert refused.status_code == 422
    assert "linden isn't taking new one-to-one conversations" in _msg(refused)

    assert (
        api_for(member).call("post", "direct", "direct", {"handle": "nobody_here"}).status_code
        == 404
    )
    yourself = api_for(member).call("post", "direct", "direct", {"handle": "linden"})
    assert _msg(yourself) == "You can't start a conversation with yourself."


def test_leaving_and_reporting_with_a_share(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    services.message_send(author=supporter, conversation=conversation, body="Let's keep talking.")
    api = api_for(member)
    template = "conversations/{conversation_id}/leave"
    path = f"conversations/{conversation.pk}/leave"

    unsure = api.call("post", path, template, {"share": True, "reported": "birch_path"})
    assert unsure.status_code == 422
    assert unsure.data["detail"][0]["loc"] == ["body", "reason"]
    stranger = api.call("post", path, template, {"reason": "harassment", "reported": "no_one"})
    assert stranger.status_code == 422

    left = api.call(
        "post",
        path,
        template,
        {
            "reported": "birch_path",
            "reason": "off_platform",
            "note": "Asked for my number.",
            "share": True,
            "block": True,
        },
    ).data

    report = Report.objects.get(pk=left["report_id"])
    assert (report.kind, report.object_id) == (ContentKind.CONVERSATION, conversation.pk)
    assert left == {
        "conversation": conversation.pk,
        "report_id": report.pk,
        "shared": True,
        "blocked": True,
    }
    assert ConversationShare.objects.filter(conversation=conversation, report=report).exists()
    assert api.get("conversations", "conversations").data == []
    detail = api.get(f"conversations/{conversation.pk}", "conversations/{conversation_id}")
    assert detail.status_code == 404
    answer = api_for(supporter).send(conversation, "Are you still there?")
    assert answer.status_code == 422
    assert "ash_tree has left this conversation" in _msg(answer)


def test_marking_read_never_goes_back(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    for body in ("One.", "Two.", "Three."):
        services.message_send(author=supporter, conversation=conversation, body=body)
    api = api_for(member)
    template = "conversations/{conversation_id}/read"
    path = f"conversations/{conversation.pk}/read"

    assert api.call("post", path, template, {"seq": 2}).data == {
        "conversation": conversation.pk,
        "last_read_seq": 2,
        "unread": 1,
    }
    assert api.call("post", path, template, {"seq": 1}).data["last_read_seq"] == 2
    assert api.call("post", path, template, {"seq": 99}).data["last_read_seq"] == 3
    assert api.call("post", path, template, {"seq": -1}).status_code == 422


# --- Messages -------------------------------------------------------------------------------


def test_sending_answers_201_then_200_for_a_retry(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    api = api_for(member)
    first = api.send(conversation, "Thank you for yesterday.", client_id="c-1")
    assert first.status_code == 201
    assert first.data["duplicate"] is False
    assert first.data["support"] is None
    message = first.data["message"]
    assert (message["seq"], message["author"], message["client_id"]) == (1, "ash_tree", "c-1")

    retry = api.send(conversation, "Thank you for yesterday.", client_id="c-1")
    assert retry.status_code == 200
    assert retry.data["duplicate"] is True
    assert retry.data["message"]["id"] == message["id"]
    assert conversation.messages.count() == 1

    reply = (
        api_for(supporter)
        .send(
            conversation,
            "It brought up a lot about my dad, so gently.",
            reply_to=message["id"],
            content_warning="bereavement",
        )
        .data["message"]
    )
    assert reply["reply_to"] == {
        "id": message["id"],
        "author": "ash_tree",
        "excerpt": "Thank you for yesterday.",
    }
    assert reply["content_warning"] == "bereavement"


def test_a_refused_send_says_why(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api], make_user: MakeUser
) -> None:
    member, supporter, conversation = pair
    api = api_for(member)

    empty = api.send(conversation, "   ")
    assert empty.status_code == 422
    assert empty.data["detail"] == [
        {"type": "refused", "loc": ["body", "body"], "msg": "Please write a message first."}
    ]
    too_long = api.send(conversation, "a" * 4001)
    assert "Please keep a message to 4000 characters; this one is 4001." in _msg(too_long)
    elsewhere = api.send(conversation, "Is this the right chat?", reply_to=10**6)
    assert _msg(elsewhere) == "That message isn't in this conversation."
    assert api_for(make_user("cedar")).send(conversation, "Hello").status_code == 404
    block_create(blocker=supporter, blocked=member)
    blocked = api.send(conversation, "Hello again.")
    assert _msg(blocked) == "You can't send messages in this conversation any more."
    assert not conversation.messages.exists()


def test_a_crisis_message_comes_back_with_crisis_lines(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, _supporter, conversation = pair

    sent = api_for(member).send(conversation, URGENT).data

    support = sent["support"]
    assert support["tier"] == "urgent"
    assert support["lines"], "crisis lines are shown to the author"
    assert support["emergency"]
    assert sent["message"]["state"] == "published"
    assert Alert.objects.filter(item__object_id=sent["message"]["id"]).exists()


def test_a_held_message_is_shown_only_to_its_author(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    sent = api_for(member).send(conversation, CONTACT_REQUEST).data
    assert sent["message"]["state"] == "held"
    assert sent["support"]["held"] is True
    assert sent["support"]["held_reasons"]

    mine = api_for(member).messages(conversation, after=0).data["messages"]
    theirs = api_for(supporter).messages(conversation, after=0).data
    assert [(m["kind"], m["state"]) for m in mine] == [("member", "held"), ("notice", "published")]
    assert [m["notice_code"] for m in theirs["messages"]] == ["contact_warning"]
    assert theirs["seq"] == 2  # the held message's number is passed over, not waited for
    held_id = sent["message"]["id"]
    assert (
        api_for(supporter)
        .call("post", f"messages/{held_id}/reactions/hug", "messages/{message_id}/reactions/{kind}")
        .status_code
        == 404
    )


def test_catch_up_after_a_number_and_history_before_one(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    sent = [
        services.message_send(author=supporter, conversation=conversation, body=f"Note {n}.")
        for n in range(1, 6)
    ]
    api = api_for(member)

    caught = api.messages(conversation, after=2).data
    assert [m["seq"] for m in caught["messages"]] == [3, 4, 5]
    assert (caught["seq"], caught["has_more"]) == (5, False)
    services.message_edit(actor=supporter, message=sent[0].message, body="Note 1, corrected.")
    edited = api.messages(conversation, after=5).data
    assert [(m["seq"], m["updated_seq"], m["edited"]) for m in edited["messages"]] == [(1, 6, True)]
    assert edited["seq"] == 6
    assert api.messages(conversation, after=6).data == {"messages": [], "seq": 6, "has_more": False}

    latest = api.messages(conversation, limit=2).data
    assert [m["seq"] for m in latest["messages"]] == [4, 5]
    assert (latest["seq"], latest["has_more"]) == (6, True)
    older = api.messages(conversation, before=4, limit=2).data
    assert [m["body"] for m in older["messages"]] == ["Note 2.", "Note 3."]
    oldest = api.messages(conversation, before=2, limit=2).data
    assert [m["seq"] for m in oldest["messages"]] == [1]
    assert oldest["has_more"] is False
    both = api.messages(conversation, after=1, before=3)
    assert both.status_code == 422
    assert api.messages(conversation, after=-1).status_code == 422


def test_a_long_catch_up_comes_in_batches(
    pair: tuple[User, User, Conversation],
    api_for: Callable[[User], Api],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member, supporter, conversation = pair
    for n in range(5):
        services.message_send(author=supporter, conversation=conversation, body=f"Line {n}.")
    monkeypatch.setattr("alongside.chat.selectors.CATCH_UP_BATCH", 2)
    api = api_for(member)

    seen, after, rounds = [], 0, 0
    while True:
        page = api.messages(conversation, after=after).data
        seen += [m["seq"] for m in page["messages"]]
        after, rounds = page["seq"], rounds + 1
        if not page["has_more"]:
            break
    assert seen == [1, 2, 3, 4, 5]
    assert rounds == 3


def test_messages_from_a_blocked_member_are_left_out(
    room: Conversation, make_user: MakeUser, api_for: Callable[[User], Api]
) -> None:
    group = room.group
    assert isinstance(group, Group)
    reader, talker, other = make_user("aspen"), make_user("elm"), make_user("fir")
    for user in (reader, talker, other):
        communities.group_join(user=user, group=group)
    services.message_send(author=talker, conversation=room, body="Morning all.")
    services.message_send(author=other, conversation=room, body="Morning! Slept badly again.")
    block_create(blocker=reader, blocked=talker)

    page = api_for(reader).messages(room, after=0).data

    assert [m["author"] for m in page["messages"]] == ["fir"]
    assert page["seq"] == 2


def test_my_muted_words_and_warnings_fold_messages(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    protection_update(user=member, muted_words=["casino"], hide_content_warned=True)
    services.message_send(
        author=supporter, conversation=conversation, body="Lost again at the casino."
    )
    services.message_send(
        author=supporter,
        conversation=conversation,
        body="Anniversary today.",
        content_warning="loss",
    )
    services.message_send(author=supporter, conversation=conversation, body="Walk tomorrow?")
    services.message_send(author=member, conversation=conversation, body="The casino is closed.")

    folded = [m["folded"] for m in api_for(member).messages(conversation).data["messages"]]

    assert folded == ["muted", "content_warning", "", ""]  # never my own


def test_edit_delete_and_react(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    message = api_for(member).send(conversation, "I slept four hours.").data["message"]
    one = f"messages/{message['id']}"
    mine, theirs = api_for(member), api_for(supporter)

    edited = mine.call("patch", one, "messages/{message_id}", {"body": "I slept five hours."})
    assert edited.data["message"]["body"] == "I slept five hours."
    assert edited.data["message"]["edited"] is True
    assert edited.data["support"] is None
    refused = theirs.call("patch", one, "messages/{message_id}", {"body": "Changed."})
    assert refused.status_code == 403
    assert refused.data["detail"] == "You can only edit your own messages."

    react = "messages/{message_id}/reactions/{kind}"
    added = theirs.call("post", f"{one}/reactions/hug", react).data
    assert added["added"] is True
    assert added["message"]["reactions"] == {"hug": ["birch_path"]}
    taken_back = theirs.call("post", f"{one}/reactions/hug", react).data
    assert (taken_back["added"], taken_back["message"]["reactions"]) == (False, {})
    assert theirs.call("post", f"{one}/reactions/thumbs", react).status_code == 422

    assert theirs.call("delete", one, "messages/{message_id}").status_code == 403
    removed = mine.call("delete", one, "messages/{message_id}").data
    assert (removed["removed"], removed["removed_by_author"], removed["body"]) == (True, True, "")
    assert (
        Message.objects.get(pk=message["id"]).body == "I slept five hours."
    )  # kept for moderators


@override_settings(CHAT_EDIT_MINUTES=0)
def test_editing_after_the_window_is_refused(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, _supporter, conversation = pair
    message = api_for(member).send(conversation, "Typo in here.").data["message"]

    late = api_for(member).call(
        "patch", f"messages/{message['id']}", "messages/{message_id}", {"body": "Fixed."}
    )

    assert late.status_code == 422
    assert _msg(late) == "Messages can be edited for 0 minutes after sending."


def test_reporting_a_message(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    message = api_for(supporter).send(conversation, "Honestly, just stop your medication.").data
    path = f"messages/{message['message']['id']}/report"
    template = "messages/{message_id}/report"

    made = api_for(member).call("post", path, template, {"reason": "misinformation"})
    assert made.status_code == 201
    assert made.data["kind"] == "message"
    assert made.data["outcome"] == "pending"
    again = api_for(member).call("post", path, template, {"reason": "misinformation"})
    assert again.status_code == 422
    own = api_for(supporter).call("post", path, template, {"reason": "spam"})
    assert _msg(own) == "This is your own message. You can remove it instead."


def test_chat_preferences(member: User, api_for: Callable[[User], Api]) -> None:
    api = api_for(member)
    assert api.get("preferences", "preferences").data == {
        "who_may_message": "groups",
        "presence_visibility": "direct",
    }
    changed = api.call("patch", "preferences", "preferences", {"who_may_message": "supporters"})
    assert changed.data == {"who_may_message": "supporters", "presence_visibility": "direct"}
    changed = api.call("patch", "preferences", "preferences", {"presence_visibility": "nobody"})
    assert changed.data == {"who_may_message": "supporters", "presence_visibility": "nobody"}
    wrong = api.call("patch", "preferences", "preferences", {"who_may_message": "everyone"})
    assert wrong.status_code == 422
    assert ChatPreferences.objects.get(user=member).who_may_message == "supporters"


def test_a_page_plus_catch_up_equals_a_fresh_fetch(
    pair: tuple[User, User, Conversation], api_for: Callable[[User], Api]
) -> None:
    member, supporter, conversation = pair
    first = services.message_send(author=supporter, conversation=conversation, body="Hi there.")
    services.message_send(author=member, conversation=conversation, body="Hi, long week.")
    api = api_for(member)
    page = api.messages(conversation).data
    state = {m["id"]: m for m in page["messages"]}

    services.message_edit(actor=supporter, message=first.message, body="Hi there, welcome.")
    services.reaction_toggle(user=member, message=first.message, kind="hug")
    services.message_send(author=member, conversation=conversation, body=CONTACT_REQUEST)
    services.message_send(author=supporter, conversation=conversation, body="Tell me more?")
    last = services.message_send(author=member, conversation=conversation, body="Oops, ignore.")
    services.message_delete(actor=member, message=last.message)
    caught = api.messages(conversation, after=page["seq"]).data
    for message in caught["messages"]:
        state[message["id"]] = message

    fresh = api.messages(conversation).data
    assert sorted(state.values(), key=lambda m: m["seq"]) == fresh["messages"]
    assert caught["seq"] == fresh["seq"] == Conversation.objects.get(pk=conversation.pk).last_seq
