"""Equal-, random- and mixed-effects meta-analysis (the univariate model of metafor's rma.uni).

Model: y_i = x_i'beta + u_i + e_i, e_i ~ N(0, v_i) with known v_i, u_i ~ N(0, tau^2). Estimation
is weighted least squares with w_i = 1/(v_i + tau^2), tau^2 from one of ``TAU2_METHODS``.
Written from the published formulas (Viechtbauer 2005, 2007, 2010; Hedges & Olkin 1985;
Knapp & Hartung 2003; Borenstein et al. 2009), not from metafor's code; the tests compare the
results with metafor's documented output.

Conventions follow metafor so that numbers can be compared line by line:

- I^2 and H^2 use the "typical" within-study variance ``(k - p) / tr(P)`` with P built from the
  fixed weights 1/v_i (for intercept-only models this is Higgins & Thompson's s^2); for FE/EE
  models they come from Q_E directly.
- Knapp-Hartung (``test="knha"``) scales the covariance by ``sum w_i e_i^2 / (k - p)`` without
  truncating the factor at 1, and uses t (coefficients) and F (omnibus test) with k - p df.
- The prediction interval is ``b +/- crit * sqrt(se^2 + tau^2)`` with crit from N(0,1), or from
  t(k - p) under Knapp-Hartung.
- Pseudo R^2 = (tau^2_RE - tau^2_ME) / tau^2_RE in percent, bounded to [0, 100], with tau^2_RE
  from the intercept-only model fitted by the same method.
- ML/REML use Fisher scoring from the HE estimate, stopping when tau^2 changes by < 1e-5
  (metafor's documented defaults), so printed values agree to the last decimal.
- The Q-profile CI for tau^2 (Viechtbauer 2007) is solved to ~1e-12; metafor's confint() uses
  uniroot() at tol ~1.2e-4, so its printed bounds can differ from ours in the 4th decimal.

Standard errors of tau^2 and how far they are checked against metafor's printed output:
REML (sqrt(2 / tr(PP)), verified), ML (sqrt(2 / sum w_i^2), the information-matrix formula),
DL (from Var(Q_E) with Sigma = V + tau^2 I, verified on dat.bcg log OR), HS and HE (the same
moment argument applied to their own statistics), SJ (treating its starting value as fixed),
PM/EB (delta method on Q_gen(tau^2) = k - p; None when tau^2 is truncated at 0). The HE, HS, SJ,
ML and PM/EB standard errors are not printed in any stored metafor output we could find and
are checked only against dense-matrix versions of the same formulas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats as sps

from ._qprofile import tau2_qprofile_ci
from ._tau2 import (
    FloatArray,
    Tau2Estimate,
    tau2_dl,
    tau2_eb,
    tau2_he,
    tau2_hs,
    tau2_ml,
    tau2_pm,
    tau2_reml,
    tau2_sj,
    wls,
)

TAU2_METHODS: tuple[str, ...] = ("FE", "EE", "DL", "REML", "ML", "PM", "EB", "HE", "HS", "SJ")
TESTS: tuple[str, ...] = ("z", "knha")
_FIXED = frozenset({"FE", "EE"})
_ESTIMATORS: dict[str, Callable[[FloatArray, FloatArray, FloatArray], Tau2Estimate]] = {
    "DL": tau2_dl,
    "REML": tau2_reml,
    "ML": tau2_ml,
    "PM": tau2_pm,
    "EB": tau2_eb,
    "HE": tau2_he,
    "HS": tau2_hs,
    "SJ": tau2_sj,
}


# Moderators without the intercept column: k x m (or a single column given as a flat sequence).
Mods = Sequence[Sequence[float]] | Sequence[float] | FloatArray


class MetaAnalysisError(ValueError):
    """Input that cannot be meta-analysed; ``row`` is the 0-based study index when known."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class RMAResult:
    """A fitted model. Arrays of length p are per coefficient, of length k per study."""

    k: int
    p: int
    method: str
    test: str
    level: float
    coef_names: tuple[str, ...]
    beta: FloatArray
    se: FloatArray
    stat: FloatArray
    pval: FloatArray
    ci_lb: FloatArray
    ci_ub: FloatArray
    vb: FloatArray
    tau2: float
    se_tau2: float | None
    tau2_ci: tuple[float, float] | None
    i2: float
    i2_ci: tuple[float, float] | None
    h2: float
    h2_ci: tuple[float, float] | None
    qe: float
    qe_df: int
    qe_p: float
    qm: float | None
    qm_df: int | None
    qm_df2: int | None
    qm_p: float | None
    r2: float | None
    pi_lb: float | None
    pi_ub: float | None
    ddf: int | None
    X: FloatArray = field(repr=False)
    yi: FloatArray = field(repr=False)
    vi: FloatArray = field(repr=False)
    weights: FloatArray = field(repr=False)
    fitted: FloatArray = field(repr=False)
    residuals: FloatArray = field(repr=False)
    hat: FloatArray = field(repr=False)
    ll: float
    converged: bool
    intercept: bool = True
    vt: float = 0.0  # typical within-study variance used for I^2 / H^2

    @property
    def estimate(self) -> float:
        return float(self.beta[0])

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def crit(self) -> float:
        """Two-sided critical value for CIs: z, or t(k - p) under Knapp-Hartung."""
        return _crit(self.level, self.ddf)

    def as_dict(self, *, include_studies: bool = False) -> dict[str, Any]:
        """JSON-ready summary (floats, ints, lists; NaN becomes None)."""
        out: dict[str, Any] = {
            "k": self.k,
            "p": self.p,
            "method": self.method,
            "test": self.test,
            "level": self.level,
            "estimate": _f(self.estimate),
            "se": _f(self.se[0]),
            "ci_lb": _f(self.ci_lb[0]),
            "ci_ub": _f(self.ci_ub[0]),
            "pi_lb": _f(self.pi_lb),
            "pi_ub": _f(self.pi_ub),
            "coefficients": [
                {
                    "name": name,
                    "estimate": _f(self.beta[j]),
                    "se": _f(self.se[j]),
                    "stat": _f(self.stat[j]),
                    "pval": _f(self.pval[j]),
                    "ci_lb": _f(self.ci_lb[j]),
                    "ci_ub": _f(self.ci_ub[j]),
                }
                for j, name in enumerate(self.coef_names)
            ],
            "tau2": _f(self.tau2),
            "se_tau2": _f(self.se_tau2),
            "tau2_ci": _pair(self.tau2_ci),
            "I2": _f(self.i2),
            "I2_ci": _pair(self.i2_ci),
            "H2": _f(self.h2),
            "H2_ci": _pair(self.h2_ci),
            "QE": _f(self.qe),
            "QE_df": self.qe_df,
            "QE_p": _f(self.qe_p),
            "QM": _f(self.qm),
            "QM_df": self.qm_df,
            "QM_df2": self.qm_df2,
            "QM_p": _f(self.qm_p),
            "R2": _f(self.r2),
            "ddf": self.ddf,
            "ll": _f(self.ll),
            "converged": self.converged,
        }
        if include_studies:
            out["studies"] = {
                "yi": [_f(v) for v in self.yi],
                "vi": [_f(v) for v in self.vi],
                "weights": [_f(v) for v in self.weights],
                "fitted": [_f(v) for v in self.fitted],
                "residuals": [_f(v) for v in self.residuals],
                "hat": [_f(v) for v in self.hat],
            }
        return out


@dataclass(frozen=True)
class Prediction:
    pred: FloatArray
    se: FloatArray
    ci_lb: FloatArray
    ci_ub: FloatArray
    pi_lb: FloatArray
    pi_ub: FloatArray


@dataclass(frozen=True)
class SubgroupResult:
    """Separate pooled models per subgroup and the test of subgroup differences.

    The test (Borenstein et al. 2009, ch. 19, "separate estimates of tau^2") treats each
    subgroup's pooled estimate as known with its standard error and computes a fixed-effect
    Q between them: Q_B = sum (b_g - b_bar)^2 / se_g^2 with G - 1 df. Subgroups with fewer than
    two studies cannot be pooled and are listed in ``excluded``.
    """

    models: dict[str, RMAResult]
    qb: float
    qb_df: int
    qb_p: float
    excluded: tuple[str, ...]


def _f(value: float | np.floating[Any] | None) -> float | None:
    if value is None:
        return None
    out = float(value)
    return None if math.isnan(out) else out


def _pair(value: tuple[float, float] | None) -> list[float | None] | None:
    return None if value is None else [_f(value[0]), _f(value[1])]


def _crit(level: float, ddf: int | None) -> float:
    q = 1.0 - (1.0 - level / 100.0) / 2.0
    return float(sps.norm.ppf(q) if ddf is None else sps.t.ppf(q, ddf))


def _as_vector(values: Sequence[float] | FloatArray, name: str) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise MetaAnalysisError(f"{name} must be numeric") from exc
    if arr.ndim != 1:
        raise MetaAnalysisError(f"{name} must be one-dimensional")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        row = int(bad[0])
        raise MetaAnalysisError(f"{name} is missing or not finite at row {row + 1}", row=row)
    return arr


def _design(
    k: int,
    mods: Mods | None,
    intercept: bool,
    mod_names: Sequence[str] | None,
) -> tuple[FloatArray, tuple[str, ...]]:
    columns: list[FloatArray] = []
    names: list[str] = []
    if intercept:
        columns.append(np.ones((k, 1)))
        names.append("intrcpt")
    if mods is not None:
        m = np.asarray(mods, dtype=np.float64)
        if m.ndim == 1:
            m = m[:, None]
        if m.ndim != 2 or m.shape[0] != k:
            raise MetaAnalysisError(f"mods must have one row per study ({k}), got {m.shape}")
        bad = np.argwhere(~np.isfinite(m))
        if bad.size:
            row = int(bad[0][0])
            raise MetaAnalysisError(f"moderator missing or not finite at row {row + 1}", row=row)
        if mod_names is None:
            mod_names = [f"mod{j + 1}" for j in range(m.shape[1])]
        if len(mod_names) != m.shape[1]:
            raise MetaAnalysisError("mod_names must name every moderator column")
        columns.append(m)
        names.extend(mod_names)
    if not columns:
        raise MetaAnalysisError("model has no coefficients (no intercept and no moderators)")
    x = np.hstack(columns)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise MetaAnalysisError("moderators are collinear (design matrix is singular)")
    return x, tuple(names)


def rma(
    yi: Sequence[float] | FloatArray,
    vi: Sequence[float] | FloatArray,
    *,
    method: str = "REML",
    mods: Mods | None = None,
    intercept: bool = True,
    test: str = "z",
    level: float = 95.0,
    mod_names: Sequence[str] | None = None,
) -> RMAResult:
    """Fit an equal-, random- or mixed-effects model (see the module docstring)."""
    method = method.upper()
    if method not in TAU2_METHODS:
        raise MetaAnalysisError(f"unknown method {method!r}; use one of {', '.join(TAU2_METHODS)}")
    if test not in TESTS:
        raise MetaAnalysisError(f"unknown test {test!r}; use 'z' or 'knha'")
    if not 0.0 < level < 100.0:
        raise MetaAnalysisError("level must be a percentage between 0 and 100")
    y = _as_vector(yi, "yi")
    v = _as_vector(vi, "vi")
    k = y.size
    if v.size != k:
        raise MetaAnalysisError(f"yi has {k} values but vi has {v.size}")
    nonpos = np.flatnonzero(v <= 0.0)
    if nonpos.size:
        row = int(nonpos[0])
        raise MetaAnalysisError(
            f"sampling variance must be positive; vi = {v[row]:g} at row {row + 1}", row=row
        )
    if k < 2:
        raise MetaAnalysisError(f"at least 2 studies are needed, got {k}")
    x, names = _design(k, mods, intercept, mod_names)
    p = x.shape[1]
    if k <= p:
        raise MetaAnalysisError(f"{k} studies cannot estimate {p} coefficients (need k > p)")

    fixed = method in _FIXED
    fe_fit = wls(y, x, 1.0 / v)
    qe = fe_fit.rss
    qe_df = k - p
    qe_p = float(sps.chi2.sf(qe, qe_df))
    vt = qe_df / fe_fit.tr_p

    est = Tau2Estimate(0.0, None, True, 0) if fixed else _ESTIMATORS[method](y, x, v)
    tau2 = est.tau2
    w = 1.0 / (v + tau2)
    fit = fe_fit if fixed else wls(y, x, w)
    beta = fit.beta
    vb = fit.xtwx_inv
    ddf: int | None = None
    if test == "knha":
        s2 = fit.rss / qe_df
        vb = vb * s2
        ddf = qe_df
    se = np.sqrt(np.diag(vb))
    crit = _crit(level, ddf)
    with np.errstate(divide="ignore", invalid="ignore"):  # se = 0 only for degenerate data
        stat = beta / se
    abs_stat = np.abs(stat)
    pval = 2.0 * (sps.norm.sf(abs_stat) if ddf is None else sps.t.sf(abs_stat, ddf))

    if fixed:
        i2 = max(0.0, 100.0 * (qe - qe_df) / qe) if qe > 0 else 0.0
        h2 = qe / qe_df
    else:
        i2 = 100.0 * tau2 / (vt + tau2)
        h2 = (vt + tau2) / vt

    tau2_ci = i2_ci = h2_ci = None
    if not fixed:
        tau2_ci = tau2_qprofile_ci(y, x, v, level, tau2)
        i2_ci = (100.0 * tau2_ci[0] / (vt + tau2_ci[0]), 100.0 * tau2_ci[1] / (vt + tau2_ci[1]))
        h2_ci = ((vt + tau2_ci[0]) / vt, (vt + tau2_ci[1]) / vt)

    qm = qm_p = None
    qm_df = qm_df2 = None
    coef_idx = tuple(range(1 if intercept else 0, p))
    if coef_idx:
        omnibus = _wald(beta, vb, coef_idx, ddf)
        qm, qm_df, qm_df2, qm_p = omnibus.stat, omnibus.df, omnibus.df2, omnibus.pval

    r2 = None
    if not fixed and intercept and p > 1:
        tau2_re = _ESTIMATORS[method](y, np.ones((k, 1)), v).tau2
        r2 = 0.0 if tau2_re <= 0.0 else min(100.0, max(0.0, 100.0 * (tau2_re - tau2) / tau2_re))

    pi_lb = pi_ub = None
    if intercept and p == 1:
        half = crit * math.sqrt(float(vb[0, 0]) + tau2)
        pi_lb, pi_ub = float(beta[0] - half), float(beta[0] + half)

    wts = w if not fixed else 1.0 / v
    fitted = x @ beta
    hat = wts * np.einsum("ij,jk,ik->i", x, fit.xtwx_inv, x)
    ll = _loglik(y, x, v, tau2, reml=(method == "REML"))

    return RMAResult(
        k=k,
        p=p,
        method=method,
        test=test,
        level=level,
        coef_names=names,
        beta=beta,
        se=se,
        stat=stat,
        pval=pval,
        ci_lb=beta - crit * se,
        ci_ub=beta + crit * se,
        vb=vb,
        tau2=tau2,
        se_tau2=est.se,
        tau2_ci=tau2_ci,
        i2=i2,
        i2_ci=i2_ci,
        h2=h2,
        h2_ci=h2_ci,
        qe=qe,
        qe_df=qe_df,
        qe_p=qe_p,
        qm=qm,
        qm_df=qm_df,
        qm_df2=qm_df2,
        qm_p=qm_p,
        r2=r2,
        pi_lb=pi_lb,
        pi_ub=pi_ub,
        ddf=ddf,
        X=x,
        yi=y,
        vi=v,
        weights=100.0 * wts / wts.sum(),
        fitted=fitted,
        residuals=y - fitted,
        hat=hat,
        ll=ll,
        converged=est.converged,
        intercept=intercept,
        vt=vt,
    )


@dataclass(frozen=True)
class WaldTest:
    """Wald-type test that a set of coefficients is zero: chi^2 (z) or F (Knapp-Hartung)."""

    stat: float
    df: int
    df2: int | None
    pval: float


def _wald(beta: FloatArray, vb: FloatArray, idx: Sequence[int], ddf: int | None) -> WaldTest:
    sel = np.asarray(idx, dtype=int)
    b = beta[sel]
    chi = float(b @ np.linalg.solve(vb[np.ix_(sel, sel)], b))
    m = int(sel.size)
    if ddf is None:
        return WaldTest(chi, m, None, float(sps.chi2.sf(chi, m)))
    return WaldTest(chi / m, m, ddf, float(sps.f.sf(chi / m, m, ddf)))


def wald_test(result: RMAResult, coefs: Sequence[int | str]) -> WaldTest:
    """Test that the given coefficients (0-based indices or names) are all zero.

    Used for a categorical moderator's dummies together (metafor's ``anova(res, btt=...)``);
    QM of the fitted model is this test over every coefficient but the intercept.
    """
    idx: list[int] = []
    for coef in coefs:
        if isinstance(coef, str):
            if coef not in result.coef_names:
                raise MetaAnalysisError(f"no coefficient named {coef!r}")
            idx.append(result.coef_names.index(coef))
        elif 0 <= coef < result.p:
            idx.append(coef)
        else:
            raise MetaAnalysisError(f"coefficient index {coef} out of range")
    if not idx:
        raise MetaAnalysisError("no coefficients to test")
    return _wald(result.beta, result.vb, idx, result.ddf)


def _loglik(y: FloatArray, x: FloatArray, v: FloatArray, tau2: float, *, reml: bool) -> float:
    """Log-likelihood at tau2: ML, or restricted (including the 1/2 log|X'X| constant)."""
    k, p = x.shape
    s = v + tau2
    fit = wls(y, x, 1.0 / s)
    if not reml:
        return float(-0.5 * k * math.log(2 * math.pi) - 0.5 * np.log(s).sum() - 0.5 * fit.rss)
    _, logdet_xtx = np.linalg.slogdet(x.T @ x)
    _, logdet_xtwx_inv = np.linalg.slogdet(fit.xtwx_inv)
    return float(
        -0.5 * (k - p) * math.log(2 * math.pi)
        + 0.5 * logdet_xtx
        - 0.5 * np.log(s).sum()
        + 0.5 * logdet_xtwx_inv
        - 0.5 * fit.rss
    )


def predict(
    result: RMAResult,
    newmods: Sequence[Sequence[float]] | Sequence[float] | FloatArray | None = None,
    level: float | None = None,
) -> Prediction:
    """Predicted (average) effects with confidence and prediction intervals.

    ``newmods`` holds moderator values without the intercept column (one row per prediction);
    omitted for an intercept-only model. Intervals use t(k - p) under Knapp-Hartung, z
    otherwise, as metafor's predict() does; the prediction interval adds tau^2.
    """
    level = result.level if level is None else level
    if newmods is None:
        if result.p != (1 if result.intercept else 0):
            raise MetaAnalysisError("newmods are needed to predict from a meta-regression")
        xnew = np.ones((1, 1))
    else:
        m = np.asarray(newmods, dtype=np.float64)
        n_mods = result.p - (1 if result.intercept else 0)
        if m.ndim == 1:
            m = m[None, :] if m.size == n_mods else m[:, None]
        if m.shape[1] != n_mods:
            raise MetaAnalysisError(f"newmods needs {n_mods} columns, got {m.shape[1]}")
        xnew = np.hstack([np.ones((m.shape[0], 1)), m]) if result.intercept else m
    pred = xnew @ result.beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", xnew, result.vb, xnew))
    crit = _crit(level, result.ddf)
    half_pi = crit * np.sqrt(se**2 + result.tau2)
    return Prediction(
        pred=pred,
        se=se,
        ci_lb=pred - crit * se,
        ci_ub=pred + crit * se,
        pi_lb=pred - half_pi,
        pi_ub=pred + half_pi,
    )


def design_matrix(
    columns: Mapping[str, Sequence[Any]], categorical: Sequence[str] = ()
) -> tuple[FloatArray, tuple[str, ...]]:
    """Moderator matrix (no intercept column) and coefficient names, metafor/R style.

    Continuous columns are used as they are. Categorical columns become treatment-coded
    dummies against the first level in sorted order (R's default factor levels), named
    column + level, e.g. ``alloc`` -> ``allocrandom``, ``allocsystematic``.
    """
    blocks: list[FloatArray] = []
    names: list[str] = []
    for name, values in columns.items():
        if name in categorical:
            labels = [str(val) for val in values]
            levels = sorted(set(labels))
            if len(levels) < 2:
                raise MetaAnalysisError(f"categorical moderator {name!r} has only one level")
            lab = np.asarray(labels)
            for level in levels[1:]:
                blocks.append((lab == level).astype(np.float64)[:, None])
                names.append(f"{name}{level}")
        else:
            try:
                col = np.asarray(values, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise MetaAnalysisError(f"moderator {name!r} is not numeric") from exc
            blocks.append(col[:, None])
            names.append(name)
    if not blocks:
        raise MetaAnalysisError("no moderator columns given")
    return np.hstack(blocks), tuple(names)


def subgroups(
    yi: Sequence[float] | FloatArray,
    vi: Sequence[float] | FloatArray,
    groups: Sequence[Any],
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> SubgroupResult:
    """Pool each subgroup separately and test the differences (see ``SubgroupResult``)."""
    y = _as_vector(yi, "yi")
    v = _as_vector(vi, "vi")
    labels = np.asarray([str(g) for g in groups])
    if labels.size != y.size or v.size != y.size:
        raise MetaAnalysisError("yi, vi and groups must have the same length")
    models: dict[str, RMAResult] = {}
    excluded: list[str] = []
    for label in sorted(set(labels.tolist())):
        mask = labels == label
        if int(mask.sum()) < 2:
            excluded.append(label)
            continue
        models[label] = rma(y[mask], v[mask], method=method, test=test, level=level)
    if len(models) < 2:
        raise MetaAnalysisError("subgroup analysis needs at least two subgroups of 2+ studies")
    est = np.array([m.estimate for m in models.values()])
    wts = 1.0 / np.array([float(m.se[0]) ** 2 for m in models.values()])
    mean = float((wts * est).sum() / wts.sum())
    qb = float((wts * (est - mean) ** 2).sum())
    qb_df = len(models) - 1
    return SubgroupResult(
        models=models,
        qb=qb,
        qb_df=qb_df,
        qb_p=float(sps.chi2.sf(qb, qb_df)),
        excluded=tuple(excluded),
    )
