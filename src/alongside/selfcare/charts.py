"""Progress charts drawn as small, self-contained SVG images.

Matplotlib's object-oriented ``Figure`` API is used without pyplot, so no global figure state
is shared between requests and no GUI backend is ever loaded. The output is made to be served
as an image under a strict Content Security Policy and to be the same bytes for the same
data: a fixed hash salt for element ids, no creation date or creator URL in the metadata, no
DOCTYPE pointing at w3.org, and text left as ``<text>`` (no embedded or external fonts).

Colours are the Okabe and Ito palette, which stays distinguishable with the common kinds of colour
blindness; bands are light neutral tints that deepen with severity and each carries its label,
so no meaning rests on colour alone. Every chart has a table alternative on the page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, cast

import matplotlib
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from alongside.selfcare.progress import GoalProgress, MeasureProgress, MoodProgress

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILION = "#D55E00"
GREEN = "#009E73"
INK = "#222222"
GRID = "#DDDDDD"
# Band tints from least to most severe (or the reverse when higher is better).
BAND_TINTS = ("#F7F7F7", "#E8EEF4", "#D5E0EA", "#C1D0DE", "#AABFD1", "#94AEC4")

FIGSIZE = (6.4, 3.0)
RC: dict[str, Any] = {
    "svg.hashsalt": "alongside-progress",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}
# Every key matplotlib would otherwise write into <metadata>, switched off.
METADATA: dict[str, str | None] = {"Date": None, "Creator": None, "Format": None, "Type": None}

_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*", re.DOTALL)


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(cast(Any, RC)):
        yield


def _finish(figure: Figure) -> bytes:
    """Write ``figure`` as SVG and strip what would point outside it.

    No ``<title>``: matplotlib writes it inside Dublin Core metadata full of namespace URLs,
    and an image in ``<img>`` is described by its ``alt`` text and caption anyway.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata=METADATA)
    text = buffer.getvalue().decode("utf-8")
    text = _DOCTYPE.sub("", text)
    # SVG 2 reads plain ``href``; without xlink the namespace declaration can go too.
    text = text.replace("xlink:href=", "href=")
    text = text.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    return text.encode("utf-8")


def _date_axis(axes: Axes, days: Sequence[date]) -> None:
    """Dates along the bottom, never more than a handful of labels, padded so points show."""
    first, last = min(days), max(days)
    pad = max((last - first) / 20, timedelta(days=1))
    axes.set_xlim(first - pad, last + pad)  # type: ignore[arg-type]
    locator = mdates.AutoDateLocator(minticks=2, maxticks=6)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _frame(axes: Axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)


def _empty(figure: Figure, axes: Axes, message: str) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color=INK)


def measure_chart_svg(progress: MeasureProgress) -> bytes:
    """Scores over time on the measure's full range, each band a labelled stripe."""
    with _style():
        figure = Figure(figsize=FIGSIZE)
        axes = figure.add_subplot()
        points = progress.points
        if not points:
            _empty(figure, axes, "No scores yet")
            return _finish(figure)
        days = [point.day for point in points]
        _date_axis(axes, days)
        bottom, top = progress.score_min, progress.score_max
        bands = sorted(progress.bands, key=lambda band: band.lower)
        for index, band in enumerate(bands):
            upper = bands[index + 1].lower if index + 1 < len(bands) else top
            # Deeper tint for the more worrying end, whichever way the measure runs.
            severity = index if progress.higher_is_worse else len(bands) - 1 - index
            tint = BAND_TINTS[min(severity, len(BAND_TINTS) - 1)]
            axes.axhspan(band.lower, upper, color=tint, linewidth=0)
            axes.text(
                1.01,
                (band.lower + upper) / 2,
                band.label,
                transform=axes.get_yaxis_transform(),
                va="center",
                ha="left",
                fontsize=8,
                color=INK,
            )
            if index:
                axes.axhline(band.lower, color="#FFFFFF", linewidth=0.8)
        axes.plot(
            days,  # type: ignore[arg-type]
            [point.score for point in points],
            color=BLUE,
            marker="o",
            markersize=5,
            linewidth=2,
        )
        axes.set_ylim(bottom, top)
        axes.set_ylabel("Score")
        _frame(axes)
        axes.grid(False)
        figure.subplots_adjust(left=0.09, right=0.74, top=0.95, bottom=0.14)
        return _finish(figure)


def mood_chart_svg(mood: MoodProgress) -> bytes:
    """Each check-in's mood (1 to 5) as a dot, with the 7-day average as a line."""
    with _style():
        figure = Figure(figsize=FIGSIZE)
        axes = figure.add_subplot()
        if mood.empty:
            _empty(figure, axes, "No check-ins yet")
            return _finish(figure)
        days = [each.day for each in mood.days]
        _date_axis(axes, [mood.start, mood.end])
        axes.scatter(
            days,  # type: ignore[arg-type]
            [each.mood for each in mood.days],
            color=ORANGE,
            s=16,
            label="Mood",
            zorder=3,
        )
        axes.plot(
            days,  # type: ignore[arg-type]
            [each.average7 for each in mood.days],
            color=BLUE,
            linewidth=2,
            label="7-day average",
        )
        axes.set_ylim(0.7, 5.3)
        axes.set_yticks([1, 2, 3, 4, 5], ["1 very low", "2", "3", "4", "5 very good"])
        _frame(axes)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        figure.subplots_adjust(left=0.14, right=0.78, top=0.95, bottom=0.14)
        return _finish(figure)


def goal_chart_svg(goal: GoalProgress) -> bytes:
    """A goal's ratings, 0 (not at all) to 10 (goal reached), over time."""
    with _style():
        figure = Figure(figsize=(6.4, 2.6))
        axes = figure.add_subplot()
        if not goal.ratings:
            _empty(figure, axes, "No ratings yet")
            return _finish(figure)
        days = [each.day for each in goal.ratings]
        _date_axis(axes, days)
        axes.plot(
            days,  # type: ignore[arg-type]
            [each.rating for each in goal.ratings],
            color=GREEN,
            marker="s",
            markersize=5,
            linewidth=2,
        )
        axes.set_ylim(0, 10)
        axes.set_yticks([0, 2, 4, 6, 8, 10])
        axes.set_ylabel("Rating (0 to 10)")
        _frame(axes)
        figure.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.16)
        return _finish(figure)
