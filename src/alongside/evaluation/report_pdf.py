"""A report as PDF: the same de-identified tables as the page, with the plots as PNG images.

reportlab cannot draw SVG without svglib (not a dependency), so the forest and funnel plots are
drawn again here with matplotlib straight to PNG, from the same numbers as the SVG ones. They
are plainer (no weights or annotations) but show the same rows, intervals and references.
"""

from __future__ import annotations

import io
import math
from xml.sax.saxutils import escape

import numpy as np
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from scipy import stats

from alongside.evaluation.privacy import RenderedTable
from alongside.evaluation.reports import ForestData, Report
from alongside.evaluation.stats.rma import RMAResult
from alongside.selfcare.summary import _register_fonts

BLUE = "#0072B2"
ORANGE = "#E69F00"
INK = "#222222"
Z95 = float(stats.norm.ppf(0.975))


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _register_fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=8.5, leading=11)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=15, leading=19),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=bold, fontSize=11, leading=14, spaceBefore=8
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", parent=base, fontName=bold, fontSize=7.5, leading=9),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=7, leading=9, textColor=colors.HexColor("#444444")
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(table: RenderedTable, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    data = [[_p(each, styles["head"]) for each in table.headers]]
    data += [[_p(each, styles["cell"]) for each in row] for row in table.rows]
    flow = LongTable(
        data, colWidths=[width / len(table.headers)] * len(table.headers), repeatRows=1
    )
    flow.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    out: list[Flowable] = [_p(table.caption, styles["head"]), Spacer(1, 2), flow]
    if table.note:
        out.append(_p(table.note, styles["small"]))
    out.append(Spacer(1, 6))
    return out


def _png(figure: Figure) -> io.BytesIO:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    buffer.seek(0)
    return buffer


def forest_png(forest: ForestData) -> io.BytesIO:
    """Own units (squares), the pooled estimate (diamond), references (hollow diamonds)."""
    rows: list[tuple[str, float, float, float, str]] = []
    for label, y, v in zip(forest.labels, forest.yi, forest.vi, strict=True):
        half = Z95 * math.sqrt(v)
        rows.append((label, y, y - half, y + half, "unit"))
    if forest.pooled is not None:
        pooled = forest.pooled
        rows.append(
            (
                "Pooled (random effects)",
                pooled.estimate,
                float(pooled.ci_lb[0]),
                float(pooled.ci_ub[0]),
                "pooled",
            )
        )
    rows.extend(
        (reference.label, reference.estimate, reference.ci_lb, reference.ci_ub, "ref")
        for reference in forest.references
    )
    height = 1.2 + 0.32 * len(rows)
    figure = Figure(figsize=(7.0, height))
    axes = figure.add_subplot()
    positions = np.arange(len(rows))[::-1]
    for y_pos, (_label, est, low, high, kind) in zip(positions, rows, strict=True):
        colour = ORANGE if kind == "ref" else BLUE
        axes.plot([low, high], [y_pos, y_pos], color=colour, linewidth=1.2)
        marker = {"unit": "s", "pooled": "D", "ref": "D"}[kind]
        face = "white" if kind == "ref" else colour
        axes.plot([est], [y_pos], marker=marker, color=colour, markerfacecolor=face, markersize=6)
    axes.axvline(0.0, color=INK, linewidth=0.8, linestyle="--")
    axes.set_yticks(positions, [row[0][:45] for row in rows], fontsize=7)
    axes.set_xlabel(
        f"{forest.xlabel}  ({forest.direction[0]} ← → {forest.direction[1]})", fontsize=7
    )
    axes.tick_params(axis="x", labelsize=7)
    figure.tight_layout()
    return _png(figure)


def funnel_png(result: RMAResult) -> io.BytesIO:
    """Effects against standard errors with the 95% pseudo-confidence funnel."""
    yi = np.asarray(result.yi, dtype=float)
    se = np.sqrt(np.asarray(result.vi, dtype=float))
    figure = Figure(figsize=(5.0, 3.4))
    axes = figure.add_subplot()
    top = float(se.max()) * 1.1 if se.size else 1.0
    grid = np.linspace(0.0, top, 50)
    centre = result.estimate
    axes.plot(centre - Z95 * grid, grid, color=INK, linewidth=0.8, linestyle="--")
    axes.plot(centre + Z95 * grid, grid, color=INK, linewidth=0.8, linestyle="--")
    axes.axvline(centre, color=INK, linewidth=0.8)
    axes.scatter(yi, se, color=BLUE, s=18)
    axes.set_ylim(top, 0.0)
    axes.set_xlabel("Effect (positive = benefit)", fontsize=7)
    axes.set_ylabel("Standard error", fontsize=7)
    axes.tick_params(labelsize=7)
    figure.tight_layout()
    return _png(figure)


def _image(buffer: io.BytesIO, width: float) -> Image:
    image = Image(buffer)
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth = width
    image.drawHeight = width * ratio
    return image


def report_pdf(report: Report) -> bytes:
    """The whole report on A4 pages."""
    styles = _styles()
    buffer = io.BytesIO()
    margin = 15 * mm
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"Research report: {report.title}",
        author="",
        creator="Alongside",
        invariant=1,
    )
    width = document.width
    story: list[Flowable] = [
        _p(f"Research report: {report.title}", styles["title"]),
        _p(
            f"De-identified. Numbers resting on fewer than {report.k} people are not shown. "
            f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC.",
            styles["small"],
        ),
        Spacer(1, 4),
    ]
    for name, value in report.about:
        story.append(_p(f"{name}: {value}", styles["base"]))
    story += [
        _p(f"Primary outcome measure: {report.measure_name}", styles["base"]),
        _p(report.direction, styles["base"]),
    ]
    if report.consort is not None:
        story.append(_p("CONSORT flow", styles["h2"]))
        story += _table(report.consort, styles, width)
    for section in report.sections:
        story.append(_p(section.heading, styles["h2"]))
        story.append(_p(f"Method: {section.method}", styles["small"]))
        story.append(Spacer(1, 3))
        for table in section.tables:
            story += _table(table, styles, width)
        for note in section.notes:
            story.append(_p(note, styles["base"]))
    story.append(_p("Beside the literature", styles["h2"]))
    if report.forest is not None:
        story.append(_image(forest_png(report.forest), width))
    else:
        story.append(_p("No unit has enough people to plot.", styles["base"]))
    if report.funnel is not None:
        story.append(_image(funnel_png(report.funnel), width * 0.7))
    else:
        story.append(_p(report.funnel_reason, styles["small"]))
    story += _table(report.literature, styles, width)
    story.append(_p("References", styles["h2"]))
    for citation in report.citations:
        story.append(_p(citation, styles["small"]))
    document.build(story)
    return buffer.getvalue()
