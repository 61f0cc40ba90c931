"""The screening engine against the labelled development set (tests/safety/devset.jsonl).

Each target is its own test so a regression says which promise broke; failures list the item
ids, which are stable (see DEVSET.md). The engine is pure, so no database is involved.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alongside.safety.screening import FLAGS, screen
from alongside.safety.screening.evaluation import Rate, Report, evaluate, load_devset

DEVSET = Path(__file__).with_name("devset.jsonl")

URGENT_RECALL = 0.95
CRISIS_RECALL = 0.95
MAX_FALSE_ALERTS = 0.05
MIN_FLAG_PRECISION = 0.8
MIN_FLAG_RECALL = 0.8


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(load_devset(DEVSET), screen)


def _detail(rate: Rate) -> str:
    return f"{rate.hits}/{rate.total} = {rate.value:.3f}; items: {', '.join(rate.misses)}"


def test_devset_is_large_enough(report: Report) -> None:
    assert len(report.outcomes) >= 400


def test_urgent_recall(report: Report) -> None:
    rate = report.urgent_recall
    assert rate.value >= URGENT_RECALL, f"urgent recall {_detail(rate)}"


def test_crisis_recall(report: Report) -> None:
    rate = report.crisis_recall
    assert rate.value >= CRISIS_RECALL, f"crisis recall {_detail(rate)}"


def test_false_alerts_on_ordinary_posts(report: Report) -> None:
    rate = report.ordinary_false_alerts
    assert rate.value <= MAX_FALSE_ALERTS, f"false alerts on ordinary posts {_detail(rate)}"


def test_false_alerts_on_supporter_replies(report: Report) -> None:
    rate = report.supporter_false_alerts
    assert rate.value <= MAX_FALSE_ALERTS, f"false alerts on supporter replies {_detail(rate)}"


@pytest.mark.parametrize("flag", FLAGS)
def test_flag_precision(report: Report, flag: str) -> None:
    rate = report.flag_precision[flag]
    assert rate.value >= MIN_FLAG_PRECISION, f"{flag} precision: wrongly flagged {_detail(rate)}"


@pytest.mark.parametrize("flag", FLAGS)
def test_flag_recall(report: Report, flag: str) -> None:
    rate = report.flag_recall[flag]
    assert rate.value >= MIN_FLAG_RECALL, f"{flag} recall: missed {_detail(rate)}"
