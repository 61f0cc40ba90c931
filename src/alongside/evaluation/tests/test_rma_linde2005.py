"""rma() on the Viechtbauer (2007b) example against metafor's documented output.

Viechtbauer, W. (2007). Accounting for heterogeneity via random-effects models and moderator
analyses in meta-analysis. *Zeitschrift für Psychologie, 215*(2), 104-121, re-analysed with
metafor on https://www.metafor-project.org/doku.php/analyses:viechtbauer2007b.

Every expected value below is the rounded number that metafor's own test file for that
analysis expects (``tests/testthat/test_analysis_example_viechtbauer2007b.r`` in
wviechtb/metafor; metafor is GPL, so only those printed numbers are used, never its code).
That file is the only stored source that prints the tau^2 estimates of HS, HE and SJ and the
standard errors of tau^2 for HS, HE, SJ, PM, EB and ML.

The data are 17 of the 26 trials of ``dat.linde2005`` (rows 7-10 and 13-25, see
reference_data/README.md): log relative rates by ``escalc(measure="RR", ai, ci, n1i, n2i)``;
weekly dosage in grams ``dosage * 7 / 1000`` and, for the meta-regression, the total dosage
``dosage * duration``; the model is ``mods = ~ I(dosage-34) * I(baseline-20)``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from alongside.evaluation.stats.effect_sizes import escalc
from alongside.evaluation.stats.rma import predict, rma

DATA = Path(__file__).parent / "reference_data"

SOURCE = (
    "https://github.com/wviechtb/metafor/blob/master/tests/testthat/"
    "test_analysis_example_viechtbauer2007b.r"
)


def rounds_to(ours: float, printed: float, decimals: int) -> bool:
    """True when ``ours`` rounded as metafor's test rounds it equals the printed value."""
    return round(ours, decimals) == printed


def _load() -> dict[str, np.ndarray]:
    with (DATA / "linde2005.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = ("baseline", "duration", "dosage", "ai", "n1i", "ci", "n2i")
    return {name: np.array([float(r[name]) for r in rows]) for name in names}


LINDE = _load()
ES = escalc("RR", ai=LINDE["ai"], n1i=LINDE["n1i"], ci=LINDE["ci"], n2i=LINDE["n2i"])
YI, VI = ES.yi, ES.vi
# Total dosage in grams over the study, centred at 34 g; baseline HRSD centred at 20.
DOSE = LINDE["dosage"] * 7.0 / 1000.0 * LINDE["duration"] - 34.0
BASE = LINDE["baseline"] - 20.0
MODS = np.column_stack([DOSE, BASE, DOSE * BASE])


def _exp(*values: float) -> list[float]:
    return [round(math.exp(v), 2) for v in values]


def test_subset_is_the_papers_17_trials() -> None:
    assert len(YI) == 17 and ES.dropped == ()
    # SOURCE, "results are correct for the CIs.": summary(dat, transf=exp)[c(13,17),]
    for i, (lb, ub) in ((12, (0.74, 1.28)), (16, (1.00, 1.54))):
        half = 1.959963984540054 * math.sqrt(VI[i])
        assert _exp(YI[i] - half, YI[i] + half) == [lb, ub]


def test_fixed_effect_model() -> None:
    # SOURCE, "results are correct for the fixed-effects model.": predict(res, transf=exp).
    res = rma(YI, VI, method="FE")
    pred = predict(res)
    assert _exp(pred.pred[0], pred.ci_lb[0], pred.ci_ub[0]) == [1.38, 1.26, 1.52]
    assert rounds_to(res.qe, 51.55, 2)


def test_random_effects_model_dl() -> None:
    # SOURCE, "results are correct for the random-effects model.": CI and credibility interval.
    res = rma(YI, VI, method="DL")
    pred = predict(res)
    assert _exp(pred.pred[0], pred.ci_lb[0], pred.ci_ub[0]) == [1.57, 1.31, 1.89]
    assert _exp(pred.pi_lb[0], pred.pi_ub[0]) == [0.85, 2.91]
    assert rounds_to(res.tau2, 0.090, 3)


class TestMixedEffectsDL:
    """SOURCE, "results are correct for the mixed-effects model." (Table II of the article)."""

    res = rma(YI, VI, method="DL", mods=MODS)

    def test_tau2_and_r2(self) -> None:
        assert rounds_to(self.res.tau2, 0.047, 3)
        assert self.res.r2 is not None and rounds_to(self.res.r2, 47.38, 2)

    def test_table_ii_coefficients(self) -> None:
        expected = {
            "estimate": (self.res.beta, [0.476, -0.006, -0.067, -0.002]),
            "se": (self.res.se, [0.088, 0.010, 0.035, 0.003]),
            "zval": (self.res.stat, [5.434, -0.585, -1.909, -0.456]),
            "pval": (self.res.pval, [0.0, 0.559, 0.056, 0.649]),
        }
        for column, (ours, printed) in expected.items():
            assert [round(float(x), 3) for x in ours] == printed, column

    @pytest.mark.parametrize(
        ("baseline", "printed"), [(12.5, [2.67, 1.46, 4.88]), (23.6, [1.26, 0.99, 1.61])]
    )
    def test_predictions_at_34_grams(self, baseline: float, printed: list[float]) -> None:
        pred = predict(self.res, [[0.0, baseline - 20.0, 0.0]])
        assert _exp(pred.pred[0], pred.ci_lb[0], pred.ci_ub[0]) == printed


# SOURCE, "check results for all tau^2 estimators": round(tau2, 3) and round(se.tau2, 3) of the
# same mixed-effects model fitted with each method (GENQ, DLIT and SJIT are not implemented).
ALL_ESTIMATORS = [
    ("HS", 0.025, 0.020),
    ("HE", 0.039, 0.076),
    ("DL", 0.047, 0.038),
    ("SJ", 0.091, 0.044),
    ("PM", 0.063, 0.046),
    ("ML", 0.024, 0.022),
    ("REML", 0.056, 0.041),
    ("EB", 0.063, 0.046),
]


@pytest.mark.parametrize(("method", "tau2", "se_tau2"), ALL_ESTIMATORS)
def test_tau2_estimators_and_their_se(method: str, tau2: float, se_tau2: float) -> None:
    res = rma(YI, VI, method=method, mods=MODS)
    assert rounds_to(res.tau2, tau2, 3)
    assert res.se_tau2 is not None and rounds_to(res.se_tau2, se_tau2, 3)
