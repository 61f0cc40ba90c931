"""De-identification and small-cell suppression for everything a researcher sees.

Researchers read aggregates and de-identified rows, never a member's handle or words. Two rules
carry that, and every table and export goes through them:

* ``render_table`` is the one door from numbers to what is shown. Each cell says what it is (a
  count, a rate, a statistic with the number of people behind it, or a plain label); a count
  below k shows as "<k", and a statistic or rate computed from fewer than k people is
  withheld. k is ``settings.RESEARCH_MIN_CELL`` (environment ``ALONGSIDE_RESEARCH_MIN_CELL``,
  default 10). Zero is below k, so it is hidden too: "none of the 12 recovered" is as
  disclosive as "one of them did". Tables declare which cells add up (parts and their total,
  the CONSORT sums); where a hidden number could be worked out by subtraction, another is
  withheld too (``complementary``).
* ``Pseudonyms`` gives each participant a random label that lives only as long as one export,
  so two exports cannot be joined on it; ``weeks_since`` turns dates into whole weeks since
  enrolment, so no calendar date leaves the platform.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

SUPPRESSED = "suppressed"
WITHHELD = "withheld"


def min_cell() -> int:
    """The smallest number of people a shown number may rest on (read at call time)."""
    return max(1, int(getattr(settings, "RESEARCH_MIN_CELL", 10)))


def small_label(k: int) -> str:
    return f"<{k}"


@dataclass(frozen=True)
class Count:
    """A number of people."""

    n: int


@dataclass(frozen=True)
class Rate:
    """``numerator`` of ``denominator`` people, shown as "n of d (p%)"."""

    numerator: int
    denominator: int


@dataclass(frozen=True)
class Stat:
    """A statistic (a mean, an effect size with its interval) resting on ``n`` people."""

    text: str
    n: int


@dataclass(frozen=True)
class Label:
    """Words that describe a row (an arm's name, a method): never about one person."""

    text: str


Cell = Count | Rate | Stat | Label | str


@dataclass
class Table:
    """A table before suppression: a caption, column headings and typed cells."""

    caption: str
    headers: Sequence[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    # Sets of cells whose sum is known (parts and their total): see ``render_table``.
    groups: list[tuple[tuple[int, int], ...]] = field(default_factory=list)

    def add(self, *cells: Cell) -> int:
        """Append a row; returns its index, for ``group``."""
        self.rows.append(list(cells))
        return len(self.rows) - 1

    def group(self, *cells: tuple[int, int]) -> None:
        """Declare that these (row, column) counts add up: parts and their total."""
        self.groups.append(tuple(cells))

    def column_total(self, parts: Sequence[int], total: int, columns: Sequence[int]) -> None:
        """Row ``total`` is the sum of rows ``parts`` in each of ``columns``."""
        for column in columns:
            self.group(*((row, column) for row in parts), (total, column))


@dataclass(frozen=True)
class RenderedTable:
    """A table after suppression: only strings, ready for HTML, PDF or CSV."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str
    suppressed_cells: int


def allowed(n: int, k: int | None = None) -> bool:
    """Whether a number resting on ``n`` people may be shown."""
    return n >= (min_cell() if k is None else k)


def render_cell(cell: Cell, k: int) -> tuple[str, bool]:
    """The text for one cell and whether it was suppressed."""
    if isinstance(cell, Count):
        if cell.n < k:
            return small_label(k), True
        return str(cell.n), False
    if isinstance(cell, Rate):
        if cell.denominator < k:
            return SUPPRESSED, True
        if cell.numerator < k:
            return f"{small_label(k)} of {cell.denominator}", True
        percent = 100.0 * cell.numerator / cell.denominator
        return f"{cell.numerator} of {cell.denominator} ({percent:.0f}%)", False
    if isinstance(cell, Stat):
        if cell.n < k:
            return f"{SUPPRESSED} (n {small_label(k)})", True
        return cell.text, False
    if isinstance(cell, Label):
        return cell.text, False
    return str(cell), False


def _size(cell: Cell) -> int | None:
    """The number a count-like cell shows (a rate's numerator); None for other cells."""
    if isinstance(cell, Count):
        return cell.n
    if isinstance(cell, Rate):
        return cell.numerator
    return None


def complementary(table: Table, primary: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Cells to withhold so that no suppressed count can be worked out by subtraction.

    In every declared group (parts and their total), a single hidden cell could be recovered
    from the others; so while any group has exactly one hidden cell, the smallest shown count
    in it is withheld too (the usual complementary-suppression heuristic), preferring a part to
    the total (listed last), until no group has.
    """
    hidden = set(primary)
    withheld: set[tuple[int, int]] = set()
    changed = True
    while changed:
        changed = False
        for group in table.groups:
            members = [cell for cell in group if _size(table.rows[cell[0]][cell[1]]) is not None]
            if len(members) < 2 or sum(cell in hidden for cell in members) != 1:
                continue
            shown = [cell for cell in members if cell not in hidden]
            # Parts before totals (a group lists its total last), then the smallest count.
            choice = min(
                shown,
                key=lambda cell: (cell == group[-1], _size(table.rows[cell[0]][cell[1]]), cell),
            )
            hidden.add(choice)
            withheld.add(choice)
            changed = True
    return withheld


def render_table(table: Table, k: int | None = None) -> RenderedTable:
    """The one function every research table and export passes through."""
    k = min_cell() if k is None else k
    rendered: list[list[str]] = []
    primary: set[tuple[int, int]] = set()
    for i, row in enumerate(table.rows):
        texts: list[str] = []
        for j, cell in enumerate(row):
            text, suppressed = render_cell(cell, k)
            if suppressed:
                primary.add((i, j))
            texts.append(text)
        rendered.append(texts)
    withheld = complementary(table, primary)
    for i, j in withheld:
        rendered[i][j] = WITHHELD
    rows = [tuple(texts) for texts in rendered]
    hidden = len(primary) + len(withheld)
    note = table.note
    if primary:
        note = (
            f"{note} Numbers resting on fewer than {k} people are not shown "
            f"(counts appear as {small_label(k)})."
        ).strip()
    if withheld:
        note = (
            f"{note} Numbers marked {WITHHELD} are withheld so that a small one cannot be "
            "worked out from the others."
        ).strip()
    return RenderedTable(
        caption=table.caption,
        headers=tuple(table.headers),
        rows=tuple(rows),
        note=note,
        suppressed_cells=hidden,
    )


MINUS = "\u2212"
DASH = "\u2013"


def format_number(value: float | None, digits: int = 2) -> str:
    """A number for a table, with a minus sign that reads as one; a dash when there is none."""
    if value is None or not math.isfinite(value):
        return DASH
    return f"{value:.{digits}f}".replace("-", MINUS)


def format_ci(estimate: float, lower: float, upper: float, digits: int = 2) -> str:
    return (
        f"{format_number(estimate, digits)} "
        f"({format_number(lower, digits)} to {format_number(upper, digits)})"
    )


class Pseudonyms:
    """Random labels for one export: the same person gets the same label within it, only.

    Labels come from ``secrets`` and are never stored, so nothing maps them back to accounts
    and labels from two exports cannot be linked.
    """

    def __init__(self, prefix: str = "P") -> None:
        self._prefix = prefix
        self._labels: dict[int, str] = {}
        self._used: set[str] = set()

    def __call__(self, participant_id: int) -> str:
        label = self._labels.get(participant_id)
        if label is None:
            label = self._fresh()
            self._labels[participant_id] = label
        return label

    def _fresh(self) -> str:
        while True:
            label = f"{self._prefix}-{secrets.token_hex(4)}"
            if label not in self._used:
                self._used.add(label)
                return label


def weeks_since(start: datetime, when: datetime) -> int:
    """Whole weeks from enrolment to ``when`` (negative before enrolment): no calendar dates."""
    return math.floor((when - start).total_seconds() / (7 * 24 * 3600))


def strip_identifiers(texts: Iterable[str], forbidden: Iterable[str]) -> list[str]:
    """Which of ``forbidden`` (handles, say) appear in ``texts``: a last check before export."""
    joined = "\n".join(texts).lower()
    return [each for each in forbidden if each and each.lower() in joined]
