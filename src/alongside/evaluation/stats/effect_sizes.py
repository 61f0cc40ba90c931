"""Effect sizes and their sampling variances, computed from the published formulas.

`escalc` turns per-study summary data into the observed effect sizes ``yi`` and their sampling
variances ``vi`` that the pooling code (`rma`) consumes. The measure names, argument names and
defaults follow the documentation of metafor's ``escalc`` (Viechtbauer 2010) so that results can
be checked against metafor's published output, but every formula here is implemented from the
original publication cited next to it (no code was taken from metafor).

Every result states its direction in plain words (`EffectSizes.sign_convention`), because a
standardised mean difference of +0.4 means "better" on a wellbeing scale and "worse" on a
depression scale; harmonising direction is the caller's decision, never a silent one here.

`smd_between` and `smd_prepost` are scalar helpers for the platform's own analyses (between-arm
Hedges' g and within-group pre-post change, each with a Wald confidence interval).

References
----------
Becker, B. J. (1988). Synthesizing standardized mean-change measures. Br J Math Stat Psychol
    41, 257-278.
Borenstein, M. (2009). Effect sizes for continuous data. In Cooper, Hedges & Valentine (eds.),
    The handbook of research synthesis and meta-analysis (2nd ed., pp. 221-235), Table 12.3.
Gibbons, R. D., Hedeker, D. R. & Davis, J. M. (1993). Estimation of effect size from a series of
    experiments involving paired comparisons. J Educ Stat 18, 271-279.
Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and related
    estimators. J Educ Stat 6, 107-128.
Hedges, L. V. (1982). Estimation of effect size from a series of independent experiments.
    Psychol Bull 92, 490-499.
Hedges, L. V., Gurevitch, J. & Curtis, P. S. (1999). The meta-analysis of response ratios in
    experimental ecology. Ecology 80, 1150-1156.
Higgins, J. P. T. et al. (eds.) (2019). Cochrane handbook for systematic reviews of
    interventions (2nd ed.), section 10.4.4 (studies with no events in either arm).
Morris, S. B. (2008). Estimating effect sizes from pretest-posttest-control group designs.
    Organ Res Methods 11, 364-386.
Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. J Stat Softw 36.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

__all__ = [
    "MEASURES",
    "EffectSizeError",
    "EffectSizes",
    "Interval",
    "escalc",
    "hedges_correction",
    "smd_between",
    "smd_prepost",
]

FloatArray = NDArray[np.float64]


class EffectSizeError(ValueError):
    """Bad input for an effect size: the message names the row (1-based) and the column."""


@dataclass(frozen=True)
class EffectSizes:
    """Observed effect sizes and sampling variances, with their direction stated.

    ``yi`` and ``vi`` hold one value per *kept* input row, in input order. ``dropped`` lists the
    0-based indices of input rows that were left out (double-zero 2x2 tables for RR/OR, see
    `escalc`); `kept_rows` gives the input index of each ``yi``.
    """

    yi: FloatArray
    vi: FloatArray
    measure: str
    sign_convention: str
    dropped: tuple[int, ...]

    @property
    def k(self) -> int:
        """Number of effect sizes computed (input rows minus dropped rows)."""
        return int(self.yi.shape[0])

    def kept_rows(self) -> tuple[int, ...]:
        """0-based input index of each entry of ``yi``, for re-attaching study labels."""
        n_input = self.k + len(self.dropped)
        gone = set(self.dropped)
        return tuple(i for i in range(n_input) if i not in gone)

    @property
    def sei(self) -> FloatArray:
        """Standard errors, ``sqrt(vi)``."""
        return np.sqrt(self.vi)


class Interval(NamedTuple):
    """An estimate with its sampling variance and a Wald confidence interval."""

    estimate: float
    variance: float
    ci_lb: float
    ci_ub: float


# -- sign conventions ---------------------------------------------------------------------------

_TWO_GROUP_MEANS = (
    "positive: group 1 (m1i, e.g. treatment) has the higher mean than group 2 (m2i, e.g. control)"
)
_SIGN_CONVENTIONS: dict[str, str] = {
    "MD": _TWO_GROUP_MEANS + "; raw units of the outcome scale",
    "SMD": _TWO_GROUP_MEANS + "; in pooled-SD units (Hedges' g)",
    "ROM": "positive log ratio of means: group 1 (m1i) mean larger than group 2 (m2i) mean",
    "SMDANCOVA": (
        "positive: group 1 (e.g. treatment) has the higher covariate-adjusted mean than group 2 "
        "(e.g. control); in unadjusted pooled-SD units"
    ),
    "SMCR": (
        "positive: mean at m1i (e.g. post-test) higher than at m2i (e.g. pre-test); "
        "in baseline-SD units (sd1i)"
    ),
    "SMCC": (
        "positive: mean at m1i (e.g. post-test) higher than at m2i (e.g. pre-test); "
        "in change-score-SD units"
    ),
    "SMDPPC": (
        "positive: group 1 (treatment) rose more from pre to post than group 2 (control); "
        "in pooled pre-test-SD units (Morris 2008 d_ppc2)"
    ),
    "RR": (
        "negative log risk ratio: fewer events in group 1 (ai of n1i) than in group 2 (ci of n2i)"
    ),
    "OR": (
        "negative log odds ratio: lower odds of the event in group 1 (ai, bi) than in group 2 "
        "(ci, di)"
    ),
    "RD": (
        "negative risk difference: lower event risk in group 1 (ai of n1i) than in group 2 "
        "(ci of n2i)"
    ),
}

MEASURES: tuple[str, ...] = tuple(_SIGN_CONVENTIONS)


# -- small-sample correction --------------------------------------------------------------------


def hedges_correction(m: ArrayLike) -> FloatArray:
    """Exact bias-correction factor J(m) = Γ(m/2) / (√(m/2) Γ((m-1)/2)) (Hedges 1981).

    ``m`` is the degrees of freedom of the standardiser (n1+n2-2 for a pooled SD, n-1 for a
    single SD). Computed on the log scale so it stays finite for large m; it tends to 1 from below
    as m grows. Requires m > 1.
    """
    m_arr = np.asarray(m, dtype=np.float64)
    if np.any(m_arr <= 1):
        raise EffectSizeError("the small-sample correction needs more than 1 degree of freedom")
    log_j = special.gammaln(m_arr / 2) - 0.5 * np.log(m_arr / 2) - special.gammaln((m_arr - 1) / 2)
    return np.asarray(np.exp(log_j), dtype=np.float64)


# -- input handling -----------------------------------------------------------------------------

_BINARY = frozenset({"RR", "OR", "RD"})
_TO_OPTIONS = frozenset({"only0", "all", "if0all", "none"})


def _as_columns(
    measure: str, columns: Mapping[str, ArrayLike], required: Sequence[str], optional: Sequence[str]
) -> dict[str, FloatArray]:
    """Check names and lengths; return float arrays. Scalars broadcast to the common length."""
    unknown = sorted(set(columns) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join([*required, *optional])
        raise EffectSizeError(
            f"measure {measure!r} does not take column(s) {', '.join(unknown)}; it takes: {allowed}"
        )
    missing = [name for name in required if name not in columns]
    if missing:
        raise EffectSizeError(f"measure {measure!r} needs column(s): {', '.join(missing)}")
    arrays: dict[str, FloatArray] = {}
    for name, values in columns.items():
        try:
            arr = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise EffectSizeError(f"column {name!r} must be numeric") from exc
        if arr.ndim > 1:
            raise EffectSizeError(f"column {name!r} must be one-dimensional")
        arrays[name] = arr
    lengths = {name: arr.shape[0] for name, arr in arrays.items() if arr.ndim == 1}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise EffectSizeError(f"columns have different lengths: {detail}")
    k = next(iter(lengths.values())) if lengths else 1
    if k == 0:
        raise EffectSizeError("no rows: every column is empty")
    out = {name: np.broadcast_to(arr, (k,)).astype(np.float64) for name, arr in arrays.items()}
    for name, arr in out.items():
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise EffectSizeError(
                f"row {bad[0] + 1}, column {name!r}: value is missing or infinite"
            )
    return out


def _require(arr: FloatArray, ok: NDArray[np.bool_], name: str, what: str) -> None:
    """Raise naming the first row where ``ok`` is false."""
    bad = np.flatnonzero(~ok)
    if bad.size:
        i = int(bad[0])
        raise EffectSizeError(f"row {i + 1}, column {name!r}: {what} (got {arr[i]:g})")


def _check_sd(cols: Mapping[str, FloatArray], *names: str) -> None:
    for name in names:
        _require(cols[name], cols[name] >= 0, name, "a standard deviation cannot be negative")


def _check_n(cols: Mapping[str, FloatArray], *names: str, minimum: int = 2) -> None:
    for name in names:
        _require(
            cols[name], cols[name] >= minimum, name, f"a group size must be at least {minimum}"
        )


def _check_r(cols: Mapping[str, FloatArray], name: str, *, upper_open: bool = False) -> None:
    r = cols[name]
    ok = (r >= -1) & ((r < 1) if upper_open else (r <= 1))
    _require(
        r, ok, name, "a correlation must lie in [-1, 1]" + (" and be below 1" if upper_open else "")
    )


def _positive(arr: FloatArray, name: str, what: str) -> None:
    _require(arr, arr > 0, name, what)


# -- measures for means -------------------------------------------------------------------------


def _pooled_sd(sd1: FloatArray, n1: FloatArray, sd2: FloatArray, n2: FloatArray) -> FloatArray:
    return np.asarray(
        np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2)), dtype=np.float64
    )


def _two_group_columns(measure: str, columns: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
    cols = _as_columns(measure, columns, ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"), ())
    _check_sd(cols, "sd1i", "sd2i")
    _check_n(cols, "n1i", "n2i")
    return cols


def _md(columns: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray]:
    """Raw mean difference m1i - m2i; vi = sd1²/n1 + sd2²/n2 (no equal-variance assumption;
    Borenstein 2009 eq. 12.5, metafor's vtype="LS")."""
    c = _two_group_columns("MD", columns)
    yi = c["m1i"] - c["m2i"]
    vi = c["sd1i"] ** 2 / c["n1i"] + c["sd2i"] ** 2 / c["n2i"]
    return yi, vi


def _smd(columns: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray]:
    """Hedges' g: (m1i - m2i) / pooled SD, times J(n1+n2-2) (Hedges 1981).

    vi = 1/n1 + 1/n2 + g² / (2 (n1+n2)), the large-sample variance of Hedges (1982, eq. 8) with
    the corrected g plugged in; this is metafor's default vtype="LS".
    """
    c = _two_group_columns("SMD", columns)
    n1, n2 = c["n1i"], c["n2i"]
    sdp = _pooled_sd(c["sd1i"], n1, c["sd2i"], n2)
    _positive(sdp, "sd1i", "the pooled standard deviation of sd1i and sd2i is 0")
    yi = hedges_correction(n1 + n2 - 2) * (c["m1i"] - c["m2i"]) / sdp
    vi = 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))
    return yi, vi


def _rom(columns: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray]:
    """Log ratio of means log(m1i/m2i); vi = sd1²/(n1 m1²) + sd2²/(n2 m2²) (Hedges et al. 1999,
    eq. 1). Only meaningful for ratio-scale outcomes, so both means must be positive."""
    c = _two_group_columns("ROM", columns)
    _positive(c["m1i"], "m1i", "the log ratio of means needs positive means")
    _positive(c["m2i"], "m2i", "the log ratio of means needs positive means")
    yi = np.log(c["m1i"] / c["m2i"])
    vi = c["sd1i"] ** 2 / (c["n1i"] * c["m1i"] ** 2) + c["sd2i"] ** 2 / (c["n2i"] * c["m2i"] ** 2)
    return yi, vi


def _smd_ancova(columns: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray]:
    """d from an ANCOVA-adjusted difference, standardised by the *unadjusted* pooled SD.

    Two input forms (Borenstein 2009, Table 12.3):

    * adjusted means ``m1i``, ``m2i`` with the unadjusted SDs ``sd1i``, ``sd2i``:
      d = (m1i - m2i) / S_within;
    * the ANCOVA t statistic for the group effect ``ti`` (for a 1-df F use ±√F with the sign of
      the adjusted difference): d = t √(1 - R²) √(1/n1 + 1/n2).

    ``r2i`` is the proportion of outcome variance explained by the covariate(s) (the squared
    covariate-outcome correlation for one covariate); ``qi`` the number of covariates (default 1).
    V(d) = (n1+n2)(1 - R²)/(n1 n2) + d² / (2 (n1+n2)); the small-sample correction uses the
    ANCOVA error df, g = J(n1+n2-2-q) d and V(g) = J² V(d).
    """
    given = set(columns)
    if "ti" in given:
        c = _as_columns("SMDANCOVA", columns, ("ti", "n1i", "n2i", "r2i"), ("qi",))
    else:
        c = _as_columns(
            "SMDANCOVA", columns, ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i", "r2i"), ("qi",)
        )
        _check_sd(c, "sd1i", "sd2i")
    _check_n(c, "n1i", "n2i")
    r2 = c["r2i"]
    _require(r2, (r2 >= 0) & (r2 < 1), "r2i", "R² must lie in [0, 1)")
    n1, n2 = c["n1i"], c["n2i"]
    q = c.get("qi", np.ones_like(n1))
    _require(q, (q >= 0) & (q == np.round(q)), "qi", "the number of covariates is a whole number")
    df = n1 + n2 - 2 - q
    _require(df, df > 1, "qi", "too many covariates for these group sizes")
    if "ti" in c:
        d = c["ti"] * np.sqrt(1 - r2) * np.sqrt(1 / n1 + 1 / n2)
    else:
        sdp = _pooled_sd(c["sd1i"], n1, c["sd2i"], n2)
        _positive(sdp, "sd1i", "the pooled standard deviation of sd1i and sd2i is 0")
        d = (c["m1i"] - c["m2i"]) / sdp
    j = hedges_correction(df)
    vd = (n1 + n2) * (1 - r2) / (n1 * n2) + d**2 / (2 * (n1 + n2))
    return j * d, j**2 * vd


def _change_columns(
    measure: str, columns: Mapping[str, ArrayLike], sds: tuple[str, ...]
) -> dict[str, FloatArray]:
    optional = ("sd2i",) if measure == "SMCR" else ()
    cols = _as_columns(measure, columns, ("m1i", "m2i", *sds, "ni", "ri"), optional)
    _check_sd(cols, *[name for name in (*sds, *optional) if name in cols])
    _check_n(cols, "ni", minimum=3)  # J(n - 1) needs n - 1 > 1
    _check_r(cols, "ri")
    return cols


def _smcr(columns: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray]:
    """Standardised mean change, raw-score standardisation (Becker 1988).

    g = J(n-1) (m1i - m2i) / sd1i, with m1i the post-test mean, m2i the pre-test mean and sd1i
    the *pre-test* SD (metafor's argument layout; ``sd2i`` is accepted and ignored).
    vi = 2 (1 - r)/n + g² / (2n), Becker's large-sample variance (metafor's vtype="LS").
    """
    c = _change_columns("SMCR", columns, ("sd1i",))
    _positive(c["sd1i"], "sd1i", "the baseline standard deviation must be positive")
    n, r = c["ni"], c["ri"]
    yi = hedges_correction(n - 1) * (c["m1i"] - c["m2i"]) / c["sd1i"]
    vi = 2 * (1 - r) / n + yi**2 / (2 * n)
    return yi, vi


def _smcc(columns: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray]:
    """Standardised mean change, change-score standardisation (Gibbons et al. 1993).

    SD of the change = √(sd1² + sd2² - 2 r sd1 sd2); g = J(n-1) (m1i - m2i) / SD_change;
    vi = 1/n + g² / (2n) (metafor's vtype="LS").
    """
    c = _change_columns("SMCC", columns, ("sd1i", "sd2i"))
    sd1, sd2, r, n = c["sd1i"], c["sd2i"], c["ri"], c["ni"]
    sdc = np.sqrt(np.maximum(sd1**2 + sd2**2 - 2 * r * sd1 * sd2, 0.0))
    _positive(sdc, "ri", "the change scores have no spread (SD of the change is 0)")
    yi = hedges_correction(n - 1) * (c["m1i"] - c["m2i"]) / sdc
    vi = 1 / n + yi**2 / (2 * n)
    return yi, vi


_PPC_COLUMNS = (
    "m1i_pre", "m1i_post", "sd1i_pre", "n1i", "m2i_pre", "m2i_post", "sd2i_pre", "n2i", "ri",
)  # fmt: skip


def _smd_ppc(columns: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray]:
    """Morris (2008) pretest-posttest-control d_ppc2.

    d = c_p [(post₁ - pre₁) - (post₂ - pre₂)] / SD_pre, where SD_pre pools the two groups'
    pre-test SDs and c_p = 1 - 3 / (4 (n1+n2-2) - 1) (Morris 2008). Group 1 is the
    treatment group. ``ri`` is the pre-post correlation, assumed common to both groups.

    Variance (Morris 2008, eq. 25, with d in place of the population δ):
    2 c_p² (1 - r) (n1+n2)/(n1 n2) · (n1+n2-2)/(n1+n2-4)
    · [1 + d² / (2 (1 - r) (n1+n2)/(n1 n2))] - d².
    """
    c = _as_columns("SMDPPC", columns, _PPC_COLUMNS, ())
    _check_sd(c, "sd1i_pre", "sd2i_pre")
    _check_n(c, "n1i", "n2i")
    _check_r(c, "ri", upper_open=True)
    n1, n2, r = c["n1i"], c["n2i"], c["ri"]
    _require(n1 + n2, n1 + n2 > 4, "n2i", "d_ppc2's variance needs n1i + n2i > 4")
    sd_pre = _pooled_sd(c["sd1i_pre"], n1, c["sd2i_pre"], n2)
    _positive(sd_pre, "sd1i_pre", "the pooled pre-test standard deviation is 0")
    cp = 1 - 3 / (4 * (n1 + n2 - 2) - 1)
    change = (c["m1i_post"] - c["m1i_pre"]) - (c["m2i_post"] - c["m2i_pre"])
    yi = cp * change / sd_pre
    a = 2 * (1 - r) * (n1 + n2) / (n1 * n2)
    vi = cp**2 * a * (n1 + n2 - 2) / (n1 + n2 - 4) * (1 + yi**2 / a) - yi**2
    return yi, vi


# -- measures for 2x2 tables --------------------------------------------------------------------


def _tables(
    measure: str, columns: Mapping[str, ArrayLike]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The four cells from (ai, bi, ci, di) or (ai, n1i, ci, n2i), validated."""
    if "n1i" in columns or "n2i" in columns:
        c = _as_columns(measure, columns, ("ai", "n1i", "ci", "n2i"), ())
        for name in ("ai", "ci", "n1i", "n2i"):
            _require(c[name], c[name] >= 0, name, "a count cannot be negative")
        _require(c["n1i"], c["n1i"] > 0, "n1i", "a group needs at least one participant")
        _require(c["n2i"], c["n2i"] > 0, "n2i", "a group needs at least one participant")
        _require(c["ai"], c["ai"] <= c["n1i"], "ai", "more events than participants in n1i")
        _require(c["ci"], c["ci"] <= c["n2i"], "ci", "more events than participants in n2i")
        return c["ai"], c["n1i"] - c["ai"], c["ci"], c["n2i"] - c["ci"]
    c = _as_columns(measure, columns, ("ai", "bi", "ci", "di"), ())
    for name in ("ai", "bi", "ci", "di"):
        _require(c[name], c[name] >= 0, name, "a count cannot be negative")
    _require(c["ai"], c["ai"] + c["bi"] > 0, "ai", "group 1 is empty (ai + bi = 0)")
    _require(c["ci"], c["ci"] + c["di"] > 0, "ci", "group 2 is empty (ci + di = 0)")
    return c["ai"], c["bi"], c["ci"], c["di"]


def _binary(
    measure: str, columns: Mapping[str, ArrayLike], *, add: Any, to: Any, drop00: Any
) -> tuple[FloatArray, FloatArray, tuple[int, ...]]:
    """Log RR, log OR or RD from 2x2 tables, with the zero-cell rules described in `escalc`."""
    if drop00 is not None and not isinstance(drop00, bool | np.bool_):
        raise EffectSizeError(f"drop00 must be True, False or None, not {drop00!r}")
    if not isinstance(to, str) or to not in _TO_OPTIONS:
        raise EffectSizeError(f"to must be one of {sorted(_TO_OPTIONS)}, not {to!r}")
    if (
        isinstance(add, bool)
        or not isinstance(add, int | float)
        or not (math.isfinite(add) and add >= 0)
    ):
        raise EffectSizeError(f"add must be a non-negative number, not {add!r}")
    a, b, c, d = _tables(measure, columns)
    if drop00 is None:
        drop00 = False
    double_zero = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    keep = ~double_zero if drop00 else np.ones_like(a, dtype=bool)
    dropped = tuple(int(i) for i in np.flatnonzero(~keep))
    if not keep.any():
        raise EffectSizeError("every 2x2 table has no events (or only events) in both groups")
    a, b, c, d = a[keep], b[keep], c[keep], d[keep]

    has_zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    if to == "all":
        bump = np.full_like(a, add)
    elif to == "only0":
        bump = np.where(has_zero, add, 0.0)
    elif to == "if0all":
        bump = np.full_like(a, add if has_zero.any() else 0.0)
    else:
        bump = np.zeros_like(a)
    a, b, c, d = a + bump, b + bump, c + bump, d + bump
    n1, n2 = a + b, c + d

    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "RR":
            yi = np.log(a / n1) - np.log(c / n2)
            vi = 1 / a - 1 / n1 + 1 / c - 1 / n2
        elif measure == "OR":
            yi = np.log(a * d / (b * c))
            vi = 1 / a + 1 / b + 1 / c + 1 / d
        else:
            p1, p2 = a / n1, c / n2
            yi = p1 - p2
            vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    rows = np.asarray([i for i in range(keep.shape[0]) if keep[i]])
    bad = np.flatnonzero(~(np.isfinite(yi) & np.isfinite(vi)))
    if bad.size:
        raise EffectSizeError(
            f"row {rows[bad[0]] + 1}: {measure} is undefined for this table without a zero-cell "
            f"correction (to={to!r}, add={add:g})"
        )
    return np.asarray(yi, dtype=np.float64), np.asarray(vi, dtype=np.float64), dropped


# -- public API ---------------------------------------------------------------------------------

_MEAN_MEASURES: dict[str, Callable[[Mapping[str, ArrayLike]], tuple[FloatArray, FloatArray]]] = {
    "MD": _md,
    "SMD": _smd,
    "ROM": _rom,
    "SMDANCOVA": _smd_ancova,
    "SMCR": _smcr,
    "SMCC": _smcc,
    "SMDPPC": _smd_ppc,
}


def escalc(
    measure: str,
    *,
    # The options are typed Any (and checked at run time) so that callers can pass their columns
    # as ``**dict[str, ndarray]`` without mypy matching the dict's value type against them.
    add: Any = 0.5,
    to: Any = "only0",
    drop00: Any = None,
    **columns: ArrayLike,
) -> EffectSizes:
    """Compute effect sizes ``yi`` and sampling variances ``vi`` for one measure.

    Columns are passed by name (sequences of equal length; scalars broadcast):

    ========== ====================================================================
    MD, SMD,   m1i, sd1i, n1i, m2i, sd2i, n2i (group 1 = treatment, 2 = control)
    ROM
    SMDANCOVA  m1i, m2i (adjusted means), sd1i, sd2i (unadjusted SDs), n1i, n2i,
               r2i [, qi]  — or —  ti, n1i, n2i, r2i [, qi]
    SMCR       m1i (post mean), m2i (pre mean), sd1i (pre SD), ni, ri [, sd2i]
    SMCC       m1i (post), m2i (pre), sd1i, sd2i (their SDs), ni, ri
    SMDPPC     m1i_pre, m1i_post, sd1i_pre, n1i, m2i_pre, m2i_post, sd2i_pre,
               n2i, ri
    RR, OR, RD ai, bi, ci, di  — or —  ai, n1i, ci, n2i (ai, ci = events)
    ========== ====================================================================

    Zero cells in 2x2 tables (RR, OR, RD), following metafor's documented rules:

    * ``to="only0"`` (default) adds ``add`` (default 1/2) to every cell of each table that has
      at least one zero cell; ``"all"`` adds it to every table; ``"if0all"`` to every table when
      any table has a zero; ``"none"`` (or ``add=0``) never — a table whose measure is then
      undefined is an error naming its row.
    * Double-zero tables (no events in either group, or only events in both: ai=ci=0 or
      bi=di=0) are kept by default (``drop00=None`` means False), as metafor's ``escalc`` does,
      so results agree with it; they then get 1/2 added like any table with a zero. They carry
      no information about a ratio (Cochrane Handbook 10.4.4), so ``drop00=True`` drops them
      (for RR and OR; RD stays defined and informative). Dropped rows are listed (0-based) in
      ``EffectSizes.dropped``.

    Raises `EffectSizeError` (a ValueError) naming the 1-based row and the column for missing or
    extra columns, unequal lengths, missing values, negative SDs or counts, group sizes below 2,
    correlations outside [-1, 1] and undefined results.
    """
    key = measure.upper()
    if key not in _SIGN_CONVENTIONS:
        raise EffectSizeError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
    if key in _BINARY:
        yi, vi, dropped = _binary(key, columns, add=add, to=to, drop00=drop00)
    else:
        if drop00 is not None or to != "only0" or add != 0.5:
            raise EffectSizeError(f"add, to and drop00 apply to 2x2 measures, not {key!r}")
        yi, vi = _MEAN_MEASURES[key](columns)
        dropped = ()
    return EffectSizes(
        yi=np.asarray(yi, dtype=np.float64),
        vi=np.asarray(vi, dtype=np.float64),
        measure=key,
        sign_convention=_SIGN_CONVENTIONS[key],
        dropped=dropped,
    )


def _wald(estimate: float, variance: float, level: float) -> Interval:
    if not 0 < level < 100:
        raise EffectSizeError(f"level is a percentage between 0 and 100, not {level!r}")
    z = float(stats.norm.ppf(1 - (1 - level / 100) / 2))
    half = z * math.sqrt(variance)
    return Interval(estimate, variance, estimate - half, estimate + half)


def smd_between(
    m1: float,
    sd1: float,
    n1: float,
    m2: float,
    sd2: float,
    n2: float,
    *,
    level: float = 95.0,
) -> Interval:
    """Between-arm Hedges' g (group 1 minus group 2) with its variance and Wald CI.

    Same formula as ``escalc("SMD", ...)``: positive when group 1 has the higher mean.
    """
    es = escalc("SMD", m1i=[m1], sd1i=[sd1], n1i=[n1], m2i=[m2], sd2i=[sd2], n2i=[n2])
    return _wald(float(es.yi[0]), float(es.vi[0]), level)


def smd_prepost(
    m_pre: float,
    sd_pre: float,
    m_post: float,
    n: float,
    r: float,
    *,
    level: float = 95.0,
) -> Interval:
    """Within-group standardised mean change (post minus pre, in baseline-SD units) with CI.

    Same formula as ``escalc("SMCR", ...)`` (Becker 1988): positive when the post-test mean is
    higher. ``r`` is the pre-post correlation of the same people's scores.
    """
    es = escalc("SMCR", m1i=[m_post], m2i=[m_pre], sd1i=[sd_pre], ni=[n], ri=[r])
    return _wald(float(es.yi[0]), float(es.vi[0]), level)
