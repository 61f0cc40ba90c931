"""The analysis estimators on constructed data where the answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import gamma

from alongside.evaluation import analysis
from alongside.evaluation.analysis import Observation, Unit
from alongside.measures.engine import get_definition


def _j(m: float) -> float:
    return float(gamma(m / 2) / (math.sqrt(m / 2) * gamma((m - 1) / 2)))


def test_prepost_smd_by_hand_and_flipped_for_a_measure_where_lower_is_better() -> None:
    before = [18.0, 15.0, 12.0, 20.0, 10.0, 14.0]
    after = [12.0, 11.0, 10.0, 15.0, 9.0, 8.0]
    effect = analysis.prepost_smd(before, after, higher_is_worse=True)
    assert effect is not None
    n = 6
    sd_pre = float(np.std(before, ddof=1))
    raw = _j(n - 1) * (np.mean(after) - np.mean(before)) / sd_pre
    r = float(np.corrcoef(before, after)[0, 1])
    variance = 2 * (1 - r) / n + raw**2 / (2 * n)
    # Scores fell, which is better on the PHQ-9: the harmonised effect is positive.
    assert effect.estimate == pytest.approx(-raw)
    assert effect.estimate > 0
    assert effect.variance == pytest.approx(variance)
    z = 1.959963984540054
    assert effect.ci_lb == pytest.approx(-raw - z * math.sqrt(variance))
    assert effect.ci_ub == pytest.approx(-raw + z * math.sqrt(variance))
    assert effect.flipped
    # On a measure where higher is better, the same fall is a deterioration.
    same = analysis.prepost_smd(before, after, higher_is_worse=False)
    assert same is not None
    assert same.estimate == pytest.approx(raw)


def test_prepost_smd_needs_three_pairs() -> None:
    assert analysis.prepost_smd([1.0, 2.0], [1.0, 3.0], higher_is_worse=True) is None


def _trial(
    *, n: int = 300, raw_effect: float = -2.0, informative: bool, seed: int = 11
) -> tuple[list[Observation], float]:
    """A random-intercept trial: lower is better, the treated arm ends ``raw_effect`` lower.

    Returns the observations and the true harmonised d (effect over the baseline SD).
    With ``informative``, treated participants doing badly at week 4 mostly drop out before the
    end (missing at random given week 4: the mixed model can recover the truth, completers
    cannot).
    """
    rng = np.random.default_rng(seed)
    sd_person, sd_noise = 3.0, 2.0
    rows: list[Observation] = []
    for pid in range(2 * n):
        treated = pid % 2 == 0
        person = rng.normal(0.0, sd_person)
        base = 15.0 + person + rng.normal(0.0, sd_noise)
        mid = 13.0 + person + (raw_effect / 2 if treated else 0.0) + rng.normal(0.0, sd_noise)
        last = 12.0 + person + (raw_effect if treated else 0.0) + rng.normal(0.0, sd_noise)
        rows.append(Observation(pid, treated, analysis.BASELINE, base))
        rows.append(Observation(pid, treated, "week-4", mid))
        drops = informative and treated and mid > 12.0 and rng.random() < 0.8
        if not drops:
            rows.append(Observation(pid, treated, analysis.END, last))
    return rows, -raw_effect / math.sqrt(sd_person**2 + sd_noise**2)


def _completers(rows: list[Observation]) -> analysis.Effect | None:
    ended = {row.participant for row in rows if row.occasion == analysis.END}
    ends = [row for row in rows if row.occasion == analysis.END and row.participant in ended]
    return analysis.between_arms_g(
        [row.score for row in ends if row.treated],
        [row.score for row in ends if not row.treated],
        higher_is_worse=True,
    )


OCCASIONS = (analysis.BASELINE, "week-4", analysis.END)


def test_between_arm_g_has_the_right_sign_and_size_and_covers_the_truth() -> None:
    rows, truth = _trial(informative=False)
    completers = _completers(rows)
    assert completers is not None
    # The end SD is the same as the baseline SD here, so g estimates the same d.
    assert completers.estimate > 0
    assert completers.ci_lb <= truth <= completers.ci_ub
    assert completers.estimate == pytest.approx(truth, abs=0.2)
    itt = analysis.itt_mixed_model(rows, higher_is_worse=True, occasions=OCCASIONS)
    assert itt is not None
    assert itt.effect.ci_lb <= truth <= itt.effect.ci_ub
    assert itt.difference == pytest.approx(2.0, abs=0.5)
    assert itt.n_participants == 600


def test_itt_and_completers_differ_when_dropout_is_informative() -> None:
    rows, truth = _trial(informative=True)
    completers = _completers(rows)
    itt = analysis.itt_mixed_model(rows, higher_is_worse=True, occasions=OCCASIONS)
    assert completers is not None
    assert itt is not None
    # Those who were doing badly left the treated arm: completers flatter the programme.
    assert completers.estimate - itt.effect.estimate > 0.2
    assert not completers.ci_lb <= truth <= completers.ci_ub
    # The mixed model uses their week-4 scores and recovers the truth.
    assert itt.effect.ci_lb <= truth <= itt.effect.ci_ub
    assert itt.n_with_end < itt.n_participants == 600


def test_itt_needs_both_arms_at_the_end() -> None:
    rows = [Observation(1, True, analysis.BASELINE, 10.0), Observation(1, True, analysis.END, 8.0)]
    assert analysis.itt_mixed_model(rows, higher_is_worse=True, occasions=OCCASIONS) is None


def test_dose_response_recovers_a_known_slope() -> None:
    rng = np.random.default_rng(3)
    n = 400
    base = rng.normal(15, 4, n)
    dose = rng.integers(0, 40, n).astype(float)
    # Each active day lowers the end score by 0.1 points (an improvement on the PHQ-9).
    end = 0.7 * base + 4 - 0.1 * dose + rng.normal(0, 2, n)
    result = analysis.dose_response(
        base.tolist(), end.tolist(), dose.tolist(), higher_is_worse=True
    )
    assert result is not None
    assert result.ci_lb <= 0.1 <= result.ci_ub
    assert result.slope > 0
    assert result.p_value < 0.001
    assert result.n == n


def test_reliable_change_and_talking_therapies_counts() -> None:
    phq9 = get_definition("phq9")
    counts = analysis.reliable_change_counts(phq9, [(20, 10), (12, 19), (14, 12), (9, 3)])
    assert counts is not None
    assert (counts.improved, counts.deteriorated, counts.no_reliable_change) == (2, 1, 1)
    tt = analysis.talking_therapies_counts(
        [
            (18.0, 6.0, 12.0, 5.0),  # case, recovered and reliably improved
            (12.0, 11.0, 9.0, 9.0),  # case, still a case
            (5.0, 4.0, 3.0, 3.0),  # not a case at the start
        ]
    )
    assert (tt.n, tt.cases_at_start, tt.recovered, tt.reliably_recovered) == (3, 2, 1, 1)
    assert tt.reliably_improved == 1


def _unit(estimate: float, variance: float, **moderators: float) -> Unit:
    effect = analysis.Effect("u", estimate, variance, 0.0, 0.0, 20, 20, "g", "completers")
    return Unit(effect=effect, moderators=moderators)


def test_pooling_says_why_not_with_one_unit_and_skips_constant_moderators() -> None:
    single = analysis.pool([_unit(0.4, 0.02)])
    assert single.result is None
    assert "at least 2" in single.reason
    two = analysis.pool([_unit(0.4, 0.02, formal=1.0), _unit(0.6, 0.03, formal=1.0)])
    assert two.result is not None
    assert two.result.k == 2
    assert two.moderators[0].reason.startswith("Not tested: the same")


def test_pooling_fits_a_moderator_when_there_are_enough_units() -> None:
    units = [
        _unit(0.2, 0.02, interactive=0.0, dose=1.0),
        _unit(0.3, 0.02, interactive=0.0, dose=2.0),
        _unit(0.6, 0.02, interactive=1.0, dose=1.0),
        _unit(0.7, 0.02, interactive=1.0, dose=2.0),
        _unit(0.5, 0.03, interactive=1.0, dose=3.0),
    ]
    pooled = analysis.pool(units)
    assert pooled.result is not None
    by_name = {each.name: each for each in pooled.moderators}
    interactive = by_name["interactive"].result
    assert interactive is not None
    assert float(interactive.beta[1]) > 0.3
    few = analysis.pool(units[:3])
    assert "more than 3 units" in {each.name: each for each in few.moderators}["dose"].reason
