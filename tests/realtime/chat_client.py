"""A chat client as the page's script behaves: it remembers the highest number it has seen,
subscribes after it when it (re)connects, and keeps each message it sends in an outbox,
under its ``client_id``, until the server acknowledges it, sending it again on reconnecting.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

from tests.realtime.servers import Site


class ChatClient:
    def __init__(self, site: Site, handle: str) -> None:
        self.handle = handle
        self.room = site.room
        self.cookie = f"{site.cookie}={site.sessions[handle]}"
        self.seen = 0  # the highest number seen in the room
        self.messages: list[dict[str, Any]] = []  # every message frame, in arrival order
        self.acks: dict[str, dict[str, Any]] = {}
        self.duplicates = 0  # acks saying the server had the message already
        self.errors: list[dict[str, Any]] = []
        self.outbox: dict[str, str] = {}  # client_id: body, until acknowledged
        self.connections = 0
        self.connected = False
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._sent_here: set[str] = set()  # outbox entries sent on this connection
        self._subscribed = False
        self._changed = asyncio.Event()
        self._counter = 0

    # --- Connecting -------------------------------------------------------------------------

    async def connect(self, port: int, *, timeout: float = 30.0) -> None:
        """Connect (retrying while the server is not up), subscribe after the highest number
        seen, then send again whatever is still in the outbox, in order."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                ws = await websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/chat/",
                    additional_headers={"Cookie": self.cookie},
                    origin=Origin(f"http://127.0.0.1:{port}"),
                    open_timeout=5,
                )
                break
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)
        self._ws = ws
        self._subscribed = False
        self._sent_here = set()
        self.connections += 1
        self._reader = asyncio.create_task(self._read(ws))
        await ws.send(
            json.dumps({"type": "subscribe", "conversation": self.room, "after": self.seen})
        )
        await self.wait_until(lambda: self._subscribed, timeout=15)
        while unsent := [key for key in self.outbox if key not in self._sent_here]:
            for client_id in unsent:
                await self._transmit(ws, client_id)
        self.connected = True

    async def drop(self) -> None:
        """Lose the connection abruptly, as a network drop does (no closing handshake)."""
        assert self._ws is not None
        self.connected = False
        self._ws.transport.abort()
        if self._reader is not None:
            await self._reader

    async def close(self) -> None:
        self.connected = False
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                self._handle(json.loads(raw))
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._ws is ws:
                self.connected = False
            self._changed.set()

    def _handle(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "message" and frame["message"]["conversation"] == self.room:
            self.messages.append(frame["message"])
            self.seen = max(self.seen, frame["message"]["updated_seq"])
        elif kind == "subscribed":
            self.seen = max(self.seen, frame["seq"])
            self._subscribed = True
        elif kind == "ack":
            self.acks[frame["client_id"]] = frame["message"]
            self.duplicates += bool(frame.get("duplicate"))
            self.outbox.pop(frame["client_id"], None)
        elif kind == "error":
            self.errors.append(frame)
        self._changed.set()

    # --- Sending ----------------------------------------------------------------------------

    async def send(self, body: str) -> str:
        """Put a message in the outbox and send it now if connected (else on reconnecting)."""
        self._counter += 1
        client_id = f"{self.handle}-{self._counter}"
        self.outbox[client_id] = body
        if self.connected and self._ws is not None:
            await self._transmit(self._ws, client_id)
        return client_id

    async def _transmit(self, ws: ClientConnection, client_id: str) -> None:
        self._sent_here.add(client_id)
        body = self.outbox.get(client_id)
        if body is None:
            return  # acknowledged meanwhile
        frame = {"type": "send", "conversation": self.room, "client_id": client_id, "body": body}
        with contextlib.suppress(websockets.ConnectionClosed):  # stays in the outbox
            await ws.send(json.dumps(frame))

    # --- Waiting ----------------------------------------------------------------------------

    async def wait_until(self, condition: Callable[[], bool], *, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.handle}: timed out waiting ({self.summary()})")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                continue

    async def wait_for_messages(self, count: int, *, timeout: float = 15) -> None:
        await self.wait_until(lambda: len(self.messages) >= count, timeout=timeout)

    async def wait_for_number(self, seq: int, *, timeout: float = 15) -> None:
        await self.wait_until(lambda: self.seen >= seq, timeout=timeout)

    async def wait_until_acknowledged(self, *, timeout: float = 15) -> None:
        await self.wait_until(lambda: not self.outbox, timeout=timeout)

    async def wait_until_disconnected(self, *, timeout: float = 5) -> None:
        await self.wait_until(lambda: not self.connected, timeout=timeout)

    def summary(self) -> str:
        return (
            f"seen {self.seen}, {len(self.messages)} messages, outbox {len(self.outbox)}, "
            f"errors {self.errors[-3:]}"
        )


def assert_every_message_exactly_once(
    receiver: ChatClient, senders: list[ChatClient], *, last_seq: int
) -> None:
    """The receiver has numbers 1 to ``last_seq`` once each, in order, and every message each
    sender had acknowledged, once, in the order that sender sent them."""
    numbers = [message["seq"] for message in receiver.messages]
    assert numbers == list(range(1, last_seq + 1)), f"numbers seen: {numbers}"
    ids = Counter(message["id"] for message in receiver.messages)
    assert max(ids.values()) == 1
    for sender in senders:
        assert not sender.outbox, f"{sender.handle} has unacknowledged messages"
        assert not sender.errors, sender.errors
        sent = [ack["body"] for _client_id, ack in sorted(sender.acks.items(), key=_order)]
        received = [m["body"] for m in receiver.messages if m["author"] == sender.handle]
        assert received == sent


def _order(item: tuple[str, dict[str, Any]]) -> int:
    return int(item[0].rsplit("-", 1)[1])
