"""Three-level meta-analysis against metafor's documented output on dat.konstantopoulos2011.

Sources of every reference number (4 printed decimals) are listed in
``reference_data/README_multilevel.md``: metafor's analysis example
https://www.metafor-project.org/doku.php/analyses:konstantopoulos2011 (as checked by metafor's
own ``tests/testthat/test_analysis_example_konstantopoulos2011.r``), and metafor's printed
``rma.mv`` output reproduced in the RoBMA vignette "Multilevel Meta-Analysis".
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from alongside.evaluation.stats.multilevel import (
    MultilevelResult,
    confint_sigma2,
    profile_loglik,
    ranef,
    rma_multilevel,
)
from alongside.evaluation.stats.rma import MetaAnalysisError, rma

DATA = Path(__file__).parent / "reference_data" / "konstantopoulos2011.csv"
TOL = 5e-5 + 1e-9  # agreement to the 4 printed decimals


def close(ours: float, ref: float) -> bool:
    return abs(float(ours) - ref) <= TOL


@pytest.fixture(scope="module")
def dat() -> dict[str, np.ndarray]:
    with DATA.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        "district": np.array([int(r["district"]) for r in rows]),
        "study": np.array([int(r["study"]) for r in rows]),
        "year": np.array([float(r["year"]) for r in rows]),
        "yi": np.array([float(r["yi"]) for r in rows]),
        "vi": np.array([float(r["vi"]) for r in rows]),
    }


@pytest.fixture(scope="module")
def reml(dat: dict[str, np.ndarray]) -> MultilevelResult:
    return rma_multilevel(dat["yi"], dat["vi"], dat["district"])


def test_reference_data_shape(dat: dict[str, np.ndarray]) -> None:
    assert dat["yi"].size == 56
    assert np.unique(dat["district"]).size == 11


def test_reml_matches_metafor(reml: MultilevelResult) -> None:
    # rma.mv(yi, vi, random = ~ 1 | district/school): metafor-project.org analyses page.
    assert reml.converged
    assert reml.method == "REML"
    assert (reml.k, reml.p, reml.n_clusters, reml.n_levels) == (56, 1, 11, (11, 56))
    assert close(reml.estimate, 0.1847)
    assert close(reml.se[0], 0.0846)
    assert close(reml.sigma2[0], 0.0651)
    assert close(reml.sigma2[1], 0.0327)
    assert close(reml.sigma2_total, 0.0978)
    assert reml.icc is not None and close(reml.icc, 0.6653)
    assert close(reml.ll, -7.9587)


def test_reml_printed_model_results(reml: MultilevelResult) -> None:
    # metafor's printed rma.mv output (RoBMA vignette "Multilevel Meta-Analysis").
    assert reml.qe_df == 55
    assert close(reml.qe, 578.8640)
    assert reml.qe_p < 1e-4
    assert close(reml.stat[0], 2.1845)
    assert close(reml.pval[0], 0.0289)
    assert close(reml.ci_lb[0], 0.0190)
    assert close(reml.ci_ub[0], 0.3504)
    assert reml.qm is None and reml.ddf is None


def test_reml_profile_confidence_intervals(reml: MultilevelResult) -> None:
    # confint(res.ml): metafor-project.org analyses page / metafor's test file.
    between, within = confint_sigma2(reml)
    assert close(between.ci_lb, 0.0222)
    assert close(between.ci_ub, 0.2072)
    assert close(within.ci_lb, 0.0163)
    assert close(within.ci_ub, 0.0628)
    assert close(np.sqrt(between.ci_lb), 0.1491)
    assert close(np.sqrt(between.ci_ub), 0.4552)
    assert close(np.sqrt(within.ci_ub), 0.2507)
    # metafor prints 0.1276 for sigma.2's lower bound, which needs sigma^2.2's bound to be at
    # least 0.016269; ours, 0.016265, solves the profile equation to ~1e-15 (the profile
    # log-likelihood at 0.016269 is already 1.2e-3 above the cut-off), so the gap is metafor's
    # iterative root search stopping at a coarser tolerance. Held to 1.2e-4 for that one value.
    assert abs(np.sqrt(within.ci_lb) - 0.1276) <= 1.2e-4


def test_ml_matches_metafor(dat: dict[str, np.ndarray]) -> None:
    # method = "ML": Konstantopoulos (2011) Table 5, as reproduced by metafor.
    res = rma_multilevel(dat["yi"], dat["vi"], dat["district"], method="ML")
    assert res.converged and res.method == "ML"
    assert close(res.estimate, 0.1845)
    assert close(res.se[0], 0.0805)
    assert close(res.sigma2[0], 0.0577)
    assert close(res.sigma2[1], 0.0329)
    assert res.pi_lb is not None and res.pi_ub is not None
    assert close(res.pi_lb, -0.4262)
    assert close(res.pi_ub, 0.7951)


def test_ml_with_centred_year_matches_metafor(dat: dict[str, np.ndarray]) -> None:
    # mods = ~ I(year - mean(year)), method = "ML": Table 5, as reproduced by metafor.
    year_c = dat["year"] - dat["year"].mean()
    res = rma_multilevel(
        dat["yi"], dat["vi"], dat["district"], method="ML", mods=year_c, mod_names=["year_c"]
    )
    assert res.converged
    assert res.coef_names == ("intrcpt", "year_c")
    assert close(res.beta[0], 0.1780)
    assert close(res.beta[1], 0.0051)
    assert close(res.se[0], 0.0805)
    assert close(res.se[1], 0.0085)
    assert close(res.sigma2[0], 0.0565)
    assert close(res.sigma2[1], 0.0329)
    # QM with one moderator is the square of its z statistic; no prediction interval.
    assert res.qm_df == 1 and res.qm is not None and res.qm_p is not None
    assert res.qm == pytest.approx(res.stat[1] ** 2)
    assert res.qm_p == pytest.approx(res.pval[1])
    assert res.pi_lb is None and res.qe_df == 54


def test_clusters_of_one_give_the_two_level_model(dat: dict[str, np.ndarray]) -> None:
    # Each study its own cluster: rma.mv(yi, vi, random = ~ 1 | study), Table 4 via metafor.
    res = rma_multilevel(dat["yi"], dat["vi"], dat["study"])
    assert res.converged
    assert close(res.estimate, 0.1279)
    assert close(res.se[0], 0.0439)
    assert close(res.sigma2_total, 0.0884)
    # Not separately identified: the fit reports an even split.
    assert res.sigma2[0] == pytest.approx(res.sigma2[1])


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_clusters_of_one_agree_with_two_level_rma(dat: dict[str, np.ndarray], method: str) -> None:
    year_c = dat["year"] - dat["year"].mean()
    two = rma(dat["yi"], dat["vi"], method=method, mods=year_c)
    three = rma_multilevel(dat["yi"], dat["vi"], dat["study"], method=method, mods=year_c)
    assert three.sigma2_total == pytest.approx(two.tau2, abs=1e-6)
    np.testing.assert_allclose(three.beta, two.beta, atol=1e-6)
    np.testing.assert_allclose(three.se, two.se, atol=1e-6)
    assert three.ll == pytest.approx(two.ll, abs=1e-8)
    assert three.qe == pytest.approx(two.qe)
    assert three.qm == pytest.approx(two.qm, rel=1e-5)


def test_estimate_is_a_maximum(reml: MultilevelResult) -> None:
    assert reml.max_abs_gradient < 1e-4
    for comp in (0, 1):
        est = reml.sigma2[comp]
        grid = est * np.array([0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 2.0])
        prof = profile_loglik(reml, comp, grid)
        assert prof[3] == pytest.approx(reml.ll, abs=1e-9)
        assert np.all(prof <= reml.ll + 1e-9)
        assert prof[0] < prof[2] and prof[-1] < prof[-3]


def test_t_distribution(dat: dict[str, np.ndarray], reml: MultilevelResult) -> None:
    res = rma_multilevel(dat["yi"], dat["vi"], dat["district"], test="t")
    assert res.test == "t" and res.ddf == 55
    assert res.stat[0] == pytest.approx(reml.stat[0])
    assert res.pval[0] > reml.pval[0]
    assert res.ci_lb[0] < reml.ci_lb[0] and res.ci_ub[0] > reml.ci_ub[0]
    knha = rma_multilevel(dat["yi"], dat["vi"], dat["district"], test="knha")
    assert knha.test == "t" and knha.pval[0] == pytest.approx(res.pval[0])


def test_f_test_for_moderators(dat: dict[str, np.ndarray]) -> None:
    year_c = dat["year"] - dat["year"].mean()
    res = rma_multilevel(dat["yi"], dat["vi"], dat["district"], mods=year_c, test="t")
    assert (res.qm_df, res.qm_df2) == (1, 54)
    assert res.qm == pytest.approx(res.stat[1] ** 2)
    assert res.qm_p == pytest.approx(res.pval[1])


def test_level_changes_the_interval(dat: dict[str, np.ndarray], reml: MultilevelResult) -> None:
    res = rma_multilevel(dat["yi"], dat["vi"], dat["district"], level=90)
    assert res.ci_ub[0] - res.ci_lb[0] < reml.ci_ub[0] - reml.ci_lb[0]
    assert res.estimate == pytest.approx(reml.estimate)


def test_no_heterogeneity_gives_the_equal_effects_estimate() -> None:
    vi = np.array([0.01, 0.02, 0.04, 0.05, 0.03, 0.02])
    yi = np.full(6, 0.3)
    res = rma_multilevel(yi, vi, ["a", "a", "b", "b", "c", "c"])
    assert res.sigma2 == (0.0, 0.0)
    assert res.estimate == pytest.approx(0.3)
    assert res.se[0] == pytest.approx(np.sqrt(1 / np.sum(1 / vi)))
    assert res.icc is None and res.converged


def test_as_dict_is_json(reml: MultilevelResult) -> None:
    out = json.loads(json.dumps(reml.as_dict()))
    assert out["model"] == "three-level"
    assert out["n_clusters"] == 11 and out["n_levels"] == [11, 56]
    assert out["coefficients"][0]["name"] == "intrcpt"
    assert out["estimate"] == pytest.approx(reml.estimate)
    assert out["sigma2_between"] == pytest.approx(reml.sigma2[0])


def test_fitted_plus_residuals_is_the_data(reml: MultilevelResult) -> None:
    np.testing.assert_allclose(reml.fitted + reml.residuals, reml.yi)
    np.testing.assert_allclose(reml.fitted, reml.estimate)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vi": [0.1, -0.2, 0.1, 0.1]}, "negative .* row 2"),
        ({"vi": [0.1, 0.2, 0.0, 0.1]}, "zero .* row 3"),
        ({"yi": [0.1, np.nan, 0.2, 0.3]}, "yi is missing .* row 2"),
        ({"vi": [0.1, 0.2, 0.1]}, "yi has 4 values but vi has 3"),
        ({"cluster": ["a", "a", "a", "a"]}, "at least 2 clusters"),
        ({"cluster": ["a", "b", None, "a"]}, "cluster is missing at row 3"),
        ({"cluster": ["a", "b", "a"]}, "cluster has 3 values"),
        ({"method": "DL"}, "method must be"),
        ({"test": "wald"}, "test must be"),
        ({"level": 0}, "level must be"),
        ({"mods": [[1, 2], [2, 4], [3, 6], [4, 8]]}, "collinear"),
        ({"mods": [1.0, 1.0, 1.0, 1.0]}, "collinear"),
        ({"mods": [1.0, 2.0, 3.0]}, "mods must have 4 rows"),
        ({"mods": [[1.0], [np.inf], [0.0], [2.0]]}, "moderator 1 is missing at row 2"),
        ({"mods": [1.0, 2.0, 3.0, 4.0], "mod_names": ["a", "b"]}, "mod_names"),
        ({"mods": np.eye(4), "intercept": False}, "too few"),
        ({"intercept": False}, "no coefficients"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "yi": [0.1, 0.3, 0.2, 0.5],
        "vi": [0.1, 0.2, 0.1, 0.1],
        "cluster": ["a", "a", "b", "b"],
    }
    args.update(kwargs)
    yi, vi, cluster = args.pop("yi"), args.pop("vi"), args.pop("cluster")
    with pytest.raises(MetaAnalysisError, match=message):
        rma_multilevel(yi, vi, cluster, **args)  # type: ignore[arg-type]


def test_errors_are_value_errors() -> None:
    assert issubclass(MetaAnalysisError, ValueError)
    with pytest.raises(ValueError, match="at least 3"):
        rma_multilevel([0.1, 0.2], [0.1, 0.1], [1, 2])


def test_profile_rejects_bad_component(reml: MultilevelResult) -> None:
    with pytest.raises(MetaAnalysisError, match="component"):
        profile_loglik(reml, 2, [0.1])
    with pytest.raises(MetaAnalysisError, match="negative"):
        profile_loglik(reml, 0, [-0.1])


# ranef(res.ml) for the REML fit: metafor's test_analysis_example_konstantopoulos2011.r
# ("BLUPs are calculated correctly ..."), districts in sorted order, schools in row order.
RANEF_DISTRICT = [
    (-0.18998596, 0.16653966), (-0.08467077, 0.12407891), (0.1407273, 0.13724053),
    (0.24064814, 0.11885896), (-0.1072942, 0.11895233), (-0.23650899, 0.10112845),
    (0.5342778, 0.1297891), (-0.2004695, 0.101322), (0.05711692, 0.11104458),
    (-0.14168396, 0.12485549), (-0.01215679, 0.15042221),
]  # fmt: skip
RANEF_SCHOOL = [
    -0.03794675, -0.04663383, 0.04357906, -0.05459167, 0.02098376, -0.25219111, 0.06169069,
    0.12691378, 0.07315932, 0.02358293, -0.02593401, -0.16472466, 0.20017925, -0.05824454,
    0.14387428, 0.00163316, -0.03082723, 0.09766431, -0.12245631, -0.07958353, 0.03342001,
    0.03277405, -0.13648311, 0.00732233, -0.15120705, 0.10293055, 0.04267145, 0.08386343,
    -0.02323572, -0.03147411, -0.28733359, 0.19536367, 0.36079672, -0.0526358, -0.03322863,
    0.00558571, 0.03469647, -0.01382146, 0.0152893, 0.02499288, -0.08174655, 0.19776024,
    0.31299764, -0.03204218, -0.18968221, -0.13730492, -0.12298966, -0.28918454, 0.33743506,
    -0.03810734, 0.11843554, -0.19986832, -0.01436916, 0.12481101, -0.04350898, -0.07304968,
]  # fmt: skip
RANEF_SCHOOL_SE = [
    0.16388194, 0.16388194, 0.16603559, 0.16603559, 0.12233812, 0.12233812, 0.12342216,
    0.13171712, 0.13653182, 0.14617064, 0.12941105, 0.12588568, 0.10313659, 0.10313659,
    0.10868276, 0.12489868, 0.10877088, 0.10517399, 0.10324522, 0.11803445, 0.11512181,
    0.11661284, 0.12068892, 0.11803445, 0.11939164, 0.08878259, 0.09186319, 0.09186319,
    0.09186319, 0.09186319, 0.12687757, 0.12311091, 0.12210943, 0.06873404, 0.06873404,
    0.06873404, 0.06873404, 0.06873404, 0.06873404, 0.06873404, 0.06873404, 0.10744609,
    0.10928134, 0.10744609, 0.10550931, 0.11267925, 0.11267925, 0.13697347, 0.13697347,
    0.13632667, 0.13632667, 0.13632667, 0.1589217, 0.1581043, 0.15527374, 0.15527374,
]  # fmt: skip


def test_blups_match_metafor(reml: MultilevelResult) -> None:
    blups = ranef(reml)
    assert blups.cluster_labels == (11, 12, 18, 27, 56, 58, 71, 86, 91, 108, 644)
    ref = np.array(RANEF_DISTRICT)
    np.testing.assert_allclose(blups.cluster_effects, ref[:, 0], rtol=0, atol=TOL)
    np.testing.assert_allclose(blups.cluster_se, ref[:, 1], rtol=0, atol=TOL)
    np.testing.assert_allclose(blups.within_effects, RANEF_SCHOOL, rtol=0, atol=TOL)
    np.testing.assert_allclose(blups.within_se, RANEF_SCHOOL_SE, rtol=0, atol=TOL)
