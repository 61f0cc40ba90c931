"""The README's run command, started as a new user would, serves the home page."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """The set-up commands in the README's Quick start: each fenced line on its own."""
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", quick_start, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_readme_has_exactly_two_setup_commands() -> None:
    assert readme_commands() == ["scripts/run", "scripts/test"]


@pytest.mark.slow
def test_run_command_serves_the_home_page_with_demo_logins(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ALONGSIDE_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [str(ROOT / readme_commands()[0]), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert "Get help now" in body
        assert "Alongside" in body
    finally:
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert "http://127.0.0.1:" in output
    assert "together-demo" in output or "password" in output.lower()
