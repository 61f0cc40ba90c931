"""Live chat in real browsers: catching up after a dropped socket, and safety in the path.

The server is the real ASGI application (``asgi_live_server``), so pages talk to ``ws/chat/``
and the moderators' queue to ``ws/moderation/`` as in production. Texts are invented.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.chat import services as chat
from alongside.chat.models import Conversation, Message
from alongside.safety.models import DutyPeriod
from tests.browser.test_safety_flow import log_in, person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]

CRISIS = "I have decided to end my life tonight, the pills are ready and I've written the notes."
CONTACT = "add me on whatsapp 07700 900123 and we can talk privately"


def a_pair() -> tuple[User, User, Conversation]:
    member = person("quiet_fern")
    supporter = person("heron_supports", Role.PEER_SUPPORTER)
    return member, supporter, chat.direct_open(initiator=supporter, recipient=member)


def open_conversation(page: Page, base: str, conversation: Conversation) -> None:
    page.goto(f"{base}/chat/{conversation.pk}/")
    expect(page.locator("#chat[data-connected=true]")).to_have_count(1)
    page.evaluate("window.stillTheSamePage = true")


def send(page: Page, text: str) -> None:
    page.locator("textarea[name=body]").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


class DroppableSocket:
    """Routes a page's chat socket through Playwright so a test can cut it and refuse
    reconnections for a while: a real closed socket, as when a phone loses signal."""

    def __init__(self, page: Page) -> None:
        self.offline = False
        self.current: WebSocketRoute | None = None
        page.route_web_socket(re.compile(r"/ws/chat/"), self._route)

    def _route(self, socket: WebSocketRoute) -> None:
        if self.offline:
            socket.close(code=4000, reason="offline")
            return
        server = socket.connect_to_server()
        # Forward both ways explicitly (the Python binding does not forward by itself).
        socket.on_message(lambda message: server.send(message))
        server.on_message(lambda message: socket.send(message))
        self.current = socket

    def drop(self) -> None:
        self.offline = True
        if self.current is not None:
            self.current.close(code=4000, reason="offline")

    def restore(self) -> None:
        self.offline = False


def test_two_browsers_chat_and_a_dropped_one_catches_up_once(
    asgi_live_server: str, browser: Browser
) -> None:
    base = asgi_live_server
    _member, _supporter, conversation = a_pair()
    writer = log_in(browser, base, "heron_supports")
    reader = log_in(browser, base, "quiet_fern")
    link = DroppableSocket(reader)
    open_conversation(writer, base, conversation)
    open_conversation(reader, base, conversation)

    send(writer, "Hi, how did the appointment go this morning?")
    # The first message may wait for the screening models to load.
    expect(reader.locator(".chat-message", has_text="appointment")).to_have_count(1, timeout=30_000)

    link.drop()
    expect(reader.locator("#chat[data-connected=true]")).to_have_count(0)
    send(writer, "No rush to reply, I'm around until six.")
    send(writer, "And well done for going at all.")
    expect(writer.locator("#chat-messages .chat-message", has_text="well done")).to_have_count(1)
    expect(reader.locator(".chat-message", has_text="until six")).to_have_count(0)

    link.restore()
    expect(reader.locator("#chat[data-connected=true]")).to_have_count(1, timeout=40_000)
    for text in ("appointment", "until six", "well done"):
        expect(reader.locator("#chat-messages .chat-message", has_text=text)).to_have_count(1)
    assert reader.evaluate("window.stillTheSamePage") is True  # caught up, not reloaded
    assert Message.objects.filter(conversation=conversation).count() == 3


def test_a_crisis_message_reaches_the_moderator_without_a_reload(
    asgi_live_server: str, browser: Browser
) -> None:
    base = asgi_live_server
    _member, _supporter, conversation = a_pair()
    moderator = person("kestrel_mod", Role.MODERATOR)
    DutyPeriod.objects.create(moderator=moderator)
    queue = log_in(browser, base, "kestrel_mod")
    queue.goto(f"{base}/moderation/")
    expect(queue.locator("#queue-live-status")).to_contain_text("Live")
    queue.evaluate("window.stillTheSamePage = true")
    author = log_in(browser, base, "quiet_fern")
    open_conversation(author, base, conversation)

    send(author, CRISIS)

    support = author.locator(".chat-support")
    expect(support).to_contain_text("Samaritans")
    expect(queue.get_by_text(re.compile("Urgent alert waiting"))).to_be_visible()
    assert queue.evaluate("window.stillTheSamePage") is True


def test_a_new_account_is_refused_a_one_to_one(asgi_live_server: str, browser: Browser) -> None:
    base = asgi_live_server
    person("willow_member")
    newcomer = person("just_arrived")
    User.objects.filter(pk=newcomer.pk).update(date_joined=timezone.now() - timedelta(hours=2))
    page = log_in(browser, base, "just_arrived")

    page.goto(f"{base}/accounts/members/willow_member/")
    expect(page.get_by_role("link", name="Send a message")).to_have_count(0)
    page.goto(f"{base}/chat/with/willow_member/")

    expect(
        page.get_by_role("heading", name=re.compile("can't message willow_member"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile("new accounts can start one-to-one"))).to_be_visible()
    assert not Conversation.objects.filter(participants__user=newcomer).exists()


def test_a_contact_request_is_caught_and_both_people_see_the_warning(
    asgi_live_server: str, browser: Browser
) -> None:
    base = asgi_live_server
    _member, _supporter, conversation = a_pair()
    asker = log_in(browser, base, "quiet_fern")
    other = log_in(browser, base, "heron_supports")
    open_conversation(asker, base, conversation)
    open_conversation(other, base, conversation)

    send(asker, CONTACT)

    warning = "Please keep conversations on Alongside"
    expect(asker.locator(".chat-message.is-notice", has_text=warning)).to_have_count(1)
    expect(other.locator(".chat-message.is-notice", has_text=warning)).to_have_count(1)
    expect(asker.locator(".chat-message.is-held", has_text="whatsapp")).to_have_count(1)
    expect(other.get_by_text("whatsapp")).to_have_count(0)
