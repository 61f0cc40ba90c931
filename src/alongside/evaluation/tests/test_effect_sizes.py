"""Effect sizes against metafor's documented output and against hand arithmetic.

Sources of every reference value are listed in reference_data/README_effect_sizes.md.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from alongside.evaluation.stats.effect_sizes import (
    MEASURES,
    EffectSizeError,
    EffectSizes,
    escalc,
    hedges_correction,
    smd_between,
    smd_prepost,
)

DATA = Path(__file__).parent / "reference_data"
TOL = 5e-5 + 1e-9  # agreement to the 4 printed decimals


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


def _col(rows: list[dict[str, str]], name: str) -> np.ndarray:
    return np.array([float(r[name]) for r in rows])


def _given(rows: list[dict[str, str]], name: str) -> tuple[np.ndarray, np.ndarray]:
    """Reference values that are printed (non-empty) and the row mask they belong to."""
    mask = np.array([r[name] != "" for r in rows])
    return mask, np.array([float(r[name]) for r in rows if r[name] != ""])


def _assert_printed(ours: np.ndarray, ref: np.ndarray) -> None:
    assert ours.shape == ref.shape
    worst = np.max(np.abs(ours - ref))
    assert worst <= TOL, f"max |ours - metafor| = {worst:.2e}\nours={ours}\nref={ref}"


# -- dat.normand1999 ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def normand() -> list[dict[str, str]]:
    return _read("normand1999.csv")


def _normand_escalc(measure: str, rows: list[dict[str, str]]) -> EffectSizes:
    return escalc(
        measure, **{c: _col(rows, c) for c in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")}
    )


def test_smd_normand1999_matches_metafor(normand):
    """Hedges' g with the exact J and vtype="LS" variance, all 9 studies (metafor via metabroom)."""
    es = _normand_escalc("SMD", normand)
    _assert_printed(es.yi, _col(normand, "smd_yi"))
    _assert_printed(es.sei, _col(normand, "smd_sei"))
    mask, vi_ref = _given(normand, "smd_vi")  # metafor test_misc_escalc.r, studies 1-4
    _assert_printed(es.vi[mask], vi_ref)
    assert es.measure == "SMD"
    assert es.dropped == ()
    assert "group 1" in es.sign_convention and "higher" in es.sign_convention


def test_md_normand1999_matches_metafor(normand):
    es = _normand_escalc("MD", normand)
    assert np.array_equal(es.yi, _col(normand, "m1i") - _col(normand, "m2i"))
    _assert_printed(es.vi, _col(normand, "md_vi"))


def test_rom_normand1999_matches_metafor(normand):
    es = _normand_escalc("ROM", normand)
    mask, yi_ref = _given(normand, "rom_yi")
    _assert_printed(es.yi[mask], yi_ref)
    _assert_printed(es.vi[mask], _given(normand, "rom_vi")[1])


# -- Morris (2008) ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def morris() -> dict[str, list[dict[str, str]]]:
    rows = _read("morris2008.csv")
    return {g: [r for r in rows if r["group"] == g] for g in ("treatment", "control")}


@pytest.mark.parametrize("group", ["treatment", "control"])
def test_smcr_morris2008_matches_metafor(morris, group):
    rows = morris[group]
    es = escalc(
        "SMCR",
        m1i=_col(rows, "m_post"),
        m2i=_col(rows, "m_pre"),
        sd1i=_col(rows, "sd_pre"),
        ni=_col(rows, "ni"),
        ri=_col(rows, "ri"),
    )
    _assert_printed(es.yi, _col(rows, "smcr_yi"))
    _assert_printed(es.vi, _col(rows, "smcr_vi"))
    assert "post" in es.sign_convention and "baseline" in es.sign_convention


@pytest.mark.parametrize("group", ["treatment", "control"])
def test_smcc_morris2008_matches_metafor(morris, group):
    rows = morris[group]
    es = escalc(
        "SMCC",
        m1i=_col(rows, "m_post"),
        m2i=_col(rows, "m_pre"),
        sd1i=_col(rows, "sd_post"),
        sd2i=_col(rows, "sd_pre"),
        ni=_col(rows, "ni"),
        ri=_col(rows, "ri"),
    )
    _assert_printed(es.yi, _col(rows, "smcc_yi"))
    _assert_printed(es.vi, _col(rows, "smcc_vi"))


def test_smcr_difference_matches_morris_table1(morris):
    """g_T - g_C reproduces Morris (2008) Table 1 (2 decimals, as printed there)."""
    t, c = morris["treatment"], morris["control"]
    g = [
        escalc(
            "SMCR", m1i=_col(x, "m_post"), m2i=_col(x, "m_pre"), sd1i=_col(x, "sd_pre"),
            ni=_col(x, "ni"), ri=_col(x, "ri"),
        ).yi
        for x in (t, c)
    ]  # fmt: skip
    assert np.array_equal(np.round(g[0] - g[1], 2), [0.74, 0.95, 1.81, 1.15, 0.51])


def _ppc(t: list[dict[str, str]], c: list[dict[str, str]]) -> EffectSizes:
    return escalc(
        "SMDPPC",
        m1i_pre=_col(t, "m_pre"), m1i_post=_col(t, "m_post"), sd1i_pre=_col(t, "sd_pre"),
        n1i=_col(t, "ni"),
        m2i_pre=_col(c, "m_pre"), m2i_post=_col(c, "m_post"), sd2i_pre=_col(c, "sd_pre"),
        n2i=_col(c, "ni"),
        ri=_col(t, "ri"),
    )  # fmt: skip


def test_dppc2_reproduces_morris_worked_example(morris):
    """Morris (2008), study 1: pooled pre-test SD 14.4 and d_ppc2 = 0.77."""
    es = _ppc(morris["treatment"], morris["control"])
    assert round(float(es.yi[0]), 2) == 0.77
    assert round(math.sqrt((19 * 15.0**2 + 19 * 13.8**2) / 38), 1) == 14.4
    assert "group 1" in es.sign_convention


def test_dppc2_variance_is_morris_eq25_by_hand(morris):
    """Study 1 by hand: c_p = 1 - 3/(4·38 - 1); eq. 25 with d for δ."""
    es = _ppc(morris["treatment"], morris["control"])
    cp = 1 - 3 / (4 * 38 - 1)
    d = cp * ((38.5 - 30.6) - (19.7 - 23.1)) / math.sqrt((19 * 225 + 19 * 13.8**2) / 38)
    a = 2 * (1 - 0.47) * 40 / 400
    v = cp**2 * a * (38 / 36) * (1 + d**2 / a) - d**2
    assert es.yi[0] == pytest.approx(d, rel=1e-12)
    assert es.vi[0] == pytest.approx(v, rel=1e-12)
    assert np.all(es.vi > 0)


# -- dat.bcg: RR, OR, RD ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bcg() -> list[dict[str, str]]:
    return _read("bcg.csv")


def _bcg_escalc(measure: str, rows: list[dict[str, str]]) -> EffectSizes:
    return escalc(
        measure,
        ai=_col(rows, "tpos"),
        bi=_col(rows, "tneg"),
        ci=_col(rows, "cpos"),
        di=_col(rows, "cneg"),
    )


def test_rr_bcg_matches_metafor(bcg):
    es = _bcg_escalc("RR", bcg)
    _assert_printed(es.yi, _col(bcg, "yi"))
    _assert_printed(es.vi, _col(bcg, "vi"))
    assert es.sign_convention.startswith("negative log risk ratio: fewer events in group 1")


def test_or_bcg_matches_metafor(bcg):
    ref = _read("bcg_or.csv")
    es = _bcg_escalc("OR", bcg)
    _assert_printed(es.yi, _col(ref, "yi"))
    _assert_printed(es.vi, _col(ref, "vi"))
    # metafor test_misc_escalc.r, summary(): trial 1 sei 0.5976
    assert abs(es.sei[0] - 0.5976) <= TOL


def test_rr_from_group_totals_equals_from_cells(bcg):
    cells = _bcg_escalc("RR", bcg)
    totals = escalc(
        "RR",
        ai=_col(bcg, "tpos"),
        n1i=_col(bcg, "tpos") + _col(bcg, "tneg"),
        ci=_col(bcg, "cpos"),
        n2i=_col(bcg, "cpos") + _col(bcg, "cneg"),
    )
    np.testing.assert_allclose(totals.yi, cells.yi, rtol=0, atol=1e-15)
    np.testing.assert_allclose(totals.vi, cells.vi, rtol=0, atol=1e-15)


def test_rd_bcg_by_hand(bcg):
    """No printed metafor RD output was found; Aronson (4/123 vs 11/139) by hand."""
    es = _bcg_escalc("RD", bcg)
    p1, p2 = 4 / 123, 11 / 139
    assert es.yi[0] == pytest.approx(p1 - p2, rel=1e-12)
    assert es.vi[0] == pytest.approx(p1 * (1 - p1) / 123 + p2 * (1 - p2) / 139, rel=1e-12)
    assert round(float(es.yi[0]), 4) == -0.0466
    assert es.sign_convention.startswith("negative risk difference")


# -- zero cells ---------------------------------------------------------------------------------


def test_only0_adds_half_to_the_zero_table_only():
    """dat.egger2001, Bertschat (1989): 0/22 vs 1/21 gets +1/2 in every cell; Morton does not."""
    rows = {r["study"]: r for r in _read("egger2001.csv")}
    bert, morton = rows["Bertschat"], rows["Morton"]
    ai = [float(morton["ai"]), float(bert["ai"])]
    n1i = [float(morton["n1i"]), float(bert["n1i"])]
    ci = [float(morton["ci"]), float(bert["ci"])]
    n2i = [float(morton["n2i"]), float(bert["n2i"])]
    es = escalc("OR", ai=ai, n1i=n1i, ci=ci, n2i=n2i)
    assert es.yi[0] == pytest.approx(math.log(1 * 34 / (39 * 2)), rel=1e-12)  # untouched
    assert es.yi[1] == pytest.approx(math.log(0.5 * 20.5 / (22.5 * 1.5)), rel=1e-12)
    assert es.vi[1] == pytest.approx(1 / 0.5 + 1 / 22.5 + 1 / 1.5 + 1 / 20.5, rel=1e-12)
    assert round(float(es.yi[1]), 4) == -1.1917
    rr = escalc("RR", ai=ai, n1i=n1i, ci=ci, n2i=n2i)
    assert rr.yi[1] == pytest.approx(math.log((0.5 / 23) / (1.5 / 22)), rel=1e-12)
    assert rr.vi[1] == pytest.approx(1 / 0.5 - 1 / 23 + 1 / 1.5 - 1 / 22, rel=1e-12)


def test_to_all_and_if0all_and_none():
    tables = {"ai": [0, 5], "bi": [10, 5], "ci": [3, 4], "di": [7, 6]}
    every = escalc("OR", to="all", **tables)
    assert every.yi[1] == pytest.approx(math.log(5.5 * 6.5 / (5.5 * 4.5)))
    if0 = escalc("OR", to="if0all", **tables)
    np.testing.assert_array_equal(if0.yi, every.yi)
    clean = escalc("OR", to="if0all", ai=[5], bi=[5], ci=[4], di=[6])
    assert clean.yi[0] == pytest.approx(math.log(5 * 6 / (5 * 4)))
    with pytest.raises(EffectSizeError, match=r"row 1: OR is undefined"):
        escalc("OR", to="none", **tables)
    with pytest.raises(EffectSizeError, match=r"row 1: RR is undefined"):
        escalc("RR", add=0, **tables)


def test_double_zero_tables_dropped_on_request_for_ratios_kept_for_rd():
    tables = {"ai": [4, 0, 2, 7], "bi": [6, 10, 8, 0], "ci": [3, 0, 5, 9], "di": [7, 12, 5, 0]}
    for measure in ("RR", "OR"):
        assert escalc(measure, **tables).dropped == ()  # metafor's default keeps them
        es = escalc(measure, drop00=True, **tables)
        assert es.dropped == (1, 3)  # no events in both arms; only events in both arms
        assert es.k == 2
        assert es.kept_rows() == (0, 2)
        assert es.yi[0] == escalc(measure, ai=[4], bi=[6], ci=[3], di=[7]).yi[0]
    rd = escalc("RD", **tables)
    assert rd.dropped == ()
    # the double-zero tables keep their rows and get +1/2 in every cell (to="only0")
    p1, p2 = 0.5 / 11, 0.5 / 13
    assert rd.yi[1] == pytest.approx(p1 - p2, rel=1e-12)
    assert rd.vi[1] == pytest.approx(p1 * (1 - p1) / 11 + p2 * (1 - p2) / 13, rel=1e-12)
    assert rd.yi[3] == pytest.approx(7.5 / 8 - 9.5 / 10, rel=1e-12)


def test_drop00_false_reproduces_metafor_escalc_default():
    """metafor's escalc keeps double-zero tables unless drop00=TRUE: +1/2 to every cell."""
    es = escalc("OR", ai=[0], bi=[10], ci=[0], di=[12])
    assert es.dropped == ()
    assert es.yi[0] == pytest.approx(math.log(0.5 * 12.5 / (10.5 * 0.5)))
    rd = escalc("RD", drop00=True, ai=[0, 1], bi=[10, 9], ci=[0, 2], di=[12, 8])
    assert rd.dropped == (0,)


def test_all_tables_double_zero_is_an_error():
    with pytest.raises(EffectSizeError, match="every 2x2 table"):
        escalc("RR", drop00=True, ai=[0], bi=[5], ci=[0], di=[5])


# -- ANCOVA -------------------------------------------------------------------------------------


def test_smd_ancova_from_adjusted_means_by_hand():
    """Borenstein (2009) Table 12.3: d = adjusted difference / S_within and
    V(d) = (n1+n2)(1-R²)/(n1 n2) + d²/(2(n1+n2)); g = J(df) d with df = n1+n2-2-q."""
    es = escalc(
        "SMDANCOVA", m1i=[103.0], m2i=[100.0], sd1i=[5.5], sd2i=[4.5], n1i=[50], n2i=[50],
        r2i=[0.49], qi=[1],
    )  # fmt: skip
    sw = math.sqrt((49 * 5.5**2 + 49 * 4.5**2) / 98)
    d = 3 / sw
    j = float(hedges_correction(97))
    assert es.yi[0] == pytest.approx(j * d, rel=1e-12)
    assert es.vi[0] == pytest.approx(j**2 * (100 * 0.51 / 2500 + d**2 / 200), rel=1e-12)
    assert "covariate-adjusted" in es.sign_convention


def test_smd_ancova_from_t_equals_from_means_when_consistent():
    """t_adj = d / (√(1-R²) √(1/n1+1/n2)) gives the same d as the adjusted means."""
    means = escalc(
        "SMDANCOVA", m1i=[12.0, 8.0], m2i=[10.0, 9.0], sd1i=[4.0, 3.0], sd2i=[4.0, 3.0],
        n1i=[30, 20], n2i=[30, 25], r2i=[0.25, 0.36],
    )  # fmt: skip
    d = np.array([2.0 / 4.0, -1.0 / 3.0])
    t = d / (
        np.sqrt(1 - np.array([0.25, 0.36])) * np.sqrt(np.array([1 / 30 + 1 / 30, 1 / 20 + 1 / 25]))
    )
    from_t = escalc("SMDANCOVA", ti=t, n1i=[30, 20], n2i=[30, 25], r2i=[0.25, 0.36])
    np.testing.assert_allclose(from_t.yi, means.yi, rtol=1e-12)
    np.testing.assert_allclose(from_t.vi, means.vi, rtol=1e-12)


# -- scalar helpers -----------------------------------------------------------------------------


def test_smd_between_matches_escalc_and_has_a_wald_ci(normand):
    r = normand[0]
    out = smd_between(
        float(r["m1i"]), float(r["sd1i"]), float(r["n1i"]),
        float(r["m2i"]), float(r["sd2i"]), float(r["n2i"]),
    )  # fmt: skip
    assert abs(out.estimate - float(r["smd_yi"])) <= TOL
    assert abs(math.sqrt(out.variance) - float(r["smd_sei"])) <= TOL
    half = 1.959963984540054 * math.sqrt(out.variance)
    assert out.ci_lb == pytest.approx(out.estimate - half)
    assert out.ci_ub == pytest.approx(out.estimate + half)
    estimate, variance, lb, ub = out  # plain tuple unpacking works
    assert lb < estimate < ub and variance > 0
    narrow = smd_between(55, 47, 155, 75, 64, 156, level=90)
    assert narrow.ci_ub - narrow.ci_lb < ub - lb


def test_smd_prepost_matches_metafor_smcr(morris):
    r = morris["treatment"][0]
    out = smd_prepost(
        m_pre=float(r["m_pre"]), sd_pre=float(r["sd_pre"]), m_post=float(r["m_post"]),
        n=float(r["ni"]), r=float(r["ri"]),
    )  # fmt: skip
    assert abs(out.estimate - float(r["smcr_yi"])) <= TOL
    assert abs(out.variance - float(r["smcr_vi"])) <= TOL
    assert out.ci_lb < out.estimate < out.ci_ub


def test_level_must_be_a_percentage():
    with pytest.raises(EffectSizeError, match="level"):
        smd_between(1, 1, 10, 0, 1, 10, level=0)


# -- J(m) ---------------------------------------------------------------------------------------


def test_hedges_correction_known_values():
    """J(m) against the gamma-function definition and Hedges' approximation 1 - 3/(4m - 1)."""
    m = np.array([2.0, 10.0, 38.0, 100.0])
    exact = np.array([math.gamma(x / 2) / (math.sqrt(x / 2) * math.gamma((x - 1) / 2)) for x in m])
    np.testing.assert_allclose(hedges_correction(m), exact, rtol=1e-12)
    np.testing.assert_allclose(hedges_correction(m[2:]), 1 - 3 / (4 * m[2:] - 1), atol=3e-5)
    assert float(hedges_correction(1e8)[()]) == pytest.approx(1.0, abs=1e-8)
    with pytest.raises(EffectSizeError):
        hedges_correction(1)


# -- validation ---------------------------------------------------------------------------------


SMD_OK: dict[str, list[float]] = {
    "m1i": [1.0, 2.0], "sd1i": [1.0, 1.0], "n1i": [10, 10],
    "m2i": [0.0, 0.0], "sd2i": [1.0, 1.0], "n2i": [10, 10],
}  # fmt: skip


@pytest.mark.parametrize(
    ("measure", "change", "pattern"),
    [
        ("SMD", {"sd2i": [1.0, -1.0]}, r"row 2, column 'sd2i': .*negative"),
        ("SMD", {"n1i": [10, 1]}, r"row 2, column 'n1i': .*at least 2"),
        ("SMD", {"m1i": [1.0, float("nan")]}, r"row 2, column 'm1i': .*missing"),
        ("SMD", {"m1i": [1.0, 2.0, 3.0]}, r"different lengths: m1i=3"),
        ("SMD", {"m1i": ["a", "b"]}, r"column 'm1i' must be numeric"),
        ("SMD", {"sd1i": [0.0, 1.0], "sd2i": [0.0, 1.0]}, r"row 1.*pooled standard deviation"),
        ("SMD", {"sdi": [1, 1]}, r"does not take column\(s\) sdi"),
        ("SMD", {"m1i": None}, r"needs column\(s\): m1i"),
    ],
)
def test_bad_smd_input_names_row_and_column(measure, change, pattern):
    cols = {**SMD_OK, **change}
    cols = {k: v for k, v in cols.items() if v is not None}
    with pytest.raises(EffectSizeError, match=pattern):
        escalc(measure, **cols)


@pytest.mark.parametrize(
    ("cols", "pattern"),
    [
        (
            {"ai": [1, -1], "bi": [5, 5], "ci": [1, 1], "di": [5, 5]},
            r"row 2, column 'ai'.*negative",
        ),
        (
            {"ai": [1, 6], "n1i": [5, 5], "ci": [1, 1], "n2i": [5, 5]},
            r"row 2, column 'ai'.*more events",
        ),
        ({"ai": [1, 1], "n1i": [5, 0], "ci": [1, 1], "n2i": [5, 5]}, r"row 2, column 'n1i'"),
        ({"ai": [0, 1], "bi": [0, 5], "ci": [1, 1], "di": [5, 5]}, r"row 1.*group 1 is empty"),
    ],
)
def test_bad_counts_name_row_and_column(cols, pattern):
    with pytest.raises(EffectSizeError, match=pattern):
        escalc("RR", **cols)


def test_other_bad_inputs():
    with pytest.raises(EffectSizeError, match="unknown measure 'XYZ'"):
        escalc("XYZ", yi=[1])
    with pytest.raises(EffectSizeError, match=r"row 1, column 'ri'.*correlation"):
        escalc("SMCR", m1i=[1], m2i=[0], sd1i=[1], ni=[10], ri=[1.5])
    with pytest.raises(EffectSizeError, match=r"row 1, column 'r2i'"):
        escalc("SMDANCOVA", ti=[2.0], n1i=[10], n2i=[10], r2i=[1.0])
    with pytest.raises(EffectSizeError, match="apply to 2x2 measures"):
        escalc("SMD", drop00=True, **SMD_OK)
    with pytest.raises(EffectSizeError, match="to must be one of"):
        escalc("OR", to="sometimes", ai=[1], bi=[1], ci=[1], di=[1])
    with pytest.raises(EffectSizeError, match="no rows"):
        escalc("SMD", **{k: [] for k in SMD_OK})
    assert issubclass(EffectSizeError, ValueError)


def test_every_measure_states_its_direction():
    assert set(MEASURES) == {
        "MD",
        "SMD",
        "ROM",
        "SMDANCOVA",
        "SMCR",
        "SMCC",
        "SMDPPC",
        "RR",
        "OR",
        "RD",
    }
    es = escalc("smd", **SMD_OK)  # measure names are case-insensitive
    assert es.measure == "SMD"
    assert es.sign_convention.startswith("positive:")
