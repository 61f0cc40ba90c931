"""Forest and funnel plots: valid, self-contained, accessible and byte-for-byte deterministic."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from alongside.evaluation.stats.diagnostics import trimfill
from alongside.evaluation.stats.io import load_studies
from alongside.evaluation.stats.plots import (
    PooledEffect,
    ReferenceEffect,
    forest_plot_svg,
    funnel_plot_svg,
    pooled_from,
)
from alongside.evaluation.stats.rma import rma

SVG_NS = "http://www.w3.org/2000/svg"
BCG = load_studies(Path(__file__).parent / "reference_data" / "bcg.csv", mods=["ablat"])
RESULT = rma(BCG.yi, BCG.vi)
REFERENCES = [
    ReferenceEffect("Mental health (Yeo et al. 2025)", 0.53, 0.46, 0.61, "SMD, 95% CI"),
    ReferenceEffect("Physical health (Yeo et al. 2025)", 0.35, 0.30, 0.41, "SMD, 95% CI"),
]


def parse(svg: bytes) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.tag == f"{{{SVG_NS}}}svg"
    return root


def texts(svg: bytes) -> str:
    """All the text a reader (or screen reader) gets, joined."""
    return " ".join("".join(el.itertext()) for el in parse(svg).iter(f"{{{SVG_NS}}}text"))


def assert_self_contained(svg: bytes) -> None:
    text = svg.decode("utf-8")
    urls = set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", text))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    assert "<!DOCTYPE" not in text
    assert "xlink" not in text
    assert "<image" not in text
    assert "@import" not in text and "url(http" not in text


def assert_accessible(svg: bytes, title: str) -> None:
    root = parse(svg)
    title_el = root.find(f"{{{SVG_NS}}}title")
    desc_el = root.find(f"{{{SVG_NS}}}desc")
    assert title_el is not None and title_el.text == title
    assert desc_el is not None and desc_el.text
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title_el.get('id')} {desc_el.get('id')}"


def test_forest_plot_has_the_studies_weights_pooled_row_and_prediction_interval():
    svg = forest_plot_svg(BCG.labels, BCG.yi, BCG.vi, summary=RESULT)
    assert_self_contained(svg)
    assert_accessible(svg, "Forest plot")
    shown = texts(svg)
    for label in BCG.labels:
        assert label in shown
    assert "Random-effects model (REML)" in shown
    assert "95% prediction interval" in shown
    assert "Weight" in shown and f"{RESULT.weights[0]:.1f}%" in shown
    assert "\N{MINUS SIGN}0.71 [\N{MINUS SIGN}1.07, \N{MINUS SIGN}0.36]" in shown
    assert "I² = 92.2%" in shown


def test_forest_plot_is_deterministic():
    first = forest_plot_svg(BCG.labels, BCG.yi, BCG.vi, summary=RESULT, references=REFERENCES)
    second = forest_plot_svg(BCG.labels, BCG.yi, BCG.vi, summary=RESULT, references=REFERENCES)
    assert first == second
    assert b"<dc:date>" not in first and b"Matplotlib" not in first


def test_reference_rows_are_a_separate_labelled_section():
    svg = forest_plot_svg(
        BCG.labels[:3],
        BCG.yi[:3],
        BCG.vi[:3],
        references=REFERENCES,
        xlabel="Standardised mean difference",
        direction=("favours control", "favours peer support"),
        title="Our cohorts beside the literature",
    )
    assert_accessible(svg, "Our cohorts beside the literature")
    shown = texts(svg)
    assert "Published pooled effects" in shown
    assert "Mental health (Yeo et al. 2025)" in shown
    assert "0.53 [0.46, 0.61]" in shown and "SMD, 95% CI" in shown
    assert "← favours control" in shown and "favours peer support →" in shown
    desc = parse(svg).find(f"{{{SVG_NS}}}desc")
    assert desc is not None and desc.text is not None
    assert "to the right peer support" in desc.text
    assert "Mental health (Yeo et al. 2025) 0.53 (0.46 to 0.61)" in desc.text
    # Hollow diamonds: a white-filled marker only the reference rows use.
    assert "fill: #ffffff; stroke: #d55e00" in svg.decode()


def test_forest_plot_with_only_references_and_a_hand_made_pooled_row():
    pooled = PooledEffect("Our programme (3 cohorts)", 0.4, 0.2, 0.6, 0.0, 0.8, note="REML")
    svg = forest_plot_svg([], [], [], summary=pooled, references=REFERENCES)
    shown = texts(svg)
    assert "Our programme (3 cohorts)" in shown and "[0.00, 0.80]" in shown
    assert "Weight" not in shown


def test_ratio_measures_are_labelled_on_the_ratio_scale(tmp_path):
    svg = forest_plot_svg(BCG.labels, BCG.yi, BCG.vi, summary=RESULT, exp=True)
    shown = texts(svg)
    assert "0.49 [0.34, 0.70]" in shown  # exp of the pooled log risk ratio, as metafor prints
    for tick in ("0.1", "0.2", "0.5", "1", "2"):
        assert re.search(rf"(?<![\d.]){re.escape(tick)}(?![\d.])", shown)


def test_long_labels_are_shortened():
    label = "A very long study label that keeps going well past the column width"
    shown = texts(forest_plot_svg([label, "B"], [0.1, 0.2], [0.1, 0.1]))
    assert label not in shown and label[:40] in shown and "…" in shown


def test_two_plots_get_distinct_ids():
    a = parse(forest_plot_svg(["A", "B"], [0.1, 0.2], [0.1, 0.1], title="One"))
    b = parse(forest_plot_svg(["A", "B"], [0.1, 0.2], [0.1, 0.1], title="Two"))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")


def test_forest_plot_input_errors():
    with pytest.raises(ValueError, match="lengths differ"):
        forest_plot_svg(["A"], [0.1, 0.2], [0.1, 0.1])
    with pytest.raises(ValueError, match="negative"):
        forest_plot_svg(["A", "B"], [0.1, 0.2], [0.1, -0.1])
    with pytest.raises(ValueError, match="missing"):
        forest_plot_svg(["A", "B"], [0.1, float("nan")], [0.1, 0.1])
    with pytest.raises(ValueError, match="2 weights for 13 studies"):
        forest_plot_svg(BCG.labels, BCG.yi, BCG.vi, weights=[50, 50])
    regression = rma(BCG.yi, BCG.vi, mods=BCG.mods)
    with pytest.raises(ValueError, match="intercept-only"):
        pooled_from(regression)


def test_equal_effects_summary_has_no_prediction_interval():
    fixed = rma(BCG.yi, BCG.vi, method="FE")
    shown = texts(forest_plot_svg(BCG.labels, BCG.yi, BCG.vi, summary=fixed))
    assert "Equal-effects model" in shown and "prediction interval" not in shown


def test_funnel_plot_renders_studies_region_and_is_deterministic():
    svg = funnel_plot_svg(RESULT)
    assert_self_contained(svg)
    assert_accessible(svg, "Funnel plot")
    assert svg == funnel_plot_svg(RESULT)
    shown = texts(svg)
    assert "Standard error" in shown and "Observed outcome" in shown
    desc = parse(svg).find(f"{{{SVG_NS}}}desc")
    assert desc is not None and desc.text is not None
    assert "13 studies" in desc.text and "\N{MINUS SIGN}0.71" in desc.text


def test_funnel_plot_draws_trimfill_studies_hollow():
    filled = trimfill(RESULT)
    assert filled.k0 >= 1
    svg = funnel_plot_svg(filled.result, fill=filled.fill)
    shown = texts(svg)
    assert "Imputed by trim-and-fill" in shown and "Observed studies" in shown
    desc = parse(svg).find(f"{{{SVG_NS}}}desc")
    assert desc is not None and desc.text is not None
    assert f"{filled.k0} stud" in desc.text and "hollow" in desc.text
    with pytest.raises(ValueError, match="flags"):
        funnel_plot_svg(filled.result, fill=[True])


def test_funnel_plot_of_a_meta_regression_shows_residuals():
    regression = rma(BCG.yi, BCG.vi, mods=BCG.mods)
    shown = texts(funnel_plot_svg(regression))
    assert "Residual value" in shown
