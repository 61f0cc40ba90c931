"""The shipped literature table holds exactly the published values, with their directions."""

from __future__ import annotations

import pytest

from alongside.evaluation import literature

EXPECTED = {
    ("yeo2025", "Mental health"): (0.53, 0.46, 0.61),
    ("yeo2025", "Physical health"): (0.35, 0.30, 0.41),
    ("croke2026", "Depression"): (-0.28, -0.42, -0.14),
    ("croke2026", "Anxiety"): (-0.47, -0.68, -0.27),
    ("croke2026", "Social functioning"): (0.18, 0.07, 0.29),
    ("croke2026", "Quality of life"): (0.14, 0.02, 0.26),
    ("croke2026", "Patient activation"): (0.39, 0.23, 0.55),
    ("croke2026", "Personal recovery"): (0.23, 0.11, 0.35),
}


def test_values_are_exactly_as_published() -> None:
    effects = literature.published_effects()
    got = {(e.review.key, e.outcome): (e.estimate, e.ci_lb, e.ci_ub) for e in effects}
    assert got == EXPECTED
    assert all(e.measure == "SMD" and e.level == 95 for e in effects)


def test_references_are_full() -> None:
    yeo, croke = literature.reviews()
    assert yeo.citation == (
        "Yeo G, Fortuna KL, Lansford JE, Rudolph KD. The effects of digital peer support "
        "interventions on physical and mental health: a review and meta-analysis. "
        "Epidemiology and Psychiatric Sciences 2025;34:e9. doi:10.1017/S2045796024000854"
    )
    assert croke.journal == "BMJ Mental Health"
    assert (croke.year, croke.volume, croke.article) == (2026, "29", "e302275")
    assert croke.doi == "10.1136/bmjment-2025-302275"


def test_harmonised_direction_makes_fewer_symptoms_positive() -> None:
    by_outcome = {e.outcome: e for e in literature.published_effects()}
    depression = by_outcome["Depression"]
    assert depression.flip
    assert depression.harmonised_estimate == pytest.approx(0.28)
    assert depression.harmonised_ci == pytest.approx((0.14, 0.42))
    anxiety = by_outcome["Anxiety"]
    assert anxiety.harmonised_ci == pytest.approx((0.27, 0.68))
    mental = by_outcome["Mental health"]
    assert not mental.flip
    assert mental.harmonised_estimate == 0.53
    assert "negative" in depression.direction_as_published
    # Every harmonised interval is the right way round.
    for effect in literature.published_effects():
        low, high = effect.harmonised_ci
        assert low < effect.harmonised_estimate < high


def test_references_for_a_measure() -> None:
    outcomes = [e.outcome for e in literature.references_for("phq9")]
    assert outcomes == ["Mental health", "Depression"]
    assert [e.outcome for e in literature.references_for("gad7")] == ["Mental health", "Anxiety"]
    assert [e.outcome for e in literature.references_for("ucla3")] == ["Mental health"]
