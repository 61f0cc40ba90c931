"""Live delivery across real processes: a real redis-server, uvicorn workers, a file database.

Everything runs as in production, each part in its own process: ``redis-server`` (fresh,
nothing saved to disk) on a free port; the database prepared by ``alongside manage migrate``
and a small set-up script (``setup_site.py``) in a temporary data folder; and ``uvicorn
alongside.asgi:application`` workers sharing that folder, and ``REDIS_URL`` when there are
several (``servers.py``). The tests reach the workers only through real WebSockets, signed in
with the session cookie the set-up script made, so this process never opens the database.

Each xdist worker has its own redis-server, ports and folders; each test its own copy of the
prepared data folder and an emptied Redis.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from tests.realtime.servers import Site, Workers, django_env, free_port, run_checked

SETUP_SCRIPT = Path(__file__).with_name("setup_site.py")
HANDLES = ["ash", "birch", "cedar", "dune"]


def _redis_binary() -> str:
    found = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin")
    if found is not None:
        return found
    if os.environ.get("CI"):
        pytest.fail("redis-server is missing: scripts/test installs Debian's redis-server")
    pytest.skip("redis-server is not installed (scripts/test installs it; under CI this fails)")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this test worker's own, keeping nothing on disk; yields its URL."""
    binary = _redis_binary()
    directory = tmp_path_factory.mktemp("redis")
    log = directory / "redis.log"
    for _attempt in range(5):
        port = free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory), "--logfile", str(log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 10
        up = False
        while not up and process.poll() is None and time.monotonic() < deadline:
            try:
                up = bool(client.ping())
            except redis.ConnectionError:
                time.sleep(0.02)
        client.close()
        if not up:  # the port was taken in between, or it did not start: try another
            process.kill()
            process.wait()
            continue
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    pytest.fail(f"redis-server did not start:\n{log.read_text() if log.exists() else ''}")


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """This worker's redis-server, emptied: no channel-layer groups or cache from before."""
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server


@pytest.fixture(scope="session")
def site_template(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Migrated once per test worker, with members, a room and sessions (in subprocesses)."""
    data_dir = tmp_path_factory.mktemp("site-template")
    env = django_env(data_dir)
    run_checked([sys.executable, "-m", "alongside.cli", "manage", "migrate", "-v0"], env)
    output = run_checked([sys.executable, str(SETUP_SCRIPT), *HANDLES], env)
    made = json.loads(output.splitlines()[-1])
    return Site(
        data_dir=data_dir, room=made["room"], cookie=made["cookie"], sessions=made["sessions"]
    )


@pytest.fixture
def site(site_template: Site, tmp_path: Path) -> Site:
    """This test's own copy of the prepared folder (without the cache folder)."""
    data_dir = tmp_path / "data"
    shutil.copytree(site_template.data_dir, data_dir, ignore=shutil.ignore_patterns("cache"))
    return replace(site_template, data_dir=data_dir)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    """Start workers with ``workers.start(site, redis_url=…, count=…)``; all stop afterwards."""
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
