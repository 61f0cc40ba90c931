"""Q-profile confidence interval for tau^2 (Viechtbauer 2007).

The generalised Q statistic ``Q_gen(tau2) = y'P(tau2)y`` follows a chi-square distribution with
k - p degrees of freedom at the true tau^2 and decreases monotonically in tau^2, so the interval
is the set of tau^2 whose Q_gen lies between the chi-square quantiles. Bounds are found with
Brent's method; a bound is 0 when Q_gen(0) already falls short of its quantile.
"""

from __future__ import annotations

from scipy import stats as sps
from scipy.optimize import brentq

from ._tau2 import FloatArray, q_generalised


def _root(y: FloatArray, x: FloatArray, v: FloatArray, target: float, hint: float) -> float:
    if q_generalised(y, x, v, 0.0) <= target:
        return 0.0
    hi = max(1.0, 2.0 * hint)
    while q_generalised(y, x, v, hi) > target:
        hi *= 2.0
        if hi > 1e12:
            raise ArithmeticError("Q-profile bound not bracketed")
    return float(
        brentq(lambda t: q_generalised(y, x, v, t) - target, 0.0, hi, xtol=1e-12, rtol=1e-14)
    )


def tau2_qprofile_ci(
    y: FloatArray, x: FloatArray, v: FloatArray, level: float, hint: float
) -> tuple[float, float]:
    """(lower, upper) Q-profile bounds for tau^2 at ``level`` percent."""
    k, p = x.shape
    alpha = 1.0 - level / 100.0
    df = k - p
    q_for_lower = float(sps.chi2.ppf(1.0 - alpha / 2.0, df))
    q_for_upper = float(sps.chi2.ppf(alpha / 2.0, df))
    lower = _root(y, x, v, q_for_lower, hint)
    upper = _root(y, x, v, q_for_upper, hint)
    return lower, upper
