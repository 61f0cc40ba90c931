"""Small-cell suppression and de-identification helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import override_settings

from alongside.evaluation import privacy
from alongside.evaluation.privacy import Count, Label, Rate, Stat, Table


def test_a_cell_of_nine_shows_below_ten() -> None:
    table = Table(caption="Counts", headers=("Group", "People"))
    table.add(Label("North"), Count(9))
    table.add(Label("South"), Count(10))
    table.add(Label("East"), Count(0))
    rendered = privacy.render_table(table, 10)
    assert rendered.rows == (("North", "<10"), ("South", "10"), ("East", "<10"))
    assert rendered.suppressed_cells == 2
    assert "fewer than 10" in rendered.note


def test_statistics_from_fewer_than_k_people_are_withheld() -> None:
    table = Table(caption="Effects", headers=("Group", "Effect"))
    table.add(Label("small"), Stat("0.40 (0.10 to 0.70)", 9))
    table.add(Label("large"), Stat("0.30 (0.20 to 0.40)", 12))
    rendered = privacy.render_table(table, 10)
    assert rendered.rows[0] == ("small", "suppressed (n <10)")
    assert rendered.rows[1] == ("large", "0.30 (0.20 to 0.40)")


def test_rates_hide_small_numerators_and_denominators() -> None:
    table = Table(caption="Rates", headers=("Group", "Improved"))
    table.add(Label("a"), Rate(4, 30))
    table.add(Label("b"), Rate(12, 30))
    table.add(Label("c"), Rate(5, 8))
    rendered = privacy.render_table(table, 10)
    assert [row[1] for row in rendered.rows] == ["<10 of 30", "12 of 30 (40%)", "suppressed"]


def test_k_comes_from_the_setting() -> None:
    table = Table(caption="Counts", headers=("Group", "People"))
    table.add(Label("North"), Count(12))
    with override_settings(RESEARCH_MIN_CELL=15):
        assert privacy.min_cell() == 15
        assert privacy.render_table(table).rows == (("North", "<15"),)
    with override_settings(RESEARCH_MIN_CELL=5):
        assert privacy.render_table(table).rows == (("North", "12"),)


def test_pseudonyms_are_stable_within_an_export_and_differ_between_exports() -> None:
    first, second = privacy.Pseudonyms(), privacy.Pseudonyms()
    assert first(41) == first(41)
    assert first(41) != first(42)
    assert first(41) != second(41)
    assert first(41).startswith("P-")


def test_dates_become_weeks_since_enrolment() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert privacy.weeks_since(start, start + timedelta(days=6, hours=23)) == 0
    assert privacy.weeks_since(start, start + timedelta(days=7)) == 1
    assert privacy.weeks_since(start, start + timedelta(weeks=8, days=3)) == 8
    assert privacy.weeks_since(start, start - timedelta(days=3)) == -1


def test_number_formatting() -> None:
    assert privacy.format_ci(-0.25, -0.5, 0.0) == "\u22120.25 (\u22120.50 to 0.00)"
    assert privacy.format_number(float("nan")) == privacy.DASH


def test_a_hidden_part_cannot_be_recovered_from_the_total() -> None:
    table = Table(caption="People", headers=("Cohort", "People"))
    rows = [table.add(Label(name), Count(n)) for name, n in (("A", 30), ("B", 25), ("C", 9))]
    total = table.add(Label("All"), Count(64))
    table.column_total(rows, total, (1,))
    rendered = privacy.render_table(table, 10)
    assert [row[1] for row in rendered.rows] == ["30", privacy.WITHHELD, "<10", "64"]
    assert "worked out" in rendered.note
    assert rendered.suppressed_cells == 2


def test_complementary_suppression_follows_chains_of_groups() -> None:
    # Allocated = received + not received, and randomised = sum of the arms' allocations.
    table = Table(caption="Flow", headers=("Stage", "Arm 1", "Arm 2"))
    randomised = table.add(Label("Randomised"), Count(60), "")
    allocated = table.add(Label("Allocated"), Count(30), Count(30))
    received = table.add(Label("Received"), Count(28), Count(30))
    missed = table.add(Label("Not received"), Count(2), Count(0))
    table.group((allocated, 1), (allocated, 2), (randomised, 1))
    for column in (1, 2):
        table.group((received, column), (missed, column), (allocated, column))
    rendered = privacy.render_table(table, 10)
    assert rendered.rows[missed][1:] == ("<10", "<10")
    # Each arm's "received" would give away its "not received": withheld, not shown.
    assert rendered.rows[received][1:] == (privacy.WITHHELD, privacy.WITHHELD)
    assert rendered.rows[allocated][1:] == ("30", "30")


def test_no_groups_means_no_withholding() -> None:
    table = Table(caption="People", headers=("Cohort", "People"))
    table.add(Label("A"), Count(30))
    table.add(Label("B"), Count(3))
    assert privacy.render_table(table, 10).rows == (("A", "30"), ("B", "<10"))
