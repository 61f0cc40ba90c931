"""Reading a table of studies from a CSV file for ``alongside meta`` and the report pages.

A researcher's spreadsheet is the usual input, so every complaint names the data row (1-based,
the header not counted), the line of the file it sits on, and the column: a message such as
"row 3 (line 4), column 'vi': -0.2 is negative" can be fixed without reading any code.

The file holds either ready-made effect sizes (``yi`` and ``vi`` columns) or the raw summary
data of one measure, turned into effect sizes by :func:`escalc`:

=========  ==========================================================
measure    columns
=========  ==========================================================
RR OR RD   ``ai, bi, ci, di`` (2x2 counts) or ``ai, n1i, ci, n2i``
SMD        ``m1i, sd1i, n1i, m2i, sd2i, n2i``
SMCR       ``m1i, m2i, sd1i, ni, ri``
=========  ==========================================================

Moderators are any other columns. A column whose every value is a number is a continuous
moderator; any other column is categorical and dummy-coded with its first level in sorted order
as the reference, named like R's model matrices (``alloc`` with levels alternate, random and
systematic gives ``allocrandom`` and ``allocsystematic``). Only the csv module is used: the file
is small and the parsing rules must be stated exactly, not inferred by a data-frame library.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from .rma import MetaAnalysisError, RMAResult, design_matrix, rma

if TYPE_CHECKING:
    from .multilevel import MultilevelResult

_ROW = re.compile(r"row (\d+)")
MISSING = frozenset({"", "na", "nan", "n/a", "null", "none", "."})

# The raw-data columns each measure needs; the first matching layout wins.
MEASURE_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "RR": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
    "OR": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
    "RD": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
    "SMD": (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    "SMCR": (("m1i", "m2i", "sd1i", "ni", "ri"),),
}
MEASURES = tuple(MEASURE_COLUMNS)
# Columns tried, in order, for the study labels on plots and in messages.
LABEL_COLUMNS = ("label", "study", "author", "authors", "trial", "name", "id")
GENERIC_SIGN = "as given in the yi column (the file states no direction)"


class StudyDataError(MetaAnalysisError):
    """A problem with the input file, located by data row, file line and column.

    ``data_row`` is 1-based as printed (``row`` keeps :class:`MetaAnalysisError`'s 0-based
    study index); ``line`` is the line of the file.
    """

    def __init__(
        self,
        message: str,
        *,
        data_row: int | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        where = []
        if data_row is not None:
            where.append(f"row {data_row}" + (f" (line {line})" if line is not None else ""))
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(
            f"{', '.join(where)}: {message}" if where else message,
            row=None if data_row is None else data_row - 1,
        )
        self.data_row = data_row
        self.line = line
        self.column = column


@dataclass(frozen=True)
class CsvTable:
    """The cells of a CSV file as text, with the file line each data row came from."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, *names: str) -> bool:
        return all(name in self.header for name in names)

    def column(self, name: str) -> list[str]:
        if name not in self.header:
            raise StudyDataError(
                f"the file has no column '{name}' (columns: {', '.join(self.header)})"
            )
        index = self.header.index(name)
        return [row[index] for row in self.rows]

    def error(self, index: int, column: str | None, message: str) -> StudyDataError:
        """An error for the data row at 0-based ``index``."""
        return StudyDataError(message, data_row=index + 1, line=self.lines[index], column=column)

    def numbers(self, name: str) -> NDArray[np.float64]:
        """A column as finite floats; a missing or non-numeric cell is an error naming it."""
        values = []
        for index, raw in enumerate(self.column(name)):
            value = _number(raw)
            if value is None:
                problem = "is empty" if _is_missing(raw) else f"{raw.strip()!r} is not a number"
                raise self.error(index, name, problem)
            values.append(value)
        return np.asarray(values, dtype=float)


@dataclass(frozen=True)
class Studies:
    """Effect sizes ready for :func:`rma` or :func:`rma_multilevel`, with what they came from.

    ``rows`` are the 1-based data rows of the studies kept; ``dropped`` those removed when the
    effect sizes were computed (double-zero 2x2 tables for RR and OR).
    """

    labels: tuple[str, ...]
    yi: NDArray[np.float64]
    vi: NDArray[np.float64]
    measure: str
    sign_convention: str
    rows: tuple[int, ...]
    dropped: tuple[int, ...] = ()
    mods: NDArray[np.float64] | None = None
    mod_names: tuple[str, ...] = ()
    cluster: tuple[str, ...] | None = None
    cluster_column: str | None = None

    @property
    def k(self) -> int:
        return len(self.yi)


def _is_missing(raw: str) -> bool:
    return raw.strip().lower() in MISSING


def _number(raw: str) -> float | None:
    """A finite float, or None for anything else (including 'nan' and 'inf')."""
    text = raw.strip()
    if _is_missing(text):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _delimiter(first_line: str) -> str:
    """Comma unless the header plainly uses semicolons or tabs (spreadsheets in some locales)."""
    if "," in first_line:
        return ","
    for candidate in (";", "\t"):
        if candidate in first_line:
            return candidate
    return ","


def read_csv(path: str | Path) -> CsvTable:
    """Read ``path`` into text columns; blank lines and lines starting with '#' are skipped."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except OSError as error:
        raise StudyDataError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise StudyDataError(f"{path} is not UTF-8 text") from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(text.splitlines(keepends=True), delimiter=_delimiter(first))
    header: tuple[str, ...] | None = None
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record) or record[0].lstrip().startswith("#"):
                continue
            cells = tuple(cell.strip() for cell in record)
            if header is None:
                header = _check_header(cells, reader.line_num)
                continue
            if len(cells) != len(header):
                raise StudyDataError(
                    f"has {len(cells)} cells but the header has {len(header)} columns",
                    data_row=len(rows) + 1,
                    line=reader.line_num,
                )
            rows.append(cells)
            lines.append(reader.line_num)
    except csv.Error as error:
        raise StudyDataError(f"line {reader.line_num}: not valid CSV ({error})") from None
    if header is None:
        raise StudyDataError(f"{path} is empty: expected a header row and one row per study")
    return CsvTable(header=header, rows=tuple(rows), lines=tuple(lines))


def _check_header(cells: tuple[str, ...], line: int) -> tuple[str, ...]:
    seen: set[str] = set()
    for position, name in enumerate(cells, start=1):
        if not name:
            raise StudyDataError(f"line {line}: header column {position} has no name")
        if name in seen:
            raise StudyDataError(f"line {line}: the header names column '{name}' twice")
        seen.add(name)
    return cells


def _labels(table: CsvTable, label: str | None) -> list[str]:
    if label is not None:
        return table.column(label)
    for name in LABEL_COLUMNS:
        if table.has(name):
            values = table.column(name)
            if name in ("author", "authors") and table.has("year"):
                return [
                    f"{who}, {year}" for who, year in zip(values, table.column("year"), strict=True)
                ]
            return values
    return [f"Study {index}" for index in range(1, len(table) + 1)]


def _effect_sizes_given(table: CsvTable) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    yi = table.numbers("yi")
    vi = table.numbers("vi")
    for index, value in enumerate(vi):
        if value < 0:
            raise table.error(index, "vi", f"the sampling variance {value:g} is negative")
        if value == 0:
            raise table.error(
                index, "vi", "the sampling variance is 0, which would give the study all weight"
            )
    return yi, vi


def _raw_columns(table: CsvTable, measure: str) -> dict[str, NDArray[np.float64]]:
    """The raw-data columns of ``measure``, checked cell by cell."""
    layouts = MEASURE_COLUMNS[measure]
    layout = next((names for names in layouts if table.has(*names)), None)
    if layout is None:
        wanted = " or ".join(", ".join(names) for names in layouts)
        missing = sorted({n for names in layouts for n in names} - set(table.header))
        raise StudyDataError(
            f"--measure {measure} needs the columns {wanted}; the file lacks "
            f"{', '.join(missing)} (columns: {', '.join(table.header)})"
        )
    columns = {name: table.numbers(name) for name in layout}
    for name, values in columns.items():
        for index, value in enumerate(values):
            problem = _raw_problem(name, value)
            if problem:
                raise table.error(index, name, problem)
    if "n1i" in columns and measure in ("RR", "OR", "RD"):
        return _counts_from_totals(table, columns)
    if measure == "SMD":
        for index, (n1, n2) in enumerate(zip(columns["n1i"], columns["n2i"], strict=True)):
            if n1 + n2 <= 2:
                raise table.error(index, "n2i", "n1i + n2i must be more than 2")
    return columns


def _raw_problem(name: str, value: float) -> str | None:
    if name in ("ai", "bi", "ci", "di") and value < 0:
        return f"the count {value:g} is negative"
    if name in ("n1i", "n2i", "ni") and value < 1:
        return f"the sample size {value:g} is less than 1"
    if name.startswith("sd") and value <= 0:
        return f"the standard deviation {value:g} is not positive"
    if name == "ri" and not -1 < value < 1:
        return f"the correlation {value:g} is not between -1 and 1"
    return None


def _counts_from_totals(
    table: CsvTable, columns: dict[str, NDArray[np.float64]]
) -> dict[str, NDArray[np.float64]]:
    """Turn ``ai, n1i, ci, n2i`` into the four cells, checking events never exceed the group."""
    for events, total in (("ai", "n1i"), ("ci", "n2i")):
        for index, (a, n) in enumerate(zip(columns[events], columns[total], strict=True)):
            if a > n:
                raise table.error(index, events, f"{a:g} events exceed {total} = {n:g}")
    return {
        "ai": columns["ai"],
        "bi": columns["n1i"] - columns["ai"],
        "ci": columns["ci"],
        "di": columns["n2i"] - columns["ci"],
    }


def moderator_matrix(
    table: CsvTable, names: Sequence[str]
) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """The moderators' design columns (no intercept) and their names.

    Numeric columns enter as they are; other columns are dummy-coded against their first
    level in sorted order by :func:`design_matrix`, so the names match the rest of the core.
    A missing value is an error: dropping the row silently would change which studies the
    pooled estimate describes.
    """
    if not names:
        return np.zeros((len(table), 0)), ()
    columns: dict[str, list[str] | list[float]] = {}
    categorical: list[str] = []
    for name in names:
        if name in columns:
            raise StudyDataError(f"moderator '{name}' is named twice")
        raw = table.column(name)
        for index, cell in enumerate(raw):
            if _is_missing(cell):
                raise table.error(
                    index, name, "the moderator is missing; fill it in or remove the study"
                )
        numbers = [_number(cell) for cell in raw]
        if all(value is not None for value in numbers):
            columns[name] = [float(value) for value in numbers if value is not None]
            continue
        if len(set(raw)) < 2:
            raise StudyDataError(f"column '{name}': every study has the same value {raw[0]!r}")
        columns[name] = raw
        categorical.append(name)
    return design_matrix(columns, categorical=categorical)


def load_studies(
    path: str | Path,
    *,
    measure: str | None = None,
    mods: Sequence[str] = (),
    cluster: str | None = None,
    label: str | None = None,
    drop00: bool = False,
) -> Studies:
    """Read ``path`` and return the studies' effect sizes, moderators and clusters.

    Without ``measure`` the file must have ``yi`` and ``vi`` columns. With one of
    :data:`MEASURES` the effect sizes are computed from the raw columns by :func:`escalc`.
    Double-zero 2x2 tables are kept with 1/2 added to each cell, as metafor's ``escalc`` does;
    ``drop00`` drops them for RR and OR (they say nothing about a ratio), and from the
    moderators and clusters too.
    """
    table = read_csv(path)
    labels = _labels(table, label)
    if measure is None:
        if not table.has("yi", "vi"):
            missing = [name for name in ("yi", "vi") if not table.has(name)]
            raise StudyDataError(
                f"the file has no {' or '.join(missing)} column; give effect sizes as yi,vi "
                f"or raw data with --measure {'|'.join(MEASURES)} "
                f"(columns: {', '.join(table.header)})"
            )
        yi, vi = _effect_sizes_given(table)
        measure_name, sign, kept = "GEN", GENERIC_SIGN, list(range(len(table)))
    else:
        measure_name = measure.upper()
        if measure_name not in MEASURE_COLUMNS:
            raise StudyDataError(f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}")
        yi, vi, sign, kept = _computed(table, measure_name, drop00=drop00)
    dropped = tuple(sorted(set(range(1, len(table) + 1)) - {i + 1 for i in kept}))
    mod_matrix, mod_names = moderator_matrix(table, mods)
    cluster_values = _clusters(table, cluster) if cluster else None
    studies = Studies(
        labels=tuple(labels[i] for i in kept),
        yi=yi,
        vi=vi,
        measure=measure_name,
        sign_convention=sign,
        rows=tuple(i + 1 for i in kept),
        dropped=dropped,
        mods=mod_matrix[kept] if mod_names else None,
        mod_names=mod_names,
        cluster=tuple(cluster_values[i] for i in kept) if cluster_values else None,
        cluster_column=cluster,
    )
    _check_enough(studies)
    return studies


def _computed(
    table: CsvTable, measure: str, *, drop00: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.float64], str, list[int]]:
    from .effect_sizes import escalc

    if len(table) == 0:
        raise StudyDataError("the file has a header but no studies")
    columns = _raw_columns(table, measure)
    try:
        extra: dict[str, Any] = {"drop00": True} if drop00 and measure in ("RR", "OR") else {}
        sizes = escalc(measure, **extra, **cast(dict[str, Any], columns))
    except ValueError as error:
        raise StudyDataError(_with_line(table, str(error))) from None
    dropped = set(sizes.dropped)
    kept = [index for index in range(len(table)) if index not in dropped]
    yi = np.asarray(sizes.yi, dtype=float)
    vi = np.asarray(sizes.vi, dtype=float)
    if len(yi) == len(table) and dropped:
        yi, vi = yi[kept], vi[kept]
    for position, index in enumerate(kept):
        if not (math.isfinite(yi[position]) and math.isfinite(vi[position])):
            raise table.error(index, None, f"the {measure} cannot be computed from these values")
    return yi, vi, sizes.sign_convention, kept


def _with_line(table: CsvTable, message: str) -> str:
    """Add the file line to a message from :func:`escalc` that names a 1-based row."""
    found = _ROW.match(message)
    if found and 1 <= int(found.group(1)) <= len(table):
        row = int(found.group(1))
        return f"row {row} (line {table.lines[row - 1]}){message[found.end() :]}"
    return message


def _clusters(table: CsvTable, name: str) -> list[str]:
    values = table.column(name)
    for index, cell in enumerate(values):
        if _is_missing(cell):
            raise table.error(index, name, "the cluster is missing")
    return values


def _check_enough(studies: Studies) -> None:
    dropped = f" ({len(studies.dropped)} dropped as double-zero)" if studies.dropped else ""
    if studies.k < 2:
        raise StudyDataError(
            f"a meta-analysis needs at least 2 studies; the file has {studies.k}{dropped}"
        )
    p = len(studies.mod_names) + 1
    if studies.mods is not None and studies.k <= p:
        raise StudyDataError(
            f"a meta-regression with {p} coefficients needs more than {p} studies; "
            f"the file has {studies.k}{dropped}"
        )
    if studies.cluster is not None:
        clusters = set(studies.cluster)
        if len(clusters) < 2:
            raise StudyDataError(
                f"column '{studies.cluster_column}': a three-level model needs at least 2 "
                "clusters; every study is in the same one"
            )
        if len(clusters) == studies.k:
            raise StudyDataError(
                f"column '{studies.cluster_column}': every cluster holds one effect size, so the "
                "within-cluster variance cannot be told apart from the between-cluster variance; "
                "leave out --cluster"
            )


# -- fitting and reporting -------------------------------------------------------------------

AXIS_LABELS: dict[str, str] = {
    "GEN": "Effect size (yi)",
    "SMD": "Standardised mean difference (Hedges' g)",
    "SMCR": "Standardised mean change",
    "RR": "Risk ratio (log scale)",
    "OR": "Odds ratio (log scale)",
    "RD": "Risk difference",
}
# What the left and right ends of the axis mean, from each measure's sign convention.
DIRECTIONS: dict[str, tuple[str, str]] = {
    "SMD": ("higher mean in group 2 (m2i)", "higher mean in group 1 (m1i)"),
    "SMCR": ("mean fell from m2i to m1i", "mean rose from m2i to m1i"),
    "RR": ("fewer events in group 1", "more events in group 1"),
    "OR": ("lower odds in group 1", "higher odds in group 1"),
    "RD": ("lower risk in group 1", "higher risk in group 1"),
}


def fit(
    studies: Studies, *, method: str = "REML", test: str = "z", level: float = 95.0
) -> RMAResult | MultilevelResult:
    """Fit the model the file asks for: three-level with a cluster column, else :func:`rma`."""
    if studies.cluster is not None:
        from .multilevel import rma_multilevel

        if method.upper() not in ("REML", "ML"):
            raise MetaAnalysisError(
                f"a three-level model is fitted by REML or ML, not {method}; use --method REML"
            )
        return rma_multilevel(
            studies.yi,
            studies.vi,
            list(studies.cluster),
            method=method,
            mods=studies.mods,
            test=test,
            level=level,
            mod_names=studies.mod_names or None,
        )
    return rma(
        studies.yi,
        studies.vi,
        method=method,
        mods=studies.mods,
        test=test,
        level=level,
        mod_names=studies.mod_names or None,
    )


def _clean(value: object) -> object:
    """Plain JSON values: numpy scalars to Python, NaN and infinities to None."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


def result_json(studies: Studies, result: RMAResult | MultilevelResult) -> dict[str, Any]:
    """The one JSON object ``alongside meta`` prints; the fields are listed in the docs.

    Every key is always present (``null`` where it does not apply), so a script can read the
    output without checking which kind of model was fitted.
    """
    regression = result.p > 1
    multilevel = not isinstance(result, RMAResult)
    out: dict[str, Any] = {
        "model": (
            "three-level"
            if multilevel
            else "meta-regression"
            if regression
            else "equal-effects"
            if result.method in ("FE", "EE")
            else "random-effects"
        ),
        "k": result.k,
        "measure": studies.measure,
        "sign_convention": studies.sign_convention,
        "method": result.method,
        "test": result.test,
        "level": result.level,
        "dropped_rows": list(studies.dropped),
    }
    pooled = not regression
    out.update(
        {
            "estimate": result.estimate if pooled else None,
            "se": result.se[0] if pooled else None,
            "stat": result.stat[0] if pooled else None,
            "pval": result.pval[0] if pooled else None,
            "ci_lb": result.ci_lb[0] if pooled else None,
            "ci_ub": result.ci_ub[0] if pooled else None,
            "pi_lb": result.pi_lb if pooled else None,
            "pi_ub": result.pi_ub if pooled else None,
            "ddf": result.ddf,
        }
    )
    if isinstance(result, RMAResult):
        tau2_ci = result.tau2_ci or (None, None)
        i2_ci = result.i2_ci or (None, None)
        h2_ci = result.h2_ci or (None, None)
        out.update(
            {
                "tau2": result.tau2,
                "tau2_se": result.se_tau2,
                "tau2_ci_lb": tau2_ci[0],
                "tau2_ci_ub": tau2_ci[1],
                "I2": result.i2,
                "I2_ci_lb": i2_ci[0],
                "I2_ci_ub": i2_ci[1],
                "H2": result.h2,
                "H2_ci_lb": h2_ci[0],
                "H2_ci_ub": h2_ci[1],
                "R2": result.r2,
            }
        )
    else:
        out.update(
            dict.fromkeys(
                ("tau2", "tau2_se", "tau2_ci_lb", "tau2_ci_ub", "I2", "I2_ci_lb", "I2_ci_ub"),
            )
        )
        out.update(dict.fromkeys(("H2", "H2_ci_lb", "H2_ci_ub", "R2")))
    out.update({"Q": result.qe, "Q_df": result.qe_df, "Q_p": result.qe_p})
    out["coefficients"] = [
        {
            "name": name,
            "estimate": result.beta[j],
            "se": result.se[j],
            "stat": result.stat[j],
            "pval": result.pval[j],
            "ci_lb": result.ci_lb[j],
            "ci_ub": result.ci_ub[j],
        }
        for j, name in enumerate(result.coef_names)
    ]
    out.update(
        {
            "QM": result.qm if regression else None,
            "QM_df": result.qm_df if regression else None,
            "QM_df2": result.qm_df2 if regression else None,
            "QM_p": result.qm_p if regression else None,
            "QE": result.qe,
            "QE_df": result.qe_df,
            "QE_p": result.qe_p,
        }
    )
    if isinstance(result, RMAResult):
        out.update({"sigma2": None, "n_clusters": None})
    else:
        column = studies.cluster_column or "cluster"
        out["sigma2"] = [
            {"level": f"between {column}", "estimate": result.sigma2[0], "n": result.n_levels[0]},
            {
                "level": f"within {column} (effect sizes)",
                "estimate": result.sigma2[1],
                "n": result.n_levels[1],
            },
        ]
        out["n_clusters"] = result.n_clusters
    out["converged"] = result.converged
    return cast(dict[str, Any], _clean(out))


def forest_svg(studies: Studies, result: RMAResult | MultilevelResult) -> bytes:
    """The forest plot for ``alongside meta --plot``: the studies, and the pooled row if any.

    Ratio measures are drawn on the log scale with ratio labels; the axis names what each
    direction means according to the measure's sign convention.
    """
    from .plots import PooledEffect, forest_plot_svg

    summary: RMAResult | PooledEffect | None = None
    if isinstance(result, RMAResult):
        summary = result if result.p == 1 else None
    elif result.p == 1:
        summary = PooledEffect(
            label=f"Three-level model ({result.method})",
            estimate=result.estimate,
            ci_lb=float(result.ci_lb[0]),
            ci_ub=float(result.ci_ub[0]),
            pi_lb=result.pi_lb,
            pi_ub=result.pi_ub,
            note=(
                f"σ² between {studies.cluster_column} = {result.sigma2[0]:.3f}, "
                f"within = {result.sigma2[1]:.3f}; Q({result.qe_df}) = {result.qe:.2f}"
            ),
        )
    return forest_plot_svg(
        studies.labels,
        studies.yi,
        studies.vi,
        summary=summary,
        level=result.level,
        xlabel=AXIS_LABELS.get(studies.measure, "Effect size"),
        direction=DIRECTIONS.get(studies.measure),
        exp=studies.measure in ("RR", "OR"),
        title=f"Forest plot of {studies.k} studies",
    )
