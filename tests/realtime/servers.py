"""The processes the live-delivery tests start: uvicorn workers over a prepared data folder.

A ``Site`` is a data folder prepared in subprocesses (``alongside manage migrate`` and
``setup_site.py``); ``Worker`` is one ``uvicorn alongside.asgi:application`` process over it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 30


@dataclass(frozen=True)
class Site:
    """A prepared data folder: its room, and a signed-in session for each handle."""

    data_dir: Path
    room: int
    cookie: str
    sessions: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def django_env(data_dir: Path, redis_url: str | None = None) -> dict[str, str]:
    """The environment of a set-up script or worker: this data folder, SQLite, and Redis
    only when given (whatever the environment running the tests says)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "ALONGSIDE_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "alongside.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run_checked(command: list[str], env: dict[str, str]) -> str:
    """Run a set-up command to the end; fail the test with its output if it fails."""
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Worker:
    """One ``uvicorn alongside.asgi:application`` process; ``kill`` is SIGKILL, no goodbye.

    ``start`` again after ``kill`` is a restart on the same port.
    """

    def __init__(self, *, env: dict[str, str], port: int, log: Path) -> None:
        self.env = env
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "alongside.asgi:application",
                 "--host", "127.0.0.1", "--port", str(self.port),
                 "--lifespan", "off", "--log-level", "warning"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return self

    def wait_ready(self) -> None:
        """Until the port accepts connections (uvicorn binds only once the app is loaded)."""
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"worker on port {self.port} exited:\n{self.log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"worker on port {self.port} did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            # A consumer torn down while channels_redis waits on Redis for it can hold the
            # graceful shutdown for its 5-second poll; nothing here needs to wait for that.
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()


class Workers:
    """Starts workers for one test and stops every one of them afterwards."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[Worker] = []

    def start(self, site: Site, *, redis_url: str | None = None, count: int = 1) -> list[Worker]:
        """``count`` workers over the site's folder, started side by side; once all listen."""
        env = django_env(site.data_dir, redis_url)
        batch = []
        for _each in range(count):
            number = len(self.started) + 1
            worker = Worker(env=env, port=free_port(), log=self.directory / f"worker{number}.log")
            self.started.append(worker.start())
            batch.append(worker)
        for worker in batch:
            worker.wait_ready()
        return batch

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()
