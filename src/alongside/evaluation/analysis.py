"""The analysis of a programme's or a study's own outcome data, in the reviews' own terms.

Pure numbers in, typed results out: no database here (``analysis_data`` gathers the data), so
every estimator can be tested on a constructed dataset whose answer is known.

**One sign convention throughout.** Every effect this module returns is *harmonised*: positive
means improvement (within a group) or a result favouring peer support (between arms). Measures
where a higher score is worse (PHQ-9, GAD-7, UCLA-3) have their raw differences flipped; the
raw direction is still stated in ``Effect.raw_direction``. The published effects in
``literature`` are harmonised the same way, so they sit on one axis.

The estimators:

* within-group change: the standardised mean change with raw-score (baseline-SD)
  standardisation, SMCR (Becker 1988), with the pre-post correlation estimated from the same
  people's paired scores, from ``stats.effect_sizes.smd_prepost``;
* between arms at the end occasion: Hedges' g with the exact small-sample correction, from
  ``stats.effect_sizes.smd_between``, on completers (the sensitivity analysis);
* intention to treat (primary): a linear mixed model of every randomised participant's scores
  at every occasion, score ~ occasion * arm with a random intercept per participant, fitted by
  REML with statsmodels' ``MixedLM``. Participants who drop out still contribute what they gave,
  which is valid when dropout depends on what was observed (missing at random). The adjusted
  difference at the end occasion is divided by the pooled baseline SD to give d;
* dose-response: ordinary least squares of each completer's improvement on their active days,
  adjusted for the baseline score (regression to the mean otherwise masquerades as dose);
* pooling: random effects (REML) across cohorts or sites with ``stats.rma``, and one-moderator
  meta-regressions for the moderators the reviews use.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as scipy_stats

from alongside.evaluation.stats.effect_sizes import smd_between, smd_prepost
from alongside.evaluation.stats.rma import MetaAnalysisError, RMAResult, rma
from alongside.measures.engine import (
    DETERIORATED,
    IMPROVED,
    MeasureDefinition,
    reliable_change,
    talking_therapies_outcome,
)

BASELINE = "baseline"
END = "end"
LEVEL = 95.0
# The moderators the reviews test, as numbers per unit (cohort, site or programme).
MODERATORS: dict[str, str] = {
    "interactive": "Interactive format (live chat, video, one-to-one) vs forum",
    "formal": "Formal support (trained peer supporters) vs informal peers",
    "dose": "Dose (intended sessions a week)",
    "duration": "Duration (weeks)",
    "active_days": "Observed dose (mean active days per participant)",
}
RAW_UP = "a positive raw difference means a higher score"


def _z(level: float) -> float:
    return float(scipy_stats.norm.ppf(0.5 + level / 200.0))


@dataclass(frozen=True)
class Effect:
    """A harmonised effect size: positive = improvement / favours peer support."""

    label: str
    estimate: float
    variance: float
    ci_lb: float
    ci_ub: float
    n: int
    n_smallest_group: int
    estimator: str
    analysis: str
    level: float = LEVEL
    flipped: bool = False
    raw_direction: str = RAW_UP

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)


def _harmonised(
    *,
    label: str,
    estimate: float,
    variance: float,
    ci: tuple[float, float],
    flip: bool,
    n: int,
    n_smallest_group: int,
    estimator: str,
    analysis: str,
    level: float,
) -> Effect:
    if flip:
        estimate, ci = -estimate, (-ci[1], -ci[0])
    return Effect(
        label=label,
        estimate=estimate,
        variance=variance,
        ci_lb=ci[0],
        ci_ub=ci[1],
        n=n,
        n_smallest_group=n_smallest_group,
        estimator=estimator,
        analysis=analysis,
        level=level,
        flipped=flip,
    )


def _clean(values: Sequence[float]) -> np.ndarray:
    return np.asarray(values, dtype=float)


# --- Within a group --------------------------------------------------------------------------


def prepost_smd(
    baseline: Sequence[float],
    end: Sequence[float],
    *,
    higher_is_worse: bool,
    label: str = "",
    level: float = LEVEL,
) -> Effect | None:
    """Standardised mean change (SMCR) of the same people from baseline to the end.

    ``baseline[i]`` and ``end[i]`` are one person's scores. None when fewer than three pairs
    or no spread at baseline (the SD in the denominator would be 0).
    """
    pre, post = _clean(baseline), _clean(end)
    n = int(pre.size)
    if n != post.size:
        raise ValueError("baseline and end must hold the same people's paired scores")
    if n < 3:
        return None
    sd_pre = float(np.std(pre, ddof=1))
    if sd_pre <= 0 or float(np.std(post, ddof=1)) <= 0:
        return None
    r = float(np.corrcoef(pre, post)[0, 1])
    # A correlation of exactly +/-1 leaves the variance formula degenerate.
    r = max(-0.99, min(0.99, r))
    interval = smd_prepost(float(pre.mean()), sd_pre, float(post.mean()), n, r, level=level)
    return _harmonised(
        label=label,
        estimate=interval.estimate,
        variance=interval.variance,
        ci=(interval.ci_lb, interval.ci_ub),
        flip=higher_is_worse,
        n=n,
        n_smallest_group=n,
        estimator=f"SMCR (baseline-SD standardised mean change, r = {r:.2f} from the data)",
        analysis="participants with both baseline and end scores",
        level=level,
    )


# --- Between arms ----------------------------------------------------------------------------


def between_arms_g(
    treatment: Sequence[float],
    control: Sequence[float],
    *,
    higher_is_worse: bool,
    label: str = "",
    analysis: str = "completers (both baseline and end scores)",
    level: float = LEVEL,
) -> Effect | None:
    """Hedges' g at one occasion, peer support arm vs control, harmonised to favour > 0."""
    t, c = _clean(treatment), _clean(control)
    if t.size < 2 or c.size < 2:
        return None
    sd_t, sd_c = float(np.std(t, ddof=1)), float(np.std(c, ddof=1))
    if sd_t <= 0 and sd_c <= 0:
        return None
    interval = smd_between(
        float(t.mean()), sd_t, t.size, float(c.mean()), sd_c, c.size, level=level
    )
    return _harmonised(
        label=label,
        estimate=interval.estimate,
        variance=interval.variance,
        ci=(interval.ci_lb, interval.ci_ub),
        flip=higher_is_worse,
        n=int(t.size + c.size),
        n_smallest_group=int(min(t.size, c.size)),
        estimator="Hedges' g (exact small-sample correction)",
        analysis=analysis,
        level=level,
    )


@dataclass(frozen=True)
class Observation:
    """One score of one randomised participant at one occasion (long format)."""

    participant: int
    treated: bool
    occasion: str
    score: float


@dataclass(frozen=True)
class MixedModelResult:
    """The ITT estimate from the mixed model, in raw units and as d."""

    effect: Effect
    difference: float
    difference_ci: tuple[float, float]
    baseline_sd: float
    n_participants: int
    n_observations: int
    n_with_end: int
    converged: bool


def _design(rows: Sequence[Observation], occasions: Sequence[str]) -> np.ndarray:
    """Intercept, occasion dummies (baseline is reference), treated, treated * occasion."""
    others = [each for each in occasions if each != BASELINE]
    columns = len(others)
    design = np.zeros((len(rows), 2 + 2 * columns))
    design[:, 0] = 1.0
    for i, row in enumerate(rows):
        treated = 1.0 if row.treated else 0.0
        design[i, 1 + columns] = treated
        if row.occasion != BASELINE:
            j = others.index(row.occasion)
            design[i, 1 + j] = 1.0
            design[i, 2 + columns + j] = treated
    return design


def pooled_sd(groups: Sequence[Sequence[float]]) -> float:
    """The SD pooled within groups (each group's own mean taken out)."""
    total, df = 0.0, 0
    for group in groups:
        values = _clean(group)
        if values.size >= 2:
            total += float(np.sum((values - values.mean()) ** 2))
            df += int(values.size) - 1
    return math.sqrt(total / df) if df > 0 else float("nan")


def itt_mixed_model(
    observations: Sequence[Observation],
    *,
    higher_is_worse: bool,
    occasions: Sequence[str],
    end: str = END,
    label: str = "",
    level: float = LEVEL,
) -> MixedModelResult | None:
    """Intention to treat: the arm difference at ``end`` from a random-intercept mixed model.

    ``occasions`` in time order, starting with the baseline. d is the model's adjusted
    difference divided by the pooled within-arm baseline SD; its interval is the difference's
    interval divided by the same SD (the SD's own uncertainty is ignored, as is usual).
    """
    from statsmodels.regression.mixed_linear_model import MixedLM  # slow import: load on use

    used = [each for each in occasions if any(row.occasion == each for row in observations)]
    if BASELINE not in used or end not in used:
        return None
    rows = [row for row in observations if row.occasion in used]
    arms = {row.treated for row in rows if row.occasion == end}
    if arms != {True, False}:
        return None
    baseline = [row for row in rows if row.occasion == BASELINE]
    sd = pooled_sd(
        [
            [row.score for row in baseline if row.treated],
            [r.score for r in baseline if not r.treated],
        ]
    )
    if not math.isfinite(sd) or sd <= 0:
        return None
    design = _design(rows, used)
    endog = np.array([row.score for row in rows])
    groups = np.array([row.participant for row in rows])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = MixedLM(endog, design, groups=groups).fit(reml=True, method=["lbfgs", "cg"])
        except (np.linalg.LinAlgError, ValueError):
            return None
    others = [each for each in used if each != BASELINE]
    contrast = np.zeros(design.shape[1])
    contrast[1 + len(others)] = 1.0
    contrast[2 + len(others) + others.index(end)] = 1.0
    beta = np.asarray(fit.fe_params)
    cov = np.asarray(fit.cov_params())[: beta.size, : beta.size]
    difference = float(contrast @ beta)
    se = math.sqrt(float(contrast @ cov @ contrast))
    z = _z(level)
    low, high = difference - z * se, difference + z * se
    participants = {row.participant for row in rows}
    by_arm_at_end = [
        {row.participant for row in rows if row.occasion == end and row.treated is arm}
        for arm in (True, False)
    ]
    randomised_by_arm = [
        {row.participant for row in rows if row.treated is arm} for arm in (True, False)
    ]
    effect = _harmonised(
        label=label,
        estimate=difference / sd,
        variance=(se / sd) ** 2,
        ci=(low / sd, high / sd),
        flip=higher_is_worse,
        n=len(participants),
        n_smallest_group=min(len(each) for each in randomised_by_arm),
        estimator=(
            "d = adjusted difference at the end (linear mixed model, score ~ occasion * arm, "
            "random intercept per participant, REML) / pooled baseline SD"
        ),
        analysis="intention to treat: everyone randomised who gave any score",
        level=level,
    )
    return MixedModelResult(
        effect=effect,
        difference=-difference if higher_is_worse else difference,
        difference_ci=(-high, -low) if higher_is_worse else (low, high),
        baseline_sd=sd,
        n_participants=len(participants),
        n_observations=len(rows),
        n_with_end=sum(len(each) for each in by_arm_at_end),
        converged=bool(getattr(fit, "converged", True)),
    )


# --- Dose-response ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseResponse:
    """Improvement per unit of dose, adjusted for baseline, with its interval."""

    slope: float
    ci_lb: float
    ci_ub: float
    p_value: float
    n: int
    dose_name: str
    unit: str
    level: float = LEVEL


def dose_response(
    baseline: Sequence[float],
    end: Sequence[float],
    dose: Sequence[float],
    *,
    higher_is_worse: bool,
    dose_name: str = "active days",
    level: float = LEVEL,
) -> DoseResponse | None:
    """OLS of improvement (harmonised: positive = better) on dose, adjusting for baseline.

    None with fewer than five people or no spread in dose.
    """
    pre, post, x = _clean(baseline), _clean(end), _clean(dose)
    n = int(pre.size)
    if n < 5 or float(np.std(x)) == 0.0:
        return None
    improvement = (pre - post) if higher_is_worse else (post - pre)
    design = np.column_stack([np.ones(n), x, pre])
    coef, *_ = np.linalg.lstsq(design, improvement, rcond=None)
    residuals = improvement - design @ coef
    df = n - design.shape[1]
    sigma2 = float(residuals @ residuals) / df
    try:
        cov = sigma2 * np.linalg.inv(design.T @ design)
    except np.linalg.LinAlgError:
        return None
    se = math.sqrt(float(cov[1, 1]))
    if se == 0.0:
        return None
    crit = float(scipy_stats.t.ppf(0.5 + level / 200.0, df))
    slope = float(coef[1])
    p_value = float(2 * scipy_stats.t.sf(abs(slope / se), df))
    return DoseResponse(
        slope=slope,
        ci_lb=slope - crit * se,
        ci_ub=slope + crit * se,
        p_value=p_value,
        n=n,
        dose_name=dose_name,
        unit="score points of improvement per extra " + dose_name.rstrip("s"),
        level=level,
    )


# --- Reliable change -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliableChangeCounts:
    measure: str
    n: int
    improved: int
    deteriorated: int
    no_reliable_change: int


def reliable_change_counts(
    definition: MeasureDefinition, pairs: Sequence[tuple[float, float]]
) -> ReliableChangeCounts | None:
    """How many reliably improved or deteriorated; None when the measure has no threshold."""
    if definition.reliable_change_threshold is None:
        return None
    outcomes = [reliable_change(definition, before, after) for before, after in pairs]
    improved = outcomes.count(IMPROVED)
    deteriorated = outcomes.count(DETERIORATED)
    return ReliableChangeCounts(
        measure=definition.short_name,
        n=len(outcomes),
        improved=improved,
        deteriorated=deteriorated,
        no_reliable_change=len(outcomes) - improved - deteriorated,
    )


@dataclass(frozen=True)
class TalkingTherapiesCounts:
    """NHS Talking Therapies paired outcomes (PHQ-9 with GAD-7, first and last)."""

    n: int
    cases_at_start: int
    recovered: int
    reliably_improved: int
    reliably_recovered: int
    reliably_deteriorated: int


def talking_therapies_counts(
    quads: Sequence[tuple[float, float, float, float]],
) -> TalkingTherapiesCounts:
    """``quads`` are (PHQ-9 before, PHQ-9 after, GAD-7 before, GAD-7 after) per person."""
    outcomes = [talking_therapies_outcome(*quad) for quad in quads]
    return TalkingTherapiesCounts(
        n=len(outcomes),
        cases_at_start=sum(each.case_at_start for each in outcomes),
        recovered=sum(bool(each.recovery) for each in outcomes),
        reliably_improved=sum(each.reliable_improvement for each in outcomes),
        reliably_recovered=sum(bool(each.reliable_recovery) for each in outcomes),
        reliably_deteriorated=sum(each.reliable_deterioration for each in outcomes),
    )


# --- Pooling across cohorts or sites ---------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One cohort, site or programme's effect with the unit's moderator values."""

    effect: Effect
    moderators: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ModeratorResult:
    name: str
    description: str
    result: RMAResult | None
    reason: str


@dataclass(frozen=True)
class Pooled:
    k: int
    result: RMAResult | None
    reason: str
    moderators: tuple[ModeratorResult, ...]
    level: float = LEVEL

    @property
    def method(self) -> str:
        return "random effects, REML estimate of tau², Wald-type z interval"


def pool(units: Sequence[Unit], *, level: float = LEVEL) -> Pooled:
    """Random-effects pooling (REML) when k ≥ 2; a meta-regression per moderator that varies
    across units when k > p + 1 (p = 2 coefficients: intercept and slope), else the reason."""
    k = len(units)
    if k < 2:
        return Pooled(
            k=k,
            result=None,
            reason=f"Pooling needs at least 2 cohorts or sites with enough people; there are {k}.",
            moderators=(),
            level=level,
        )
    yi = [unit.effect.estimate for unit in units]
    vi = [unit.effect.variance for unit in units]
    try:
        result: RMAResult | None = rma(yi, vi, method="REML", level=level)
        reason = ""
    except MetaAnalysisError as error:
        result, reason = None, f"The model could not be fitted: {error}"
    moderators: list[ModeratorResult] = []
    for name, description in MODERATORS.items():
        values = [unit.moderators.get(name) for unit in units]
        if any(value is None for value in values):
            continue
        if len({float(value) for value in values if value is not None}) < 2:
            moderators.append(
                ModeratorResult(name, description, None, "Not tested: the same for every unit.")
            )
            continue
        p = 2
        if k <= p + 1:
            moderators.append(
                ModeratorResult(
                    name,
                    description,
                    None,
                    f"Not tested: a meta-regression with {p} coefficients needs more than "
                    f"{p + 1} units (k = {k}).",
                )
            )
            continue
        try:
            fitted = rma(
                yi,
                vi,
                method="REML",
                mods=[[float(value)] for value in values if value is not None],
                level=level,
                mod_names=[name],
            )
            moderators.append(ModeratorResult(name, description, fitted, ""))
        except MetaAnalysisError as error:
            moderators.append(ModeratorResult(name, description, None, f"Not fitted: {error}"))
    return Pooled(k=k, result=result, reason=reason, moderators=tuple(moderators), level=level)
