"""Outlier, influence and small-study diagnostics for fitted meta-analytic models.

Everything here is computed by refitting the model with :func:`~.rma.rma` (same ``method``,
``test`` and ``level`` as the model being diagnosed), so each diagnostic inherits the
estimator's behaviour, including its convergence rules, rather than relying on closed-form
shortcuts that only hold for the equal-effects model.

Sources (formulas implemented from the publications; agreement with metafor's documented
output on its example datasets is checked in the tests):

- Leave-one-out and influence diagnostics: Viechtbauer, W., & Cheung, M. W.-L. (2010).
  Outlier and influence diagnostics for meta-analysis. *Research Synthesis Methods*, 1(2),
  112-125. The "influential" flags use the cut-offs documented for metafor's
  ``influence.rma.uni``.
- Regression test for funnel plot asymmetry: Egger, M., Davey Smith, G., Schneider, M., &
  Minder, C. (1997). Bias in meta-analysis detected by a simple, graphical test. *BMJ*, 315,
  629-634; Sterne, J. A. C., & Egger, M. (2005) for the meta-regression ("rma") version.
- Trim and fill: Duval, S. J., & Tweedie, R. L. (2000a). *Biometrics*, 56(2), 455-463 and
  (2000b). *JASA*, 95(449), 89-98 (estimators L0 and R0, their standard errors, and the
  test of "no missing studies" for R0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from .rma import MetaAnalysisError, RMAResult, rma

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

Side = Literal["left", "right"]
Estimator = Literal["L0", "R0"]
RegModel = Literal["rma", "lm"]
Predictor = Literal["sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv"]

_LIMIT_PREDICTORS = frozenset({"sei", "vi", "ninv", "sqrtninv"})


# --------------------------------------------------------------------------------------------
# shared helpers


def _refit(
    result: RMAResult,
    yi: FloatArray,
    vi: FloatArray,
    x: FloatArray,
) -> RMAResult:
    """Fit the model of ``result`` (same estimator, test and level) to other data.

    ``x`` is a design matrix laid out like ``result.X`` (intercept column first when the
    model has one), so refits use exactly the model that is being diagnosed.
    """
    mods: FloatArray | None = x
    if result.intercept:
        mods = x[:, 1:] if x.shape[1] > 1 else None
    return rma(
        yi,
        vi,
        method=result.method,
        mods=mods,
        intercept=result.intercept,
        test=result.test,
        level=result.level,
    )


def _is_intercept_only(result: RMAResult) -> bool:
    return bool(result.intercept) and result.p == 1


def _require_intercept_only(result: RMAResult, what: str) -> None:
    if not _is_intercept_only(result):
        raise MetaAnalysisError(
            f"{what} is only defined for models without moderators "
            "(an equal-effects or random-effects model)."
        )


def _as_list(values: FloatArray) -> list[float | None]:
    """JSON-friendly list: NaN (a refit that could not be done) becomes ``None``."""
    return [None if not math.isfinite(float(v)) else float(v) for v in values]


# --------------------------------------------------------------------------------------------
# leave-one-out


@dataclass(frozen=True)
class LeaveOneOut:
    """The model refitted k times, each time without one study (row i = study i omitted).

    ``stat`` holds z values, or t values when the model used the Knapp-Hartung adjustment
    (``test == "knha"``). ``tau2`` is 0 for equal-effects models. A refit that was not
    possible (e.g. the estimator failed) yields NaN in that row.
    """

    estimate: FloatArray
    se: FloatArray
    stat: FloatArray
    pval: FloatArray
    ci_lb: FloatArray
    ci_ub: FloatArray
    q: FloatArray
    qp: FloatArray
    tau2: FloatArray
    i2: FloatArray
    h2: FloatArray
    test: str

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: _as_list(getattr(self, name)) for name in _L1O_COLUMNS}
        out["test"] = self.test
        return out


_L1O_COLUMNS = ("estimate", "se", "stat", "pval", "ci_lb", "ci_ub", "q", "qp", "tau2", "i2", "h2")


def leave1out(result: RMAResult) -> LeaveOneOut:
    """Leave-one-out analysis of an intercept-only (equal- or random-effects) model."""
    _require_intercept_only(result, "A leave-one-out analysis")
    yi = np.asarray(result.yi, dtype=float)
    vi = np.asarray(result.vi, dtype=float)
    x = np.asarray(result.X, dtype=float)
    k = yi.shape[0]
    if k < 3:
        raise MetaAnalysisError("A leave-one-out analysis needs at least 3 studies.")
    cols = {name: np.full(k, np.nan) for name in _L1O_COLUMNS}
    keep = np.ones(k, dtype=bool)
    for i in range(k):
        keep[:] = True
        keep[i] = False
        try:
            fit = _refit(result, yi[keep], vi[keep], x[keep])
        except (MetaAnalysisError, np.linalg.LinAlgError, FloatingPointError):
            continue
        cols["estimate"][i] = fit.beta[0]
        cols["se"][i] = fit.se[0]
        cols["stat"][i] = fit.stat[0]
        cols["pval"][i] = fit.pval[0]
        cols["ci_lb"][i] = fit.ci_lb[0]
        cols["ci_ub"][i] = fit.ci_ub[0]
        cols["q"][i] = fit.qe
        cols["qp"][i] = fit.qe_p
        cols["tau2"][i] = fit.tau2
        cols["i2"][i] = fit.i2
        cols["h2"][i] = fit.h2
    return LeaveOneOut(test="t" if result.test == "knha" else "z", **cols)


# --------------------------------------------------------------------------------------------
# influence


@dataclass(frozen=True)
class Influence:
    """Case diagnostics after Viechtbauer & Cheung (2010), one entry per study.

    - ``rstudent``: externally standardised (deleted) residual, i.e. the deleted residual
      ``resid_del = y_i - x_i b_(-i)`` divided by ``se_del``, the square root of
      ``v_i + tau2_(-i) + x_i' Var(b_(-i)) x_i``.
    - ``dffits``: change in the fitted value of study i when it is left out, in units of
      ``sqrt(h_i (tau2_(-i) + v_i))``.
    - ``cook_d``: ``(b - b_(-i))' Var(b)^-1 (b - b_(-i))``.
    - ``cov_r``: ``det Var(b_(-i)) / det Var(b)`` (below 1: leaving i out gives more precise
      estimates).
    - ``tau2_del`` / ``qe_del``: tau^2 and the (residual) heterogeneity statistic without i.
    - ``hat`` / ``weight``: hat value and weight (%) of study i in the full model.
    - ``dfbetas`` (k x p): ``(b_j - b_j(-i)) / sqrt([(X' W_(-i) X)^-1]_jj)`` with
      ``W_(-i) = diag(1 / (v + tau2_(-i)))`` over all k studies.
    - ``inf``: flagged as influential when |dffits| > 3 sqrt(p/(k-p)), or the chi-square(p)
      lower tail area at ``cook_d`` exceeds 0.5, or hat > 3 p/k, or any |dfbetas| > 1 (the
      cut-offs documented for metafor's ``influence.rma.uni``).

    ``dffits`` and ``dfbetas`` use the unscaled (X'WX)^-1, so with ``test="knha"`` the
    Knapp-Hartung factor does not enter them; ``cook_d``, ``cov_r`` and ``se_del`` use the
    fitted models' own covariance matrices (scaled under Knapp-Hartung). The reference
    checks cover z-test models only.
    """

    rstudent: FloatArray
    resid_del: FloatArray
    se_del: FloatArray
    dffits: FloatArray
    cook_d: FloatArray
    cov_r: FloatArray
    tau2_del: FloatArray
    qe_del: FloatArray
    hat: FloatArray
    weight: FloatArray
    dfbetas: FloatArray
    inf: BoolArray
    coef_names: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        names = (
            "rstudent",
            "resid_del",
            "se_del",
            "dffits",
            "cook_d",
            "cov_r",
            "tau2_del",
            "qe_del",
            "hat",
            "weight",
        )
        out: dict[str, Any] = {name: _as_list(getattr(self, name)) for name in names}
        out["dfbetas"] = {
            name: _as_list(self.dfbetas[:, j]) for j, name in enumerate(self.coef_names)
        }
        out["inf"] = [bool(flag) for flag in self.inf]
        return out


def influence(result: RMAResult) -> Influence:
    """Leave-one-out outlier and influence diagnostics for any fitted model (with or without
    moderators). Studies whose deletion makes the model unfittable (e.g. the only study in a
    moderator category) get NaN diagnostics and are not flagged."""
    yi = np.asarray(result.yi, dtype=float)
    vi = np.asarray(result.vi, dtype=float)
    x = np.asarray(result.X, dtype=float)
    k, p = x.shape
    if k - p < 1:
        raise MetaAnalysisError("Influence diagnostics need more studies than coefficients.")
    beta = np.asarray(result.beta, dtype=float)
    vb = np.asarray(result.vb, dtype=float)
    vb_inv = np.linalg.inv(vb)
    det_vb = float(np.linalg.det(vb))
    hat = np.asarray(result.hat, dtype=float)

    resid_del = np.full(k, np.nan)
    se_del = np.full(k, np.nan)
    dffits = np.full(k, np.nan)
    cook_d = np.full(k, np.nan)
    cov_r = np.full(k, np.nan)
    tau2_del = np.full(k, np.nan)
    qe_del = np.full(k, np.nan)
    dfbetas = np.full((k, p), np.nan)

    keep = np.ones(k, dtype=bool)
    for i in range(k):
        keep[:] = True
        keep[i] = False
        try:
            fit = _refit(result, yi[keep], vi[keep], x[keep])
        except (MetaAnalysisError, np.linalg.LinAlgError, FloatingPointError):
            continue
        b_del = np.asarray(fit.beta, dtype=float)
        vb_del = np.asarray(fit.vb, dtype=float)
        t2 = float(fit.tau2)
        xi = x[i]
        pred_del = float(xi @ b_del)
        resid_del[i] = yi[i] - pred_del
        se_del[i] = math.sqrt(vi[i] + t2 + float(xi @ vb_del @ xi))
        dffits[i] = (float(xi @ beta) - pred_del) / math.sqrt(hat[i] * (t2 + vi[i]))
        diff = beta - b_del
        cook_d[i] = float(diff @ vb_inv @ diff)
        cov_r[i] = float(np.linalg.det(vb_del)) / det_vb
        tau2_del[i] = t2
        qe_del[i] = float(fit.qe)
        w_del = 1.0 / (vi + t2)
        vb_all = np.linalg.inv(x.T @ (x * w_del[:, None]))
        dfbetas[i] = diff / np.sqrt(np.diag(vb_all))

    rstudent = resid_del / se_del
    with np.errstate(invalid="ignore"):
        flags = (
            (np.abs(dffits) > 3.0 * math.sqrt(p / (k - p)))
            | (stats.chi2.cdf(cook_d, df=p) > 0.5)
            | (hat > 3.0 * p / k)
            | np.any(np.abs(dfbetas) > 1.0, axis=1)
        )
    return Influence(
        rstudent=rstudent,
        resid_del=resid_del,
        se_del=se_del,
        dffits=dffits,
        cook_d=cook_d,
        cov_r=cov_r,
        tau2_del=tau2_del,
        qe_del=qe_del,
        hat=hat.copy(),
        weight=np.asarray(result.weights, dtype=float).copy(),
        dfbetas=dfbetas,
        inf=np.asarray(flags, dtype=bool),
        coef_names=tuple(result.coef_names),
    )


# --------------------------------------------------------------------------------------------
# regression test for funnel plot asymmetry


@dataclass(frozen=True)
class RegTest:
    """Result of a regression test for funnel plot asymmetry.

    ``stat``/``pval`` test the coefficient of the predictor (``slope``); ``test`` says whether
    ``stat`` is a z or a t value (then with ``ddf`` degrees of freedom). ``limit_estimate`` is
    the model intercept, i.e. the predicted effect as the predictor goes to 0 (standard error
    or variance) or as the sample size goes to infinity; it is only reported for those
    predictors and for models without other moderators.
    """

    model: str
    predictor: str
    slope: float
    slope_se: float
    stat: float
    pval: float
    test: str
    ddf: int | None
    limit_estimate: float | None
    limit_se: float | None
    limit_ci_lb: float | None
    limit_ci_ub: float | None
    level: float
    fit: RMAResult | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "predictor": self.predictor,
            "slope": self.slope,
            "slope_se": self.slope_se,
            "stat": self.stat,
            "pval": self.pval,
            "test": self.test,
            "ddf": self.ddf,
            "limit_estimate": self.limit_estimate,
            "limit_se": self.limit_se,
            "limit_ci_lb": self.limit_ci_lb,
            "limit_ci_ub": self.limit_ci_ub,
            "level": self.level,
        }


def _predictor_values(predictor: str, vi: FloatArray, ni: FloatArray | None) -> FloatArray:
    if predictor not in ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv"):
        raise MetaAnalysisError(f"Unknown predictor {predictor!r}.")
    if predictor == "sei":
        return np.sqrt(vi)
    if predictor == "vi":
        return vi.copy()
    if ni is None:
        raise MetaAnalysisError(f"predictor={predictor!r} needs the sample sizes (ni).")
    if ni.shape != vi.shape or np.any(~np.isfinite(ni)) or np.any(ni <= 0):
        raise MetaAnalysisError("ni must hold one positive sample size per study.")
    transforms = {
        "ni": ni,
        "ninv": 1.0 / ni,
        "sqrtni": np.sqrt(ni),
        "sqrtninv": 1.0 / np.sqrt(ni),
    }
    return transforms[predictor]


def _wls_dispersion(
    yi: FloatArray, vi: FloatArray, x: FloatArray
) -> tuple[FloatArray, FloatArray, int]:
    """Weighted least squares (weights 1/v_i) with a multiplicative dispersion parameter
    estimated from the residuals, as in the classical Egger test. Returns (b, se, df)."""
    k, p = x.shape
    df = k - p
    if df < 1:
        raise MetaAnalysisError("The regression test needs more studies than coefficients.")
    sw = 1.0 / np.sqrt(vi)
    xw = x * sw[:, None]
    yw = yi * sw
    xtx_inv = np.linalg.inv(xw.T @ xw)
    b = xtx_inv @ xw.T @ yw
    rss = float(np.sum((yw - xw @ b) ** 2))
    sigma2 = rss / df
    se = np.sqrt(sigma2 * np.diag(xtx_inv))
    return b, se, df


def regtest(
    result: RMAResult,
    predictor: Predictor = "sei",
    *,
    model: RegModel = "rma",
    ni: FloatArray | None = None,
) -> RegTest:
    """Egger-type regression test for funnel plot asymmetry, as metafor's ``regtest``.

    With ``model="rma"`` (the default) the fitted model is refitted with the predictor (by
    default the standard error sqrt(v_i)) added as a moderator, using the same tau^2
    estimator and test (so a mixed-effects meta-regression for random-effects models, an
    equal-effects meta-regression for EE/FE models, t tests with the Knapp-Hartung
    adjustment). With ``model="lm"`` a weighted regression with multiplicative dispersion is
    used instead; with ``predictor="sei"`` this is the classical Egger et al. (1997) test
    (see :func:`egger_classic`).
    """
    yi = np.asarray(result.yi, dtype=float)
    vi = np.asarray(result.vi, dtype=float)
    x = np.asarray(result.X, dtype=float)
    ni_arr = None if ni is None else np.asarray(ni, dtype=float)
    pred = _predictor_values(predictor, vi, ni_arr)
    x_aug = np.column_stack([x, pred])
    slope_at = x_aug.shape[1] - 1
    has_limit = predictor in _LIMIT_PREDICTORS and _is_intercept_only(result)
    alpha = 1.0 - result.level / 100.0

    if model == "lm":
        b, se, df = _wls_dispersion(yi, vi, x_aug)
        stat = float(b[slope_at] / se[slope_at])
        pval = float(2.0 * stats.t.sf(abs(stat), df))
        crit = float(stats.t.ppf(1.0 - alpha / 2.0, df))
        limit = (float(b[0]), float(se[0])) if has_limit else None
        return RegTest(
            model="lm",
            predictor=predictor,
            slope=float(b[slope_at]),
            slope_se=float(se[slope_at]),
            stat=stat,
            pval=pval,
            test="t",
            ddf=df,
            limit_estimate=None if limit is None else limit[0],
            limit_se=None if limit is None else limit[1],
            limit_ci_lb=None if limit is None else limit[0] - crit * limit[1],
            limit_ci_ub=None if limit is None else limit[0] + crit * limit[1],
            level=result.level,
            fit=None,
        )
    if model != "rma":
        raise MetaAnalysisError(f"Unknown regression test model {model!r} (use 'rma' or 'lm').")

    fit = _refit(result, yi, vi, x_aug)
    ddf = fit.ddf if result.test == "knha" else None
    return RegTest(
        model="rma",
        predictor=predictor,
        slope=float(fit.beta[slope_at]),
        slope_se=float(fit.se[slope_at]),
        stat=float(fit.stat[slope_at]),
        pval=float(fit.pval[slope_at]),
        test="t" if result.test == "knha" else "z",
        ddf=None if ddf is None else int(ddf),
        limit_estimate=float(fit.beta[0]) if has_limit else None,
        limit_se=float(fit.se[0]) if has_limit else None,
        limit_ci_lb=float(fit.ci_lb[0]) if has_limit else None,
        limit_ci_ub=float(fit.ci_ub[0]) if has_limit else None,
        level=result.level,
        fit=fit,
    )


@dataclass(frozen=True)
class EggerClassic:
    """The original Egger et al. (1997) test, stated in its own terms.

    Egger regresses the standard normal deviate ``y_i / se_i`` on the precision ``1 / se_i``
    by ordinary least squares. The *intercept* of that regression (``bias``) measures
    asymmetry and is tested with a t test on k - 2 degrees of freedom; the *slope*
    (``slope``) estimates the effect in a study of infinite precision. This regression is
    algebraically the same as the weighted (1/v_i) regression of y_i on se_i with a
    multiplicative dispersion term, i.e. metafor's ``regtest(..., model="lm")``: ``bias``
    there is the coefficient of se_i and ``slope`` the intercept (the "limit estimate").
    """

    bias: float
    bias_se: float
    t: float
    df: int
    pval: float
    slope: float
    slope_se: float
    slope_ci_lb: float
    slope_ci_ub: float
    level: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "bias": self.bias,
            "bias_se": self.bias_se,
            "t": self.t,
            "df": self.df,
            "pval": self.pval,
            "slope": self.slope,
            "slope_se": self.slope_se,
            "slope_ci_lb": self.slope_ci_lb,
            "slope_ci_ub": self.slope_ci_ub,
            "level": self.level,
        }


def egger_classic(yi: FloatArray, vi: FloatArray, *, level: float = 95.0) -> EggerClassic:
    """Classical Egger test: OLS of ``y_i / se_i`` on ``1 / se_i`` (see :class:`EggerClassic`)."""
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.ndim != 1 or y.shape != v.shape:
        raise MetaAnalysisError("yi and vi must be one-dimensional and of the same length.")
    bad = np.flatnonzero(~np.isfinite(v) | (v <= 0) | ~np.isfinite(y))
    if bad.size:
        raise MetaAnalysisError(
            f"Row {int(bad[0]) + 1}: the classical Egger test needs a finite effect size "
            "and a positive sampling variance."
        )
    if y.shape[0] < 3:
        raise MetaAnalysisError("The classical Egger test needs at least 3 studies.")
    sei = np.sqrt(v)
    snd = y / sei
    precision = 1.0 / sei
    design = np.column_stack([np.ones_like(precision), precision])
    k = y.shape[0]
    df = k - 2
    xtx_inv = np.linalg.inv(design.T @ design)
    coef = xtx_inv @ design.T @ snd
    rss = float(np.sum((snd - design @ coef) ** 2))
    se = np.sqrt(rss / df * np.diag(xtx_inv))
    t_val = float(coef[0] / se[0])
    crit = float(stats.t.ppf(1.0 - (1.0 - level / 100.0) / 2.0, df))
    return EggerClassic(
        bias=float(coef[0]),
        bias_se=float(se[0]),
        t=t_val,
        df=df,
        pval=float(2.0 * stats.t.sf(abs(t_val), df)),
        slope=float(coef[1]),
        slope_se=float(se[1]),
        slope_ci_lb=float(coef[1] - crit * se[1]),
        slope_ci_ub=float(coef[1] + crit * se[1]),
        level=level,
    )


# --------------------------------------------------------------------------------------------
# trim and fill


@dataclass(frozen=True)
class TrimFill:
    """Trim-and-fill result (Duval & Tweedie 2000).

    ``k0`` studies are estimated missing on ``side``; ``yi_fill``/``vi_fill`` are the imputed
    (mirrored) studies and ``result`` is the model refitted to the observed plus imputed
    studies (``yi``/``vi``, with ``fill`` marking the imputed rows). ``se_k0`` is the
    standard error of the estimator; ``p_k0`` the p-value of the test of "no missing studies
    on this side" (R0 only, else None). ``theta`` is the estimate from the final trimmed
    data, the centre the missing studies are mirrored around.
    """

    k0: int
    side: Side
    estimator: Estimator
    se_k0: float
    p_k0: float | None
    theta: float
    yi_fill: FloatArray
    vi_fill: FloatArray
    yi: FloatArray
    vi: FloatArray
    fill: BoolArray
    iterations: int
    result: RMAResult

    def as_dict(self) -> dict[str, Any]:
        return {
            "k0": self.k0,
            "side": self.side,
            "estimator": self.estimator,
            "se_k0": self.se_k0,
            "p_k0": self.p_k0,
            "theta": self.theta,
            "yi_fill": _as_list(self.yi_fill),
            "vi_fill": _as_list(self.vi_fill),
            "iterations": self.iterations,
            "result": self.result.as_dict(),
        }


_TIE_RTOL = 1e-10


def _signed_ranks(dev: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Ranks of |dev| (ties get their average rank) and masks of the studies above and below
    the centre. Values that differ only by floating-point noise (relative to the largest
    |dev|) count as ties, and deviations that are noise count as zero, so that a perfectly
    symmetric funnel yields no missing studies whatever the summation order."""
    absdev = np.abs(dev)
    scale = float(absdev.max()) if absdev.size else 0.0
    tol = _TIE_RTOL * scale
    order = np.argsort(absdev, kind="stable")
    ranks = np.empty(absdev.size, dtype=float)
    start = 0
    n = absdev.size
    while start < n:
        stop = start + 1
        while stop < n and absdev[order[stop]] - absdev[order[stop - 1]] <= tol:
            stop += 1
        ranks[order[start:stop]] = (start + 1 + stop) / 2.0
        start = stop
    positive = dev > tol
    negative = dev < -tol
    return ranks, positive, negative


def _l0(ranks: FloatArray, positive: BoolArray, k: int) -> tuple[float, float]:
    """Duval & Tweedie's L0 and its standard error (from Var(T_n), evaluated at L0)."""
    t_n = float(ranks[positive].sum())
    l0 = (4.0 * t_n - k * (k + 1)) / (2.0 * k - 1.0)
    var_t = (
        k * (k + 1) * (2 * k + 1)
        + 10 * l0**3
        + 27 * l0**2
        + 17 * l0
        - 18 * k * l0**2
        - 18 * k * l0
        + 6 * k**2 * l0
    ) / 24.0
    se = 4.0 * math.sqrt(max(var_t, 0.0)) / (2.0 * k - 1.0)
    return l0, se


def _r0(ranks: FloatArray, negative: BoolArray, k: int) -> float:
    """Duval & Tweedie's R0 = gamma* - 1, gamma* being the length of the rightmost run of
    ranks (of |y_i - theta|) that all belong to studies above the centre."""
    gamma = k - float(ranks[negative].max()) if np.any(negative) else float(k)
    return math.floor(gamma) - 1.0


def _side_from_regtest(result: RMAResult) -> Side:
    """metafor's default: impute on the left unless the regression test's slope is negative
    (small studies with smaller effects, so the missing ones would lie on the right)."""
    slope = regtest(result, "sei").slope
    return "right" if slope < 0 else "left"


def trimfill(
    result: RMAResult,
    side: Side | None = None,
    estimator: Estimator = "L0",
    *,
    maxiter: int = 100,
) -> TrimFill:
    """Trim and fill for an intercept-only model, refitting with the model's own estimator
    at every step ("equal-equal" for EE/FE models, "random-random" for RE models).

    Studies are sorted so the missing ones are on the left (the effect sizes are negated
    when ``side == "right"``). Each iteration trims the k0 most extreme studies on the
    opposite side, re-estimates the centre from the rest, ranks |y_i - centre| over all k
    studies and updates k0 with the chosen estimator, until k0 no longer changes. The k0
    trimmed studies are then mirrored around the final centre and the model is refitted to
    the augmented data. k0 is capped at k - 2 so the trimmed fit always has 2 studies.
    """
    _require_intercept_only(result, "Trim and fill")
    if estimator not in ("L0", "R0"):
        raise MetaAnalysisError(f"Unknown estimator {estimator!r} (use 'L0' or 'R0').")
    yi = np.asarray(result.yi, dtype=float)
    vi = np.asarray(result.vi, dtype=float)
    k = yi.shape[0]
    if k < 3:
        raise MetaAnalysisError("Trim and fill needs at least 3 studies.")
    if side is None:
        side = _side_from_regtest(result)
    elif side not in ("left", "right"):
        raise MetaAnalysisError(f"side must be 'left' or 'right', not {side!r}.")

    sign = -1.0 if side == "right" else 1.0
    y = sign * yi
    order = np.argsort(y, kind="stable")
    y_sorted = y[order]
    v_sorted = vi[order]
    ones = np.ones((k, 1))

    k0 = 0
    se_k0 = math.nan
    theta = math.nan
    iterations = 0
    converged = False
    while iterations < maxiter:
        iterations += 1
        keep = k - k0
        trimmed = _refit(result, y_sorted[:keep], v_sorted[:keep], ones[:keep])
        theta = float(trimmed.beta[0])
        ranks, positive, negative = _signed_ranks(y_sorted - theta)
        if estimator == "L0":
            raw, se_k0 = _l0(ranks, positive, k)
        else:
            raw = _r0(ranks, negative, k)
        new_k0 = min(max(0, round(raw)), k - 2)
        if estimator == "R0":
            se_k0 = math.sqrt(2.0 * new_k0 + 2.0)
        if new_k0 == k0:
            converged = True
            break
        k0 = new_k0
    if not converged:
        raise MetaAnalysisError(
            f"Trim and fill did not converge in {maxiter} iterations (k0 kept changing)."
        )

    y_fill = 2.0 * theta - y_sorted[k - k0 :]
    yi_fill = sign * y_fill
    vi_fill = v_sorted[k - k0 :].copy()
    yi_all = np.concatenate([yi, yi_fill])
    vi_all = np.concatenate([vi, vi_fill])
    fill = np.concatenate([np.zeros(k, dtype=bool), np.ones(k0, dtype=bool)])
    filled = _refit(result, yi_all, vi_all, np.ones((k + k0, 1)))
    return TrimFill(
        k0=k0,
        side=side,
        estimator=estimator,
        se_k0=se_k0,
        p_k0=0.5 ** (k0 + 1) if estimator == "R0" else None,
        theta=sign * theta,
        yi_fill=yi_fill,
        vi_fill=vi_fill,
        yi=yi_all,
        vi=vi_all,
        fill=fill,
        iterations=iterations,
        result=filled,
    )
