"""Meta-analysis engine speed on simulated data.

Prints, for each case, the median and fastest wall time over ``--repeat`` runs after one
warm-up, the target (under one second) and whether the median meets it:

- REML random-effects pooling of 10,000 effect sizes (``rma``: τ² by Fisher scoring, its
  Q-profile confidence interval, I², H², the prediction interval),
- a three-level model (``rma_multilevel``, REML) of 2,000 effect sizes in 200 clusters.

The data are simulated with a fixed seed from the models themselves (true effect 0.3,
τ² = 0.04; σ² = 0.05 between and 0.02 within clusters; sampling variances of studies with 20
to 200 people per arm), and the estimates are printed beside the true values as a sanity check.

Usage: ``.venv/bin/python bench/meta.py [--repeat 7] [--k 10000] [--clusters 200]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from alongside.evaluation.stats.multilevel import rma_multilevel  # noqa: E402
from alongside.evaluation.stats.rma import rma  # noqa: E402

TARGET_S = 1.0
SEED = 20_261_121
T = TypeVar("T")


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
        return "pinned to core 0"
    return "not pinned (no sched_setaffinity)"


def sampling_variances(rng: np.random.Generator, k: int) -> NDArray[np.float64]:
    """Variances of a standardised mean difference near 0.3 for arms of 20 to 200 people."""
    n = rng.integers(20, 201, size=k).astype(float)
    return 2.0 / n + 0.3**2 / (4.0 * n)


def random_effects_data(k: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rng = np.random.default_rng(SEED)
    vi = sampling_variances(rng, k)
    yi = 0.3 + rng.normal(0.0, np.sqrt(0.04), k) + rng.normal(0.0, np.sqrt(vi))
    return yi, vi


def three_level_data(
    k: int, clusters: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    rng = np.random.default_rng(SEED + 1)
    cluster = np.sort(rng.integers(0, clusters, size=k))
    vi = sampling_variances(rng, k)
    between = rng.normal(0.0, np.sqrt(0.05), clusters)[cluster]
    within = rng.normal(0.0, np.sqrt(0.02), k)
    yi = 0.3 + between + within + rng.normal(0.0, np.sqrt(vi))
    return yi, vi, cluster


def timed(run: Callable[[], T], repeat: int) -> tuple[T, list[float]]:
    """One warm-up call, then ``repeat`` timed calls; the last result and the times (s)."""
    result = run()
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return result, times


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def timing_row(case: str, times: list[float]) -> list[str]:
    median = statistics.median(times)
    return [
        case,
        f"{median * 1000:.0f} ms",
        f"{min(times) * 1000:.0f} ms",
        f"< {TARGET_S:g} s",
        "met" if median < TARGET_S else "NOT MET",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per case")
    parser.add_argument("--k", type=int, default=10_000, help="effect sizes to pool")
    parser.add_argument("--k3", type=int, default=2_000, help="effect sizes, three-level")
    parser.add_argument("--clusters", type=int, default=200, help="clusters, three-level")
    args = parser.parse_args(argv)

    pinning = pin_to_one_core()
    print(f"Alongside meta-analysis engine — numpy {np.__version__}, {pinning}")

    yi, vi = random_effects_data(args.k)
    pooled, pooled_times = timed(lambda: rma(yi, vi, method="REML"), args.repeat)
    y3, v3, cluster = three_level_data(args.k3, args.clusters)
    three, three_times = timed(lambda: rma_multilevel(y3, v3, cluster, method="REML"), args.repeat)

    print_table(
        f"Wall time ({args.repeat} runs after a warm-up)",
        ["case", "median", "fastest", "target", "result"],
        [
            timing_row(f"REML pooling, k = {args.k:,}", pooled_times),
            timing_row(
                f"three-level REML, k = {args.k3:,} in {args.clusters} clusters", three_times
            ),
        ],
    )
    tau2_ci = pooled.tau2_ci or (float("nan"), float("nan"))
    print_table(
        "Estimates (sanity check against the simulated truth)",
        ["case", "estimate", "truth", "variance components", "truth", "converged"],
        [
            [
                "REML pooling",
                f"{pooled.estimate:.4f}",
                "0.3",
                f"tau2 {pooled.tau2:.4f} (95% CI {tau2_ci[0]:.4f} to {tau2_ci[1]:.4f})",
                "0.04",
                str(pooled.converged),
            ],
            [
                "three-level REML",
                f"{three.estimate:.4f}",
                "0.3",
                f"sigma2 {three.sigma2[0]:.4f} between, {three.sigma2[1]:.4f} within",
                "0.05, 0.02",
                str(three.converged),
            ],
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
