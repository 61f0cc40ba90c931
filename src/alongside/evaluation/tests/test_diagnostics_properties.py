"""Property tests of the diagnostics: duplicates, symmetry, order and closed forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alongside.evaluation.stats.diagnostics import (
    Side,
    egger_classic,
    influence,
    leave1out,
    regtest,
    trimfill,
)
from alongside.evaluation.stats.rma import rma

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
METHODS = st.sampled_from(["FE", "DL", "REML"])


@dataclass(frozen=True)
class Data:
    yi: np.ndarray
    vi: np.ndarray


@st.composite
def studies(draw: st.DrawFn, min_size: int = 3, max_size: int = 12) -> Data:
    k = draw(st.integers(min_size, max_size))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    tau = draw(st.sampled_from([0.0, 0.2, 0.5]))
    vi = rng.uniform(0.01, 0.3, k)
    yi = 0.3 + rng.normal(0, tau, k) + rng.normal(0, np.sqrt(vi))
    return Data(yi=yi, vi=vi)


@st.composite
def symmetric_funnel(draw: st.DrawFn) -> Data:
    """Pairs mu +/- d_j with equal variances (and maybe a study at mu): a symmetric funnel."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pairs = draw(st.integers(2, 8))
    mu = rng.uniform(-1, 1)
    d = rng.uniform(0.01, 1.0, pairs)
    v = rng.uniform(0.01, 0.3, pairs)
    yi = np.concatenate([mu + d, mu - d])
    vi = np.concatenate([v, v])
    if draw(st.booleans()):
        yi = np.append(yi, mu)
        vi = np.append(vi, rng.uniform(0.01, 0.3))
    order = rng.permutation(yi.size)
    return Data(yi=yi[order], vi=vi[order])


@SETTINGS
@given(data=studies(), method=METHODS, where=st.data())
def test_leave1out_of_a_duplicate_is_the_fit_without_it(
    data: Data, method: str, where: st.DataObject
) -> None:
    k = data.yi.size
    j = where.draw(st.integers(0, k - 1), label="duplicated study")
    at = where.draw(st.integers(0, k), label="where the copy goes")
    yi = np.insert(data.yi, at, data.yi[j])
    vi = np.insert(data.vi, at, data.vi[j])
    full = rma(data.yi, data.vi, method=method)
    l1o = leave1out(rma(yi, vi, method=method))
    original = j if j < at else j + 1
    for i in (at, original):  # dropping either copy leaves the original data
        np.testing.assert_allclose(l1o.estimate[i], full.beta[0], rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(l1o.se[i], full.se[0], rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(l1o.tau2[i], full.tau2, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(l1o.q[i], full.qe, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(l1o.ci_lb[i], full.ci_lb[0], rtol=1e-6, atol=1e-8)


@SETTINGS
@given(
    data=symmetric_funnel(),
    method=METHODS,
    estimator=st.sampled_from(["L0", "R0"]),
    side=st.sampled_from([None, "left", "right"]),
)
def test_symmetric_funnel_has_no_missing_studies(
    data: Data, method: str, estimator: Literal["L0", "R0"], side: Side | None
) -> None:
    res = rma(data.yi, data.vi, method=method)
    tf = trimfill(res, side=side, estimator=estimator)
    assert tf.k0 == 0
    assert tf.yi_fill.size == 0
    np.testing.assert_allclose(tf.result.beta, res.beta, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(
    data=studies(min_size=4),
    method=METHODS,
    estimator=st.sampled_from(["L0", "R0"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_trimfill_ignores_study_order_and_mirrors(
    data: Data, method: str, estimator: Literal["L0", "R0"], seed: int
) -> None:
    res = trimfill(rma(data.yi, data.vi, method=method), estimator=estimator)
    perm = np.random.default_rng(seed).permutation(data.yi.size)
    shuffled = trimfill(
        rma(data.yi[perm], data.vi[perm], method=method), side=res.side, estimator=estimator
    )
    assert shuffled.k0 == res.k0
    np.testing.assert_allclose(shuffled.result.beta, res.result.beta, rtol=1e-6, atol=1e-8)
    # Reflecting every effect size reflects the analysis: same k0 on the other side.
    other: Side = "left" if res.side == "right" else "right"
    mirrored = trimfill(rma(-data.yi, data.vi, method=method), side=other, estimator=estimator)
    assert mirrored.k0 == res.k0
    np.testing.assert_allclose(mirrored.theta, -res.theta, rtol=1e-6, atol=1e-8)


@SETTINGS
@given(data=studies())
def test_equal_effects_deletion_diagnostics_have_closed_forms(data: Data) -> None:
    """For the equal-effects model, b_(-i) is the inverse-variance mean of the others."""
    inf = influence(rma(data.yi, data.vi, method="FE"))
    w = 1.0 / data.vi
    b_del = (np.sum(w * data.yi) - w * data.yi) / (np.sum(w) - w)
    var_del = 1.0 / (np.sum(w) - w)
    np.testing.assert_allclose(inf.resid_del, data.yi - b_del, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(inf.se_del, np.sqrt(data.vi + var_del), rtol=1e-9)
    np.testing.assert_allclose(inf.cov_r, var_del * np.sum(w), rtol=1e-9)
    np.testing.assert_allclose(inf.tau2_del, 0.0)
    np.testing.assert_allclose(inf.hat, w / np.sum(w), rtol=1e-9)


@SETTINGS
@given(data=studies())
def test_classic_egger_is_the_weighted_regression_with_dispersion(data: Data) -> None:
    res = rma(data.yi, data.vi)
    lm = regtest(res, model="lm")
    eg = egger_classic(data.yi, data.vi)
    np.testing.assert_allclose(eg.t, lm.stat, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(eg.pval, lm.pval, rtol=1e-8, atol=1e-12)
    assert lm.limit_estimate is not None
    np.testing.assert_allclose(eg.slope, lm.limit_estimate, rtol=1e-8, atol=1e-10)
