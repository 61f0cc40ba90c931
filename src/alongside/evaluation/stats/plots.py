"""Forest and funnel plots as self-contained, deterministic SVG.

Matplotlib's ``Figure`` API is used without pyplot, so no global figure state is shared between
requests and no GUI backend is loaded. The same data give the same bytes: a fixed hash salt for
element ids, no date or creator in the metadata, no DOCTYPE pointing at w3.org, no xlink
namespace, and text left as ``<text>`` so screen readers and search can read it. Each image
carries an SVG ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``) that say what it
shows and the pooled result in words, for readers who cannot see the picture.

Colours are the Okabe and Ito palette, and nothing rests on colour alone: the organisation's
studies are filled squares sized by weight, the pooled estimate a filled diamond, the
prediction interval a thin bar with end caps, and published reference effects hollow diamonds
in a section of their own under a heading.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, cast

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory
from numpy.typing import ArrayLike, NDArray
from scipy import stats

if TYPE_CHECKING:
    from .rma import RMAResult

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
VERMILION = "#D55E00"
INK = "#222222"
MUTED = "#666666"
GRID = "#DDDDDD"
REGION = "#EEEEEE"

RC: dict[str, Any] = {
    "svg.hashsalt": "alongside-meta-analysis",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}
# Every key matplotlib would otherwise write into <metadata>, switched off.
METADATA: dict[str, str | None] = {"Date": None, "Creator": None, "Format": None, "Type": None}

_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
MINUS = "\N{MINUS SIGN}"
MAX_LABEL = 42
NOTE_WIDTH = 44  # characters of a reference note per line, to stay inside the figure
NOTE_STEP = 0.4  # rows between the lines of a wrapped note


@dataclass(frozen=True)
class ReferenceEffect:
    """A published pooled effect drawn beside the organisation's own results.

    ``estimate`` and its interval must already be on the plot's scale and direction (the
    caller harmonises signs); ``note`` says where it comes from, e.g. "Yeo et al. 2025, SMD".
    """

    label: str
    estimate: float
    ci_lb: float
    ci_ub: float
    note: str = ""


@dataclass(frozen=True)
class PooledEffect:
    """The summary row of a forest plot: pooled estimate, its CI and the prediction interval.

    Built from an intercept-only :class:`RMAResult` by :func:`pooled_from`, or by hand for
    models that are not ``RMAResult`` (a three-level fit, say).
    """

    label: str
    estimate: float
    ci_lb: float
    ci_ub: float
    pi_lb: float | None = None
    pi_ub: float | None = None
    note: str = ""


def pooled_from(result: RMAResult, *, label: str | None = None) -> PooledEffect:
    """The summary row for an intercept-only model, with its heterogeneity in a note."""
    if result.p != 1 or not result.intercept:
        raise ValueError("a forest plot's pooled row needs an intercept-only model")
    fixed = result.method in ("FE", "EE")
    if label is None:
        kind = "Equal-effects model" if fixed else f"Random-effects model ({result.method}"
        kind += "" if fixed else (", Knapp-Hartung)" if result.test == "knha" else ")")
        label = kind
    note = f"Q({result.qe_df}) = {result.qe:.2f}, p {_p(result.qe_p)}"
    if not fixed:
        note = f"τ² = {_num(result.tau2, 3)}, I² = {result.i2:.1f}%, " + note
    return PooledEffect(
        label=label,
        estimate=result.estimate,
        ci_lb=float(result.ci_lb[0]),
        ci_ub=float(result.ci_ub[0]),
        pi_lb=None if fixed else result.pi_lb,
        pi_ub=None if fixed else result.pi_ub,
        note=note,
    )


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(cast(Any, RC)):
        yield


def _num(value: float, digits: int = 2) -> str:
    """A number with a real minus sign, as typeset."""
    text = f"{value:.{digits}f}"
    return text.replace("-", MINUS) if value < 0 and float(text) != 0 else text.lstrip("-")


def _p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"= {value:.3f}"


def _count(n: int) -> str:
    return f"{n} study" if n == 1 else f"{n} studies"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _finish(figure: Figure, title: str, description: str) -> bytes:
    """Write ``figure`` as SVG, drop what points outside it, and add a title and description."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata=METADATA)
    text = buffer.getvalue().decode("utf-8")
    text = _DOCTYPE.sub("", text)
    text = text.replace("xlink:href=", "href=")
    text = text.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    # Ids from the content: stable across runs, distinct for two plots inlined on one page.
    digest = hashlib.sha256((title + description).encode("utf-8")).hexdigest()[:10]
    ident = f"plot-{digest}"
    opening = _SVG_OPEN.search(text)
    if opening is None:  # pragma: no cover - matplotlib always writes one
        raise RuntimeError("matplotlib wrote no <svg> element")
    tag = opening.group(0)
    labelled = tag[:-1] + f' role="img" aria-labelledby="{ident}-title {ident}-desc">'
    accessible = (
        f'\n <title id="{ident}-title">{escape(title)}</title>'
        f'\n <desc id="{ident}-desc">{escape(description)}</desc>'
    )
    text = text[: opening.start()] + labelled + accessible + text[opening.end() :]
    return text.encode("utf-8")


def _vector(values: ArrayLike, name: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has missing or infinite values")
    return array


def _direction_label(xlabel: str, direction: tuple[str, str] | None) -> str:
    if direction is None:
        return xlabel
    left, right = direction
    return f"{xlabel}\n← {left}  ·  {right} →"


def forest_plot_svg(
    labels: Sequence[str],
    yi: ArrayLike,
    vi: ArrayLike,
    *,
    summary: RMAResult | PooledEffect | None = None,
    weights: ArrayLike | None = None,
    references: Sequence[ReferenceEffect] = (),
    level: float | None = None,
    xlabel: str = "Effect size",
    direction: tuple[str, str] | None = None,
    exp: bool = False,
    null: float = 0.0,
    title: str = "Forest plot",
    references_heading: str = "Published pooled effects",
) -> bytes:
    """A forest plot: one row per study, the pooled diamond, the prediction interval.

    ``yi``/``vi`` are the effect sizes and sampling variances; each study's interval is
    ``yi ± z·√vi`` at ``level`` (the summary's level by default, else 95 %). ``weights`` (in %)
    default to the summary model's; squares are sized by weight. ``references`` are drawn in
    their own section as hollow diamonds. ``direction`` names the left and right ends in words,
    e.g. ``("favours control", "favours peer support")``. With ``exp`` the axis and numbers are
    back-transformed by exp (for log risk or odds ratios; ``null`` stays on the log scale).
    """
    names = [str(label) for label in labels]
    y = _vector(yi, "yi")
    v = _vector(vi, "vi")
    if not (len(names) == y.size == v.size):
        raise ValueError(f"{len(names)} labels, {y.size} yi and {v.size} vi: lengths differ")
    if np.any(v < 0):
        raise ValueError("vi has a negative sampling variance")
    pooled = (
        pooled_from(summary)
        if summary is not None and not isinstance(summary, PooledEffect)
        else summary
    )
    if level is None:
        level = float(getattr(summary, "level", 95.0)) if summary is not None else 95.0
    crit = float(stats.norm.ppf(0.5 + level / 200.0))
    se = np.sqrt(v)
    lower, upper = y - crit * se, y + crit * se
    shown_weights = _weights(summary, weights, y.size)

    note_lines = [textwrap.wrap(r.note, NOTE_WIDTH) for r in references]
    rows = y.size + 1.0  # the column headings
    if pooled is not None:
        rows += 2.05 + (1.2 if pooled.pi_lb is not None else 0.0)
    if references:
        rows += 1.5 + len(references) + sum(NOTE_STEP * max(0, len(n) - 1) for n in note_lines)
    with _style():
        height = 0.95 + 0.24 * (rows + 1)
        figure = Figure(figsize=(8.0, height))
        axes = figure.add_subplot()
        figure.subplots_adjust(left=0.36, right=0.66, top=1 - 0.25 / height, bottom=0.75 / height)
        page = _Page(axes, blended_transform_factory(figure.transFigure, axes.transData), exp)
        page.headings(rows, level, weighted=shown_weights is not None)
        sizes = _marker_sizes(shown_weights if shown_weights is not None else 1 / v)
        row = rows
        for index in range(y.size):
            row -= 1
            axes.plot([lower[index], upper[index]], [row, row], color=INK, linewidth=0.9)
            axes.plot(
                [y[index]], [row], marker="s", color=INK, markersize=sizes[index], linestyle="none"
            )
            page.left(row, _short(names[index]))
            page.right(row, page.interval(y[index], lower[index], upper[index]))
            if shown_weights is not None:
                page.text(0.97, row, f"{shown_weights[index]:.1f}%", ha="right")
        extent = [*lower, *upper, null]
        if pooled is not None:
            row, more = _draw_pooled(page, pooled, row - 1.5, level)
            extent += more
        if references:
            row -= 1.5
            page.left(row, references_heading, bold=True)
            for reference, lines in zip(references, note_lines, strict=True):
                row -= 1
                row = _draw_reference(page, reference, lines, row)
                extent += [reference.ci_lb, reference.ci_ub]
        axes.axvline(null, color=MUTED, linewidth=0.8, linestyle=":")
        low, high = min(extent), max(extent)
        pad = (high - low) * 0.05 or 0.5
        axes.set_xlim(low - pad, high + pad)
        axes.set_ylim(row - 0.9, rows + 0.6)
        axes.set_yticks([])
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        if exp:
            axes.set_xticks(_ratio_ticks(low - pad, high + pad))
            axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{math.exp(x):g}"))
        axes.set_xlabel(_direction_label(xlabel, direction))
        description = _forest_description(
            names, pooled, references, level, page.number, direction, xlabel
        )
        return _finish(figure, title, description)


class _Page:
    """Text columns beside the forest: labels on the left, numbers and weights on the right.

    x positions are fractions of the figure width and y positions are rows in data units, so
    the text stays aligned with its interval whatever the axis limits turn out to be.
    """

    def __init__(self, axes: Axes, transform: Any, exp: bool) -> None:
        self.axes = axes
        self.transform = transform
        self.exp = exp

    def number(self, value: float) -> str:
        return _num(math.exp(value) if self.exp else value)

    def interval(self, estimate: float, lb: float, ub: float) -> str:
        return f"{self.number(estimate)} [{self.number(lb)}, {self.number(ub)}]"

    def text(self, x: float, row: float, text: str, **style: Any) -> None:
        style.setdefault("ha", "left")
        self.axes.text(x, row, text, transform=self.transform, va="center", **style)

    def left(self, row: float, text: str, *, bold: bool = False) -> None:
        self.text(0.02, row, text, fontweight="bold" if bold else "normal")

    def right(self, row: float, text: str, *, bold: bool = False) -> None:
        self.text(0.68, row, text, fontweight="bold" if bold else "normal")

    def note(self, x: float, row: float, text: str) -> None:
        self.text(x, row, text, fontsize=6.5, color=MUTED)

    def headings(self, row: float, level: float, *, weighted: bool) -> None:
        self.left(row, "Study", bold=True)
        self.right(row, f"Estimate [{level:g}% CI]", bold=True)
        if weighted:
            self.text(0.97, row, "Weight", ha="right", fontweight="bold")


def _draw_pooled(
    page: _Page, pooled: PooledEffect, row: float, level: float
) -> tuple[float, list[float]]:
    """The diamond with its note, then the prediction interval row; the last row used."""
    _diamond(page.axes, pooled.estimate, pooled.ci_lb, pooled.ci_ub, row)
    page.left(row, _short(pooled.label), bold=True)
    page.right(row, page.interval(pooled.estimate, pooled.ci_lb, pooled.ci_ub), bold=True)
    if pooled.note:
        page.note(0.02, row - 0.55, pooled.note)
    extent = [pooled.ci_lb, pooled.ci_ub]
    if pooled.pi_lb is not None and pooled.pi_ub is not None:
        row -= 1.2
        page.axes.errorbar(
            [pooled.estimate],
            [row],
            xerr=[[pooled.estimate - pooled.pi_lb], [pooled.pi_ub - pooled.estimate]],
            fmt="none",
            ecolor=BLUE,
            elinewidth=1.2,
            capsize=3,
        )
        page.left(row, f"{level:g}% prediction interval")
        page.right(row, f"[{page.number(pooled.pi_lb)}, {page.number(pooled.pi_ub)}]")
        extent += [pooled.pi_lb, pooled.pi_ub]
    return row, extent


def _draw_reference(page: _Page, reference: ReferenceEffect, notes: list[str], row: float) -> float:
    """A published effect as a hollow diamond on a dashed line; its note wrapped beneath."""
    page.axes.plot(
        [reference.ci_lb, reference.ci_ub],
        [row, row],
        color=VERMILION,
        linewidth=1.1,
        linestyle=(0, (3, 1.5)),
    )
    page.axes.plot(
        [reference.estimate],
        [row],
        marker="D",
        markersize=6,
        markerfacecolor="white",
        markeredgecolor=VERMILION,
        markeredgewidth=1.3,
        linestyle="none",
    )
    page.left(row, _short(reference.label))
    page.right(row, page.interval(reference.estimate, reference.ci_lb, reference.ci_ub))
    for number, line in enumerate(notes):
        page.note(0.68, row - 0.42 - NOTE_STEP * number, line)
    return row - NOTE_STEP * max(0, len(notes) - 1)


RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
FINE_RATIO_TICKS = (0.25, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 4.0)


def _ratio_ticks(low: float, high: float) -> list[float]:
    """Ticks at round ratios (0.1, 0.2, 0.5, 1, 2 …) on a log axis; finer for narrow ranges."""
    for candidates in (RATIO_TICKS, FINE_RATIO_TICKS):
        ticks = [math.log(t) for t in candidates if low <= math.log(t) <= high]
        if len(ticks) >= 3:
            return ticks
    return [low, (low + high) / 2, high]


def _weights(
    summary: RMAResult | PooledEffect | None, weights: ArrayLike | None, k: int
) -> NDArray[np.float64] | None:
    if weights is not None:
        given = _vector(weights, "weights")
    elif summary is not None and not isinstance(summary, PooledEffect):
        given = np.asarray(summary.weights, dtype=float)
    else:
        return None
    if given.size != k:
        raise ValueError(f"{given.size} weights for {k} studies")
    return given


def _marker_sizes(weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Square side grows with the square root of the weight, so area tracks weight."""
    largest = float(np.max(weights)) if weights.size else 1.0
    return 3.0 + 7.0 * np.sqrt(np.clip(weights, 0, None) / (largest or 1.0))


def _diamond(axes: Axes, est: float, lb: float, ub: float, row: float) -> None:
    half = 0.38
    shape = Polygon(
        [(lb, row), (est, row + half), (ub, row), (est, row - half)],
        closed=True,
        facecolor=INK,
        edgecolor=INK,
        linewidth=1,
    )
    axes.add_patch(shape)


def _forest_description(
    names: Sequence[str],
    pooled: PooledEffect | None,
    references: Sequence[ReferenceEffect],
    level: float,
    fmt: Callable[[float], str],
    direction: tuple[str, str] | None,
    xlabel: str,
) -> str:
    parts = [f"Forest plot of {_count(len(names))}; axis: {xlabel}."]
    if pooled is not None:
        parts.append(
            f"{pooled.label}: {fmt(pooled.estimate)}, {level:g}% CI {fmt(pooled.ci_lb)} to "
            f"{fmt(pooled.ci_ub)}."
        )
        if pooled.pi_lb is not None and pooled.pi_ub is not None:
            parts.append(f"Prediction interval {fmt(pooled.pi_lb)} to {fmt(pooled.pi_ub)}.")
    if references:
        listed = "; ".join(
            f"{r.label} {fmt(r.estimate)} ({fmt(r.ci_lb)} to {fmt(r.ci_ub)})" for r in references
        )
        parts.append(f"Published pooled effects shown for comparison: {listed}.")
    if direction is not None:
        parts.append(
            f"Values to the left favour {_strip_favours(direction[0])}; to the right "
            f"{_strip_favours(direction[1])}."
        )
    return " ".join(parts)


def _strip_favours(text: str) -> str:
    return text.removeprefix("favours ").removeprefix("favors ")


def funnel_plot_svg(
    result: RMAResult,
    *,
    fill: ArrayLike | None = None,
    level: float = 95.0,
    xlabel: str | None = None,
    title: str = "Funnel plot",
) -> bytes:
    """Effect sizes against their standard errors, with the pseudo-confidence region.

    The region is ``estimate ± z·se`` for se from 0 to the largest standard error (the
    funnel), as in Sterne & Egger (2001). For a meta-regression the residuals are plotted
    around 0 instead. ``fill`` marks the studies imputed by trim-and-fill (one flag per study
    of ``result``), drawn as hollow circles, the observed ones filled: for
    ``tf = trimfill(res)`` call ``funnel_plot_svg(tf.result, fill=tf.fill)``.
    """
    regression = result.p > 1
    centre = 0.0 if regression else result.estimate
    x = np.asarray(result.residuals if regression else result.yi, dtype=float)
    se = np.sqrt(np.asarray(result.vi, dtype=float))
    imputed = np.zeros(x.size, dtype=bool)
    if fill is not None:
        imputed = np.asarray(fill, dtype=bool).ravel()
        if imputed.size != x.size:
            raise ValueError(f"fill has {imputed.size} flags for {x.size} studies")
    crit = float(stats.norm.ppf(0.5 + level / 200.0))
    top_se = float(np.max(se)) * 1.05
    with _style():
        figure = Figure(figsize=(5.6, 4.2))
        axes = figure.add_subplot()
        edge_x = [centre - crit * top_se, centre, centre + crit * top_se]
        axes.fill(edge_x, [top_se, 0.0, top_se], color=REGION, linewidth=0, zorder=0)
        axes.plot(edge_x, [top_se, 0.0, top_se], color=MUTED, linewidth=0.8, linestyle="--")
        axes.axvline(centre, color=INK, linewidth=0.9)
        axes.plot(
            x[~imputed],
            se[~imputed],
            marker="o",
            markersize=5,
            color=INK,
            linestyle="none",
            label="Observed studies",
        )
        if imputed.any():
            axes.plot(
                x[imputed],
                se[imputed],
                marker="o",
                markersize=5,
                markerfacecolor="white",
                markeredgecolor=INK,
                linestyle="none",
                label="Imputed by trim-and-fill",
            )
            axes.legend(
                loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False, fontsize=7
            )
        axes.set_ylim(top_se, 0.0)
        span = max(crit * top_se, float(np.max(np.abs(x - centre))))
        axes.set_xlim(centre - span * 1.08, centre + span * 1.08)
        axes.set_ylabel("Standard error")
        axes.set_xlabel(xlabel or ("Residual value" if regression else "Observed outcome"))
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", color=GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        figure.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.12)
        observed = int((~imputed).sum())
        what = "residuals" if regression else "effect sizes"
        description = (
            f"Funnel plot of {_count(observed)}: {what} against their standard errors, "
            f"with the {level:g}% pseudo-confidence region around {_num(centre)}."
        )
        if imputed.any():
            description += f" {_count(int(imputed.sum()))} imputed by trim-and-fill drawn hollow."
        return _finish(figure, title, description)
