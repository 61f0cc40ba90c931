"""Forum throughput and latency under a production-like server.

Runs Alongside with DEBUG off under granian with 2 worker processes (WSGI by default; ASGI
with ``--server asgi``; gunicorn's WSGI workers with ``--server gunicorn``), fills a fresh
SQLite database (or ``DATABASE_URL``) with a scaled-up forum, and drives it with wrk from the
same machine. Prints requests/s and p50/p99 latency for:

- the group's thread list (signed in),
- a thread page with 10 replies (signed in),
- posting a reply (signed in, with a real CSRF token).

Each endpoint is measured at each concurrency in ``--connections`` (default 4, 8 and 16
connections); 4 is the moderate load at which the p99 target applies.

Usage: ``.venv/bin/python bench/forum.py [--posts 100000] [--server wsgi|asgi|gunicorn]``.
Needs ``wrk`` (Debian package ``wrk``).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BENCH_PASSWORD = "bench-passphrase-2026"  # noqa: S105
GROUP_SLUG = "bench-group"


@dataclass
class Result:
    name: str
    connections: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def django_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "ALONGSIDE_DATA_DIR": str(data_dir),
            "ALONGSIDE_DEBUG": "0",
            "ALONGSIDE_LOGIN_LIMIT": "0",
            "DJANGO_SETTINGS_MODULE": "alongside.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


SETUP_SCRIPT = textwrap.dedent(
    """
    import sys, django
    django.setup()
    from alongside.cli import migrate_if_needed
    migrate_if_needed()
    from django.contrib.auth.models import Group as RoleGroup
    from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
    from alongside.communities.models import Group, Membership, Thread
    from alongside.core.demo import create_bulk_forum

    threads, replies = int(sys.argv[1]), int(sys.argv[2])
    user = User.objects.create_user("bench_reader", sys.argv[3])
    user.groups.add(RoleGroup.objects.get(name="member"))
    PolicyAcceptance.objects.bulk_create(
        PolicyAcceptance(user=user, document=d) for d in PolicyDocument.objects.all()
    )
    group = Group.objects.create(slug=sys.argv[4], name="Bench group", description="Benchmark")
    Membership.objects.create(group=group, user=user)
    create_bulk_forum(group_slug=group.slug, threads=threads, replies_per_thread=replies)
    # As a database that has run a while: statistics gathered, the write-ahead log folded in.
    from django.db import connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # One thread to read, another to post into, so the page read stays at 10 replies.
    read, write = Thread.objects.filter(group=group, reply_count=10).order_by("-id")[:2]
    print("THREAD", read.id, write.id)
    """
)


def prepare_database(data_dir: Path, posts: int) -> tuple[int, int]:
    """Fill the database; returns the ids of two threads with exactly 10 replies."""
    replies = 10
    threads = max(200, posts // (replies + 1))
    started = time.perf_counter()
    output = subprocess.run(
        [
            sys.executable,
            "-c",
            SETUP_SCRIPT,
            str(threads),
            str(replies),
            BENCH_PASSWORD,
            GROUP_SLUG,
        ],
        env=django_env(data_dir),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"THREAD (\d+) (\d+)", output)
    assert match, output
    print(
        f"data: {threads} threads x {replies} replies = {threads * (replies + 1)} posts "
        f"(created in {time.perf_counter() - started:.1f} s)"
    )
    return int(match.group(1)), int(match.group(2))


def server_command(server: str, port: int, workers: int) -> list[str]:
    """The production server line for ``server``: granian (WSGI or ASGI) or gunicorn (WSGI)."""
    if server == "gunicorn":
        return [
            str(VENV_BIN / "gunicorn"),
            "alongside.wsgi:application",
            *("--workers", str(workers), "--bind", f"127.0.0.1:{port}"),
            *("--log-level", "warning"),
        ]
    interface, app = {
        "wsgi": ("wsgi", "alongside.wsgi:application"),
        "asgi": ("asgi", "alongside.asgi:application"),
    }[server]
    return [
        str(VENV_BIN / "granian"),
        *("--interface", interface, "--workers", str(workers), "--blocking-threads", "1"),
        *("--host", "127.0.0.1", "--port", str(port), "--no-ws", "--log-level", "warning"),
        app,
    ]


def start_server(data_dir: Path, port: int, server: str, workers: int) -> subprocess.Popen[bytes]:
    command = server_command(server, port, workers)
    process = subprocess.Popen(command, env=django_env(data_dir), cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("server did not start")


def sign_in(base: str) -> tuple[str, str]:
    """Log in through the real form; returns (session id, CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    data = urllib.parse.urlencode(
        {
            "username": "bench_reader",
            "password": BENCH_PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
        }
    ).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=data))
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "login failed"
    return cookies["sessionid"] or "", cookies["csrftoken"] or ""


def lua_script(directory: Path, cookie: str, csrf: str | None) -> Path:
    script = directory / ("post.lua" if csrf else "get.lua")
    lines = [f'wrk.headers["Cookie"] = "{cookie}"']
    if csrf:
        lines += [
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
            "counter = 0",
            "request = function()",
            "  counter = counter + 1",
            f'  local body = "csrfmiddlewaretoken={csrf}&body=Thank+you+for+sharing+this.+'
            'Reply+number+" .. counter .. "+" .. math.random(1000000)',
            "  return wrk.format(nil, nil, nil, body)",
            "end",
        ]
    lines += [
        "done = function(summary, latency, requests)",
        '  io.write(string.format("RESULT %f %f %f %d %d\\n", summary.requests / '
        "(summary.duration / 1e6), latency:percentile(50) / 1000, "
        "latency:percentile(99) / 1000, summary.errors.status, "
        "summary.errors.connect + summary.errors.read + summary.errors.write + "
        "summary.errors.timeout))",
        "end",
    ]
    script.write_text("\n".join(lines) + "\n")
    return script


def run_wrk(name: str, url: str, script: Path, connections: int, seconds: int) -> Result:
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"RESULT (\S+) (\S+) (\S+) (\d+) (\d+)", output)
    assert match, output
    rps, p50, p99, status_errors, socket_errors = match.groups()
    errors = ""
    if int(status_errors) or int(socket_errors):
        errors = f"{status_errors} non-2xx/3xx, {socket_errors} socket errors"
    return Result(name, connections, float(rps), float(p50), float(p99), errors)


def check_page(url: str, cookie: str, must_contain: str) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        body = response.read().decode()
    assert must_contain in body, f"{url} did not look right"


def run(
    posts: int, server: str, connections: list[int], seconds: int, workers: int
) -> list[Result]:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="alongside-bench-") as tmp:
        data_dir = Path(tmp)
        thread_id, reply_thread_id = prepare_database(data_dir, posts)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_server(data_dir, port, server, workers)
        try:
            session, csrf = sign_in(base)
            cookie = f"sessionid={session}; csrftoken={csrf}"
            list_url = f"{base}/groups/{GROUP_SLUG}/"
            thread_url = f"{base}/groups/{GROUP_SLUG}/t/{thread_id}/"
            check_page(list_url, cookie, "Bench group")
            check_page(thread_url, cookie, "post-")
            get_script = lua_script(data_dir, cookie, None)
            post_script = lua_script(data_dir, cookie, csrf)
            reply_url = f"{base}/groups/{GROUP_SLUG}/t/{reply_thread_id}/reply/"
            for load in connections:
                results.append(run_wrk("thread list", list_url, get_script, load, seconds))
                results.append(run_wrk("thread page", thread_url, get_script, load, seconds))
                results.append(run_wrk("post reply", reply_url, post_script, load, seconds))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2200, help="posts in the database")
    parser.add_argument("--server", choices=["wsgi", "asgi", "gunicorn"], default="wsgi")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--connections",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[4, 8, 16],
        help="comma-separated concurrencies, e.g. 4,8,16",
    )
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    print(f"server: {' '.join(server_command(args.server, 0, args.workers)[1:])}, DEBUG off")
    results = run(args.posts, args.server, args.connections, args.seconds, args.workers)
    print(f"\n{'endpoint':<14}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}  errors")
    for result in results:
        print(
            f"{result.name:<14}{result.connections:>6}{result.requests_per_second:>10.0f}"
            f"{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}  {result.errors}"
        )


if __name__ == "__main__":
    main()
