"""Reading studies from CSV: effect sizes, raw data, moderators, clusters, and every error.

Each error must name the data row (1-based), the file line and the column, so a researcher can
fix a spreadsheet without reading code. The files are written in the tests; a comment line at
the top makes the file line differ from "row + 1", so the two numbers are both checked.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from alongside.evaluation.stats.effect_sizes import escalc
from alongside.evaluation.stats.io import (
    GENERIC_SIGN,
    StudyDataError,
    fit,
    load_studies,
    read_csv,
    result_json,
)
from alongside.evaluation.stats.rma import MetaAnalysisError

BCG = Path(__file__).parent / "reference_data" / "bcg.csv"


def write(tmp_path: Path, text: str, name: str = "studies.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def bcg_counts(tmp_path: Path) -> Path:
    """dat.bcg with metafor's column names for the 2x2 cells."""
    text = BCG.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    header = header.replace("tpos", "ai").replace("tneg", "bi")
    header = header.replace("cpos", "ci").replace("cneg", "di")
    return write(tmp_path, header + "\n" + rest, "bcg_counts.csv")


def error_of(path: Path, **kwargs: object) -> StudyDataError:
    with pytest.raises(StudyDataError) as caught:
        load_studies(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


# -- reading -----------------------------------------------------------------------------------


def test_yi_vi_file_is_read_as_given_with_labels_from_author_and_year():
    studies = load_studies(BCG)
    assert studies.k == 13
    assert studies.measure == "GEN"
    assert studies.sign_convention == GENERIC_SIGN
    assert studies.labels[0] == "Aronson, 1948"
    assert studies.rows == tuple(range(1, 14))
    assert studies.yi[0] == -0.8893 and studies.vi[0] == 0.3256
    assert studies.mods is None and studies.cluster is None


def test_read_csv_skips_comments_and_blank_lines_and_records_file_lines(tmp_path):
    path = write(tmp_path, "# exported 2026-11-01\nyi,vi\n\n0.1,0.2\n# note\n0.3,0.4\n")
    table = read_csv(path)
    assert table.header == ("yi", "vi")
    assert table.rows == (("0.1", "0.2"), ("0.3", "0.4"))
    assert table.lines == (4, 6)


def test_semicolons_tabs_and_a_byte_order_mark_are_understood(tmp_path):
    semi = write(tmp_path, "\ufeffyi;vi\n0.1;0.2\n0.3;0.4\n", "semi.csv")
    tab = write(tmp_path, "yi\tvi\n0.1\t0.2\n0.3\t0.4\n", "tab.csv")
    for path in (semi, tab):
        studies = load_studies(path)
        assert list(studies.yi) == [0.1, 0.3]
        assert list(studies.vi) == [0.2, 0.4]
        assert studies.labels == ("Study 1", "Study 2")


def test_label_column_can_be_named(tmp_path):
    path = write(tmp_path, "site,yi,vi\nLeeds,0.1,0.2\nCork,0.3,0.4\n")
    assert load_studies(path).labels == ("Study 1", "Study 2")
    assert load_studies(path, label="site").labels == ("Leeds", "Cork")


def test_rr_from_counts_matches_the_printed_yi_vi(tmp_path):
    studies = load_studies(bcg_counts(tmp_path), measure="RR")
    printed = load_studies(BCG)
    assert studies.measure == "RR"
    assert "log risk ratio" in studies.sign_convention
    # bcg.csv's yi/vi are metafor's escalc listing to 4 decimals.
    assert np.all(np.abs(studies.yi - printed.yi) <= 5e-5 + 1e-12)
    assert np.all(np.abs(studies.vi - printed.vi) <= 5e-5 + 1e-12)


def test_counts_with_group_totals_equal_the_four_cells(tmp_path):
    cells = write(tmp_path, "ai,bi,ci,di\n4,119,11,128\n6,300,29,274\n", "cells.csv")
    totals = write(tmp_path, "ai,n1i,ci,n2i\n4,123,11,139\n6,306,29,303\n", "totals.csv")
    for measure in ("RR", "OR", "RD"):
        a = load_studies(cells, measure=measure)
        b = load_studies(totals, measure=measure.lower())
        assert np.allclose(a.yi, b.yi) and np.allclose(a.vi, b.vi)


def test_smd_and_smcr_use_escalc_on_the_named_columns(tmp_path):
    smd = write(
        tmp_path,
        "m1i,sd1i,n1i,m2i,sd2i,n2i\n10,2,20,9,2.5,22\n12,3,15,11,3,15\n",
        "smd.csv",
    )
    expected = escalc(
        "SMD", m1i=[10, 12], sd1i=[2, 3], n1i=[20, 15], m2i=[9, 11], sd2i=[2.5, 3], n2i=[22, 15]
    )
    studies = load_studies(smd, measure="SMD")
    assert np.allclose(studies.yi, expected.yi) and np.allclose(studies.vi, expected.vi)
    assert studies.sign_convention == expected.sign_convention
    smcr = write(tmp_path, "m1i,m2i,sd1i,ni,ri\n8,10,3,30,0.6\n7,9.5,2.5,25,0.5\n", "smcr.csv")
    expected = escalc("SMCR", m1i=[8, 7], m2i=[10, 9.5], sd1i=[3, 2.5], ni=[30, 25], ri=[0.6, 0.5])
    studies = load_studies(smcr, measure="SMCR")
    assert np.allclose(studies.yi, expected.yi) and np.allclose(studies.vi, expected.vi)


def test_double_zero_tables_are_dropped_with_their_moderators(tmp_path):
    path = write(
        tmp_path,
        "study,ai,bi,ci,di,dose\nA,4,96,8,92,1\nB,0,50,0,50,2\nC,3,97,9,91,3\nD,5,95,7,93,4\n",
    )
    kept = load_studies(path, measure="OR", mods=["dose"])
    assert kept.k == 4 and kept.dropped == ()  # metafor's escalc default: 1/2 added
    studies = load_studies(path, measure="OR", mods=["dose"], drop00=True)
    assert studies.k == 3
    assert studies.dropped == (2,)
    assert studies.rows == (1, 3, 4)
    assert studies.labels == ("A", "C", "D")
    assert studies.mods is not None and list(studies.mods[:, 0]) == [1, 3, 4]


def test_moderators_numeric_continuous_and_text_dummy_coded_first_level_reference():
    studies = load_studies(BCG, mods=["ablat", "alloc"])
    assert studies.mod_names == ("ablat", "allocrandom", "allocsystematic")
    assert studies.mods is not None
    assert list(studies.mods[0]) == [44, 1, 0]  # Aronson: random allocation
    assert list(studies.mods[4]) == [13, 0, 0]  # Frimodt-Moller: alternate (the reference)
    assert list(studies.mods[9]) == [42, 0, 1]  # Rosenthal 1961: systematic


def test_cluster_column_is_kept_as_labels():
    path = Path(__file__).parent / "reference_data" / "konstantopoulos2011.csv"
    studies = load_studies(path, cluster="district")
    assert studies.k == 56
    assert studies.cluster is not None and len(set(studies.cluster)) == 11
    assert studies.cluster_column == "district"


# -- errors, each naming where -------------------------------------------------------------------


def test_non_number_names_row_line_and_column(tmp_path):
    path = write(tmp_path, "# header follows\nyi,vi\n0.1,0.2\n0.3,abc\n")
    error = error_of(path)
    assert str(error) == "row 2 (line 4), column 'vi': 'abc' is not a number"
    assert (error.data_row, error.line, error.column, error.row) == (2, 4, "vi", 1)
    assert isinstance(error, MetaAnalysisError) and isinstance(error, ValueError)


def test_empty_cell_and_nan_are_missing(tmp_path):
    empty = write(tmp_path, "yi,vi\n0.1,0.2\n,0.3\n", "a.csv")
    assert str(error_of(empty)) == "row 2 (line 3), column 'yi': is empty"
    nan = write(tmp_path, "yi,vi\n0.1,0.2\nNaN,0.3\n", "b.csv")
    assert "row 2 (line 3), column 'yi'" in str(error_of(nan))
    inf = write(tmp_path, "yi,vi\n0.1,0.2\ninf,0.3\n", "c.csv")
    assert "'inf' is not a number" in str(error_of(inf))


def test_negative_and_zero_variances(tmp_path):
    negative = write(tmp_path, "yi,vi\n0.1,0.2\n0.2,0.1\n0.3,-0.05\n", "neg.csv")
    assert str(error_of(negative)) == (
        "row 3 (line 4), column 'vi': the sampling variance -0.05 is negative"
    )
    zero = write(tmp_path, "yi,vi\n0.1,0\n0.2,0.1\n", "zero.csv")
    assert "row 1 (line 2), column 'vi': the sampling variance is 0" in str(error_of(zero))


def test_missing_yi_vi_columns_suggest_a_measure(tmp_path):
    path = write(tmp_path, "study,yi\nA,0.1\nB,0.2\n")
    message = str(error_of(path))
    assert "no vi column" in message
    assert "--measure RR|OR|RD|SMD|SMCR" in message
    assert "columns: study, yi" in message


def test_missing_raw_columns_for_a_measure(tmp_path):
    path = write(tmp_path, "ai,bi,ci\n1,2,3\n4,5,6\n")
    message = str(error_of(path, measure="RR"))
    assert message.startswith("--measure RR needs the columns ai, bi, ci, di or ai, n1i, ci, n2i")
    assert "lacks di, n1i, n2i" in message


def test_unknown_measure(tmp_path):
    path = write(tmp_path, "yi,vi\n0.1,0.2\n0.3,0.4\n")
    assert "unknown measure 'XYZ'" in str(error_of(path, measure="XYZ"))


@pytest.mark.parametrize(
    ("text", "measure", "expected"),
    [
        ("ai,bi,ci,di\n1,2,3,4\n-1,2,3,4\n", "RR", "row 2 (line 3), column 'ai': the count -1"),
        ("ai,n1i,ci,n2i\n1,20,3,30\n25,20,3,30\n", "OR", "row 2 (line 3), column 'ai': 25 events"),
        ("ai,n1i,ci,n2i\n1,20,3,30\n2,0,3,30\n", "RD", "row 2 (line 3), column 'n1i': the sample"),
        (
            "m1i,sd1i,n1i,m2i,sd2i,n2i\n1,1,10,2,1,10\n1,0,10,2,1,10\n",
            "SMD",
            "row 2 (line 3), column 'sd1i': the standard deviation 0 is not positive",
        ),
        (
            "m1i,m2i,sd1i,ni,ri\n1,2,1,10,0.5\n1,2,1,10,1.5\n",
            "SMCR",
            "row 2 (line 3), column 'ri': the correlation 1.5 is not between -1 and 1",
        ),
        (
            "m1i,sd1i,n1i,m2i,sd2i,n2i\n1,1,10,2,1,10\n1,1,x,2,1,10\n",
            "SMD",
            "row 2 (line 3), column 'n1i': 'x' is not a number",
        ),
    ],
)
def test_raw_data_problems_name_the_row(tmp_path, text, measure, expected):
    assert str(error_of(write(tmp_path, text), measure=measure)).startswith(expected)


def test_escalc_complaints_gain_the_file_line(tmp_path):
    # n1i = 1 passes the file checks but escalc needs group sizes of at least 2.
    path = write(
        tmp_path, "# two studies\nm1i,sd1i,n1i,m2i,sd2i,n2i\n1,1,10,2,1,10\n1,1,1,2,1,10\n"
    )
    message = str(error_of(path, measure="SMD"))
    assert message.startswith("row 2 (line 4)")
    assert "n1i" in message


def test_ragged_row_and_bad_header(tmp_path):
    ragged = write(tmp_path, "yi,vi\n0.1,0.2\n0.3\n", "ragged.csv")
    assert str(error_of(ragged)) == "row 2 (line 3): has 1 cells but the header has 2 columns"
    twice = write(tmp_path, "yi,vi,yi\n0.1,0.2,0.3\n", "twice.csv")
    assert "names column 'yi' twice" in str(error_of(twice))
    unnamed = write(tmp_path, "yi,,vi\n0.1,0.2,0.3\n", "unnamed.csv")
    assert "header column 2 has no name" in str(error_of(unnamed))


def test_missing_empty_and_header_only_files(tmp_path):
    assert "cannot read" in str(error_of(tmp_path / "absent.csv"))
    assert "is empty" in str(error_of(write(tmp_path, "\n\n", "empty.csv")))
    assert "at least 2 studies; the file has 0" in str(
        error_of(write(tmp_path, "yi,vi\n", "header.csv"))
    )
    assert "header but no studies" in str(
        error_of(write(tmp_path, "ai,bi,ci,di\n", "raw.csv"), measure="RR")
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes("study,yi,vi\nM\xfcller,0.1,0.2\n".encode("latin-1"))
    assert "not UTF-8" in str(error_of(latin))


def test_too_few_studies(tmp_path):
    one = write(tmp_path, "yi,vi\n0.1,0.2\n")
    assert str(error_of(one)) == "a meta-analysis needs at least 2 studies; the file has 1"


def test_too_few_studies_after_double_zero_drop(tmp_path):
    path = write(tmp_path, "ai,bi,ci,di\n0,10,0,10\n1,9,2,8\n")
    message = str(error_of(path, measure="RR", drop00=True))
    assert "the file has 1 (1 dropped as double-zero)" in message


def test_meta_regression_needs_more_studies_than_coefficients(tmp_path):
    path = write(tmp_path, "yi,vi,x,g\n0.1,0.2,1,a\n0.3,0.4,2,b\n0.5,0.1,3,a\n")
    message = str(error_of(path, mods=["x", "g"]))
    assert message == (
        "a meta-regression with 3 coefficients needs more than 3 studies; the file has 3"
    )


def test_moderator_errors(tmp_path):
    path = write(tmp_path, "yi,vi,dose,format\n0.1,0.2,1,chat\n0.3,0.4,,forum\n0.2,0.1,3,chat\n")
    assert str(error_of(path, mods=["dose"])) == (
        "row 2 (line 3), column 'dose': the moderator is missing; fill it in or remove the study"
    )
    assert "no column 'duration'" in str(error_of(path, mods=["duration"]))
    same = write(tmp_path, "yi,vi,format\n0.1,0.2,chat\n0.3,0.4,chat\n0.2,0.1,chat\n", "s.csv")
    assert "every study has the same value 'chat'" in str(error_of(same, mods=["format"]))
    assert "named twice" in str(error_of(path, mods=["format", "format"]))


def test_cluster_errors(tmp_path):
    missing = write(tmp_path, "yi,vi,paper\n0.1,0.2,A\n0.3,0.4,\n0.2,0.1,B\n", "m.csv")
    assert str(error_of(missing, cluster="paper")) == (
        "row 2 (line 3), column 'paper': the cluster is missing"
    )
    one = write(tmp_path, "yi,vi,paper\n0.1,0.2,A\n0.3,0.4,A\n", "one.csv")
    assert "at least 2 clusters" in str(error_of(one, cluster="paper"))
    singletons = write(tmp_path, "yi,vi,paper\n0.1,0.2,A\n0.3,0.4,B\n", "single.csv")
    assert "every cluster holds one effect size" in str(error_of(singletons, cluster="paper"))


# -- fitting and the printed object ----------------------------------------------------------------

KEYS = {
    "model", "k", "measure", "sign_convention", "method", "test", "level", "dropped_rows",
    "estimate", "se", "stat", "pval", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "ddf",
    "tau2", "tau2_se", "tau2_ci_lb", "tau2_ci_ub", "I2", "I2_ci_lb", "I2_ci_ub",
    "H2", "H2_ci_lb", "H2_ci_ub", "R2", "Q", "Q_df", "Q_p", "coefficients",
    "QM", "QM_df", "QM_df2", "QM_p", "QE", "QE_df", "QE_p", "sigma2", "n_clusters", "converged",
}  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "fit_kwargs", "model"),
    [
        ({}, {}, "random-effects"),
        ({}, {"method": "FE"}, "equal-effects"),
        ({"mods": ["ablat", "alloc"]}, {"test": "knha"}, "meta-regression"),
        ({"cluster": "alloc"}, {"method": "ML"}, "three-level"),
    ],
)
def test_result_json_has_every_key_for_every_model(kwargs, fit_kwargs, model):
    studies = load_studies(BCG, **kwargs)
    printed = result_json(studies, fit(studies, **fit_kwargs))
    assert set(printed) == KEYS
    assert printed["model"] == model
    assert len(printed["coefficients"]) == 1 + len(studies.mod_names)
    for value in printed.values():
        assert not (isinstance(value, float) and not math.isfinite(value))
    if model == "meta-regression":
        assert printed["estimate"] is None and printed["QM_df"] == 3
    if model == "three-level":
        assert printed["tau2"] is None and len(printed["sigma2"]) == 2
        assert printed["n_clusters"] == 3


def test_three_level_refuses_moment_estimators():
    studies = load_studies(BCG, cluster="alloc")
    with pytest.raises(MetaAnalysisError, match="REML or ML, not DL"):
        fit(studies, method="DL")
