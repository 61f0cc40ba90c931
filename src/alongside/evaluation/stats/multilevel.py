"""Three-level meta-analysis: effect sizes nested in clusters (Konstantopoulos 2011).

The model is ``y_ij = x_ij'β + u_j + w_ij + e_ij`` with ``u_j ~ N(0, σ²_between)`` shared by the
effect sizes of cluster ``j`` (a paper, a lab, a district), ``w_ij ~ N(0, σ²_within)`` for each
effect size and ``e_ij ~ N(0, v_ij)`` the known sampling error (Konstantopoulos 2011; Cheung 2014).
It is what metafor fits with ``rma.mv(yi, vi, random = ~ 1 | cluster/id)``; the results are
checked against metafor's documented output, but the code is written from the formulas alone.

Why no kxk matrices: the marginal covariance is block-diagonal by cluster, and each block
``V_j = diag(v_ij + σ²_w) + σ²_b 11'`` is a diagonal plus a rank-one term. Sherman-Morrison gives
``V_j⁻¹ = A_j - c_j a_j a_j'`` with ``a_ij = 1/(v_ij + σ²_w)``, ``S_j = Σ_i a_ij`` and
``c_j = σ²_b / (1 + σ²_b S_j)``, and ``log|V_j| = Σ_i log(v_ij + σ²_w) + log(1 + σ²_b S_j)``.
Every quadratic form, trace and gradient term of the (restricted) likelihood is then a sum over
rows plus a sum over clusters, so a fit costs O(k p²) per evaluation (Searle, Casella & McCulloch
1992 give the general ML/REML score equations used here).

The variances are found by L-BFGS-B on (σ²_b, σ²_w) >= 0 with that analytic gradient, from three
starts that split a DerSimonian-Laird estimate of the total heterogeneity; ``converged`` means no
feasible ascent direction is left. When every cluster holds a single effect size the two
variances are not separately identified (only their sum is; it equals the two-level τ²), and
the fit then reports an even split.

Public API: ``rma_multilevel`` (the fit, a ``MultilevelResult``), ``profile_loglik`` (profile
likelihood of one variance, to check the maximum), ``confint_sigma2`` (profile-likelihood CIs
for the variances), ``ranef`` (BLUPs of the cluster and within-cluster effects).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from .rma import MetaAnalysisError

try:  # a dependency of scikit-learn, so normally present; without it nothing breaks
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

FloatArray = NDArray[np.float64]

METHODS: tuple[str, ...] = ("REML", "ML")
TESTS: tuple[str, ...] = ("z", "t")
_LOG_2PI = math.log(2.0 * math.pi)


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Run the optimiser with one BLAS thread.

    L-BFGS-B's inner linear algebra is tiny (two parameters), but OpenBLAS still wakes its thread
    pool on every call; on a busy machine that made a 20-row fit take 160 ms instead of 10 ms.
    """
    if threadpool_limits is None:  # pragma: no cover
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@dataclass(frozen=True)
class MultilevelResult:
    """A fitted three-level model, with names and conventions as metafor prints them.

    ``sigma2`` is ``(between-cluster, within-cluster)``; ``n_levels`` is the number of levels of
    each random effect, ``(n_clusters, k)``. ``qe`` is the test for residual heterogeneity, the
    weighted residual sum of squares of the fixed-effects fit (weights ``1/vi``), and ``qm`` the
    Wald-type omnibus test of the moderators (an F statistic when ``test == "t"``).
    """

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
    sigma2: tuple[float, float]
    n_clusters: int
    n_levels: tuple[int, int]
    qe: float
    qe_df: int
    qe_p: float
    qm: float | None
    qm_df: int | None
    qm_df2: int | None
    qm_p: float | None
    ddf: int | None
    pi_lb: float | None
    pi_ub: float | None
    ll: float
    deviance: float
    aic: float
    bic: float
    converged: bool
    iterations: int
    max_abs_gradient: float
    X: FloatArray = field(repr=False)
    yi: FloatArray = field(repr=False)
    vi: FloatArray = field(repr=False)
    cluster_codes: NDArray[np.intp] = field(repr=False)
    cluster_labels: tuple[Hashable, ...] = field(repr=False)
    fitted: FloatArray = field(repr=False)
    residuals: FloatArray = field(repr=False)

    @property
    def estimate(self) -> float:
        """The first coefficient: the pooled effect in an intercept-only model."""
        return float(self.beta[0])

    @property
    def sigma2_total(self) -> float:
        """Total heterogeneity, σ²_between + σ²_within."""
        return self.sigma2[0] + self.sigma2[1]

    @property
    def icc(self) -> float | None:
        """Share of the heterogeneity that lies between clusters (None when there is none)."""
        total = self.sigma2_total
        return self.sigma2[0] / total if total > 0 else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready summary (floats, ints, lists, strings, None)."""
        return {
            "model": "three-level",
            "method": self.method,
            "test": self.test,
            "level": self.level,
            "k": self.k,
            "p": self.p,
            "n_clusters": self.n_clusters,
            "n_levels": list(self.n_levels),
            "estimate": self.estimate,
            "sigma2_between": self.sigma2[0],
            "sigma2_within": self.sigma2[1],
            "sigma2_total": self.sigma2_total,
            "icc": self.icc,
            "coefficients": [
                {
                    "name": name,
                    "estimate": float(self.beta[i]),
                    "se": float(self.se[i]),
                    "stat": float(self.stat[i]),
                    "pval": float(self.pval[i]),
                    "ci_lb": float(self.ci_lb[i]),
                    "ci_ub": float(self.ci_ub[i]),
                }
                for i, name in enumerate(self.coef_names)
            ],
            "se": float(self.se[0]),
            "ci_lb": float(self.ci_lb[0]),
            "ci_ub": float(self.ci_ub[0]),
            "pi_lb": self.pi_lb,
            "pi_ub": self.pi_ub,
            "qe": self.qe,
            "qe_df": self.qe_df,
            "qe_p": self.qe_p,
            "qm": self.qm,
            "qm_df": self.qm_df,
            "qm_df2": self.qm_df2,
            "qm_p": self.qm_p,
            "ddf": self.ddf,
            "ll": self.ll,
            "deviance": self.deviance,
            "aic": self.aic,
            "bic": self.bic,
            "converged": self.converged,
        }


@dataclass(frozen=True)
class VarianceComponentCI:
    """Profile-likelihood confidence interval of one variance component."""

    name: str
    estimate: float
    ci_lb: float
    ci_ub: float
    level: float


@dataclass(frozen=True)
class RandomEffects:
    """Best linear unbiased predictions of the random effects, with their standard errors.

    ``cluster_*`` follow ``cluster_labels`` (order of first appearance); ``within_*`` follow the
    rows of the input. The standard errors are the square roots of the prediction-error
    variances, ``σ² - σ⁴ (Z'PZ)`` on the diagonal, which allow for the estimation of β.
    """

    cluster_labels: tuple[Hashable, ...]
    cluster_effects: FloatArray
    cluster_se: FloatArray
    within_effects: FloatArray
    within_se: FloatArray


@dataclass(frozen=True)
class _Evaluation:
    """Everything the likelihood at one (σ²_b, σ²_w) yields."""

    ll: float
    gradient: FloatArray
    beta: FloatArray
    vb: FloatArray
    residuals: FloatArray


class _Blocks:
    """The data sorted by cluster, with the O(k) likelihood of the three-level model."""

    def __init__(
        self, yi: FloatArray, vi: FloatArray, X: FloatArray, codes: NDArray[np.intp], reml: bool
    ) -> None:
        self.order = np.argsort(codes, kind="stable")
        self.y = yi[self.order]
        self.v = vi[self.order]
        self.X = X[self.order]
        sorted_codes = codes[self.order]
        self.starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        self.counts = np.diff(np.r_[self.starts, len(sorted_codes)])
        self.k, self.p = self.X.shape
        self.reml = reml
        # Harville's REML likelihood includes +½ log|X'X|, a constant that makes it invariant to
        # reparameterising the fixed effects; metafor reports it this way too.
        self.reml_const = 0.5 * float(np.linalg.slogdet(self.X.T @ self.X)[1])

    def _csum(self, values: FloatArray) -> FloatArray:
        """Sum rows within each cluster."""
        return np.add.reduceat(values, self.starts, axis=0)

    def _expand(self, per_cluster: FloatArray) -> FloatArray:
        """Repeat a per-cluster value for each of the cluster's rows."""
        return np.repeat(per_cluster, self.counts, axis=0)

    def evaluate(self, sigma2_b: float, sigma2_w: float) -> _Evaluation:
        """Log-likelihood, its gradient in (σ²_b, σ²_w), and the GLS fit at those values."""
        a = 1.0 / (self.v + sigma2_w)
        s = self._csum(a)
        one_plus = 1.0 + sigma2_b * s
        c = sigma2_b / one_plus
        aX = a[:, None] * self.X
        sX = self._csum(aX)
        sy = self._csum(a * self.y)
        H = self.X.T @ aX - (sX.T * c) @ sX
        g = aX.T @ self.y - (sX.T * c) @ sy
        try:
            chol = np.linalg.cholesky(H)
        except np.linalg.LinAlgError as exc:
            raise MetaAnalysisError("the moderators are collinear (X'V⁻¹X is singular)") from exc
        # p is small: invert the triangular factor directly (numpy's overhead is far below
        # scipy.linalg's per-call checks, which dominated the fit time for small p).
        chol_inv = np.linalg.inv(chol)
        vb = chol_inv.T @ chol_inv
        beta = vb @ g
        r = self.y - self.X @ beta
        ar = a * r
        sr = self._csum(ar)
        q = ar - a * self._expand(c * sr)  # V⁻¹ r, which is also P y
        rss = float(r @ q)
        logdet_v = float(np.sum(np.log(self.v + sigma2_w)) + np.sum(np.log1p(sigma2_b * s)))
        sq = self._csum(q)
        score_b = float(np.sum(sq * sq))
        score_w = float(q @ q)
        tr_b = float(np.sum(s / one_plus))  # tr(V⁻¹ ZZ')
        tr_w = float(np.sum(a) - np.sum(c * self._csum(a * a)))  # tr(V⁻¹)
        if self.reml:
            logdet_h = 2.0 * float(np.sum(np.log(np.diag(chol))))
            ll = -0.5 * ((self.k - self.p) * _LOG_2PI + logdet_v + logdet_h + rss)
            ll += self.reml_const
            G = sX / one_plus[:, None]  # Z'V⁻¹X
            U = aX - a[:, None] * self._expand(c[:, None] * sX)  # V⁻¹X
            tr_b -= float(np.sum((G @ vb) * G))
            tr_w -= float(np.sum((U @ vb) * U))
        else:
            ll = -0.5 * (self.k * _LOG_2PI + logdet_v + rss)
        gradient = np.array([0.5 * (score_b - tr_b), 0.5 * (score_w - tr_w)])
        residuals = np.empty(self.k)
        residuals[self.order] = r
        return _Evaluation(ll=ll, gradient=gradient, beta=beta, vb=vb, residuals=residuals)


@dataclass(frozen=True)
class _Optimum:
    sigma2: tuple[float, float]
    evaluation: _Evaluation
    converged: bool
    iterations: int
    max_abs_gradient: float


def rma_multilevel(
    yi: ArrayLike,
    vi: ArrayLike,
    cluster: ArrayLike | Sequence[Hashable],
    *,
    method: str = "REML",
    mods: ArrayLike | None = None,
    intercept: bool = True,
    test: str = "z",
    level: float = 95.0,
    mod_names: Sequence[str] | None = None,
) -> MultilevelResult:
    """Fit the three-level model ``random = ~ 1 | cluster/effect`` by REML or ML.

    ``cluster`` labels the cluster of each effect size (any hashable values). ``mods`` is a
    k-vector or kxm matrix of moderators, without an intercept column; ``intercept`` adds one.
    ``test="t"`` uses t and F distributions with k - p degrees of freedom, as metafor's
    ``rma.mv(test="t")`` does; ``"knha"`` is accepted as a synonym, but note that for multilevel
    models there is no Knapp-Hartung rescaling of the variances, only the t/F reference
    distributions. ``level`` is the confidence level in percent.
    """
    method_u = method.upper()
    if method_u not in METHODS:
        raise MetaAnalysisError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    test_l = "t" if test.lower() in ("t", "knha") else test.lower()
    if test_l not in TESTS:
        raise MetaAnalysisError(f"test must be 'z' or 't' (or 'knha'), not {test!r}")
    if not 0.0 < level < 100.0:
        raise MetaAnalysisError(f"level must be a percentage between 0 and 100, not {level}")
    y, v = _check_effects(yi, vi)
    k = y.size
    codes, labels = _factorise(cluster, k)
    X, coef_names = _design(mods, k, intercept, mod_names)
    p = X.shape[1]
    if len(labels) < 2:
        raise MetaAnalysisError("a three-level model needs at least 2 clusters")
    if k - p < 1:
        raise MetaAnalysisError(f"too few effect sizes ({k}) for {p} coefficients")

    blocks = _Blocks(y, v, X, codes, reml=method_u == "REML")
    with _single_threaded_blas():
        opt = _maximise(blocks, _starting_values(y, v, X))
    ev = opt.evaluation
    ddf = k - p if test_l == "t" else None
    beta, vb = ev.beta, ev.vb
    se = np.sqrt(np.diag(vb))
    stat = beta / se
    if ddf is None:
        pval = 2.0 * stats.norm.sf(np.abs(stat))
        crit = float(stats.norm.isf((1.0 - level / 100.0) / 2.0))
    else:
        pval = 2.0 * stats.t.sf(np.abs(stat), ddf)
        crit = float(stats.t.isf((1.0 - level / 100.0) / 2.0, ddf))
    qe, qe_p = _qe(y, v, X)
    qm, qm_df, qm_df2, qm_p = _qm(beta, vb, intercept, ddf)
    pi_lb = pi_ub = None
    if p == 1 and intercept:
        half = crit * math.sqrt(float(vb[0, 0]) + opt.sigma2[0] + opt.sigma2[1])
        pi_lb, pi_ub = float(beta[0]) - half, float(beta[0]) + half
    n_par = p + 2
    n_obs = k - p if method_u == "REML" else k
    fitted = y - ev.residuals
    return MultilevelResult(
        k=k,
        p=p,
        method=method_u,
        test=test_l,
        level=level,
        coef_names=coef_names,
        beta=beta,
        se=se,
        stat=stat,
        pval=pval,
        ci_lb=beta - crit * se,
        ci_ub=beta + crit * se,
        vb=vb,
        sigma2=opt.sigma2,
        n_clusters=len(labels),
        n_levels=(len(labels), k),
        qe=qe,
        qe_df=k - p,
        qe_p=qe_p,
        qm=qm,
        qm_df=qm_df,
        qm_df2=qm_df2,
        qm_p=qm_p,
        ddf=ddf,
        pi_lb=pi_lb,
        pi_ub=pi_ub,
        ll=ev.ll,
        deviance=-2.0 * ev.ll,
        aic=-2.0 * ev.ll + 2.0 * n_par,
        bic=-2.0 * ev.ll + n_par * math.log(n_obs),
        converged=opt.converged,
        iterations=opt.iterations,
        max_abs_gradient=opt.max_abs_gradient,
        X=X,
        yi=y,
        vi=v,
        cluster_codes=codes,
        cluster_labels=labels,
        fitted=fitted,
        residuals=ev.residuals,
    )


def profile_loglik(result: MultilevelResult, component: int, values: ArrayLike) -> FloatArray:
    """The (restricted) log-likelihood with one σ² fixed at each value and the other maximised.

    ``component`` is 0 for σ²_between, 1 for σ²_within. A curve that peaks at the estimate,
    at ``result.ll``, is the check that the fit found the maximum (metafor's ``profile()``).
    """
    if component not in (0, 1):
        raise MetaAnalysisError("component must be 0 (between) or 1 (within)")
    blocks = _blocks_of(result)
    other_start = result.sigma2[1 - component]
    grid = np.atleast_1d(np.asarray(values, dtype=float))
    with _single_threaded_blas():
        return np.array([_profile_at(blocks, component, float(x), other_start)[0] for x in grid])


def confint_sigma2(
    result: MultilevelResult, level: float | None = None
) -> tuple[VarianceComponentCI, VarianceComponentCI]:
    """Profile-likelihood confidence intervals for σ²_between and σ²_within.

    The bounds are where the profile (restricted) log-likelihood falls χ²₁(level)/2 below its
    maximum; a bound that would be negative is 0.
    """
    lvl = result.level if level is None else level
    if not 0.0 < lvl < 100.0:
        raise MetaAnalysisError(f"level must be a percentage between 0 and 100, not {lvl}")
    blocks = _blocks_of(result)
    target = result.ll - 0.5 * float(stats.chi2.ppf(lvl / 100.0, 1))
    with _single_threaded_blas():
        intervals = [
            _profile_ci(blocks, comp, name, result.sigma2, target, lvl)
            for comp, name in ((0, "sigma2_between"), (1, "sigma2_within"))
        ]
    return intervals[0], intervals[1]


def _profile_ci(
    blocks: _Blocks,
    comp: int,
    name: str,
    sigma2: tuple[float, float],
    target: float,
    level: float,
) -> VarianceComponentCI:
    """Solve profile-ll(x) = target below and above the estimate of one component."""
    est, other = sigma2[comp], sigma2[1 - comp]

    def gap(x: float) -> float:
        return _profile_at(blocks, comp, x, other)[0] - target

    lb = 0.0
    if est > 0.0 and gap(0.0) < 0.0:
        lb = float(optimize.brentq(gap, 0.0, est, xtol=1e-12, rtol=1e-12))
    hi = max(2.0 * est, 10.0 * float(np.median(blocks.v)), 1e-8)
    for _ in range(200):
        if gap(hi) < 0.0:
            break
        hi *= 2.0
    else:  # pragma: no cover - the likelihood always decays eventually
        raise MetaAnalysisError(f"could not bracket the upper bound of {name}")
    ub = float(optimize.brentq(gap, est, hi, xtol=1e-12, rtol=1e-12))
    return VarianceComponentCI(name=name, estimate=est, ci_lb=lb, ci_ub=ub, level=level)


def ranef(result: MultilevelResult) -> RandomEffects:
    """BLUPs of the cluster effects u_j and of the within-cluster effects w_ij.

    With ``q = P y = V⁻¹(y - Xβ̂)``: ``û_j = σ²_b Σ_i q_ij`` and ``ŵ_ij = σ²_w q_ij``
    (Robinson 1991); the blocks' closed-form inverse keeps this O(k p²) as well.
    """
    blocks = _blocks_of(result)
    sb, sw = result.sigma2
    a = 1.0 / (blocks.v + sw)
    s = blocks._csum(a)
    one_plus = 1.0 + sb * s
    c = sb / one_plus
    r = blocks.y - blocks.X @ result.beta
    ar = a * r
    q = ar - a * blocks._expand(c * blocks._csum(ar))
    aX = a[:, None] * blocks.X
    sX = blocks._csum(aX)
    G = sX / one_plus[:, None]
    zpz = s / one_plus - np.sum((G @ result.vb) * G, axis=1)
    U = aX - a[:, None] * blocks._expand(c[:, None] * sX)
    p_diag = a - blocks._expand(c) * a * a - np.sum((U @ result.vb) * U, axis=1)
    within = np.empty(blocks.k)
    within_se = np.empty(blocks.k)
    within[blocks.order] = sw * q
    within_se[blocks.order] = np.sqrt(np.maximum(sw - sw * sw * p_diag, 0.0))
    # Sorting by code keeps the clusters in the order of their labels in cluster_labels.
    return RandomEffects(
        cluster_labels=result.cluster_labels,
        cluster_effects=sb * blocks._csum(q),
        cluster_se=np.sqrt(np.maximum(sb - sb * sb * zpz, 0.0)),
        within_effects=within,
        within_se=within_se,
    )


# --- input checking -----------------------------------------------------------------------


def _check_effects(yi: ArrayLike, vi: ArrayLike) -> tuple[FloatArray, FloatArray]:
    try:
        y = np.asarray(yi, dtype=float).ravel()
        v = np.asarray(vi, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise MetaAnalysisError(f"yi and vi must be numeric: {exc}") from exc
    if y.size != v.size:
        raise MetaAnalysisError(f"yi has {y.size} values but vi has {v.size}")
    if y.size < 3:
        raise MetaAnalysisError(f"a three-level model needs at least 3 effect sizes, not {y.size}")
    for name, arr in (("yi", y), ("vi", v)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise MetaAnalysisError(f"{name} is missing or not finite at row {bad[0] + 1}")
    bad = np.flatnonzero(v <= 0.0)
    if bad.size:
        i = int(bad[0])
        kind = "negative" if v[i] < 0 else "zero"
        raise MetaAnalysisError(f"sampling variance vi is {kind} ({v[i]}) at row {i + 1}")
    return y, v


def _factorise(
    cluster: ArrayLike | Sequence[Hashable], k: int
) -> tuple[NDArray[np.intp], tuple[Hashable, ...]]:
    """Integer codes in order of first appearance, and the labels they stand for."""
    values = list(np.asarray(cluster, dtype=object).ravel())
    if len(values) != k:
        raise MetaAnalysisError(f"cluster has {len(values)} values but yi has {k}")
    index: dict[Hashable, int] = {}
    codes = np.empty(k, dtype=np.intp)
    for row, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise MetaAnalysisError(f"cluster is missing at row {row + 1}")
        codes[row] = index.setdefault(value, len(index))
    return codes, tuple(index)


def _design(
    mods: ArrayLike | None, k: int, intercept: bool, mod_names: Sequence[str] | None
) -> tuple[FloatArray, tuple[str, ...]]:
    columns: list[FloatArray] = [np.ones((k, 1))] if intercept else []
    names: list[str] = ["intrcpt"] if intercept else []
    if mods is not None:
        M = np.asarray(mods, dtype=float)
        if M.ndim == 1:
            M = M[:, None]
        if M.ndim != 2 or M.shape[0] != k:
            raise MetaAnalysisError(f"mods must have {k} rows, not shape {M.shape}")
        bad = np.argwhere(~np.isfinite(M))
        if bad.size:
            raise MetaAnalysisError(f"moderator {bad[0][1] + 1} is missing at row {bad[0][0] + 1}")
        if mod_names is not None and len(mod_names) != M.shape[1]:
            raise MetaAnalysisError(f"mod_names has {len(mod_names)} names for {M.shape[1]} mods")
        columns.append(M)
        names.extend(mod_names or [f"mod{j + 1}" for j in range(M.shape[1])])
    if not columns:
        raise MetaAnalysisError("the model has no coefficients (no intercept and no mods)")
    X = np.hstack(columns)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise MetaAnalysisError("the moderators are collinear (the design matrix is singular)")
    return X, tuple(names)


# --- estimation -------------------------------------------------------------------------


def _starting_values(y: FloatArray, v: FloatArray, X: FloatArray) -> list[tuple[float, float]]:
    """Candidate starts from a DerSimonian-Laird moment estimate of the total heterogeneity."""
    w = 1.0 / v
    XtW = X.T * w
    H = XtW @ X
    beta = np.linalg.solve(H, XtW @ y)
    r = y - X @ beta
    q = float(np.sum(w * r * r))
    trace_p = float(np.sum(w) - np.trace(np.linalg.solve(H, (X.T * w * w) @ X)))
    df = y.size - X.shape[1]
    tau2 = max(0.0, (q - df) / trace_p) if trace_p > 0 else 0.0
    if tau2 == 0.0:
        tau2 = 0.1 * float(np.median(v))
    return [(tau2 / 2.0, tau2 / 2.0), (0.9 * tau2, 0.1 * tau2), (0.1 * tau2, 0.9 * tau2)]


def _maximise(blocks: _Blocks, starts: list[tuple[float, float]]) -> _Optimum:
    """L-BFGS-B on the variances (bounded at 0) with the analytic gradient, from each start."""
    scale = float(np.median(blocks.v))

    def objective(x: FloatArray) -> tuple[float, FloatArray]:
        ev = blocks.evaluate(float(x[0]) * scale, float(x[1]) * scale)
        return -ev.ll, -ev.gradient * scale

    best: optimize.OptimizeResult | None = None
    for start in starts:
        res = optimize.minimize(
            objective,
            np.asarray(start) / scale,
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, None), (0.0, None)],
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 10},
        )
        # Near-ties keep the earlier start (the even split), so a ridge of equal likelihood, as
        # when every cluster holds one effect size, gives the same answer whatever the row order.
        if best is None or res.fun < best.fun - 1e-10 * (1.0 + abs(best.fun)):
            best = res
    if best is None:  # pragma: no cover - starts is never empty
        raise MetaAnalysisError("no starting values for the variance components")
    sigma2 = (max(float(best.x[0]) * scale, 0.0), max(float(best.x[1]) * scale, 0.0))
    ev = blocks.evaluate(*sigma2)
    max_pg = float(np.max(np.abs(_projected_gradient(sigma2, ev.gradient))))
    # Converged when no feasible ascent direction remains. L-BFGS-B's own flag is not used: with
    # these tight tolerances it can stop "abnormally" in the line search at the precision limit,
    # already at the maximum. The gradient is judged on the scale of the data: per unit of
    # median(vi), relative to the number of effect sizes.
    converged = bool(np.isfinite(ev.ll)) and max_pg * scale <= 1e-6 * blocks.k
    return _Optimum(
        sigma2=sigma2,
        evaluation=ev,
        converged=converged,
        iterations=int(best.nit),
        max_abs_gradient=max_pg,
    )


def _projected_gradient(sigma2: tuple[float, float], gradient: FloatArray) -> FloatArray:
    """The gradient with components that push a zero variance below zero removed."""
    pg = gradient.copy()
    for i in (0, 1):
        if sigma2[i] <= 0.0 and pg[i] < 0.0:
            pg[i] = 0.0
    return pg


def _profile_at(
    blocks: _Blocks, component: int, value: float, other_start: float
) -> tuple[float, float]:
    """Maximise over the other variance with ``component`` fixed at ``value``."""
    if value < 0.0:
        raise MetaAnalysisError("a variance component cannot be negative")
    scale = float(np.median(blocks.v))

    def pair(other: float) -> tuple[float, float]:
        return (value, other) if component == 0 else (other, value)

    def objective(x: FloatArray) -> tuple[float, FloatArray]:
        ev = blocks.evaluate(*pair(float(x[0]) * scale))
        return -ev.ll, np.array([-ev.gradient[1 - component] * scale])

    res = optimize.minimize(
        objective,
        np.array([other_start / scale]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)],
        options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-10},
    )
    return -float(res.fun), max(float(res.x[0]) * scale, 0.0)


def _blocks_of(result: MultilevelResult) -> _Blocks:
    return _Blocks(
        result.yi, result.vi, result.X, result.cluster_codes, reml=result.method == "REML"
    )


# --- tests of heterogeneity and moderators -------------------------------------------------


def _qe(y: FloatArray, v: FloatArray, X: FloatArray) -> tuple[float, float]:
    """Residual heterogeneity: weighted RSS of the fixed-effects fit with weights 1/vi."""
    w = 1.0 / v
    XtW = X.T * w
    beta = np.linalg.solve(XtW @ X, XtW @ y)
    r = y - X @ beta
    qe = float(np.sum(w * r * r))
    df = y.size - X.shape[1]
    return qe, float(stats.chi2.sf(qe, df)) if df > 0 else 1.0


def _qm(
    beta: FloatArray, vb: FloatArray, intercept: bool, ddf: int | None
) -> tuple[float | None, int | None, int | None, float | None]:
    """Omnibus Wald test of all coefficients but the intercept (chi² or, with t, F)."""
    idx = np.arange(1 if intercept else 0, beta.size)
    if idx.size == 0:
        return None, None, None, None
    b = beta[idx]
    wald = float(b @ np.linalg.solve(vb[np.ix_(idx, idx)], b))
    m = int(idx.size)
    if ddf is None:
        return wald, m, None, float(stats.chi2.sf(wald, m))
    f = wald / m
    return f, m, ddf, float(stats.f.sf(f, m, ddf))
