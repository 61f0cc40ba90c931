"""``alongside screen`` end to end: JSON lines in, JSON lines out, bad lines reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CLI = Path(sys.executable).with_name("alongside")


def _run(stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    command = (
        [str(CLI), "screen"] if CLI.exists() else [sys.executable, "-m", "alongside.cli", "screen"]
    )
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_screens_each_line_and_reports_bad_ones() -> None:
    lines = [
        json.dumps(
            {"text": "I've written my goodbye letters. Tonight's the night.", "role": "member"}
        ),
        "this is not json",
        json.dumps({"text": "Are you thinking about suicide?", "role": "supporter"}),
        json.dumps({"role": "member"}),
        json.dumps({"text": "hi", "role": "moderator"}),
        "",
        json.dumps(
            {
                "text": "same post again",
                "context": {
                    "account_age_days": 0.5,
                    "recent_texts": ["same post again", "same post again"],
                    "posts_last_10_minutes": 9,
                },
            }
        ),
    ]
    done = _run("\n".join(lines) + "\n")
    assert done.returncode == 1
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 6  # the blank line is skipped
    assert out[0]["tier"] == "urgent"
    assert {"tier", "flags", "reasons", "scores"} <= set(out[0])
    assert "line 2" in out[1]["error"]
    assert out[2]["tier"] == "none"
    assert "line 4" in out[3]["error"] and "text" in out[3]["error"]
    assert "line 5" in out[4]["error"] and "role" in out[4]["error"]
    assert out[5]["flags"] == ["spam"]


def test_all_good_lines_exit_zero() -> None:
    done = _run(json.dumps({"text": "had a good day"}) + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tier"] == "none"


def test_cli_does_not_need_django() -> None:
    code = (
        "import sys, io; from alongside import cli; "
        'cli.run_screen(io.StringIO(\'{"text": "hello"}\\n\'), sys.stdout); '
        "print('django' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
