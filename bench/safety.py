"""Safety screening quality, latency and memory on the labelled development set.

Prints:

- per-category tier/flag agreement and alert precision/recall,
- per-flag precision and recall,
- urgent and crisis recall, and false-alert rates on ordinary posts, supporter replies and
  diagnosis disclosures,
- the crisis-model operating points: urgent recall at precision >= 0.8 if the model were allowed
  to declare ``urgent`` above a threshold, and crisis recall vs ordinary false alerts for the
  ``review`` threshold,
- latency per message (p50/p95/p99) on one core after a warm-up,
- resident memory added by loading the models.

Usage: ``.venv/bin/python bench/safety.py [--devset tests/safety/devset.jsonl] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from alongside.safety.screening import THRESHOLDS, screen  # noqa: E402
from alongside.safety.screening.evaluation import (  # noqa: E402
    ORDINARY_CATEGORIES,
    DevItem,
    Rate,
    Report,
    evaluate,
    load_devset,
)
from alongside.safety.screening.models import model_scores, models_version  # noqa: E402


def rss_kib() -> int:
    """Resident set size of this process, from /proc where available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
        return "pinned to core 0"
    return "not pinned (no sched_setaffinity)"


def fmt(rate: Rate) -> str:
    return f"{rate.value:6.3f}  ({rate.hits}/{rate.total})"


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def quality(report: Report) -> None:
    rows = [
        [name, str(n), f"{tier:.3f}", f"{flags:.3f}", f"{precision:.3f}", f"{recall:.3f}"]
        for name, n, tier, flags, precision, recall in report.categories()
    ]
    print_table(
        "Per category (alert = tier above none or any flag)",
        ["category", "n", "tier match", "flags match", "alert P", "alert R"],
        rows,
    )
    flag_rows = [
        [flag, fmt(report.flag_precision[flag]), fmt(report.flag_recall[flag])]
        for flag in report.flag_precision
    ]
    print_table("Per flag", ["flag", "precision", "recall"], flag_rows)
    print_table(
        "Headline targets",
        ["measure", "value", "target"],
        [
            ["urgent recall", fmt(report.urgent_recall), ">= 0.95"],
            ["urgent precision", fmt(report.urgent_precision), ""],
            ["crisis recall (urgent or review)", fmt(report.crisis_recall), ">= 0.95"],
            ["false alerts, ordinary posts", fmt(report.ordinary_false_alerts), "<= 0.05"],
            ["false alerts, supporter replies", fmt(report.supporter_false_alerts), "<= 0.05"],
            ["false alerts, disclosures", fmt(report.disclosure_false_alerts), ""],
        ],
    )


def model_operating_points(report: Report) -> None:
    """Sweep the crisis probability to show what the model would add on its own."""
    english = [o for o in report.outcomes if o.item.lang == "en"]
    probabilities = {o.item.id: model_scores(o.item.text).get("crisis") for o in english}
    if not any(probabilities.values()):
        print("\nCrisis model: not loaded (rules only); no operating points to report.")
        return
    rows = []
    best: tuple[float, float, float] | None = None
    for step in range(50, 100, 5):
        threshold = step / 100
        urgent_hits = urgent_total = urgent_predicted = 0
        for o in english:
            view = probabilities[o.item.id]
            p = view.probability if view else 0.0
            predicted = o.result.tier == "urgent" or p >= threshold
            urgent_total += o.item.tier == "urgent"
            urgent_predicted += predicted
            urgent_hits += predicted and o.item.tier == "urgent"
        recall = urgent_hits / urgent_total if urgent_total else 0.0
        precision = urgent_hits / urgent_predicted if urgent_predicted else 0.0
        ordinary = [o for o in english if o.item.category in ORDINARY_CATEGORIES]
        crisis = [o for o in english if o.item.tier != "none"]

        def flagged(o: object, t: float = threshold) -> bool:
            view = probabilities[o.item.id]  # type: ignore[attr-defined]
            return bool(view and view.probability >= t)

        model_recall = sum(flagged(o) for o in crisis) / len(crisis) if crisis else 0.0
        model_fa = sum(flagged(o) for o in ordinary) / len(ordinary) if ordinary else 0.0
        rows.append(
            [
                f"{threshold:.2f}",
                f"{recall:.3f}",
                f"{precision:.3f}",
                f"{model_recall:.3f}",
                f"{model_fa:.3f}",
            ]
        )
        if precision >= 0.8 and (best is None or recall > best[1]):
            best = (threshold, recall, precision)
    print_table(
        "Crisis model sweep (English items): urgent = rules OR p >= t; model alone vs ordinary",
        ["t", "urgent R", "urgent P", "model crisis R", "model FA ordinary"],
        rows,
    )
    if best:
        print(
            f"urgent recall at precision >= 0.8: {best[1]:.3f} (t = {best[0]:.2f}, "
            f"precision {best[2]:.3f})"
        )
    print(
        f"in use: crisis review threshold {THRESHOLDS['crisis_review_member']:.2f} (members), "
        f"{THRESHOLDS['crisis_review_supporter']:.2f} (supporters); urgent from rules, or p >= "
        f"{THRESHOLDS['crisis_urgent_member']:.2f} with a plan cue (members)"
    )


def latency(items: list[DevItem], repeat: int) -> None:
    pinning = pin_to_one_core()
    for item in items[:50]:  # warm-up: regex caches, model pages, language model
        screen(item.text, role=item.role, context=item.context)  # type: ignore[arg-type]
    timings: list[float] = []
    for _ in range(repeat):
        for item in items:
            start = time.perf_counter()
            screen(item.text, role=item.role, context=item.context)  # type: ignore[arg-type]
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p / 100 * len(timings)))]

    print_table(
        f"Latency per message ({len(timings)} calls, {pinning})",
        ["p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms"],
        [
            [
                f"{pct(50):.2f}",
                f"{pct(95):.2f}",
                f"{pct(99):.2f}",
                f"{statistics.fmean(timings):.2f}",
                f"{timings[-1]:.2f}",
            ]
        ],
    )


def measure_model_memory() -> tuple[int, int, str]:
    before = rss_kib()
    version = models_version()  # loads the models
    after = rss_kib()
    return before, after, version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=ROOT / "tests/safety/devset.jsonl")
    parser.add_argument("--repeat", type=int, default=3, help="latency passes over the set")
    args = parser.parse_args(argv)

    before, after, version = measure_model_memory()
    items = load_devset(args.devset)
    timed: Callable[..., object] = screen
    start = time.perf_counter()
    report = evaluate(items, timed)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    print(f"Alongside safety screening — models {version}, {len(items)} dev-set items")
    print(f"first pass over the set: {elapsed:.2f} s")
    quality(report)
    model_operating_points(report)
    latency(items, args.repeat)
    print_table(
        "Memory",
        ["RSS before models", "RSS after models", "added by models"],
        [
            [
                f"{before / 1024:.1f} MiB",
                f"{after / 1024:.1f} MiB",
                f"{(after - before) / 1024:.1f} MiB",
            ]
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
