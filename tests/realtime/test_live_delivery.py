"""No message lost or repeated: across worker processes, a killed worker, a dropped connection
and a restarted server, with real processes and real WebSockets (fixtures in conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.realtime.chat_client import ChatClient, assert_every_message_exactly_once
from tests.realtime.servers import Site, Workers

pytestmark = pytest.mark.slow

SCENARIO_SECONDS = 90
# Messages each sender streams; the server allows 30 sends in 10 seconds per connection.
STREAM = 20
STREAM_GAP = 0.05
# Longer than channels_redis's 5-second wait for a worker's next message.
QUIET_SECONDS = 6.5


def run(scenario: Coroutine[Any, Any, None]) -> None:
    """Run the scenario on a fresh event loop in its own thread: in the full suite the
    browser tests' Playwright may already run a loop in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, asyncio.wait_for(scenario, SCENARIO_SECONDS)).result()


async def warm_up(sender: ChatClient, receivers: list[ChatClient]) -> None:
    """One message end to end: the first send also loads the screening models (a second)."""
    await sender.send("Hello, is anyone around this evening?")
    for receiver in receivers:
        await receiver.wait_for_messages(1, timeout=30)


async def stream(senders: list[ChatClient], midway: asyncio.Event) -> None:
    """``STREAM`` messages from each sender; half way, wait for ``midway`` (the kill), so the
    second half is sent while a worker is dead, however fast or slow the machine is."""
    for number in range(STREAM):
        if number == STREAM // 2:
            await midway.wait()
        for sender in senders:
            await sender.send(f"{sender.handle} says message {number}")
        await asyncio.sleep(STREAM_GAP)


async def settle(receiver: ChatClient, senders: list[ChatClient]) -> int:
    """Wait for every send to be acknowledged and to reach the receiver, then a little longer
    (a duplicate would arrive now); the last number sent."""
    for sender in senders:
        await sender.wait_until_acknowledged(timeout=30)
    last = max(ack["seq"] for sender in senders for ack in sender.acks.values())
    await receiver.wait_for_number(last, timeout=30)
    await asyncio.sleep(0.3)
    return last


def test_a_message_sent_through_one_worker_reaches_a_client_on_the_other(
    site: Site, redis_url: str, workers: Workers
) -> None:
    first, second = workers.start(site, redis_url=redis_url, count=2)

    async def scenario() -> None:
        sender, receiver = ChatClient(site, "ash"), ChatClient(site, "cedar")
        await sender.connect(first.port)
        await receiver.connect(second.port)
        await warm_up(sender, [receiver])
        await sender.send("Thanks, that helped.")
        await receiver.wait_for_messages(2)
        assert [m["body"] for m in receiver.messages] == [
            "Hello, is anyone around this evening?",
            "Thanks, that helped.",
        ]
        assert receiver.connections == 1  # both arrived live, not in a catch-up
        await sender.close()
        await receiver.close()

    run(scenario())


def test_a_quiet_connection_on_a_redis_worker_stays_open(
    site: Site, redis_url: str, workers: Workers
) -> None:
    """channels_redis waits for a worker's messages with a 5-second BZPOPMIN; the Redis
    client must not give up on that read first, or a worker whose connections are quiet for
    5 seconds drops them (and logs "Exception in ASGI application")."""
    first, second = workers.start(site, redis_url=redis_url, count=2)

    async def scenario() -> None:
        sender, receiver = ChatClient(site, "ash"), ChatClient(site, "cedar")
        await sender.connect(first.port)
        await receiver.connect(second.port)
        await warm_up(sender, [receiver])
        await asyncio.sleep(QUIET_SECONDS)
        assert receiver.connected and sender.connected
        await sender.send("Still here after a quiet spell.")
        await receiver.wait_for_messages(2)
        assert receiver.connections == sender.connections == 1
        await sender.close()
        await receiver.close()

    run(scenario())


@pytest.mark.parametrize("reconnect_to", ["the surviving worker", "the restarted worker"])
def test_a_worker_killed_mid_stream_loses_and_repeats_nothing(
    site: Site, redis_url: str, workers: Workers, reconnect_to: str
) -> None:
    first, second = workers.start(site, redis_url=redis_url, count=2)

    async def scenario() -> None:
        senders = [ChatClient(site, "ash"), ChatClient(site, "birch")]
        receiver = ChatClient(site, "cedar")
        for sender in senders:
            await sender.connect(first.port)
        await receiver.connect(second.port)
        await warm_up(senders[0], [receiver])
        killed = asyncio.Event()
        sending = asyncio.create_task(stream(senders, killed))
        await receiver.wait_for_messages(8)
        second.kill()
        killed.set()
        await receiver.wait_until_disconnected()
        before_kill = len(receiver.messages)
        if reconnect_to == "the restarted worker":
            await asyncio.to_thread(second.start().wait_ready)
            await receiver.connect(second.port)
        else:
            await receiver.connect(first.port)
        await sending
        last = await settle(receiver, senders)
        assert 1 < before_kill < last
        assert receiver.connections == 2
        assert_every_message_exactly_once(receiver, senders, last_seq=last)
        assert last == 1 + 2 * STREAM
        for client in [*senders, receiver]:
            await client.close()

    run(scenario())


def test_a_client_that_drops_its_connection_gets_what_it_missed_once(
    site: Site, redis_url: str, workers: Workers
) -> None:
    first, second = workers.start(site, redis_url=redis_url, count=2)

    async def scenario() -> None:
        sender, receiver = ChatClient(site, "ash"), ChatClient(site, "cedar")
        await sender.connect(first.port)
        await receiver.connect(second.port)
        await warm_up(sender, [receiver])
        await receiver.drop()
        for number in range(5):
            await sender.send(f"While you were away, {number}")
        await sender.wait_until_acknowledged()
        await receiver.connect(second.port)
        assert len(receiver.messages) == 6  # caught up before the subscription was answered
        await sender.send("And this one live.")
        last = await settle(receiver, [sender])
        assert last == 7
        assert_every_message_exactly_once(receiver, [sender], last_seq=last)
        await sender.close()
        await receiver.close()

    run(scenario())


def test_the_embedded_server_restarted_mid_stream_loses_and_repeats_nothing(
    site: Site, workers: Workers
) -> None:
    """One process, the in-memory channel layer, no Redis: killed with SIGKILL while a
    member is sending, then started again. The sender's outbox sends again whatever was not
    acknowledged (some of it was saved before the kill: its client_id makes that harmless);
    the receiver subscribes after the highest number it saw."""
    (server,) = workers.start(site)

    async def scenario() -> None:
        sender, receiver = ChatClient(site, "ash"), ChatClient(site, "cedar")
        await sender.connect(server.port)
        await receiver.connect(server.port)
        await warm_up(sender, [receiver])
        killed = asyncio.Event()
        sending = asyncio.create_task(stream([sender], killed))
        await receiver.wait_for_messages(5)
        server.kill()
        killed.set()
        await receiver.wait_until_disconnected()
        await sender.wait_until_disconnected()
        await asyncio.to_thread(server.start().wait_ready)
        await receiver.connect(server.port)
        await sender.connect(server.port)
        await sending
        last = await settle(receiver, [sender])
        assert last == 1 + STREAM
        assert_every_message_exactly_once(receiver, [sender], last_seq=last)
        assert receiver.connections == sender.connections == 2
        await sender.close()
        await receiver.close()

    run(scenario())
