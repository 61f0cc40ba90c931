"""Leave-one-out, influence, regression-test and trim-and-fill results against metafor.

Every reference number is metafor's printed output (4 decimals) for its documented examples; the
sources are listed in ``reference_data/README_diagnostics.md``:

- dat.bcg: metafor 4.7-4 reference pages ``leave1out.html``, ``residuals.rma.html``,
  ``influence.rma.uni.html``, ``trimfill.html`` (https://wviechtb.github.io/metafor/reference/,
  stored in the metafor repository under ``docs/reference/``) and metafor's README.md (regtest
  with test="knha").
- dat.egger2001: metafor's ``regtest.html`` reference page.
- dat.hackshaw1998: metafor's printed trimfill output quoted in a public tutorial.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from alongside.evaluation.stats.diagnostics import (
    Predictor,
    RegModel,
    egger_classic,
    influence,
    leave1out,
    regtest,
    trimfill,
)
from alongside.evaluation.stats.rma import MetaAnalysisError, RMAResult, rma

DATA = Path(__file__).parent / "reference_data"
TOL = 5e-5 + 1e-9  # agreement to the 4 printed decimals


def close(ours: float | None, ref: float) -> bool:
    assert ours is not None
    return abs(float(ours) - ref) <= TOL


def assert_column(ours: np.ndarray, ref: list[float]) -> None:
    assert len(ours) == len(ref)
    bad = [
        (i + 1, float(o), r)
        for i, (o, r) in enumerate(zip(ours, ref, strict=True))
        if not close(o, r)
    ]
    assert not bad, f"(study, ours, metafor) differ: {bad}"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


def _col(rows: list[dict[str, str]], name: str) -> np.ndarray:
    return np.array([float(r[name]) for r in rows])


@pytest.fixture(scope="module")
def bcg() -> dict[str, np.ndarray]:
    """dat.bcg log risk ratios computed from the 2x2 counts (no zero cells)."""
    rows = _rows("bcg.csv")
    a, b, c, d = (_col(rows, n) for n in ("tpos", "tneg", "cpos", "cneg"))
    return {
        "yi": np.log(a / (a + b)) - np.log(c / (c + d)),
        "vi": 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d),
        "ablat": _col(rows, "ablat"),
        "year": _col(rows, "year"),
    }


@pytest.fixture(scope="module")
def egger() -> dict[str, np.ndarray]:
    """dat.egger2001 without ISIS-4; log odds ratios with 1/2 added to tables with a zero."""
    rows = [r for r in _rows("egger2001.csv") if r["study"] != "ISIS-4"]
    ai, n1i, ci, n2i = (_col(rows, n) for n in ("ai", "n1i", "ci", "n2i"))
    bi, di = n1i - ai, n2i - ci
    zero = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
    ai, bi, ci, di = (x + 0.5 * zero for x in (ai, bi, ci, di))
    return {
        "yi": np.log(ai * di / (bi * ci)),
        "vi": 1 / ai + 1 / bi + 1 / ci + 1 / di,
        "ni": n1i + n2i,
        "year": _col(rows, "year"),
    }


@pytest.fixture(scope="module")
def bcg_re(bcg: dict[str, np.ndarray]) -> RMAResult:
    return rma(bcg["yi"], bcg["vi"])


@pytest.fixture(scope="module")
def egger_re(egger: dict[str, np.ndarray]) -> RMAResult:
    return rma(egger["yi"], egger["vi"])


# Reference tables, laid out as metafor prints them (one row per study).
# fmt: off
BCG_YI = [  # trimfill.html, 8 decimals
    -0.88931133, -1.58538866, -1.34807315, -1.44155119, -0.21754732, -0.78611559, -1.62089822,
    0.01195233, -0.46941765, -1.37134480, -0.33935883, 0.44591340, -0.01731395,
]
BCG_VI = [  # trimfill.html, 9 decimals
    0.325584765, 0.194581121, 0.415367965, 0.020010032, 0.051210172, 0.006905618, 0.223017248,
    0.003961579, 0.056434210, 0.073024794, 0.012412214, 0.532505845, 0.071404660,
]
EGGER_YI = [  # regtest.html, 8 decimals
    -0.83034830, -1.05605267, -1.27833981, -0.04348511, 0.22314355, -2.40751999, -1.28093385,
    -1.19170271, -0.69574796, -2.20827441, -2.03815988, -0.85015093, -0.79323064, -0.29933987,
    -1.57078846,
]
# leave1out.html: estimate, se, zval, pval, ci.lb, ci.ub, Q, tau2, I2, H2 (Qp all 0.0000)
BCG_LEAVE1OUT = np.array([
    [-0.7071, 0.1900, -3.7223, 0.0002, -1.0794, -0.3348, 151.5826, 0.3362, 93.2259, 14.7622],
    [-0.6540, 0.1807, -3.6195, 0.0003, -1.0082, -0.2999, 145.3176, 0.2926, 92.2540, 12.9098],
    [-0.6856, 0.1857, -3.6916, 0.0002, -1.0495, -0.3216, 150.1970, 0.3207, 92.9354, 14.1551],
    [-0.6284, 0.1766, -3.5580, 0.0004, -0.9746, -0.2822,  96.5626, 0.2628, 90.4125, 10.4302],
    [-0.7642, 0.1918, -3.9845, 0.0001, -1.1401, -0.3883, 151.3200, 0.3278, 92.7634, 13.8187],
    [-0.7109, 0.2003, -3.5499, 0.0004, -1.1034, -0.3184, 128.1867, 0.3596, 90.9118, 11.0033],
    [-0.6552, 0.1805, -3.6307, 0.0003, -1.0090, -0.3015, 145.8296, 0.2930, 92.2777, 12.9495],
    [-0.7948, 0.1799, -4.4184, 0.0000, -1.1473, -0.4422,  67.9858, 0.2732, 87.0314,  7.7109],
    [-0.7412, 0.1967, -3.7686, 0.0002, -1.1267, -0.3557, 152.2051, 0.3495, 93.2133, 14.7346],
    [-0.6530, 0.1843, -3.5439, 0.0004, -1.0142, -0.2919, 139.8271, 0.2987, 92.2322, 12.8737],
    [-0.7579, 0.1958, -3.8708, 0.0001, -1.1416, -0.3741, 151.4655, 0.3405, 91.8110, 12.2114],
    [-0.7598, 0.1821, -4.1727, 0.0000, -1.1167, -0.4029, 150.7868, 0.3082, 92.6782, 13.6579],
    [-0.7775, 0.1855, -4.1908, 0.0000, -1.1412, -0.4139, 149.7884, 0.3037, 92.3444, 13.0623],
])
# residuals.rma.html: rstudent(rma(yi, vi)): resid, se, z
BCG_RSTUDENT_RE = np.array([
    [-0.1822, 0.8354, -0.2181], [-0.9314, 0.7210, -1.2918], [-0.6625, 0.8778, -0.7547],
    [-0.8131, 0.5603, -1.4512], [0.5466, 0.6448, 0.8477], [-0.0752, 0.6376, -0.1180],
    [-0.9657, 0.7407, -1.3037], [0.8067, 0.5563, 1.4501], [0.2718, 0.6668, 0.4076],
    [-0.7183, 0.6369, -1.1277], [0.4185, 0.6255, 0.6691], [1.2057, 0.9348, 1.2898],
    [0.7602, 0.6400, 1.1879],
])
# residuals.rma.html: rstudent(rma(yi, vi, mods = ~ ablat)): resid, se, z
BCG_RSTUDENT_ABLAT = np.array([
    [0.1488, 0.6587, 0.2259], [-0.2801, 0.5811, -0.4819], [-0.3906, 0.7177, -0.5442],
    [-0.2709, 0.4078, -0.6644], [-0.1044, 0.4489, -0.2325], [0.3183, 0.3296, 0.9657],
    [-1.4026, 0.5256, -2.6687], [0.2270, 0.4082, 0.5560], [0.0804, 0.4226, 0.1903],
    [-0.4538, 0.4002, -1.1338], [-0.0704, 0.3993, -0.1764], [1.1763, 0.7867, 1.4954],
    [0.7315, 0.3529, 2.0730],
])
# influence.rma.uni.html: influence(rma(yi, vi, mods = ~ ablat + year))$inf
# rstudent, dffits, cook.d, cov.r, tau2.del, QE.del, hat, weight
BCG_INFLUENCE = np.array([
    [ 0.2978,  0.1785, 0.0348, 1.8003, 0.1317, 28.3142, 0.1725,  3.3664],
    [-0.4303, -0.2368, 0.0620, 1.9207, 0.1308, 27.5744, 0.2367,  4.8106],
    [-0.5100, -0.1094, 0.0125, 1.2348, 0.1191, 27.7572, 0.0487,  2.7920],
    [-1.4032, -2.9415, 7.3179, 3.5225, 0.0906, 23.1836, 0.8082, 11.2312],
    [-0.1490, -0.0263, 0.0032, 2.6341, 0.1497, 27.2543, 0.2483,  9.0681],
    [ 1.0551,  0.8926, 0.7205, 1.3621, 0.0994, 21.2875, 0.4061, 12.4817],
    [-2.5961, -0.6815, 0.4173, 0.2379, 0.0544, 19.1240, 0.0766,  4.4008],
    [ 0.4793,  0.3703, 0.1899, 2.9984, 0.1498, 24.1266, 0.3627, 12.8020],
    [ 0.2027,  0.1305, 0.0237, 2.2071, 0.1501, 28.2874, 0.1030,  8.7848],
    [-0.9872, -0.3870, 0.1470, 1.0702, 0.1072, 24.7567, 0.1310,  7.9919],
    [-0.1197, -0.0030, 0.0052, 2.8336, 0.1583, 25.5103, 0.2214, 11.9238],
    [ 1.4677,  0.2171, 0.0469, 0.9274, 0.1059, 26.1197, 0.0235,  2.2836],
    [ 2.1302,  0.8150, 0.4994, 0.2178, 0.0498, 21.4920, 0.1612,  8.0630],
])
# same page, $dfbs: intrcpt, ablat, year
BCG_DFBETAS = np.array([
    [ 0.1492, -0.0622, -0.1491], [-0.0949, -0.1001,  0.0963], [-0.0280, -0.0403,  0.0283],
    [ 2.2248, -2.5380, -2.2161], [ 0.0350,  0.0063, -0.0354], [ 0.5935, -0.0008, -0.5954],
    [-0.2659,  0.5368,  0.2591], [-0.0394, -0.2110,  0.0431], [ 0.0728, -0.0865, -0.0718],
    [-0.1188, -0.0973,  0.1194], [ 0.0631, -0.0343, -0.0631], [-0.0413,  0.0465,  0.0419],
    [-0.8276,  0.6269,  0.8279],
])
# same page, cooks.distance(res) and hatvalues(res) at full printed precision
BCG_COOK = [
    0.034763870, 0.061956371, 0.012503192, 7.317914073, 0.003236974, 0.720524896, 0.417263935,
    0.189852980, 0.023722929, 0.146959602, 0.005232795, 0.046915399, 0.499370065,
]
BCG_HAT = [
    0.17250070, 0.23668273, 0.04870101, 0.80821407, 0.24826116, 0.40606407, 0.07657599,
    0.36274386, 0.10304034, 0.13102564, 0.22140605, 0.02353859, 0.16124580,
]
# fmt: on


def test_reference_effect_sizes(bcg: dict[str, np.ndarray], egger: dict[str, np.ndarray]) -> None:
    # Our log risk / odds ratios equal the full-precision values metafor prints.
    assert np.allclose(bcg["yi"], BCG_YI, atol=5e-9)
    assert np.allclose(bcg["vi"], BCG_VI, atol=5e-10)
    assert np.allclose(egger["yi"], EGGER_YI, atol=5e-9)


# ------------------------------------------------------------------------------ leave1out


def test_leave1out_bcg_matches_metafor(bcg_re: RMAResult) -> None:
    # leave1out.html: leave1out(rma(yi, vi)) on dat.bcg (REML).
    out = leave1out(bcg_re)
    names = ("estimate", "se", "stat", "pval", "ci_lb", "ci_ub", "q", "tau2", "i2", "h2")
    for j, name in enumerate(names):
        assert_column(getattr(out, name), list(BCG_LEAVE1OUT[:, j]))
    assert np.all(out.qp < 5e-5)  # printed as 0.0000
    assert out.test == "z"


def test_leave1out_rejects_moderators(bcg: dict[str, np.ndarray]) -> None:
    with pytest.raises(MetaAnalysisError, match="without moderators"):
        leave1out(rma(bcg["yi"], bcg["vi"], mods=bcg["ablat"]))


def test_leave1out_as_dict_is_json(bcg_re: RMAResult) -> None:
    payload = json.loads(json.dumps(leave1out(bcg_re).as_dict()))
    assert len(payload["estimate"]) == 13
    assert payload["test"] == "z"


# ------------------------------------------------------------------------------ influence


@pytest.mark.parametrize("with_ablat", [False, True])
def test_rstudent_bcg(bcg: dict[str, np.ndarray], with_ablat: bool) -> None:
    # residuals.rma.html: rstudent(rma(yi, vi)) and rstudent(rma(yi, vi, mods = ~ ablat)).
    mods = bcg["ablat"] if with_ablat else None
    ref = BCG_RSTUDENT_ABLAT if with_ablat else BCG_RSTUDENT_RE
    inf = influence(rma(bcg["yi"], bcg["vi"], mods=mods))
    assert_column(inf.resid_del, list(ref[:, 0]))
    assert_column(inf.se_del, list(ref[:, 1]))
    assert_column(inf.rstudent, list(ref[:, 2]))


def test_influence_bcg_ablat_year(bcg: dict[str, np.ndarray]) -> None:
    # influence.rma.uni.html: influence(rma(yi, vi, mods = ~ ablat + year)).
    mods = np.column_stack([bcg["ablat"], bcg["year"]])
    inf = influence(rma(bcg["yi"], bcg["vi"], mods=mods, mod_names=["ablat", "year"]))
    names = ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "qe_del", "hat", "weight")
    for j, name in enumerate(names):
        assert_column(getattr(inf, name), list(BCG_INFLUENCE[:, j]))
    assert np.allclose(inf.cook_d, BCG_COOK, atol=5e-9)
    assert np.allclose(inf.hat, BCG_HAT, atol=5e-8)
    for j in range(3):
        assert_column(inf.dfbetas[:, j], list(BCG_DFBETAS[:, j]))
    # Only study 4 is marked influential ("*").
    assert list(np.flatnonzero(inf.inf) + 1) == [4]
    assert inf.coef_names == ("intrcpt", "ablat", "year")
    payload = json.loads(json.dumps(inf.as_dict()))
    assert payload["inf"][3] is True
    assert set(payload["dfbetas"]) == {"intrcpt", "ablat", "year"}


def test_influence_cut_offs_are_metafors(bcg: dict[str, np.ndarray]) -> None:
    """The flags follow the documented cut-offs exactly (recomputed from the columns)."""
    res = rma(bcg["yi"], bcg["vi"], mods=bcg["ablat"])
    inf = influence(res)
    k, p = res.k, res.p
    expected = (
        (np.abs(inf.dffits) > 3 * math.sqrt(p / (k - p)))
        | (stats.chi2.cdf(inf.cook_d, p) > 0.5)
        | (inf.hat > 3 * p / k)
        | np.any(np.abs(inf.dfbetas) > 1, axis=1)
    )
    assert np.array_equal(inf.inf, expected)


def test_influence_unfittable_deletion_gives_nan() -> None:
    """Deleting the only study of a moderator category leaves a singular design: NaN there."""
    yi = np.array([0.1, 0.3, 0.2, 0.5, 0.9])
    vi = np.array([0.04, 0.05, 0.03, 0.06, 0.05])
    dummy = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    inf = influence(rma(yi, vi, mods=dummy, method="FE"))
    assert math.isnan(inf.rstudent[4]) and math.isnan(inf.dffits[4])
    assert not inf.inf[4]
    assert np.all(np.isfinite(inf.rstudent[:4]))
    assert inf.as_dict()["rstudent"][4] is None


# ------------------------------------------------------------------------------ regtest


def test_regtest_bcg_knha_matches_metafor_readme(bcg: dict[str, np.ndarray]) -> None:
    # metafor README.md: regtest(rma(yi, vi, test="knha")).
    rt = regtest(rma(bcg["yi"], bcg["vi"], test="knha"))
    assert rt.model == "rma" and rt.predictor == "sei" and rt.test == "t"
    assert rt.ddf == 11
    assert close(rt.stat, -0.7812)
    assert close(rt.pval, 0.4512)
    assert close(rt.limit_estimate, -0.5104)
    assert close(rt.limit_ci_lb, -1.2123)
    assert close(rt.limit_ci_ub, 0.1915)


def test_regtest_egger2001_random_effects(egger_re: RMAResult) -> None:
    # regtest.html: rma(yi, vi) (tau^2 0.1911, estimate -0.8745) and regtest(res).
    assert close(egger_re.tau2, 0.1911)
    assert close(egger_re.beta[0], -0.8745)
    rt = regtest(egger_re)
    assert rt.test == "z" and rt.ddf is None
    assert close(rt.stat, -2.8062)
    assert close(rt.pval, 0.0050)
    assert close(rt.limit_estimate, -0.1639)
    assert close(rt.limit_ci_lb, -0.5681)
    assert close(rt.limit_ci_ub, 0.2402)


def test_regtest_egger2001_lm_and_classic_egger(
    egger: dict[str, np.ndarray], egger_re: RMAResult
) -> None:
    # regtest.html: regtest(res, model="lm") -- the classical Egger test.
    rt = regtest(egger_re, model="lm")
    assert rt.test == "t" and rt.ddf == 13
    assert close(rt.stat, -3.1783)
    assert close(rt.pval, 0.0073)
    assert close(rt.limit_estimate, -0.1512)
    assert close(rt.limit_ci_lb, -0.5130)
    assert close(rt.limit_ci_ub, 0.2106)
    # Egger et al. (1997) in its own terms: intercept of SND on precision = the same test.
    eg = egger_classic(egger["yi"], egger["vi"])
    assert eg.df == 13
    assert close(eg.t, -3.1783)
    assert close(eg.pval, 0.0073)
    assert math.isclose(eg.bias, rt.slope, rel_tol=1e-10)
    assert close(eg.slope, -0.1512)
    assert close(eg.slope_ci_lb, -0.5130)
    assert close(eg.slope_ci_ub, 0.2106)


@pytest.mark.parametrize(
    ("predictor", "model", "stat", "pval", "limit"),
    [
        ("ni", "rma", 1.7938, 0.0728, None),
        ("ni", "lm", 2.8955, 0.0125, None),
        ("ninv", "lm", -2.3230, 0.0370, (-0.3731, -0.6872, -0.0591)),
        ("ninv", "rma", -1.4313, 0.1524, (-0.5636, -1.0712, -0.0559)),
    ],
)
def test_regtest_egger2001_sample_size_predictors(
    egger: dict[str, np.ndarray],
    egger_re: RMAResult,
    predictor: Predictor,
    model: RegModel,
    stat: float,
    pval: float,
    limit: tuple[float, float, float] | None,
) -> None:
    # regtest.html: regtest(res, model=..., predictor=...) with total sample sizes n1i + n2i.
    rt = regtest(egger_re, predictor, model=model, ni=egger["ni"])
    assert close(rt.stat, stat)
    assert close(rt.pval, pval)
    if limit is None:
        assert rt.limit_estimate is None
    else:
        assert close(rt.limit_estimate, limit[0])
        assert close(rt.limit_ci_lb, limit[1])
        assert close(rt.limit_ci_ub, limit[2])


def test_regtest_egger2001_after_moderator(egger: dict[str, np.ndarray]) -> None:
    # regtest.html: res <- rma(yi, vi, mods = ~ year); regtest(res, model="lm"); regtest(res).
    res = rma(egger["yi"], egger["vi"], mods=egger["year"])
    lm = regtest(res, model="lm")
    assert lm.ddf == 12
    assert close(lm.stat, -3.1057)
    assert close(lm.pval, 0.0091)
    assert lm.limit_estimate is None
    me = regtest(res)
    assert close(me.stat, -2.3198)
    assert close(me.pval, 0.0204)
    assert me.limit_estimate is None


def test_regtest_rejects_bad_arguments(egger_re: RMAResult) -> None:
    with pytest.raises(MetaAnalysisError, match="sample sizes"):
        regtest(egger_re, "ni")
    with pytest.raises(MetaAnalysisError, match="Unknown predictor"):
        regtest(egger_re, "precision")  # type: ignore[arg-type]
    with pytest.raises(MetaAnalysisError, match="model"):
        regtest(egger_re, model="glm")  # type: ignore[arg-type]


def test_egger_classic_rejects_bad_rows() -> None:
    with pytest.raises(MetaAnalysisError, match="Row 2"):
        egger_classic(np.array([0.1, 0.2, 0.3]), np.array([0.1, -0.1, 0.2]))


# ------------------------------------------------------------------------------ trimfill


def test_trimfill_bcg_equal_effects_l0(bcg: dict[str, np.ndarray]) -> None:
    # trimfill.html: trimfill(rma(yi, vi, method="EE")).
    tf = trimfill(rma(bcg["yi"], bcg["vi"], method="EE"))
    assert (tf.k0, tf.side, tf.estimator) == (4, "right", "L0")
    assert close(tf.se_k0, 2.3853)
    assert tf.p_k0 is None
    res = tf.result
    assert res.k == 17
    assert close(res.beta[0], -0.2910)
    assert close(res.se[0], 0.0383)
    assert close(res.stat[0], -7.6057)
    assert close(res.ci_lb[0], -0.3660)
    assert close(res.ci_ub[0], -0.2160)
    assert close(res.qe, 262.7316)
    assert res.qe_df == 16
    assert abs(res.i2 - 93.91) <= 0.005 + 1e-9
    assert abs(res.h2 - 16.42) <= 0.005 + 1e-9
    # The augmented data printed there (8 decimals).
    assert np.allclose(tf.yi_fill, [0.78929282, 0.85949921, 1.00333667, 1.03884624], atol=5e-9)
    assert np.allclose(tf.vi_fill, [0.073024794, 0.020010032, 0.194581121, 0.223017248], atol=5e-10)
    assert tf.fill.sum() == 4 and not tf.fill[:13].any()


def test_trimfill_bcg_equal_effects_r0(bcg: dict[str, np.ndarray]) -> None:
    # trimfill.html: trimfill(res, estimator="R0").
    tf = trimfill(rma(bcg["yi"], bcg["vi"], method="EE"), estimator="R0")
    assert (tf.k0, tf.side) == (4, "right")
    assert close(tf.se_k0, 3.1623)
    assert tf.p_k0 is not None and close(tf.p_k0, 0.0312)
    assert close(tf.result.beta[0], -0.2910)


def test_trimfill_bcg_random_effects(bcg_re: RMAResult) -> None:
    # trimfill.html: trimfill(rma(yi, vi)) (REML, "random-random").
    tf = trimfill(bcg_re)
    assert (tf.k0, tf.side) == (1, "right")
    assert close(tf.se_k0, 2.4528)
    res = tf.result
    assert res.k == 14 and res.method == "REML"
    assert close(res.tau2, 0.3313)
    assert res.se_tau2 is not None and close(res.se_tau2, 0.1701)
    assert abs(res.i2 - 92.14) <= 0.005 + 1e-9
    assert abs(res.h2 - 12.72) <= 0.005 + 1e-9
    assert close(res.qe, 154.6750)
    assert close(res.beta[0], -0.6571)
    assert close(res.se[0], 0.1785)
    assert close(res.stat[0], -3.6805)
    assert close(res.pval[0], 0.0002)
    assert close(res.ci_lb[0], -1.0070)
    assert close(res.ci_ub[0], -0.3072)


def test_trimfill_hackshaw_left_side() -> None:
    # metafor's printed trimfill(rma(yi, vi, data=dat.hackshaw1998)); see README_diagnostics.md
    # for why only these values are compared.
    rows = _rows("hackshaw1998.csv")
    yi = np.log(_col(rows, "or"))
    vi = (
        (np.log(_col(rows, "or_ub")) - np.log(_col(rows, "or_lb"))) / (2 * stats.norm.ppf(0.975))
    ) ** 2
    tf = trimfill(rma(yi, vi))
    assert (tf.k0, tf.side) == (7, "left")
    assert close(tf.se_k0, 4.0399)
    res = tf.result
    assert res.k == 44
    assert close(res.tau2, 0.0245)
    assert close(res.beta[0], 0.1745)
    assert close(res.se[0], 0.0484)
    assert close(res.ci_lb[0], 0.0795)
    assert close(res.ci_ub[0], 0.2694)
    assert np.all(tf.yi_fill < tf.theta)  # imputed on the left of the centre


def test_trimfill_explicit_side_and_errors(bcg: dict[str, np.ndarray]) -> None:
    res = rma(bcg["yi"], bcg["vi"], method="EE")
    left = trimfill(res, side="left")
    assert left.side == "left"
    assert np.all(left.yi_fill <= left.theta)
    with pytest.raises(MetaAnalysisError, match="without moderators"):
        trimfill(rma(bcg["yi"], bcg["vi"], mods=bcg["ablat"]))
    with pytest.raises(MetaAnalysisError, match="estimator"):
        trimfill(res, estimator="Q0")  # type: ignore[arg-type]
    payload = json.loads(json.dumps(trimfill(res).as_dict()))
    assert payload["k0"] == 4 and payload["side"] == "right"
