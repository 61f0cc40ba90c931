"""``alongside score``: the same engine from the command line, JSON out, status 2 on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alongside.cli import main
from alongside.measures.engine import clear_cache

EXTRA = Path(__file__).parent / "fixtures" / "extra"


@pytest.fixture(autouse=True)
def _fresh_definitions(settings):
    settings.MEASURES_EXTRA_DIR = ""
    clear_cache()
    yield
    clear_cache()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["score", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_scores_the_phq9_worked_example(capsys):
    status, out, err = run(capsys, "phq9", "1", "2", "1", "0", "3", "1", "2", "1", "0")
    assert status == 0
    assert err == ""
    assert json.loads(out) == {
        "measure": "phq9",
        "total": 11,
        "band": "moderate",
        "valid": True,
        "flags": ["caseness"],
    }


def test_item9_flag_is_printed(capsys):
    status, out, _ = run(capsys, "PHQ-9", "0", "0", "0", "0", "0", "0", "0", "0", "1")
    assert status == 0
    assert json.loads(out) == {
        "measure": "phq9",
        "total": 1,
        "band": "minimal",
        "valid": True,
        "flags": ["risk:phq9_9"],
    }


def test_dash_is_an_unanswered_item_and_prorates(capsys):
    status, out, _ = run(capsys, "gad7", "1", "1", "1", "0", "0", "0", "-")
    assert status == 0
    assert json.loads(out) == {
        "measure": "gad7",
        "total": 4,
        "band": "minimal",
        "valid": True,
        "flags": ["prorated"],
    }


def test_too_many_unanswered_prints_invalid_with_the_reason(capsys):
    status, out, _ = run(capsys, "phq9", "-", "-", "-", "1", "1", "1", "1", "1", "0")
    assert status == 0
    assert json.loads(out) == {
        "measure": "phq9",
        "total": None,
        "band": "",
        "valid": False,
        "flags": [],
        "reason": "3 of 9 items are unanswered; the PHQ-9 scoring rules allow at most 2",
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["phq9", "1", "2"], "alongside score: PHQ-9 has 9 items but 2 answers were given\n"),
        (
            ["phq2", "1", "4"],
            "alongside score: PHQ-2 item 2 (phq2_2): 4 is out of range; "
            "the answers are 0, 1, 2, 3\n",
        ),
        (["gad2", "-1", "0"], "alongside score: GAD-2 item 1 (gad2_1): -1 is out of range"),
        (
            ["phq2", "1", "two"],
            "alongside score: answer 2 is 'two'; "
            "write a whole number, or - for an unanswered item\n",
        ),
        (["phq2", "1", "1.5"], "alongside score: answer 2 is '1.5'"),
        (["beck", "1"], "alongside score: no measure called 'beck'; the measures are: phq9"),
        ([], "alongside score: name a measure"),
    ],
)
def test_bad_input_is_a_message_on_stderr_and_status_2(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith(message)


def test_list_shows_every_measure(capsys):
    status, out, _ = run(capsys, "--list")
    assert status == 0
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [
        "phq9",
        "phq8",
        "phq2",
        "gad7",
        "gad2",
        "ucla3",
        "qpr15",
    ]
    assert lines[0].split("\t")[1:3] == ["PHQ-9", "9 items"]


def test_extra_measure_prints_the_converted_total_and_the_raw_one(capsys, settings):
    settings.MEASURES_EXTRA_DIR = str(EXTRA)
    status, out, _ = run(capsys, "bws5", "3", "3", "3", "2", "2")
    assert status == 0
    assert json.loads(out) == {
        "measure": "bws5",
        "total": 13.67,
        "band": "average",
        "valid": True,
        "flags": [],
        "raw_total": 13,
    }


def test_a_broken_organisation_file_is_reported_not_raised(capsys, settings, tmp_path):
    (tmp_path / "ours.json").write_text("{}", encoding="utf-8")
    settings.MEASURES_EXTRA_DIR = str(tmp_path)
    status, _, err = run(capsys, "phq2", "0", "0")
    assert status == 2
    assert err.startswith("alongside score: ours.json: key: is required")


@pytest.mark.slow
def test_the_installed_command_runs_without_a_database(tmp_path):
    env = {**os.environ, "ALONGSIDE_MEASURES_DIR": ""}
    done = subprocess.run(
        [sys.executable, "-m", "alongside.cli", "score", "gad7", "3", "3", "3", "3", "3", "3", "3"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "measure": "gad7",
        "total": 21,
        "band": "severe",
        "valid": True,
        "flags": ["caseness"],
    }
    bad = subprocess.run(
        [sys.executable, "-m", "alongside.cli", "score", "gad7", "9"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "GAD-7 has 7 items but 1 answer was given" in bad.stderr
