"""rma() against metafor's documented output on its example datasets.

Each expected value is copied from a printed metafor result whose source is named next to it.
Agreement is to the printed decimals: |ours - printed| <= half a unit in the last printed place
(plus a hair for floating point). Inputs are recomputed at full precision from the published
counts, as metafor does, rather than from the 4-decimal yi/vi listing.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from alongside.evaluation.stats._tau2 import q_generalised
from alongside.evaluation.stats.rma import (
    TAU2_METHODS,
    MetaAnalysisError,
    design_matrix,
    predict,
    rma,
    subgroups,
    wald_test,
)

DATA = Path(__file__).parent / "reference_data"

# Sources (metafor is GPL; only its printed output is used, never its code):
README = "https://github.com/wviechtb/metafor/blob/master/README.md (Example section)"
CONFINT_TEST = "https://github.com/wviechtb/metafor/blob/master/tests/testthat/test_misc_confint.r"
METAN_TEST = (
    "https://github.com/wviechtb/metafor/blob/master/tests/testthat/"
    "test_misc_metan_vs_rma.uni_with_dat.bcg.r"
)
VH2002 = "https://www.metafor-project.org/doku.php/analyses:vanhouwelingen2002"
RAUD_TEST = (
    "https://github.com/wviechtb/metafor/blob/master/tests/testthat/"
    "test_analysis_example_raudenbush1985.r"
)


def close(ours: float, printed: float, decimals: int = 4) -> bool:
    """True when ``ours`` agrees with a value printed to ``decimals`` places."""
    return abs(ours - printed) <= 0.5 * 10.0**-decimals + 1e-9


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


def _bcg() -> dict[str, np.ndarray]:
    rows = _rows("bcg.csv")
    numeric = [key for key in rows[0] if key not in ("author", "alloc")]
    cols = {key: np.array([float(r[key]) for r in rows]) for key in numeric}
    a, b, c, d = cols["tpos"], cols["tneg"], cols["cpos"], cols["cneg"]
    cols["rr_yi"] = np.log(a / (a + b)) - np.log(c / (c + d))
    cols["rr_vi"] = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    cols["or_yi"] = np.log(a * d / (b * c))
    cols["or_vi"] = 1 / a + 1 / b + 1 / c + 1 / d
    return cols


BCG = _bcg()
ALLOC = [r["alloc"] for r in _rows("bcg.csv")]


def test_bcg_listing_matches_counts() -> None:
    # The stored yi/vi are metafor's printed escalc output (README); our full-precision values
    # from the counts must round to them.
    assert np.all(np.abs(BCG["rr_yi"] - BCG["yi"]) <= 5e-5 + 1e-12)
    assert np.all(np.abs(BCG["rr_vi"] - BCG["vi"]) <= 5e-5 + 1e-12)


class TestBcgRandomEffectsREML:
    """dat.bcg, log RR, REML. Source: Viechtbauer (2010) JSS 36(3) and metafor's README."""

    res = rma(BCG["rr_yi"], BCG["rr_vi"])

    def test_estimate_and_inference(self) -> None:
        r = self.res
        assert close(r.estimate, -0.7145)
        assert close(float(r.se[0]), 0.1798)
        assert close(float(r.ci_lb[0]), -1.0669)
        assert close(float(r.ci_ub[0]), -0.3622)
        assert r.coef_names == ("intrcpt",)

    def test_heterogeneity(self) -> None:
        r = self.res
        assert close(r.tau2, 0.3132)
        assert r.se_tau2 is not None and close(r.se_tau2, 0.1664)
        assert close(r.tau, 0.5597)
        assert close(r.i2, 92.22, 2)
        assert close(r.h2, 12.86, 2)
        assert close(r.qe, 152.2330)
        assert r.qe_df == 12
        assert r.qe_p < 1e-4
        assert r.qm is None and r.r2 is None and r.ddf is None

    def test_weights_and_hat(self) -> None:
        r = self.res
        assert math.isclose(float(r.weights.sum()), 100.0)
        assert math.isclose(float(r.hat.sum()), 1.0)  # trace of the hat matrix = p
        assert np.allclose(r.fitted + r.residuals, r.yi)

    def test_knapp_hartung(self) -> None:
        # README: res <- rma(yi, vi, data=dat, test="knha"); predict(res, transf=exp, digits=2)
        r = rma(BCG["rr_yi"], BCG["rr_vi"], test="knha")
        assert close(r.estimate, -0.7145)
        assert close(float(r.se[0]), 0.1808)
        assert close(float(r.stat[0]), -3.9522)
        assert r.ddf == 12
        assert close(float(r.pval[0]), 0.0019)
        assert close(float(r.ci_lb[0]), -1.1084)
        assert close(float(r.ci_ub[0]), -0.3206)
        pred = predict(r)
        assert close(math.exp(float(pred.pred[0])), 0.49, 2)
        assert close(math.exp(float(pred.ci_lb[0])), 0.33, 2)
        assert close(math.exp(float(pred.ci_ub[0])), 0.73, 2)
        assert r.pi_lb is not None and r.pi_ub is not None
        assert close(math.exp(r.pi_lb), 0.14, 2)
        assert close(math.exp(r.pi_ub), 1.76, 2)
        assert math.isclose(float(pred.pi_lb[0]), r.pi_lb)


class TestBcgDerSimonianLaird:
    """dat.bcg, DL. Sources: METAN_TEST (RR and OR) and CONFINT_TEST (Q-profile CIs)."""

    rr = rma(BCG["rr_yi"], BCG["rr_vi"], method="DL")
    orr = rma(BCG["or_yi"], BCG["or_vi"], method="DL")

    def test_rr(self) -> None:
        r = self.rr
        assert close(r.estimate, -0.7141)
        assert close(float(r.ci_lb[0]), -1.0644)
        assert close(float(r.ci_ub[0]), -0.3638)
        assert close(float(r.stat[0]), -3.9952)
        assert close(r.tau2, 0.3088)
        assert close(r.i2, 92.1173)
        assert close(r.h2, 12.6861)
        assert close(math.exp(r.estimate), 0.4896)
        assert close(math.exp(float(r.ci_lb[0])), 0.3449)
        assert close(math.exp(float(r.ci_ub[0])), 0.6950)

    def test_rr_q_profile(self) -> None:
        # confint(rma(yi, vi, method="DL")): tau^2 0.3088 [0.1197, 1.1115],
        # I^2 92.1173 [81.9177, 97.6781], H^2 12.6861 [5.5303, 43.0680].
        # metafor finds the bounds with uniroot() at its default tol = eps^0.25 (~1.2e-4), so
        # the printed I^2/H^2 bounds carry that error; tau^2 bounds agree to 4 decimals, and
        # ours are exact roots (see test_q_profile_bounds_are_exact_roots).
        r = self.rr
        assert r.tau2_ci is not None and r.i2_ci is not None and r.h2_ci is not None
        assert close(r.tau2_ci[0], 0.1197)
        assert close(r.tau2_ci[1], 1.1115)
        assert abs(r.i2_ci[0] - 81.9177) < 0.005
        assert close(r.i2_ci[1], 97.6781)
        assert abs(r.h2_ci[0] - 5.5303) < 0.001
        assert abs(r.h2_ci[1] - 43.0680) < 0.001

    def test_or(self) -> None:
        # METAN_TEST (log OR, DL) and a printed summary of the same fit (tau^2 SE, logLik,
        # confint) in public course notes using metafor: tau^2 0.3663 (SE = 0.2659),
        # logLik -13.1398 (ML likelihood at the DL estimate), CI [0.1302, 1.1812].
        r = self.orr
        assert close(r.estimate, -0.7474)
        assert close(float(r.se[0]), 0.1923)
        assert close(float(r.ci_lb[0]), -1.1242)
        assert close(float(r.ci_ub[0]), -0.3706)
        assert close(float(r.stat[0]), -3.8873)
        assert close(r.tau2, 0.3663)
        assert r.se_tau2 is not None and close(r.se_tau2, 0.2659)
        assert close(r.i2, 92.6455)
        assert close(r.h2, 13.5971)
        assert close(r.qe, 163.1649)
        assert close(r.ll, -13.1398)
        assert r.tau2_ci is not None
        assert abs(r.tau2_ci[0] - 0.1302) < 1.2e-4  # uniroot tolerance, see above
        assert close(r.tau2_ci[1], 1.1812)


def test_bcg_fixed_effect() -> None:
    # METAN_TEST: rma(yi, vi, method="FE") for log RR and log OR.
    r = rma(BCG["rr_yi"], BCG["rr_vi"], method="FE")
    assert close(r.estimate, -0.4303)
    assert close(float(r.ci_lb[0]), -0.5097)
    assert close(float(r.ci_ub[0]), -0.3509)
    assert close(float(r.stat[0]), -10.6247)
    assert close(r.qe, 152.2330)
    assert close(math.exp(r.estimate), 0.6503)
    assert r.tau2 == 0.0 and r.tau2_ci is None and r.se_tau2 is None
    ee = rma(BCG["rr_yi"], BCG["rr_vi"], method="EE")
    assert ee.estimate == r.estimate
    o = rma(BCG["or_yi"], BCG["or_vi"], method="FE")
    assert close(o.estimate, -0.4361)
    assert close(float(o.stat[0]), -10.3190)
    assert close(o.qe, 163.1649)
    # FE I^2 / H^2 from Q_E: 100 (Q - df) / Q and Q / df.
    assert math.isclose(r.i2, 100 * (r.qe - 12) / r.qe)
    assert math.isclose(r.h2, r.qe / 12)


def test_bcg_ml_log_or() -> None:
    # VH2002 and metafor's test of it (van Houwelingen et al. 2002, pp. 597-599), 3 decimals:
    # exp(pred) .476 [.336, .675], tau^2 .302, Q-profile CI [0.130, 1.181], knha CI
    # [.318, .714], prediction interval [-1.875, 0.391].
    r = rma(BCG["or_yi"], BCG["or_vi"], method="ML")
    assert close(math.exp(r.estimate), 0.476, 3)
    assert close(math.exp(float(r.ci_lb[0])), 0.336, 3)
    assert close(math.exp(float(r.ci_ub[0])), 0.675, 3)
    assert close(r.tau2, 0.302, 3)
    assert r.tau2_ci is not None
    assert close(r.tau2_ci[0], 0.130, 3)
    assert close(r.tau2_ci[1], 1.181, 3)
    assert r.pi_lb is not None and r.pi_ub is not None
    assert close(r.pi_lb, -1.875, 3)
    assert close(r.pi_ub, 0.391, 3)
    k = rma(BCG["or_yi"], BCG["or_vi"], method="ML", test="knha")
    assert close(math.exp(float(k.ci_lb[0])), 0.318, 3)
    assert close(math.exp(float(k.ci_ub[0])), 0.714, 3)


def test_bcg_ml_log_or_ablat() -> None:
    # VH2002 (pp. 608-609): coefficients .371, -.033 (se .106, .003), tau^2 .004, R^2 98.7%.
    r = rma(BCG["or_yi"], BCG["or_vi"], method="ML", mods=BCG["ablat"], mod_names=["ablat"])
    assert close(float(r.beta[0]), 0.371, 3)
    assert close(float(r.beta[1]), -0.033, 3)
    assert close(float(r.se[0]), 0.106, 3)
    assert close(float(r.se[1]), 0.003, 3)
    assert close(r.tau2, 0.004, 3)
    assert r.r2 is not None and close(r.r2, 98.7, 1)


def test_pm_equals_iterated_dl_and_sj() -> None:
    # metafor's test_misc_rma_uni.r: method="DLIT" and "SJIT" (iterated DL / SJ, whose fixed
    # point is the Paule-Mandel equation) both give tau^2 = 0.3181 on dat.bcg log RR.
    # https://github.com/wviechtb/metafor/blob/master/tests/testthat/test_misc_rma_uni.r
    assert close(rma(BCG["rr_yi"], BCG["rr_vi"], method="PM").tau2, 0.3181)
    assert close(rma(BCG["rr_yi"], BCG["rr_vi"], method="EB").tau2, 0.3181)


class TestBcgMetaRegression:
    def test_ablat_knha(self) -> None:
        # README: rma(yi, vi, mods = ~ ablat, data=dat, test="knha")
        r = rma(BCG["rr_yi"], BCG["rr_vi"], mods=BCG["ablat"], test="knha", mod_names=["ablat"])
        assert r.coef_names == ("intrcpt", "ablat")
        assert close(r.tau2, 0.0764)
        assert r.se_tau2 is not None and close(r.se_tau2, 0.0591)
        assert close(r.tau, 0.2763)
        assert close(r.i2, 68.39, 2)
        assert close(r.h2, 3.16, 2)
        assert r.r2 is not None and close(r.r2, 75.62, 2)
        assert close(r.qe, 30.7331)
        assert r.qe_df == 11
        assert close(r.qe_p, 0.0012)
        assert r.qm is not None and close(r.qm, 12.5905)
        assert (r.qm_df, r.qm_df2) == (1, 11)
        assert r.qm_p is not None and close(r.qm_p, 0.0046)
        expected = {
            "beta": (0.2515, -0.0291),
            "se": (0.2839, 0.0082),
            "stat": (0.8857, -3.5483),
            "pval": (0.3948, 0.0046),
            "ci_lb": (-0.3735, -0.0472),
            "ci_ub": (0.8764, -0.0111),
        }
        for attr, values in expected.items():
            for ours, printed in zip(getattr(r, attr), values, strict=True):
                assert close(float(ours), printed), (attr, ours, printed)
        assert r.pi_lb is None  # PI of a meta-regression needs newmods: predict()

    def test_ablat_year(self) -> None:
        # rma(yi, vi, mods = cbind(ablat, year)) on dat.bcg log RR, as printed by metafor
        # 4.0-4.8 (identical across versions) in public package READMEs that demonstrate it;
        # the same model is the running example of Viechtbauer (2010), JSS 36(3).
        mods = np.column_stack([BCG["ablat"], BCG["year"]])
        r = rma(BCG["rr_yi"], BCG["rr_vi"], mods=mods, mod_names=["ablat", "year"])
        assert close(r.tau2, 0.1108)
        assert r.se_tau2 is not None and close(r.se_tau2, 0.0845)
        assert close(r.i2, 71.98, 2)
        assert close(r.h2, 3.57, 2)
        assert r.r2 is not None and close(r.r2, 64.63, 2)
        assert close(r.qe, 28.3251)
        assert r.qm is not None and close(r.qm, 12.2043)
        assert r.qm_df == 2 and r.qm_df2 is None
        assert r.qm_p is not None and close(r.qm_p, 0.0022)
        expected = {
            "beta": (-3.5455, -0.0280, 0.0019),
            "se": (29.0959, 0.0102, 0.0147),
            "stat": (-0.1219, -2.7371, 0.1299),
            "pval": (0.9030, 0.0062, 0.8966),
            "ci_lb": (-60.5724, -0.0481, -0.0269),
            "ci_ub": (53.4814, -0.0080, 0.0307),
        }
        for attr, values in expected.items():
            for ours, printed in zip(getattr(r, attr), values, strict=True):
                assert close(float(ours), printed), (attr, ours, printed)

    def test_alloc_is_dummy_coded_against_first_level(self) -> None:
        x, names = design_matrix({"alloc": ALLOC}, categorical=["alloc"])
        assert names == ("allocrandom", "allocsystematic")
        assert x.shape == (13, 2)
        r = rma(BCG["rr_yi"], BCG["rr_vi"], mods=x, mod_names=names)
        assert r.coef_names == ("intrcpt", "allocrandom", "allocsystematic")
        # Intercept = pooled effect in the reference level (alternate) under the shared tau^2;
        # the dummies are differences from it: check against subgroup-wise fitted values.
        for level, j in (("random", 1), ("systematic", 2)):
            idx = next(i for i, a in enumerate(ALLOC) if a == level)
            assert math.isclose(float(r.fitted[idx]), float(r.beta[0] + r.beta[j]))
        assert r.qm_df == 2

    def test_alloc_dummies_tested_together(self) -> None:
        # metafor tip "Testing factors and linear combinations of parameters"
        # (https://www.metafor-project.org/doku.php/tips:testing_factors_lincoms) and its test
        # file: rma(yi, vi, mods = ~ factor(alloc) + year + ablat) with year - 1948 and
        # ablat - 13; anova(res, btt=2:3) gives QM = 1.366284, and F = 0.6502793 with knha.
        x, names = design_matrix(
            {"alloc": ALLOC, "year": list(BCG["year"] - 1948), "ablat": list(BCG["ablat"] - 13)},
            categorical=["alloc"],
        )
        assert names == ("allocrandom", "allocsystematic", "year", "ablat")
        z = rma(BCG["rr_yi"], BCG["rr_vi"], mods=x, mod_names=names)
        test = wald_test(z, ["allocrandom", "allocsystematic"])
        assert close(test.stat, 1.366284, 6)
        assert test.df == 2 and test.df2 is None
        assert wald_test(z, [1, 2]) == test
        kh = rma(BCG["rr_yi"], BCG["rr_vi"], mods=x, mod_names=names, test="knha")
        ftest = wald_test(kh, ["allocrandom", "allocsystematic"])
        assert close(ftest.stat, 0.6502793, 7)
        assert (ftest.df, ftest.df2) == (2, 8)
        omnibus = wald_test(z, [1, 2, 3, 4])
        assert z.qm is not None and math.isclose(omnibus.stat, z.qm)
        with pytest.raises(MetaAnalysisError, match="no coefficient named"):
            wald_test(z, ["alloc"])

    def test_design_matrix_mixed_columns(self) -> None:
        x, names = design_matrix(
            {"ablat": list(BCG["ablat"]), "alloc": ALLOC}, categorical=("alloc",)
        )
        assert names == ("ablat", "allocrandom", "allocsystematic")
        assert np.array_equal(x[:, 0], BCG["ablat"])


class TestRaudenbush1985:
    """dat.raudenbush1985, REML. Source: RAUD_TEST (Raudenbush & Bryk 1985, pp. 83-92)."""

    rows = _rows("raudenbush1985.csv")
    yi = np.array([float(r["yi"]) for r in rows])
    vi = np.array([float(r["vi"]) for r in rows])
    weeks = np.array([float(r["weeks"]) for r in rows])

    def test_random_effects(self) -> None:
        r = rma(self.yi, self.vi)
        assert close(r.tau2, 0.0188)
        assert close(r.estimate, 0.0837)
        assert close(r.qe, 35.8295)
        assert close(float(r.stat[0]), 1.6208)

    def test_weeks_capped_at_three(self) -> None:
        r = rma(self.yi, self.vi, mods=np.minimum(self.weeks, 3), mod_names=["weeks.c"])
        assert close(r.tau2, 0.0)
        assert close(float(r.beta[0]), 0.4072)
        assert close(float(r.beta[1]), -0.1572)
        assert close(r.qe, 16.5708)
        assert close(float(r.stat[0]), 4.6782)
        assert close(float(r.stat[1]), -4.3884)
        pred = predict(r, newmods=[[0.0], [2.0]])
        assert close(float(pred.pred[0]), 0.4072)
        assert close(float(pred.ci_lb[0]), 0.2366)
        assert close(float(pred.ci_ub[0]), 0.5778)
        assert close(float(pred.pred[1]), 0.0927)
        assert close(float(pred.ci_lb[1]), 0.0198)
        assert close(float(pred.ci_ub[1]), 0.1656)


@pytest.mark.parametrize("method", [m for m in TAU2_METHODS if m not in ("FE", "EE")])
def test_q_profile_bounds_are_exact_roots(method: str) -> None:
    """Viechtbauer (2007): Q_gen(lb) = chi2_{0.975, k-p}, Q_gen(ub) = chi2_{0.025, k-p}."""
    r = rma(BCG["rr_yi"], BCG["rr_vi"], method=method)
    assert r.tau2_ci is not None
    x = np.ones((13, 1))
    lo, hi = r.tau2_ci
    assert math.isclose(
        q_generalised(BCG["rr_yi"], x, BCG["rr_vi"], lo), sps.chi2.ppf(0.975, 12), rel_tol=1e-8
    )
    assert math.isclose(
        q_generalised(BCG["rr_yi"], x, BCG["rr_vi"], hi), sps.chi2.ppf(0.025, 12), rel_tol=1e-8
    )
    assert lo <= r.tau2 <= hi or method in ("HS", "SJ")  # not all estimators sit inside


def test_q_profile_lower_bound_zero_when_homogeneous() -> None:
    yi = np.array([0.10, 0.12, 0.09, 0.11, 0.10])
    vi = np.array([0.04, 0.05, 0.03, 0.04, 0.05])
    r = rma(yi, vi, method="DL")
    assert r.tau2 == 0.0
    assert r.tau2_ci is not None and r.tau2_ci[0] == 0.0
    assert r.i2 == 0.0 and r.h2 == 1.0


def test_subgroups_between_groups_q() -> None:
    res = subgroups(BCG["rr_yi"], BCG["rr_vi"], ALLOC, method="REML")
    assert set(res.models) == {"alternate", "random", "systematic"}
    for level, model in res.models.items():
        mask = np.array([a == level for a in ALLOC])
        assert model.k == int(mask.sum())
    # Q_B is the fixed-effect Q of the subgroup estimates with their squared SEs as variances.
    est = np.array([m.estimate for m in res.models.values()])
    var = np.array([float(m.se[0]) ** 2 for m in res.models.values()])
    assert math.isclose(res.qb, rma(est, var, method="FE").qe)
    assert res.qb_df == 2
    assert math.isclose(res.qb_p, float(sps.chi2.sf(res.qb, 2)))
    assert res.excluded == ()


def test_as_dict_is_json_ready() -> None:
    import json

    r = rma(BCG["rr_yi"], BCG["rr_vi"], mods=BCG["ablat"], mod_names=["ablat"])
    out = json.loads(json.dumps(r.as_dict(include_studies=True)))
    assert out["coefficients"][1]["name"] == "ablat"
    assert out["QM_df"] == 1 and len(out["studies"]["weights"]) == 13


class TestErrors:
    def test_negative_variance_names_row(self) -> None:
        with pytest.raises(MetaAnalysisError, match="row 3") as exc:
            rma([0.1, 0.2, 0.3], [0.1, 0.1, -0.2])
        assert exc.value.row == 2

    def test_missing_value_names_row(self) -> None:
        with pytest.raises(MetaAnalysisError, match="row 2"):
            rma([0.1, float("nan"), 0.3], [0.1, 0.1, 0.1])

    def test_too_few_studies(self) -> None:
        with pytest.raises(MetaAnalysisError, match="at least 2"):
            rma([0.1], [0.1])

    def test_too_many_coefficients(self) -> None:
        with pytest.raises(MetaAnalysisError, match="need k > p"):
            rma([0.1, 0.2], [0.1, 0.1], mods=[1.0, 2.0])

    def test_collinear_moderators(self) -> None:
        mods = np.column_stack([BCG["ablat"], 2 * BCG["ablat"]])
        with pytest.raises(MetaAnalysisError, match="collinear"):
            rma(BCG["rr_yi"], BCG["rr_vi"], mods=mods)

    def test_unknown_method_and_test(self) -> None:
        with pytest.raises(MetaAnalysisError, match="unknown method"):
            rma(BCG["rr_yi"], BCG["rr_vi"], method="XX")
        with pytest.raises(MetaAnalysisError, match="unknown test"):
            rma(BCG["rr_yi"], BCG["rr_vi"], test="t")

    def test_length_mismatch(self) -> None:
        with pytest.raises(MetaAnalysisError, match="yi has 3 values but vi has 2"):
            rma([0.1, 0.2, 0.3], [0.1, 0.1])

    def test_predict_needs_newmods_for_meta_regression(self) -> None:
        r = rma(BCG["rr_yi"], BCG["rr_vi"], mods=BCG["ablat"])
        with pytest.raises(MetaAnalysisError, match="newmods"):
            predict(r)
