"""Live chat under load: many WebSocket clients on loopback, in many rooms.

Prepares a fresh SQLite data folder in a temporary directory (``alongside manage migrate``,
then members, open groups, rooms and signed-in sessions made in bulk by a set-up subprocess),
starts the server, and drives it from client processes of its own (``--client-processes``,
so the clients are not the bottleneck), each running its share of the WebSocket clients on
one event loop. Each client subscribes to its room; senders are chosen round-robin so the
whole run offers ``--rate`` messages per second, each fanned out to a room of
``--room-size``. A message's ``client_id`` carries its send time, so every receiver measures
end-to-end delivery latency (send → screened, saved, broadcast → received).

Modes (``--mode``, default both, one after the other):

- ``embedded``: one ``uvicorn alongside.asgi:application`` process, in-memory channel layer,
  no Redis: what ``alongside serve`` runs.
- ``redis``: a fresh ``redis-server`` and two uvicorn worker processes sharing it
  (``REDIS_URL``), clients split across them, so most deliveries cross processes.

Each mode runs three phases:

1. connect: every client connects and subscribes; server RSS (``/proc``) before and after
   gives memory per connection;
2. steady load for ``--duration`` seconds: latency p50/p99/max, messages per second
   achieved against offered, deliveries per second, server CPU;
3. disruption for ``--disruption`` seconds of the same load: a tenth of the clients drop
   their connection and reconnect, then a worker is killed with SIGKILL (embedded: the
   server, restarted on its port; redis: the second worker, whose clients reconnect to the
   first). Clients resubscribe after the highest number they saw and senders send again
   whatever was not acknowledged, with the same ``client_id``. Then every client's
   messages are checked against its room's numbers: lost and duplicated messages.

Usage: ``.venv/bin/python bench/chat.py [--mode embedded|redis|both] [--clients 1000]
[--room-size 20] [--rate 200] [--duration 20]``. ``--profile DIR`` runs the workers under
py-spy (not a dependency: ``pip install py-spy``) for the steady load only and writes where
their time went. Needs ``redis-server`` for
``--mode redis``. Prints a table and one JSON line per mode.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60
# Ordinary messages: the screening passes them (tier none, no flags), as most messages are.
SENTENCES = [
    "Thanks for sharing that, it sounds like a really hard week.",
    "I went for a short walk today and it helped a little.",
    "Does anyone else find evenings the hardest part of the day?",
    "I tried the breathing exercise someone mentioned and it was useful.",
    "Good to see you back, we missed you last week.",
    "Sleep has been patchy but a bit better than before.",
    "Small wins count, well done for getting out of the house.",
    "I relate to that so much, you are not alone in feeling it.",
    "Has anyone got tips for staying calm before appointments?",
    "Thank you all for listening, it means a lot to me.",
    "Making a cup of tea and settling in for the evening.",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- Set-up (in a subprocess, with Django) ----------------------------------------------------


def set_up_site(out: Path, clients: int, room_size: int) -> None:
    """Members, one open group per room, rooms and sessions, all with bulk inserts; writes
    {"cookie", "warm_up": [session, room], "clients": [[session, room, user id], ...]}."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    import django

    django.setup()
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group as RoleGroup
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
    from alongside.accounts.roles import Role
    from alongside.chat.models import Conversation, Participant
    from alongside.communities.models import Group, Membership

    now = timezone.now()
    rooms = (clients + room_size - 1) // room_size
    with transaction.atomic():
        users = [
            User(handle=f"bench_{number:05d}", date_joined=now - timedelta(days=90))
            for number in range(clients + 1)  # the last one warms the server up
        ]
        for user in users:
            user.set_unusable_password()
        users = User.objects.bulk_create(users, batch_size=500)
        role = RoleGroup.objects.get(name=Role.MEMBER)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=role.pk) for user in users],
            batch_size=500,
        )
        documents = list(PolicyDocument.objects.all())
        PolicyAcceptance.objects.bulk_create(
            [PolicyAcceptance(user=user, document=doc) for user in users for doc in documents],
            batch_size=500,
        )
        groups = Group.objects.bulk_create(
            Group(slug=f"bench-{number}", name=f"Bench group {number}", member_count=room_size)
            for number in range(rooms + 1)
        )
        conversations = Conversation.objects.bulk_create(
            Conversation(
                kind=Conversation.Kind.ROOM, group=group, title=f"Room {number}", created_by=None
            )
            for number, group in enumerate(groups)
        )

        def room_of(index: int) -> int:
            return index // room_size if index < clients else rooms

        Membership.objects.bulk_create(
            [Membership(group=groups[room_of(i)], user=user) for i, user in enumerate(users)],
            batch_size=500,
        )
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversations[room_of(i)], user=user)
                for i, user in enumerate(users)
            ],
            batch_size=500,
        )
        store_class = import_module(settings.SESSION_ENGINE).SessionStore
        model = store_class.get_model_class()
        backend = settings.AUTHENTICATION_BACKENDS[-1]
        expires = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        sessions = []
        for user in users:
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            sessions.append(
                model(
                    session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
                    session_data=store_class().encode(data),
                    expire_date=expires,
                )
            )
        model.objects.bulk_create(sessions, batch_size=500)
    made = {
        "cookie": settings.SESSION_COOKIE_NAME,
        "warm_up": [sessions[-1].session_key, conversations[-1].pk],
        "clients": [
            [sessions[i].session_key, conversations[room_of(i)].pk, users[i].pk]
            for i in range(clients)
        ],
    }
    out.write_text(json.dumps(made))


# --- Processes: redis-server and uvicorn workers ----------------------------------------------


def django_env(data_dir: Path, redis_url: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "ALONGSIDE_DATA_DIR": str(data_dir),
            "ALONGSIDE_DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # A settings module of one's own (to try a change) is respected.
    env.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class Server:
    """One uvicorn worker over the data folder; ``start`` again after ``kill`` restarts it.

    With ``py_spy`` (profiling) the worker runs under ``py-spy record``, which writes the
    sampled stacks to ``profile`` when the worker is stopped.
    """

    def __init__(
        self, env: dict[str, str], log: Path, py_spy: str | None = None,
        profile: Path | None = None,
    ) -> None:  # fmt: skip
        self.env = env
        self.port = free_port()
        self.log = log
        self.py_spy = py_spy
        self.profile = profile
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The worker's own process (under py-spy, its child)."""
        assert self.process is not None
        if self.py_spy is None:
            return self.process.pid
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return int(children.read_text().split()[0])

    def start(self) -> Server:
        command = [
            sys.executable, "-m", "uvicorn", "alongside.asgi:application",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--lifespan", "off", "--log-level", "warning",
            "--backlog", "4096",
        ]  # fmt: skip
        if self.py_spy is not None and self.profile is not None:
            sampler = [self.py_spy, "record", "--format", "raw", "--rate", "250"]
            command = [*sampler, "--output", str(self.profile), "--", *command]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"worker exited:\n{self.log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"worker did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # py-spy writes its samples on SIGINT and ends the worker; uvicorn stops on SIGTERM.
        self.process.send_signal(signal.SIGINT if self.py_spy else signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("--mode redis needs redis-server (Debian package redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(directory), "--logfile", str(directory / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("redis-server did not start")


# --- Profiling a worker (``--profile``) ------------------------------------------------------


def summarise_profile(raw: Path, top: int = 30) -> str:
    """py-spy's raw output (one line per distinct stack: frames joined by ``;``, then a
    count) as the functions the worker was busy in: own time, and time including callees."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _space, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [frame.split(" (")[0] + _where(frame) for frame in stack.split(";")]
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} busy samples (250 a second, all threads; idle time not sampled)", ""]
    lines += ["own time:"] + [f"{n / max(total, 1):6.1%}  {f}" for f, n in own.most_common(top)]
    lines += ["", "including callees:"]
    lines += [f"{n / max(total, 1):6.1%}  {f}" for f, n in inclusive.most_common(top * 2)]
    return "\n".join(lines) + "\n"


def _where(frame: str) -> str:
    """`` (module path)`` of a py-spy frame ``name (path:line)``, without the line."""
    if " (" not in frame:
        return ""
    path = frame.split(" (", 1)[1].rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f" ({path})"


# --- Clients (in client processes) ------------------------------------------------------------


@dataclass
class Tally:
    """What one client process measured."""

    sent: int = 0
    acked: int = 0
    errors: int = 0
    error_texts: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    deliveries: int = 0
    measuring: bool = False


class BenchClient:
    """One member's socket, kept open by one task for the whole run, as the page keeps it:
    on every (re)connection it subscribes after the highest number seen, then sends again
    what the outbox holds; a lost connection is opened again at once (on the next worker
    when its own is gone)."""

    def __init__(
        self, owner: ClientProcess, index: int, session: str, room: int, user_id: int,
        ports: list[int],
    ) -> None:  # fmt: skip
        self.owner = owner
        self.index = index
        self.cookie = f"{owner.cookie}={session}"
        self.room = room
        self.user_id = user_id
        self.ports = ports  # the first is this client's worker; the others if it goes away
        self.seen = 0
        self.numbers: list[int] = []
        self.outbox: dict[str, str] = {}
        self.ws: Any = None
        self.connected = False  # subscribed, outbox sent again
        self.closing = False
        self.connections = 0
        self.state = "connecting"  # connecting, subscribing, open
        self.task: asyncio.Task[None] | None = None

    @property
    def reconnects(self) -> int:
        return max(0, self.connections - 1)

    async def keep_connected(self, gate: asyncio.Semaphore) -> None:
        import websockets

        attempt = 0
        while not self.closing:
            port = self.ports[attempt % len(self.ports)]
            attempt += 1
            try:
                async with gate:
                    ws = await websockets.connect(
                        f"ws://127.0.0.1:{port}/ws/chat/",
                        additional_headers={"Cookie": self.cookie},
                        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
                        open_timeout=60,
                        ping_interval=None,
                        max_queue=None,
                    )
            except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
                if attempt % 50 == 0:
                    self.owner.failures.append(f"connecting, still failing: {error!r}")
                if attempt % len(self.ports) == 0:
                    await asyncio.sleep(0.2 + 0.02 * (self.index % 10))
                continue
            attempt = 0
            self.ws = ws
            self.connections += 1
            self.state = "subscribing"
            try:
                subscribe = {"type": "subscribe", "conversation": self.room, "after": self.seen}
                await ws.send(json.dumps(subscribe))
                async for raw in ws:
                    await self.handle(ws, json.loads(raw))
            except websockets.ConnectionClosed:
                pass
            except Exception as error:  # noted, and the connection is opened again
                self.owner.failures.append(f"client {self.index}: {error!r}")
                ws.transport.abort()
            self.connected = False
            self.state = "connecting"

    async def handle(self, ws: Any, frame: dict[str, Any]) -> None:
        tally = self.owner.tally
        kind = frame.get("type")
        if kind == "message":
            message = frame["message"]
            self.numbers.append(message["seq"])
            self.seen = max(self.seen, message["updated_seq"])
            tally.deliveries += 1
            sent_at = message["client_id"].rpartition("-")[2]
            if tally.measuring and message["author_id"] != self.user_id and sent_at.isdigit():
                tally.latencies_ms.append((time.time() - int(sent_at) / 1e6) * 1000)
        elif kind == "ack":
            tally.acked += 1
            self.outbox.pop(frame["client_id"], None)
            message = frame["message"]
            last = self.owner.last_acked
            last[self.room] = max(last.get(self.room, 0), message["seq"])
            if message["state"] != "published":
                self.owner.held.add((self.room, message["seq"]))
        elif kind == "subscribed":
            self.seen = max(self.seen, frame["seq"])
            # Send again what was not acknowledged, in order, and what is added meanwhile.
            sent_here: set[str] = set()
            while unsent := [key for key in self.outbox if key not in sent_here]:
                for client_id in unsent:
                    sent_here.add(client_id)
                    await self.transmit(ws, client_id)
            self.connected = True
            self.state = "open"
        elif kind == "error":
            tally.errors += 1
            if len(tally.error_texts) < 5:
                tally.error_texts.append(str(frame.get("error")))

    async def send(self, body: str, client_id: str) -> None:
        self.outbox[client_id] = body
        self.owner.tally.sent += 1
        if self.connected:
            await self.transmit(self.ws, client_id)

    async def transmit(self, ws: Any, client_id: str) -> None:
        body = self.outbox.get(client_id)
        if body is None:
            return
        frame = {"type": "send", "conversation": self.room, "client_id": client_id, "body": body}
        with contextlib.suppress(Exception):  # stays in the outbox, sent again on reconnecting
            await ws.send(json.dumps(frame))

    def drop(self) -> None:
        """Lose the connection abruptly (no closing handshake); it is opened again."""
        if self.ws is not None and self.connected:
            self.connected = False
            self.ws.transport.abort()

    def close(self) -> None:
        self.closing = True
        self.connected = False
        if self.ws is not None:
            self.ws.transport.abort()


class ClientProcess:
    """One process's share of the clients, driven by commands from the orchestrator."""

    def __init__(self, spec: dict[str, Any], commands: Connection, results: Connection) -> None:
        self.name = spec["name"]
        self.cookie = spec["cookie"]
        self.commands = commands
        self.results = results
        self.tally = Tally()
        self.last_acked: dict[int, int] = {}
        self.held: set[tuple[int, int]] = set()
        self.failures: list[str] = []
        self.clients = [
            BenchClient(self, index, session, room, user_id, ports)
            for index, (session, room, user_id, ports) in enumerate(spec["clients"])
        ]
        self.counter = 0
        self.ping_seconds: float = spec["ping_seconds"]
        self.loading: asyncio.Task[None] | None = None
        self.pinging: asyncio.Task[None] | None = None

    async def main(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command: dict[str, Any] = await loop.run_in_executor(None, self.commands.recv)
            kind = command["cmd"]
            if kind == "connect":
                self.results.send(await self.connect_all(command["concurrency"]))
            elif kind == "load":
                self.loading = loop.create_task(
                    self.load(command["rate"], command["seconds"], command["measure"])
                )
            elif kind == "drop":
                step = max(1, round(1 / command["fraction"]))
                for client in self.clients[::step]:
                    client.drop()
            elif kind == "settle":
                self.results.send(await self.settle(command["seconds"]))
            elif kind == "verify":
                self.results.send(await self.verify(command["last"], command["held"]))
            elif kind == "close":
                for client in self.clients:
                    client.close()
                self.results.send({"closed": True})
                return

    async def connect_all(self, concurrency: int) -> dict[str, Any]:
        """Start every client's connection (at most ``concurrency`` handshakes at a time,
        now and when reconnecting), until all are subscribed or two minutes have passed."""
        gate = asyncio.Semaphore(concurrency)
        started = time.monotonic()
        for client in self.clients:
            client.task = asyncio.get_running_loop().create_task(client.keep_connected(gate))
        while time.monotonic() - started < 120:
            if all(client.connected for client in self.clients):
                break
            await asyncio.sleep(0.05)
        if self.ping_seconds:
            self.pinging = asyncio.get_running_loop().create_task(self.ping_forever())
        return {
            "connected": sum(client.connected for client in self.clients),
            "seconds": time.monotonic() - started,
            "failures": self.failures[:5],
        }

    async def ping_forever(self) -> None:
        """Each client pings every ``ping_seconds``, as the page does to stay shown online
        (the server refreshes the presence mark and answers with who is online)."""
        gap = self.ping_seconds / len(self.clients)
        while True:
            for client in self.clients:
                await asyncio.sleep(gap)
                if client.connected:
                    frame = {"type": "ping", "conversation": client.room}
                    with contextlib.suppress(Exception):
                        await client.ws.send(json.dumps(frame))

    async def load(self, rate: float, seconds: float, measure: bool) -> None:
        """Send ``rate`` messages per second for ``seconds``, round-robin over the clients;
        an open loop: a late send goes at once, the schedule does not slip."""
        loop = asyncio.get_running_loop()
        self.tally = Tally(measuring=measure)
        interval = 1 / rate
        start = loop.time()
        number = 0
        while True:
            due = start + number * interval
            if due >= start + seconds:
                break
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            client = self.clients[(number * 7919) % len(self.clients)]
            number += 1
            self.counter += 1
            client_id = f"{self.name}-{self.counter}-{time.time_ns() // 1000}"
            await client.send(SENTENCES[self.counter % len(SENTENCES)], client_id)
        elapsed = loop.time() - start
        await asyncio.sleep(2.0)  # deliveries in flight at the end still count
        self.tally.measuring = False
        self.results.send(
            {
                "sent": self.tally.sent,
                "send_seconds": elapsed,
                "acked": self.tally.acked,
                "errors": self.tally.errors,
                "error_texts": self.tally.error_texts,
                "deliveries": self.tally.deliveries,
                "latencies_ms": self.tally.latencies_ms,
                "reconnects": sum(client.reconnects for client in self.clients),
            }
        )

    async def settle(self, seconds: float) -> dict[str, Any]:
        """Until every client is connected and every message it sent is acknowledged."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if all(client.connected and not client.outbox for client in self.clients):
                break
            await asyncio.sleep(0.1)
        return {
            "last": self.last_acked,
            "held": sorted(self.held),
            "unacked": sum(len(client.outbox) for client in self.clients),
            "disconnected": sum(not client.connected for client in self.clients),
            "states": collections.Counter(client.state for client in self.clients),
            "failures": self.failures[-5:],
        }

    async def verify(self, last: dict[str, int], held: list[list[int]]) -> dict[str, Any]:
        """Once every client has seen its room's last number (or time is up): how many
        numbers each one never got, and how many it got more than once."""
        held_numbers = {(room, number) for room, number in held}
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if all(client.seen >= last.get(str(client.room), 0) for client in self.clients):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # a duplicate would arrive now
        lost = duplicated = behind = undelivered = 0
        for client in self.clients:
            top = last.get(str(client.room), 0)
            expected = {n for n in range(1, top + 1) if (client.room, n) not in held_numbers}
            counts = collections.Counter(client.numbers)
            missing = expected - counts.keys()
            # Skipped below the highest number seen: lost. Above it: not delivered yet.
            lost += sum(1 for n in missing if n <= client.seen)
            undelivered += sum(1 for n in missing if n > client.seen)
            duplicated += sum(count - 1 for count in counts.values())
            behind += client.seen < top
        return {
            "lost": lost,
            "duplicated": duplicated,
            "behind": behind,
            "undelivered": undelivered,
        }


def client_process_main(spec: dict[str, Any], commands: Connection, results: Connection) -> None:
    import uvloop

    client_process = ClientProcess(spec, commands, results)
    runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    with runner:
        runner.run(client_process.main())


# --- The orchestrator -------------------------------------------------------------------------


@dataclass
class ModeResult:
    figures: dict[str, Any]
    notes: list[str]


def _run_checked(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


async def _warm_up(ports: list[int], cookie: str, session: str, room: int) -> None:
    """One message through each worker, so screening models are loaded before measuring."""
    import websockets

    for number, port in enumerate(ports):
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/chat/",
            additional_headers={"Cookie": f"{cookie}={session}"},
            origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        ) as ws:
            await ws.send(json.dumps({"type": "subscribe", "conversation": room, "after": 0}))
            await ws.send(
                json.dumps(
                    {
                        "type": "send",
                        "conversation": room,
                        "client_id": f"warm-{number}",
                        "body": SENTENCES[0],
                    }
                )
            )
            while json.loads(await asyncio.wait_for(ws.recv(), 60)).get("type") != "ack":
                pass


def _gather(pipes: list[Connection], timeout: float = 600) -> list[dict[str, Any]]:
    replies = []
    for pipe in pipes:
        if not pipe.poll(timeout):
            raise SystemExit("a client process did not answer")
        replies.append(pipe.recv())
    return replies


def _save_profiles(mode: str, servers: list[Server], into: Path) -> list[str]:
    """Stop the sampled workers (py-spy writes on the way out) and summarise each."""
    saved = []
    into.mkdir(parents=True, exist_ok=True)
    for number, server in enumerate(servers, start=1):
        server.stop()
        if server.profile is not None and server.profile.exists():
            target = into / f"chat-{mode}-worker{number}"
            shutil.copy(server.profile, target.with_suffix(".raw"))
            target.with_suffix(".txt").write_text(summarise_profile(server.profile))
            saved.append(f"profile: {target}.txt (stacks for a flame graph: {target}.raw)")
    return saved


def run_mode(mode: str, args: argparse.Namespace) -> ModeResult:
    notes: list[str] = []
    load_before = os.getloadavg()[0]  # other work on the machine disturbs the figures
    workdir = Path(tempfile.mkdtemp(prefix=f"alongside-bench-chat-{mode}-"))
    redis_process = None
    servers: list[Server] = []
    processes: list[Any] = []
    try:
        data_dir = workdir / "data"
        data_dir.mkdir()
        redis_url = None
        if mode == "redis":
            redis_process, redis_url = start_redis(workdir)
        env = django_env(data_dir, redis_url)
        print(f"[{mode}] preparing {args.clients} members in rooms of {args.room_size} …")
        _run_checked([sys.executable, "-m", "alongside.cli", "manage", "migrate", "-v0"], env)
        made_path = workdir / "site.json"
        _run_checked(
            [sys.executable, str(Path(__file__).resolve()), "_setup", str(made_path),
             str(args.clients), str(args.room_size)],
            django_env(data_dir, None),
        )  # fmt: skip
        made = json.loads(made_path.read_text())
        count = 1 if mode == "embedded" else 2
        for number in range(count):
            log = workdir / f"worker{number + 1}.log"
            profile = workdir / f"profile-{number + 1}.raw"
            py_spy = args.py_spy if args.profile else None
            servers.append(Server(env, log, py_spy, profile).start())
        for server in servers:
            server.wait_ready()
        ports = [server.port for server in servers]
        asyncio.run(_warm_up(ports, made["cookie"], *made["warm_up"]))
        time.sleep(0.5)
        rss_before = sum(rss_kib(server.pid) for server in servers)

        # Clients: worker by index (so each room spans both workers), process by index.
        shares: list[list[Any]] = [[] for _each in range(args.client_processes)]
        for index, (session, room, user_id) in enumerate(made["clients"]):
            own = index % count
            preferred = [ports[own], *(p for p in ports if p != ports[own])]
            shares[(index // count) % args.client_processes].append(
                [session, room, user_id, preferred]
            )
        context = multiprocessing.get_context("spawn")
        commands, results = [], []
        for number, share in enumerate(shares):
            command_read, command_write = context.Pipe(duplex=False)
            result_read, result_write = context.Pipe(duplex=False)
            spec = {
                "name": f"p{number}",
                "cookie": made["cookie"],
                "clients": share,
                "ping_seconds": args.ping,
            }
            process = context.Process(
                target=client_process_main, args=(spec, command_read, result_write), daemon=True
            )
            process.start()
            processes.append(process)
            commands.append(command_write)
            results.append(result_read)

        def tell(message: dict[str, Any]) -> None:
            for pipe in commands:
                pipe.send(message)

        print(f"[{mode}] connecting {args.clients} clients …")
        tell({"cmd": "connect", "concurrency": max(1, 200 // args.client_processes)})
        connected = _gather(results)
        time.sleep(1.0)
        rss_after = sum(rss_kib(server.pid) for server in servers)
        figures: dict[str, Any] = {
            "mode": mode,
            "load_average_before": round(load_before, 2),
            "clients": args.clients,
            "connections_held": sum(reply["connected"] for reply in connected),
            "room_size": args.room_size,
            "connect_seconds": round(max(reply["seconds"] for reply in connected), 2),
            "memory_per_connection_kib": round((rss_after - rss_before) / max(args.clients, 1), 1),
            "server_rss_mib": round(rss_after / 1024, 1),
        }
        for reply in connected:
            notes += reply["failures"]

        print(f"[{mode}] steady load: {args.rate:g} messages/s for {args.duration:g} s …")
        per_process = args.rate / args.client_processes
        cpu_before = sum(cpu_seconds(server.pid) for server in servers)
        client_cpu_before = sum(cpu_seconds(process.pid) for process in processes)
        tell({"cmd": "load", "rate": per_process, "seconds": args.duration, "measure": True})
        steady = _gather(results)
        cpu_used = sum(cpu_seconds(server.pid) for server in servers) - cpu_before
        client_cpu = sum(cpu_seconds(process.pid) for process in processes) - client_cpu_before
        latencies = [value for reply in steady for value in reply["latencies_ms"]]
        seconds = max(reply["send_seconds"] for reply in steady)
        figures.update(
            {
                "offered_per_s": args.rate,
                "sent_per_s": round(sum(reply["sent"] for reply in steady) / seconds, 1),
                "achieved_per_s": round(sum(reply["acked"] for reply in steady) / seconds, 1),
                "deliveries_per_s": round(len(latencies) / seconds, 1),
                "p50_ms": round(percentile(latencies, 0.50), 1),
                "p99_ms": round(percentile(latencies, 0.99), 1),
                "max_ms": round(max(latencies, default=float("nan")), 1),
                "server_cpu_percent": round(100 * cpu_used / seconds, 1),
                "client_cpu_percent": round(100 * client_cpu / seconds, 1),
                "errors": sum(reply["errors"] for reply in steady),
            }
        )
        for reply in steady:
            notes += [f"error: {text}" for text in reply["error_texts"]]
        if args.profile:
            tell({"cmd": "close"})
            _gather(results)
            notes += _save_profiles(mode, servers, Path(args.profile))
            return ModeResult(figures=figures, notes=notes)

        print(f"[{mode}] disruption: drops, then a worker killed, under the same load …")
        tell({"cmd": "load", "rate": per_process, "seconds": args.disruption, "measure": False})
        time.sleep(args.disruption * 0.2)
        tell({"cmd": "drop", "fraction": 0.1})
        time.sleep(args.disruption * 0.2)
        victim = servers[-1]
        victim.kill()
        if mode == "embedded":
            victim.start().wait_ready()
        disrupted = _gather(results)
        tell({"cmd": "settle", "seconds": 120})
        settled = _gather(results)
        last: dict[str, int] = {}
        held: list[list[int]] = []
        for reply in settled:
            for room, number in reply["last"].items():
                last[str(room)] = max(last.get(str(room), 0), number)
            held += reply["held"]
            notes += [f"after the disruption: {text}" for text in reply["failures"]]
            if reply["disconnected"]:
                notes.append(f"clients after the disruption: {dict(reply['states'])}")
        tell({"cmd": "verify", "last": last, "held": held})
        verified = _gather(results)
        tell({"cmd": "close"})
        _gather(results)
        figures.update(
            {
                "disruption_reconnects": sum(reply["reconnects"] for reply in disrupted),
                "disruption_sent": sum(reply["sent"] for reply in disrupted),
                "unacked": sum(reply["unacked"] for reply in settled),
                "disconnected": sum(reply["disconnected"] for reply in settled),
                "held_messages": len(held),
                "lost": sum(reply["lost"] for reply in verified),
                "duplicated": sum(reply["duplicated"] for reply in verified),
                "clients_behind": sum(reply["behind"] for reply in verified),
                "undelivered_after_wait": sum(reply["undelivered"] for reply in verified),
            }
        )
        return ModeResult(figures=figures, notes=notes)
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        for server in servers:
            server.stop()
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


COLUMNS: list[tuple[str, str, Callable[[Any], str]]] = [
    ("mode", "mode", str),
    ("connections_held", "held", str),
    ("memory_per_connection_kib", "KiB/conn", str),
    ("offered_per_s", "offered/s", lambda v: f"{v:g}"),
    ("achieved_per_s", "achieved/s", str),
    ("deliveries_per_s", "delivered/s", str),
    ("p50_ms", "p50 ms", str),
    ("p99_ms", "p99 ms", str),
    ("max_ms", "max ms", str),
    ("server_cpu_percent", "server CPU %", str),
    ("client_cpu_percent", "client CPU %", str),
    ("errors", "errors", str),
    ("disruption_reconnects", "reconnects", str),
    ("lost", "lost", str),
    ("duplicated", "duplicated", str),
    ("undelivered_after_wait", "undelivered", str),
]


def print_table(results: list[ModeResult]) -> None:
    rows = [
        [
            render(result.figures[key]) if key in result.figures else "-"
            for key, _t, render in COLUMNS
        ]
        for result in results
    ]
    titles = [title for _key, title, _render in COLUMNS]
    widths = [max(len(title), *(len(row[i]) for row in rows)) for i, title in enumerate(titles)]
    print()
    print("  ".join(title.rjust(width) for title, width in zip(titles, widths, strict=True)))
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    for result in results:
        for note in result.notes:
            print(f"  [{result.figures['mode']}] {note}")
    print()
    for result in results:
        print(json.dumps({"bench": "chat", **result.figures}))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_setup"]:
        set_up_site(Path(argv[1]), int(argv[2]), int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["embedded", "redis", "both"], default="both")
    parser.add_argument("--clients", type=int, default=1000, help="concurrent connections")
    parser.add_argument("--room-size", type=int, default=20, help="clients per room")
    parser.add_argument("--rate", type=float, default=200, help="messages offered per second")
    parser.add_argument("--duration", type=float, default=20, help="seconds of steady load")
    parser.add_argument("--disruption", type=float, default=10, help="seconds of disruption")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--ping", type=float, default=30, help="seconds between a client's pings (0: none)"
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="run the workers under py-spy (steady load only) and summarise into DIR",
    )
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="py-spy to profile with")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    per_client = args.rate / max(args.clients, 1)
    if per_client * 10 > 30:
        print("note: above 3 messages/s per client the server's rate limit refuses sends")
    if args.profile and not args.py_spy:
        parser.error("--profile needs py-spy (pip install py-spy, or give --py-spy PATH)")
    modes = ["embedded", "redis"] if args.mode == "both" else [args.mode]
    results = [run_mode(mode, args) for mode in modes]
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
