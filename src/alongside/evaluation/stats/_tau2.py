"""Estimators of the between-study variance tau^2 for (mixed-effects) meta-regression.

Every estimator works on the k x p design without building k x k matrices: the projection
``P = W - W X (X'WX)^-1 X'W`` only ever enters through ``y'Py``, ``y'PPy``, ``tr(P)`` and
``tr(PP)``, each of which reduces to sums over studies and p x p products. That keeps REML on
10,000 studies well under a second.

References: DerSimonian & Laird (1986); Hedges (1983) / Hedges & Olkin (1985); Hunter & Schmidt
(2004); Sidik & Jonkman (2005, 2007); Paule & Mandel (1982); Morris (1983); Viechtbauer (2005)
for ML/REML by Fisher scoring and the standard errors from the information matrix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

FloatArray = NDArray[np.float64]

# metafor's documented defaults for its iterative estimators (rma.uni, argument ``control``):
# stop when tau^2 changes by less than 1e-5, at most 100 iterations, starting from the Hedges
# (HE) estimate. Using the same stopping rule keeps printed values (e.g. R^2, which divides two
# iterated tau^2 values) identical to the fourth decimal.
CONVERGENCE_TOL = 1e-5
MAX_ITER = 100


@dataclass(frozen=True)
class WLSFit:
    """A weighted least-squares fit and the traces that the estimators need."""

    beta: FloatArray
    xtwx_inv: FloatArray  # (X'WX)^-1
    resid: FloatArray  # y - X beta
    rss: float  # y'Py = sum w e^2
    tr_p: float
    tr_pp: float
    ypp_y: float  # y'PPy = sum (w e)^2


def wls(y: FloatArray, x: FloatArray, w: FloatArray) -> WLSFit:
    """Weighted least squares via square-root weights; traces of P in O(k p^2)."""
    sw = np.sqrt(w)
    xw = x * sw[:, None]
    xtwx = xw.T @ xw
    xtwx_inv = np.asarray(np.linalg.inv(xtwx), dtype=np.float64)
    beta = xtwx_inv @ (xw.T @ (y * sw))
    resid = y - x @ beta
    we = w * resid
    xw2 = x * w[:, None]
    xtw2x = xw2.T @ xw2  # X'W^2X
    xtw3x = (x * (w**3)[:, None]).T @ x  # X'W^3X
    a_w2 = xtwx_inv @ xtw2x
    tr_p = float(w.sum() - np.trace(a_w2))
    tr_pp = float((w * w).sum() - 2.0 * np.trace(xtwx_inv @ xtw3x) + np.trace(a_w2 @ a_w2))
    return WLSFit(
        beta=beta,
        xtwx_inv=xtwx_inv,
        resid=resid,
        rss=float(resid @ we),
        tr_p=tr_p,
        tr_pp=tr_pp,
        ypp_y=float(we @ we),
    )


def q_generalised(y: FloatArray, x: FloatArray, v: FloatArray, tau2: float) -> float:
    """Generalised Q: y'P(tau2)y with weights 1/(v + tau2) (Viechtbauer 2007, eq. 6)."""
    return wls(y, x, 1.0 / (v + tau2)).rss


@dataclass(frozen=True)
class Tau2Estimate:
    tau2: float
    se: float | None
    converged: bool
    iterations: int


def _q_var_fixed_weights(fit: WLSFit, k: int, p: int, tau2: float) -> float:
    """Var(Q_E) under the RE model when Q uses the fixed weights 1/v_i.

    With Sigma = V + tau2*I and PV idempotent, Var(y'Py) = 2 tr(P Sigma P Sigma)
    = 2 (k - p) + 4 tau2 tr(P) + 2 tau2^2 tr(PP).
    """
    return 2.0 * (k - p) + 4.0 * tau2 * fit.tr_p + 2.0 * tau2 * tau2 * fit.tr_pp


def tau2_dl(y: FloatArray, x: FloatArray, v: FloatArray) -> Tau2Estimate:
    """DerSimonian-Laird (method of moments on Q_E), truncated at zero."""
    k, p = x.shape
    fit = wls(y, x, 1.0 / v)
    tau2 = max(0.0, (fit.rss - (k - p)) / fit.tr_p)
    se = math.sqrt(_q_var_fixed_weights(fit, k, p, tau2)) / fit.tr_p
    return Tau2Estimate(tau2, se, True, 0)


def tau2_hs(y: FloatArray, x: FloatArray, v: FloatArray) -> Tau2Estimate:
    """Hunter-Schmidt: (Q_E - k) / sum(w_i), truncated at zero."""
    k, p = x.shape
    w = 1.0 / v
    fit = wls(y, x, w)
    tau2 = max(0.0, (fit.rss - k) / float(w.sum()))
    se = math.sqrt(_q_var_fixed_weights(fit, k, p, tau2)) / float(w.sum())
    return Tau2Estimate(tau2, se, True, 0)


def tau2_he(y: FloatArray, x: FloatArray, v: FloatArray) -> Tau2Estimate:
    """Hedges (variance component / method of moments on OLS residuals), truncated at zero.

    tau2 = (RSS_OLS - tr((I - H) V)) / (k - p); its SE from Var(RSS) = 2 tr((I-H)S(I-H)S)
    with S = V + tau2*I.
    """
    k, p = x.shape
    ols = wls(y, x, np.ones(k))
    b = ols.xtwx_inv  # (X'X)^-1
    tr_mv = float(v.sum() - np.trace(b @ ((x * v[:, None]).T @ x)))
    tau2 = max(0.0, (ols.rss - tr_mv) / (k - p))
    s = v + tau2
    xsx = (x * s[:, None]).T @ x
    tr_ms_ms = float(
        (s * s).sum()
        - 2.0 * np.trace(b @ ((x * (s * s)[:, None]).T @ x))
        + np.trace(b @ xsx @ b @ xsx)
    )
    se = math.sqrt(2.0 * tr_ms_ms) / (k - p)
    return Tau2Estimate(tau2, se, True, 0)


def tau2_sj(y: FloatArray, x: FloatArray, v: FloatArray) -> Tau2Estimate:
    """Sidik-Jonkman, starting from tau0^2 = sum (y_i - mean(y))^2 / k.

    tau2 = tau0^2 * y'P0y / (k - p), P0 built with weights 1/(v_i + tau0^2). Never negative.
    The SE treats tau0^2 as fixed: Var(y'P0y) = 2 tr(P0 S P0 S) with S = V + tau2*I.
    """
    k, p = x.shape
    tau2_0 = float(((y - y.mean()) ** 2).sum() / k)
    if tau2_0 <= 0.0:
        return Tau2Estimate(0.0, 0.0, True, 0)
    w0 = 1.0 / (v + tau2_0)
    fit = wls(y, x, w0)
    tau2 = tau2_0 * fit.rss / (k - p)
    s = v + tau2
    tr_psps = _tr_psps(x, w0, fit.xtwx_inv, s)
    se = tau2_0 * math.sqrt(2.0 * tr_psps) / (k - p)
    return Tau2Estimate(tau2, se, True, 0)


def _tr_psps(x: FloatArray, w: FloatArray, a: FloatArray, s: FloatArray) -> float:
    """tr(P S P S) for P = W - W X A X'W (A = (X'WX)^-1) and diagonal S, in O(k p^2)."""
    ws = w * s
    # (PS)^2 = (WS - WXAX'WS)^2; the cross terms reduce to X' W^3 S^2 X, the last to
    # (A X' W^2 S X)^2.
    xw2sx = (x * (w * ws)[:, None]).T @ x  # X' W^2 S X
    xw3s2x = (x * (w * ws * ws)[:, None]).T @ x  # X' W^3 S^2 X
    return float((ws * ws).sum() - 2.0 * np.trace(a @ xw3s2x) + np.trace(a @ xw2sx @ a @ xw2sx))


def _fisher_scoring(
    y: FloatArray, x: FloatArray, v: FloatArray, *, reml: bool, start: float
) -> Tau2Estimate:
    """ML/REML by Fisher scoring with step halving to keep tau2 >= 0 (Viechtbauer 2005).

    Stops when tau2 changes by less than ``CONVERGENCE_TOL``. When the optimum is on the
    boundary the halved steps approach 0 without reaching it, so tau2 ends a hair above 0
    (below the tolerance), exactly as metafor's printed results reflect.
    """
    tau2 = max(0.0, start)
    converged = False
    iterations = 0
    for iterations in range(1, MAX_ITER + 1):  # noqa: B007 - iterations reported after loop
        w = 1.0 / (v + tau2)
        fit = wls(y, x, w)
        if reml:
            step = (fit.ypp_y - fit.tr_p) / fit.tr_pp
        else:
            step = (float((w * fit.resid) @ (w * fit.resid)) - float(w.sum())) / float(
                (w * w).sum()
            )
        new = tau2 + step
        while new < 0.0:  # step halving keeps tau2 >= 0; ends at the latest when step == 0
            step /= 2.0
            new = tau2 + step
        change = abs(new - tau2)
        tau2 = new
        if change < CONVERGENCE_TOL:
            converged = True
            break
    w = 1.0 / (v + tau2)
    fit = wls(y, x, w)
    info = 0.5 * (fit.tr_pp if reml else float((w * w).sum()))
    return Tau2Estimate(tau2, math.sqrt(1.0 / info), converged, iterations)


def tau2_ml(y: FloatArray, x: FloatArray, v: FloatArray) -> Tau2Estimate:
    return _fisher_scoring(y, x, v, reml=False, start=tau2_he(y, x, v).tau2)


def tau2_reml(y: FloatArray, x: FloatArray, v: FloatArray) -> Tau2Estimate:
    return _fisher_scoring(y, x, v, reml=True, start=tau2_he(y, x, v).tau2)


def _solve_q_equation(y: FloatArray, x: FloatArray, v: FloatArray, target: float) -> float:
    """Smallest tau2 >= 0 with generalised Q(tau2) = target (Q is decreasing in tau2)."""
    q0 = q_generalised(y, x, v, 0.0)
    if q0 <= target:
        return 0.0
    hi = max(1.0, float(np.var(y)))
    while q_generalised(y, x, v, hi) > target:
        hi *= 2.0
        if hi > 1e12:
            raise ArithmeticError("generalised Q does not reach its target")
    return float(
        brentq(lambda t: q_generalised(y, x, v, t) - target, 0.0, hi, xtol=1e-12, rtol=1e-14)
    )


def _pm_se(y: FloatArray, x: FloatArray, v: FloatArray, tau2: float) -> float | None:
    """SE of the PM/EB estimate from Morris's (1983) empirical Bayes update.

    The EB iteration tau2 <- tau2 + (k/(k-p) Q_gen(tau2) - k) / sum(w_i) has the PM root as its
    fixed point; treating sum(w_i) as the derivative of the moment function (Morris's scoring
    approximation) and Var(Q_gen) = 2 (k - p) at the root gives
    Var(tau2) = (k/(k-p))^2 * 2 (k - p) / (sum w_i)^2 = 2 k^2 / ((k - p) (sum w_i)^2).
    This is the value metafor prints for both PM and EB (Viechtbauer 2007b example, see
    tests/test_rma_linde2005.py). On the boundary (tau2 truncated at 0) the equation has no
    root and no SE is reported: None.
    """
    if tau2 <= 0.0:
        return None
    k, p = x.shape
    sum_w = float((1.0 / (v + tau2)).sum())
    return k * math.sqrt(2.0 / (k - p)) / sum_w


def tau2_pm(y: FloatArray, x: FloatArray, v: FloatArray) -> Tau2Estimate:
    """Paule-Mandel: generalised Q_gen(tau2) = k - p (also with moderators), else 0."""
    k, p = x.shape
    tau2 = _solve_q_equation(y, x, v, float(k - p))
    return Tau2Estimate(tau2, _pm_se(y, x, v, tau2), True, 0)


def tau2_eb(y: FloatArray, x: FloatArray, v: FloatArray) -> Tau2Estimate:
    """Empirical Bayes (Morris 1983): fixed point of
    tau2 = tau2 + (k/(k-p) sum w_i e_i^2 - k) / sum w_i.

    The fixed point is k/(k-p) Q_gen(tau2) = k, i.e. the Paule-Mandel equation, so both share
    one root finder; they differ only in name.
    """
    return tau2_pm(y, x, v)
