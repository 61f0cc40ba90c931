"""``alongside meta``: a CSV in, one JSON object out, status 2 with a message on bad input.

Reference values are metafor's printed output, the same ones the core's own tests pin (see
test_rma.py and test_multilevel.py for the sources): dat.bcg log risk ratios, REML
(Viechtbauer 2010, JSS 36(3); metafor's README) and the Knapp-Hartung meta-regression on
absolute latitude (metafor's README); dat.konstantopoulos2011 three-level REML (metafor-project.org,
analyses:konstantopoulos2011).
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from alongside.cli import main

DATA = Path(__file__).parent / "reference_data"
BCG = DATA / "bcg.csv"
KONSTANTOPOULOS = DATA / "konstantopoulos2011.csv"


def close(ours: float, printed: float, decimals: int = 4) -> bool:
    """True when ``ours`` agrees with a value printed to ``decimals`` places."""
    return abs(ours - printed) <= 0.5 * 10.0**-decimals + 1e-9


def run(capsys, *argv: str) -> tuple[int, dict, str]:
    status = main(["meta", *argv])
    captured = capsys.readouterr()
    return status, (json.loads(captured.out) if captured.out else {}), captured.err


@pytest.fixture
def bcg_counts(tmp_path: Path) -> Path:
    header, rest = BCG.read_text(encoding="utf-8").split("\n", 1)
    for old, new in (("tpos", "ai"), ("tneg", "bi"), ("cpos", "ci"), ("cneg", "di")):
        header = header.replace(old, new)
    path = tmp_path / "bcg_counts.csv"
    path.write_text(header + "\n" + rest, encoding="utf-8")
    return path


def test_bcg_risk_ratios_reml_match_metafor(capsys, bcg_counts):
    status, out, err = run(capsys, "--input", str(bcg_counts), "--measure", "RR")
    assert status == 0 and err == ""
    assert out["model"] == "random-effects"
    assert (out["k"], out["measure"], out["method"], out["test"]) == (13, "RR", "REML", "z")
    assert "log risk ratio" in out["sign_convention"]
    assert close(out["estimate"], -0.7145)
    assert close(out["se"], 0.1798)
    assert close(out["ci_lb"], -1.0669)
    assert close(out["ci_ub"], -0.3622)
    assert close(out["tau2"], 0.3132)
    assert close(out["tau2_se"], 0.1664)
    assert close(out["I2"], 92.22, 2)
    assert close(out["H2"], 12.86, 2)
    assert close(out["Q"], 152.2330)
    assert out["Q_df"] == 12 and out["Q_p"] < 1e-4
    assert out["tau2_ci_lb"] < out["tau2"] < out["tau2_ci_ub"]
    assert out["pi_lb"] < out["ci_lb"] and out["pi_ub"] > out["ci_ub"]
    assert out["QM"] is None and out["sigma2"] is None and out["dropped_rows"] == []


def test_yi_vi_columns_give_the_same_pooled_estimate(capsys):
    status, out, _ = run(capsys, "--input", str(BCG))
    assert status == 0
    assert out["measure"] == "GEN"
    assert close(out["estimate"], -0.7145)


def test_meta_regression_knapp_hartung_matches_metafor(capsys, bcg_counts):
    status, out, _ = run(
        capsys, "--input", str(bcg_counts), "--measure", "rr", "--mods", "ablat", "--test", "knha"
    )
    assert status == 0
    assert out["model"] == "meta-regression"
    assert out["estimate"] is None and out["pi_lb"] is None
    assert close(out["tau2"], 0.0764)
    assert close(out["R2"], 75.62, 2)
    assert close(out["QM"], 12.5905)
    assert (out["QM_df"], out["QM_df2"], out["ddf"]) == (1, 11, 11)
    assert close(out["QM_p"], 0.0046)
    assert close(out["QE"], 30.7331) and out["QE_df"] == 11
    names = [c["name"] for c in out["coefficients"]]
    assert names == ["intrcpt", "ablat"]
    ablat = out["coefficients"][1]
    assert close(ablat["estimate"], -0.0291)
    assert close(ablat["se"], 0.0082)
    assert close(ablat["stat"], -3.5483)
    assert close(ablat["ci_lb"], -0.0472) and close(ablat["ci_ub"], -0.0111)
    assert set(ablat) == {"name", "estimate", "se", "stat", "pval", "ci_lb", "ci_ub"}


def test_categorical_moderator_is_dummy_coded(capsys):
    status, out, _ = run(capsys, "--input", str(BCG), "--mods", "ablat, alloc")
    assert status == 0
    names = [c["name"] for c in out["coefficients"]]
    assert names == ["intrcpt", "ablat", "allocrandom", "allocsystematic"]
    assert out["QM_df"] == 3


def test_three_level_model_matches_metafor(capsys):
    status, out, _ = run(capsys, "--input", str(KONSTANTOPOULOS), "--cluster", "district")
    assert status == 0
    assert out["model"] == "three-level" and out["n_clusters"] == 11 and out["k"] == 56
    assert close(out["estimate"], 0.1847)
    assert close(out["se"], 0.0846)
    between, within = out["sigma2"]
    assert between["level"] == "between district" and between["n"] == 11
    assert close(between["estimate"], 0.0651)
    assert close(within["estimate"], 0.0327) and within["n"] == 56
    assert close(out["Q"], 578.8640) and out["Q_df"] == 55
    assert out["tau2"] is None and out["I2"] is None


@pytest.mark.parametrize("method", ["DL", "REML", "ML", "PM", "EB", "HE", "HS", "SJ", "FE"])
def test_every_method_runs(capsys, method):
    status, out, _ = run(capsys, "--input", str(BCG), "--method", method.lower())
    assert status == 0
    assert out["method"] == method
    if method == "FE":
        assert out["model"] == "equal-effects" and out["tau2"] == 0


def test_level_changes_the_intervals(capsys):
    _, wide, _ = run(capsys, "--input", str(BCG), "--level", "99")
    _, usual, _ = run(capsys, "--input", str(BCG))
    assert wide["level"] == 99
    assert wide["ci_lb"] < usual["ci_lb"] and wide["ci_ub"] > usual["ci_ub"]


def test_plot_is_written_as_svg(capsys, tmp_path, bcg_counts):
    target = tmp_path / "forest.svg"
    status, out, _ = run(
        capsys, "--input", str(bcg_counts), "--measure", "RR", "--plot", str(target)
    )
    assert status == 0 and out["plot"] == str(target)
    svg = target.read_text(encoding="utf-8")
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Aronson, 1948" in svg
    assert "Random-effects model (REML)" in svg
    assert "Risk ratio (log scale)" in svg


def test_plot_for_three_level_and_meta_regression(capsys, tmp_path):
    target = tmp_path / "three.svg"
    status, _, _ = run(
        capsys, "--input", str(KONSTANTOPOULOS), "--cluster", "district", "--plot", str(target)
    )
    assert status == 0 and "Three-level model (REML)" in target.read_text(encoding="utf-8")
    target = tmp_path / "reg.svg"
    status, _, _ = run(capsys, "--input", str(BCG), "--mods", "ablat", "--plot", str(target))
    assert status == 0
    assert "Random-effects model" not in target.read_text(encoding="utf-8")  # no pooled row


# -- errors: a message on stderr, status 2, nothing on stdout ---------------------------------


def error_of(capsys, tmp_path: Path, text: str | None, *argv: str) -> str:
    args = list(argv)
    if text is not None:
        path = tmp_path / "in.csv"
        path.write_text(text, encoding="utf-8")
        args = ["--input", str(path), *args]
    status = main(["meta", *args])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err.startswith("alongside meta: ")
    return captured.err


def test_negative_variance_names_the_row(capsys, tmp_path):
    err = error_of(capsys, tmp_path, "yi,vi\n0.1,0.2\n0.3,-0.4\n")
    assert err == (
        "alongside meta: row 2 (line 3), column 'vi': the sampling variance -0.4 is negative\n"
    )


def test_missing_columns_and_too_few_studies(capsys, tmp_path):
    assert "no yi column" in error_of(capsys, tmp_path, "effect,vi\n0.1,0.2\n0.2,0.3\n")
    assert "at least 2 studies" in error_of(capsys, tmp_path, "yi,vi\n0.1,0.2\n")
    err = error_of(capsys, tmp_path, "yi,vi\n0.1,0.2\n0.2,0.3\n", "--measure", "SMD")
    assert "--measure SMD needs the columns m1i, sd1i, n1i, m2i, sd2i, n2i" in err


def test_missing_file_and_unknown_moderator(capsys, tmp_path):
    assert "cannot read" in error_of(capsys, tmp_path, None, "--input", str(tmp_path / "no.csv"))
    assert "no column 'dose'" in error_of(capsys, tmp_path, "yi,vi\n1,1\n2,1\n", "--mods", "dose")


def test_three_level_with_a_moment_estimator_is_refused(capsys, tmp_path):
    err = error_of(
        capsys, tmp_path, None, "--input", str(BCG), "--cluster", "alloc", "--method", "DL"
    )
    assert "REML or ML" in err


def test_bad_level_is_an_error(capsys):
    status = main(["meta", "--input", str(BCG), "--level", "120"])
    assert status == 2
    assert "level" in capsys.readouterr().err


def test_unwritable_plot_is_an_error(capsys, tmp_path):
    err = error_of(
        capsys, tmp_path, None, "--input", str(BCG), "--plot", str(tmp_path / "no" / "f.svg")
    )
    assert "No such file or directory" in err


def test_unknown_method_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["meta", "--input", str(BCG), "--method", "XYZ"])
    assert caught.value.code == 2
    assert "invalid choice: 'XYZ'" in capsys.readouterr().err


@pytest.mark.slow
def test_runs_without_django(tmp_path):
    """The command needs no settings or database: Django is never imported."""
    script = (
        "import sys\n"
        "from alongside.cli import main\n"
        f"status = main(['meta', '--input', {str(BCG)!r}])\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
        "sys.exit(status)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert close(json.loads(done.stdout)["estimate"], -0.7145)
