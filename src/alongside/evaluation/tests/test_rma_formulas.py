"""The O(k p^2) trace identities and tau^2 estimators against plain k x k matrix algebra.

These check the algebra of the fast paths directly from their textbook definitions; the
values themselves are pinned to metafor's output in test_rma_linde2005.py and test_rma.py.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from alongside.evaluation.stats import _tau2
from alongside.evaluation.stats.rma import rma


def _problem(seed: int, k: int = 30, p: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack([np.ones(k), rng.normal(size=(k, p - 1))])
    v = rng.uniform(0.01, 0.3, k)
    y = x @ rng.normal(size=p) + rng.normal(0, np.sqrt(v + 0.1))
    return y, x, v


def _dense_p(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    wm = np.diag(w)
    return wm - wm @ x @ np.linalg.inv(x.T @ wm @ x) @ x.T @ wm


@pytest.mark.parametrize("seed", range(5))
def test_traces_match_dense(seed: int) -> None:
    y, x, v = _problem(seed)
    w = 1.0 / (v + 0.07)
    fit = _tau2.wls(y, x, w)
    p = _dense_p(x, w)
    assert math.isclose(fit.tr_p, float(np.trace(p)), rel_tol=1e-10)
    assert math.isclose(fit.tr_pp, float(np.trace(p @ p)), rel_tol=1e-10)
    assert math.isclose(fit.rss, float(y @ p @ y), rel_tol=1e-10)
    assert math.isclose(fit.ypp_y, float(y @ p @ p @ y), rel_tol=1e-10)
    s = v + 0.2
    assert math.isclose(
        _tau2._tr_psps(x, w, fit.xtwx_inv, s),
        float(np.trace(p @ np.diag(s) @ p @ np.diag(s))),
        rel_tol=1e-10,
    )


@pytest.mark.parametrize("seed", range(5))
def test_estimators_match_definitions(seed: int) -> None:
    y, x, v = _problem(seed)
    k, p = x.shape
    w = 1.0 / v
    qe = float(y @ _dense_p(x, w) @ y)
    tr_p = float(np.trace(_dense_p(x, w)))
    assert math.isclose(_tau2.tau2_dl(y, x, v).tau2, max(0.0, (qe - (k - p)) / tr_p))
    assert math.isclose(_tau2.tau2_hs(y, x, v).tau2, max(0.0, (qe - k) / w.sum()))
    h = x @ np.linalg.inv(x.T @ x) @ x.T
    m = np.eye(k) - h
    he = (float(y @ m @ y) - float(np.trace(m @ np.diag(v)))) / (k - p)
    assert math.isclose(_tau2.tau2_he(y, x, v).tau2, max(0.0, he))
    tau0 = float(np.mean((y - y.mean()) ** 2))
    p0 = _dense_p(x, 1.0 / (v + tau0))
    assert math.isclose(_tau2.tau2_sj(y, x, v).tau2, tau0 * float(y @ p0 @ y) / (k - p))
    pm = _tau2.tau2_pm(y, x, v).tau2
    assert math.isclose(_tau2.q_generalised(y, x, v, pm), k - p, rel_tol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_he_se_matches_dense_variance(seed: int) -> None:
    y, x, v = _problem(seed)
    k, p = x.shape
    est = _tau2.tau2_he(y, x, v)
    m = np.eye(k) - x @ np.linalg.inv(x.T @ x) @ x.T
    s = np.diag(v + est.tau2)
    var = 2.0 * float(np.trace(m @ s @ m @ s)) / (k - p) ** 2
    assert est.se is not None and math.isclose(est.se, math.sqrt(var), rel_tol=1e-10)


def test_reml_is_the_restricted_likelihood_maximum() -> None:
    y, x, v = _problem(11)
    est = _tau2.tau2_reml(y, x, v)
    grid = np.linspace(max(0.0, est.tau2 - 0.05), est.tau2 + 0.05, 101)
    best = grid[int(np.argmax([_ll_reml(y, x, v, t) for t in grid]))]
    assert abs(best - est.tau2) <= 0.001 + 1e-9


def _ll_reml(y: np.ndarray, x: np.ndarray, v: np.ndarray, t: float) -> float:
    s = np.diag(v + t)
    si = np.linalg.inv(s)
    p = si - si @ x @ np.linalg.inv(x.T @ si @ x) @ x.T @ si
    return float(
        -0.5 * np.linalg.slogdet(s)[1] - 0.5 * np.linalg.slogdet(x.T @ si @ x)[1] - 0.5 * y @ p @ y
    )


def test_reml_on_10000_studies_is_fast() -> None:
    rng = np.random.default_rng(2026)
    k = 10_000
    vi = rng.uniform(0.01, 0.2, k)
    yi = rng.normal(0.3, np.sqrt(vi + 0.05))
    start = time.perf_counter()
    res = rma(yi, vi, method="REML")
    elapsed = time.perf_counter() - start
    assert res.converged
    assert abs(res.tau2 - 0.05) < 0.01
    assert elapsed < 1.0, elapsed
