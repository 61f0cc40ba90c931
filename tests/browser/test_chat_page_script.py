"""The conversation page's script in a real browser: live updates, reactions, "Seen", and the
outbox that keeps a message until the server has it.

The server is the real ASGI application (``asgi_live_server``), so the
page talks to ``ws/chat/`` as it does in production. Texts are invented for these tests.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat import services
from alongside.chat.models import Conversation, Message
from tests.browser.test_safety_flow import log_in, person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]

# The first message a server process screens loads the screening models, which can take a
# while on a busy machine; later messages are quick.
FIRST_SCREENING_MS = 30_000


def open_conversation(page: Page, base: str, conversation: Conversation) -> None:
    page.goto(f"{base}/chat/{conversation.pk}/")
    # The script marks the page once its live connection has subscribed.
    expect(page.locator("#chat[data-connected=true]")).to_have_count(1)


def send(page: Page, text: str) -> None:
    page.locator("textarea[name=body]").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def a_pair() -> tuple[User, User, Conversation]:
    member = person("willow")
    supporter = person("heron", Role.PEER_SUPPORTER)
    return member, supporter, services.direct_open(initiator=supporter, recipient=member)


def test_two_people_chat_live_and_each_message_shows_once(
    asgi_live_server: str, browser: Browser
) -> None:
    member, supporter, conversation = a_pair()
    first = log_in(browser, asgi_live_server, "willow")
    second = log_in(browser, asgi_live_server, "heron")
    open_conversation(first, asgi_live_server, conversation)
    open_conversation(second, asgi_live_server, conversation)

    send(first, "Evening! The walk helped today.")

    message = second.locator(".chat-message", has_text="The walk helped today.")
    expect(message).to_have_count(1, timeout=FIRST_SCREENING_MS)
    expect(first.locator(".chat-message", has_text="The walk helped today.")).to_have_count(1)
    expect(first.locator("#chat-outbox .chat-message")).to_have_count(0)
    assert first.url.endswith(f"/chat/{conversation.pk}/")  # no reload: sent over the socket
    assert Message.objects.filter(author=member).count() == 1

    send(second, "So glad to hear it.")
    expect(first.locator(".chat-message", has_text="So glad to hear it.")).to_have_count(1)
    expect(first.locator(".chat-message.is-own .chat-seen:visible")).to_have_count(1)

    reply = first.locator(".chat-message", has_text="So glad to hear it.")
    reply.get_by_role("button", name="Thank you").click()
    theirs = second.locator(".chat-message", has_text="So glad to hear it.")
    expect(theirs.get_by_role("button", name="Thank you 1")).to_be_visible()
    expect(reply.get_by_role("button", name="Thank you 1")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert Message.objects.filter(author=supporter).get().reactions.count() == 1


class Network:
    """The page's chat connections pass through here, so a test can cut them (Chromium's
    offline mode leaves open WebSockets alone)."""

    def __init__(self, page: Page) -> None:
        self.online = True
        self.routes: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws/chat/$"), self._route)

    def _route(self, route: WebSocketRoute) -> None:
        if not self.online:
            route.close(code=4000, reason="offline")
            return
        route.connect_to_server()
        self.routes.append(route)

    def cut(self) -> None:
        self.online = False
        for route in self.routes:
            route.close(code=4000, reason="offline")
        self.routes.clear()


def test_a_message_written_offline_waits_and_is_sent_once_when_back(
    asgi_live_server: str, browser: Browser
) -> None:
    member, _supporter, conversation = a_pair()
    page = log_in(browser, asgi_live_server, "willow")
    network = Network(page)
    open_conversation(page, asgi_live_server, conversation)

    network.cut()
    expect(page.locator("#chat[data-connected=false]")).to_have_count(1)
    send(page, "Writing this on the train.")
    pending = page.locator("#chat-outbox .chat-message")
    expect(pending).to_contain_text("Not sent yet")
    page.reload()  # the outbox survives a reload
    expect(pending).to_contain_text("Writing this on the train.")

    network.online = True
    expect(pending).to_have_count(0, timeout=40_000 + FIRST_SCREENING_MS)
    expect(page.locator("#chat-messages .chat-message", has_text="on the train")).to_have_count(1)
    assert Message.objects.filter(author=member).count() == 1


def test_a_refused_message_is_marked_with_retry_and_the_text_comes_back(
    asgi_live_server: str, browser: Browser
) -> None:
    member, supporter, conversation = a_pair()
    page = log_in(browser, asgi_live_server, "willow")
    open_conversation(page, asgi_live_server, conversation)
    services.conversation_leave(user=supporter, conversation=conversation)

    send(page, "Are you still there?")

    failed = page.locator("#chat-outbox .chat-message.is-failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("has left this conversation")
    expect(failed.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.locator("textarea[name=body]")).to_have_value("Are you still there?")
    assert not Message.objects.filter(author=member).exists()


def test_the_list_counts_new_messages_as_they_arrive(
    asgi_live_server: str, browser: Browser
) -> None:
    _member, _supporter, conversation = a_pair()
    listing = log_in(browser, asgi_live_server, "willow")
    writer = log_in(browser, asgi_live_server, "heron")
    listing.goto(f"{asgi_live_server}/chat/")
    expect(listing.locator("#chat-list[data-connected=true]")).to_have_count(1)
    open_conversation(writer, asgi_live_server, conversation)

    send(writer, "Thinking of you today.")

    row = listing.locator(f'[data-conversation-id="{conversation.pk}"]')
    expect(row.locator(".chat-unread")).to_have_text("1", timeout=FIRST_SCREENING_MS)
