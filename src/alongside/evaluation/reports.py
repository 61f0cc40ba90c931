"""Researcher-facing reports of a programme or a study: everything already de-identified.

``programme_report`` and ``study_report`` gather the data (``analysis_data``), run the
estimators (``analysis``) and return a ``Report`` holding only what a researcher may see:
tables that have been through ``privacy.render_table`` (so every count below k reads "<k" and
every statistic from fewer than k people is withheld), the numbers for the forest and funnel
plots (units with fewer than k people left out), and the method stated beside each table.
Names in a report are the organisation's own (programme, cohort, site, arm); no handle, no
participant id and no free text from a member ever enters one.

The HTML page, the self-contained HTML download and the PDF are three renderings of the same
``Report``; every download is recorded in the audit log (``report_export_record``).
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from alongside.accounts.models import User
from alongside.evaluation import analysis, literature
from alongside.evaluation.analysis import Effect, Observation, Pooled, Unit
from alongside.evaluation.analysis_data import Row, doses, programme_rows, study_rows
from alongside.evaluation.consort import consort_counts
from alongside.evaluation.engagement import Engagement
from alongside.evaluation.models import Programme, Study
from alongside.evaluation.privacy import (
    DASH,
    Count,
    Label,
    Pseudonyms,
    Rate,
    RenderedTable,
    Stat,
    Table,
    allowed,
    format_ci,
    format_number,
    min_cell,
    render_table,
    weeks_since,
)
from alongside.evaluation.stats.plots import (
    ReferenceEffect,
    forest_plot_svg,
    funnel_plot_svg,
)
from alongside.evaluation.stats.rma import RMAResult
from alongside.measures.engine import MeasureDefinition, UnknownMeasure, get_definition
from alongside.safety.services.audit import audit_record

EXPORT_ACTION = "research_export"
CACHE_SECONDS = 120
DEFAULT_MEASURE = "phq9"
FUNNEL_MIN_UNITS = 3


@dataclass(frozen=True)
class Section:
    heading: str
    method: str
    tables: tuple[RenderedTable, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForestData:
    """What the forest plot shows: units with enough people, the pooled row, the literature."""

    labels: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    pooled: RMAResult | None
    references: tuple[ReferenceEffect, ...]
    xlabel: str
    direction: tuple[str, str]
    title: str


@dataclass(frozen=True)
class Report:
    kind: str  # "programme" or "study"
    pk: int
    title: str
    about: tuple[tuple[str, str], ...]
    k: int
    generated_at: datetime
    measure: str
    measure_name: str
    direction: str
    consort: RenderedTable | None
    sections: tuple[Section, ...]
    forest: ForestData | None
    funnel: RMAResult | None
    funnel_reason: str
    literature: RenderedTable
    citations: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def all_tables(self) -> tuple[RenderedTable, ...]:
        tables = [] if self.consort is None else [self.consort]
        for section in self.sections:
            tables.extend(section.tables)
        tables.append(self.literature)
        return tuple(tables)


# --- Small helpers ---------------------------------------------------------------------------


def _definition(key: str) -> MeasureDefinition:
    try:
        return get_definition(key)
    except UnknownMeasure:
        return get_definition(DEFAULT_MEASURE)


def _direction_words(definition: MeasureDefinition) -> str:
    lower = "lower" if definition.higher_is_worse else "higher"
    return (
        f"Every effect is harmonised so that a positive number means improvement (within a "
        f"group) or a result favouring peer support (between arms). On the "
        f"{definition.short_name} a {lower} score is better, so "
        + (
            "falls in score are shown as positive effects."
            if definition.higher_is_worse
            else "rises in score are shown as positive effects."
        )
    )


def _effect_cell(effect: Effect | None, n: int | None = None) -> Stat | str:
    if effect is None:
        return "not estimable"
    return Stat(
        format_ci(effect.estimate, effect.ci_lb, effect.ci_ub),
        effect.n_smallest_group if n is None else n,
    )


def _median_iqr(values: Sequence[float]) -> str:
    if not values:
        return DASH
    if len(values) < 4:
        return format_number(statistics.median(values), 0)
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return f"{format_number(q2, 0)} ({format_number(q1, 0)} to {format_number(q3, 0)})"


def _literature_table() -> RenderedTable:
    table = Table(
        caption="Published pooled effects of digital peer support",
        headers=(
            "Review",
            "Outcome",
            "As published (95% CI)",
            "Direction as published",
            "Harmonised (positive = benefit)",
        ),
        note=(
            "Values exactly as the reviews print them. Harmonised: the sign is reversed where "
            "the review reported a fall in symptoms as negative, so that every row reads "
            "positive = benefit, like this report's own effects."
        ),
    )
    for effect in literature.published_effects():
        low, high = effect.harmonised_ci
        table.add(
            Label(effect.review.short),
            Label(effect.outcome),
            Label(format_ci(effect.estimate, effect.ci_lb, effect.ci_ub)),
            Label(effect.direction_as_published),
            Label(format_ci(effect.harmonised_estimate, low, high)),
        )
    return render_table(table)


def _references(measure: str) -> tuple[ReferenceEffect, ...]:
    out = []
    for effect in literature.references_for(measure):
        low, high = effect.harmonised_ci
        out.append(
            ReferenceEffect(
                label=effect.label,
                estimate=effect.harmonised_estimate,
                ci_lb=low,
                ci_ub=high,
                note=f"{effect.measure}, {effect.harmonised_direction}",
            )
        )
    return tuple(out)


def _units_table(caption: str, units: Sequence[tuple[str, Effect | None, int]]) -> Table:
    table = Table(
        caption=caption,
        headers=("Unit", "People with both scores", "Effect (95% CI)"),
    )
    for label, effect, n in units:
        table.add(Label(label), Count(n), _effect_cell(effect, n))
    return table


def _pooled_section(pooled: Pooled, k: int, what: str) -> Section:
    table = Table(
        caption=f"Pooled across {what}",
        headers=("Model", "Units", "Estimate (95% CI)", "Heterogeneity"),
    )
    notes: list[str] = []
    if pooled.result is not None:
        result = pooled.result
        pi = ""
        if result.pi_lb is not None and result.pi_ub is not None:
            interval = format_ci(result.estimate, result.pi_lb, result.pi_ub)
            pi = f"; 95% prediction interval {interval}"
        table.add(
            Label("Random effects (REML)"),
            Label(f"k = {result.k}"),
            Label(format_ci(result.estimate, float(result.ci_lb[0]), float(result.ci_ub[0]))),
            Label(
                f"tau² = {format_number(result.tau2, 3)}, I² = {result.i2:.0f}%, "
                f"Q({result.qe_df}) = {result.qe:.2f}, p = {result.qe_p:.3f}{pi}"
            ),
        )
    else:
        notes.append(pooled.reason)
    moderators = Table(
        caption="Moderators (one meta-regression each, as in the reviews)",
        headers=("Moderator", "Slope (95% CI)", "Test", "Why not"),
    )
    for moderator in pooled.moderators:
        fitted = moderator.result
        if fitted is None:
            moderators.add(Label(moderator.description), DASH, DASH, Label(moderator.reason))
        else:
            moderators.add(
                Label(moderator.description),
                Label(
                    format_ci(float(fitted.beta[1]), float(fitted.ci_lb[1]), float(fitted.ci_ub[1]))
                ),
                Label(f"QM({fitted.qm_df}) = {fitted.qm:.2f}, p = {fitted.qm_p:.3f}"),
                "",
            )
    tables = [render_table(table, k)]
    if pooled.moderators:
        tables.append(render_table(moderators, k))
    return Section(
        heading=f"Pooling across {what}",
        method=(
            f"Random-effects meta-analysis of the {what} with at least {k} people each "
            "(REML estimate of tau², Wald-type z interval at 95%), with stats.rma. Moderators "
            "mirror the published reviews (interactivity of the format, formal vs informal "
            "support, dose, duration, and the observed dose); each is tested alone, and only "
            "when it varies across units and there are more units than coefficients plus one."
        ),
        tables=tuple(tables),
        notes=tuple(notes),
    )


def _engagement_section(
    groups: Sequence[tuple[str, Sequence[Engagement]]],
    k: int,
    weeks: int,
    *,
    total_last: bool = False,
) -> Section:
    table = Table(
        caption="Engagement (median and interquartile range per participant)",
        headers=(
            "Group",
            "People",
            "Active days",
            "Posts",
            "Chat messages",
            "Sessions attended",
            "Check-ins",
        ),
    )
    for label, each in groups:
        n = len(each)
        table.add(
            Label(label),
            Count(n),
            Stat(_median_iqr([e.active_days for e in each]), n),
            Stat(_median_iqr([e.posts for e in each]), n),
            Stat(_median_iqr([e.chat_messages for e in each]), n),
            Stat(_median_iqr([e.sessions_attended for e in each]), n),
            Stat(_median_iqr([e.check_ins for e in each]), n),
        )
    if total_last and len(table.rows) > 2:
        table.column_total(range(len(table.rows) - 1), len(table.rows) - 1, (1,))
    return Section(
        heading="Engagement as dose",
        method=(
            f"Counted per participant over the {weeks} weeks from their start: an active day "
            "is a day with any post, chat message, check-in or facilitated session attended "
            "(a message in, or joining, a session during its weekly slot)."
        ),
        tables=(render_table(table, k),),
    )


def _dose_section(
    rows: Sequence[Row],
    dose: dict[int, Engagement],
    definition: MeasureDefinition,
    k: int,
    who: str,
) -> Section:
    complete = [row for row in rows if row.complete]
    result = analysis.dose_response(
        [row.baseline for row in complete if row.baseline is not None],
        [row.end for row in complete if row.end is not None],
        [float(dose[row.participant_id].active_days) for row in complete],
        higher_is_worse=definition.higher_is_worse,
    )
    table = Table(
        caption=f"Dose-response: improvement on the {definition.short_name} by active days",
        headers=("Group", "People", "Slope per active day (95% CI)", "p"),
    )
    if result is None:
        table.add(Label(who), Count(len(complete)), "not estimable", DASH)
    else:
        table.add(
            Label(who),
            Count(result.n),
            Stat(format_ci(result.slope, result.ci_lb, result.ci_ub, 3), result.n),
            Stat(f"{result.p_value:.3f}", result.n),
        )
    return Section(
        heading="Dose-response",
        method=(
            "Ordinary least squares of each completer's improvement (positive = better) on "
            "their active days, adjusted for the baseline score; t-based 95% interval. An "
            "observational association: people who engage more may differ in other ways."
        ),
        tables=(render_table(table, k),),
    )


def _reliable_section(
    groups: Sequence[tuple[str, Sequence[Row]]],
    tt_groups: Sequence[tuple[str, Sequence[tuple[float, float, float, float]]]],
    definition: MeasureDefinition,
    k: int,
    *,
    total_last: bool = False,
) -> Section:
    """Reliable change per group, and the Talking Therapies outcomes; with ``total_last`` the
    last group is the sum of the others (declared for complementary suppression)."""
    tables: list[RenderedTable] = []
    notes: list[str] = []
    if definition.reliable_change_threshold is None:
        notes.append(f"The {definition.short_name} has no published reliable change threshold.")
    else:
        table = Table(
            caption=f"Reliable change on the {definition.short_name}",
            headers=("Group", "Reliably improved", "Reliably deteriorated"),
        )
        shown: list[int] = []
        for label, rows in groups:
            pairs = [
                (row.baseline, row.end)
                for row in rows
                if row.baseline is not None and row.end is not None
            ]
            counts = analysis.reliable_change_counts(definition, pairs)
            if counts is None:
                continue
            shown.append(
                table.add(
                    Label(label),
                    Rate(counts.improved, counts.n),
                    Rate(counts.deteriorated, counts.n),
                )
            )
        if total_last and len(shown) > 2:
            table.column_total(shown[:-1], shown[-1], (1, 2))
        tables.append(render_table(table, k))
    if tt_groups:
        table = Table(
            caption="NHS Talking Therapies outcomes (PHQ-9 with GAD-7)",
            headers=(
                "Group",
                "Cases at the start",
                "Recovered",
                "Reliably improved",
                "Reliably recovered",
                "Reliably deteriorated",
            ),
            note=(
                "Recovery rates are of those who were a case at the start; the others of "
                "everyone paired."
            ),
        )
        tt_rows: list[int] = []
        for label, quads in tt_groups:
            counts_tt = analysis.talking_therapies_counts(quads)
            tt_rows.append(len(table.rows))
            table.add(
                Label(label),
                Rate(counts_tt.cases_at_start, counts_tt.n),
                Rate(counts_tt.recovered, counts_tt.cases_at_start),
                Rate(counts_tt.reliably_improved, counts_tt.n),
                Rate(counts_tt.reliably_recovered, counts_tt.cases_at_start),
                Rate(counts_tt.reliably_deteriorated, counts_tt.n),
            )
        if len(tt_rows) > 2:
            table.column_total(tt_rows[:-1], tt_rows[-1], (1, 2, 3, 4, 5))
        tables.append(render_table(table, k))
    return Section(
        heading="Reliable improvement and recovery",
        method=(
            "Reliable change uses each measure's published threshold (PHQ-9: 6 points, GAD-7: 4). "
            "Talking Therapies recovery: a case at the start (PHQ-9 ≥ 10 or GAD-7 ≥ 8) and a "
            "case on neither at the end; reliable recovery adds reliable improvement."
        ),
        tables=tuple(tables),
        notes=tuple(notes),
    )


def _paired_tt(
    phq9: Sequence[Row], gad7: Sequence[Row]
) -> dict[int, tuple[float, float, float, float]]:
    gad = {row.participant_id: row for row in gad7 if row.complete}
    out: dict[int, tuple[float, float, float, float]] = {}
    for row in phq9:
        other = gad.get(row.participant_id)
        if row.complete and other is not None:
            assert row.baseline is not None and row.end is not None  # noqa: S101
            assert other.baseline is not None and other.end is not None  # noqa: S101
            out[row.participant_id] = (row.baseline, row.end, other.baseline, other.end)
    return out


def _forest(
    units: Sequence[tuple[str, Effect]],
    pooled: Pooled,
    definition: MeasureDefinition,
    measure: str,
    *,
    between: bool,
) -> ForestData | None:
    if not units:
        return None
    direction = ("favours control", "favours peer support") if between else ("worse", "improvement")
    return ForestData(
        labels=tuple(label for label, _effect in units),
        yi=tuple(effect.estimate for _label, effect in units),
        vi=tuple(effect.variance for _label, effect in units),
        pooled=pooled.result,
        references=_references(measure),
        xlabel=(f"Standardised effect on the {definition.short_name} (positive = benefit)"),
        direction=direction,
        title=f"{definition.short_name}: own results beside the published pooled effects",
    )


def _funnel(pooled: Pooled) -> tuple[RMAResult | None, str]:
    if pooled.result is None or pooled.k < FUNNEL_MIN_UNITS:
        return None, (
            f"A funnel plot needs at least {FUNNEL_MIN_UNITS} pooled units with enough people "
            f"(there are {pooled.k}); with fewer it cannot show small-study asymmetry."
        )
    return pooled.result, ""


def _primary_measure(programme: Programme) -> str:
    study = programme.studies.exclude(primary_outcome="").order_by("-created_at").first()
    if study is not None:
        return study.primary_outcome
    schedule = programme.measure_schedules.filter(active=True).order_by("pk").first()
    if schedule is not None and schedule.measures:
        return str(schedule.measures[0])
    return DEFAULT_MEASURE


def _programme_about(programme: Programme) -> list[tuple[str, str]]:
    return [
        ("Format", str(programme.get_format_display())),
        ("Interactivity", programme.interactivity),
        ("Source of support", str(programme.get_support_source_display())),
        ("Intended dose", f"{programme.intended_sessions_per_week:g} sessions a week"),
        ("Duration", f"{programme.duration_weeks} weeks"),
    ]


def _moderators(programme: Programme, engaged: Sequence[Engagement]) -> dict[str, float]:
    values = {
        "interactive": 1.0 if programme.interactivity == "interactive" else 0.0,
        "formal": 1.0 if programme.support_source == Programme.SupportSource.FORMAL else 0.0,
        "dose": float(programme.intended_sessions_per_week),
        "duration": float(programme.duration_weeks),
    }
    if engaged:
        values["active_days"] = statistics.fmean(each.active_days for each in engaged)
    return values


# --- Programme report --------------------------------------------------------------------------


def _by_cohort(rows: Sequence[Row]) -> list[tuple[str, list[Row]]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        label = row.cohort if not row.site else f"{row.cohort} ({row.site})"
        groups.setdefault(label, []).append(row)
    return list(groups.items())


def build_programme_report(programme: Programme, *, k: int | None = None) -> Report:
    """The report for one programme, every cohort in it (no cache: see ``programme_report``)."""
    k = min_cell() if k is None else k
    measure = _primary_measure(programme)
    definition = _definition(measure)
    worse = definition.higher_is_worse
    rows = programme_rows(programme, measure)
    dose = doses(rows, weeks=programme.duration_weeks)
    cohorts = _by_cohort(rows)

    counts = Table(
        caption="Participants by cohort",
        headers=("Cohort", "Enrolled", "With a baseline score", "With baseline and end scores"),
    )
    unit_rows: list[tuple[str, Effect | None, int]] = []
    units: list[Unit] = []
    for label, group in cohorts:
        complete = [row for row in group if row.complete]
        counts.add(
            Label(label),
            Count(len(group)),
            Count(sum(row.baseline is not None for row in group)),
            Count(len(complete)),
        )
        effect = analysis.prepost_smd(
            [row.baseline for row in complete if row.baseline is not None],
            [row.end for row in complete if row.end is not None],
            higher_is_worse=worse,
            label=label,
        )
        unit_rows.append((label, effect, len(complete)))
        if effect is not None and allowed(len(complete), k):
            engaged = [dose[row.participant_id] for row in group]
            units.append(Unit(effect=effect, moderators=_moderators(programme, engaged)))
    everyone = [row for row in rows if row.complete]
    overall = analysis.prepost_smd(
        [row.baseline for row in everyone if row.baseline is not None],
        [row.end for row in everyone if row.end is not None],
        higher_is_worse=worse,
        label="All cohorts",
    )
    within = _units_table(
        f"Within-group change on the {definition.short_name}, baseline to end", unit_rows
    )
    total = within.add(
        Label("All cohorts together"), Count(len(everyone)), _effect_cell(overall, len(everyone))
    )
    within.column_total(range(total), total, (1,))
    pooled = analysis.pool(units)

    sections = [
        Section(
            heading="Participants",
            method="Everyone enrolled, less anyone who withdrew from a study and asked for "
            "their answers to be left out.",
            tables=(render_table(counts, k),),
        ),
        Section(
            heading="Change within the programme",
            method=(
                "Standardised mean change with raw-score standardisation (SMCR: the mean change "
                "divided by the baseline SD, with Hedges' small-sample correction), the pre-post "
                "correlation estimated from the same people's scores; Wald 95% interval. "
                "Completers only (baseline and end scores): an uncontrolled pre-post estimate, "
                "closest to the pre-post designs in Yeo et al. 2025, not to controlled trials."
            ),
            tables=(render_table(within, k),),
        ),
        _pooled_section(pooled, k, "cohorts"),
        _engagement_section(
            [(label, [dose[row.participant_id] for row in group]) for label, group in cohorts]
            + ([("All cohorts", list(dose.values()))] if len(cohorts) > 1 else []),
            k,
            programme.duration_weeks,
            total_last=True,
        ),
        _dose_section(rows, dose, definition, k, "All cohorts"),
        _reliable_section(
            [(label, group) for label, group in cohorts] + [("All cohorts", rows)],
            _tt_groups(programme, cohorts_of=rows),
            definition,
            k,
            total_last=True,
        ),
    ]
    forest_units = [(label, effect) for label, effect, n in unit_rows if effect and allowed(n, k)]
    if not forest_units and overall is not None and allowed(len(everyone), k):
        forest_units = [("All cohorts", overall)]
    funnel, funnel_reason = _funnel(pooled)
    return Report(
        kind="programme",
        pk=programme.pk,
        title=programme.name,
        about=tuple(_programme_about(programme)),
        k=k,
        generated_at=timezone.now(),
        measure=measure,
        measure_name=definition.name,
        direction=_direction_words(definition),
        consort=_latest_consort(programme, k),
        sections=tuple(sections),
        forest=_forest(forest_units, pooled, definition, measure, between=False),
        funnel=funnel,
        funnel_reason=funnel_reason,
        literature=_literature_table(),
        citations=tuple(review.citation for review in literature.reviews()),
    )


def _latest_consort(programme: Programme, k: int) -> RenderedTable | None:
    """The flow of the programme's latest randomised study, if one has randomised anyone."""
    study = (
        Study.objects.filter(programme=programme, allocations__isnull=False)
        .distinct()
        .order_by("-created_at", "-pk")
        .first()
    )
    if study is None:
        return None
    return _consort_table(study, k, caption=f"CONSORT flow: {study.title}")


def _tt_groups(
    owner: Programme | Study, *, cohorts_of: Sequence[Row], by_arm: bool = False
) -> list[tuple[str, list[tuple[float, float, float, float]]]]:
    """Talking Therapies pairs per group (cohort, or arm), when PHQ-9 and GAD-7 are both asked."""
    if isinstance(owner, Study):
        phq9, gad7 = study_rows(owner, "phq9"), study_rows(owner, "gad7")
    else:
        phq9, gad7 = programme_rows(owner, "phq9"), programme_rows(owner, "gad7")
    paired = _paired_tt(phq9, gad7)
    if not paired:
        return []
    label_of = {
        row.participant_id: (row.arm if by_arm else _cohort_label(row)) for row in cohorts_of
    }
    groups: dict[str, list[tuple[float, float, float, float]]] = {}
    for participant_id, quad in paired.items():
        groups.setdefault(label_of.get(participant_id, "Other"), []).append(quad)
    result = sorted(groups.items())
    if len(result) > 1:
        result.append(("All", list(paired.values())))
    return result


def _cohort_label(row: Row) -> str:
    return row.cohort if not row.site else f"{row.cohort} ({row.site})"


# --- Study report ------------------------------------------------------------------------------


def _consort_table(study: Study, k: int, *, caption: str = "CONSORT flow") -> RenderedTable:
    """The flow as a table; the sums CONSORT implies are declared, so that a hidden small
    number cannot be recovered by subtraction (``privacy.complementary``)."""
    counts = consort_counts(study)
    arms = counts.arms
    table = Table(
        caption=caption,
        headers=("Stage", *(arm.name for arm in arms)) if arms else ("Stage", ""),
    )
    pad = [""] * max(len(arms) - 1, 0)
    assessed = table.add(Label("Assessed for eligibility"), Count(counts.assessed), *pad)
    excluded = table.add(Label("Excluded"), Count(counts.excluded), *pad)
    reasons = [
        table.add(Label(f"Excluded: {reason}"), Count(n), *pad)
        for reason, n in sorted(counts.excluded_reasons.items())
    ]
    awaiting = table.add(
        Label("Awaiting randomisation"), Count(counts.awaiting_randomisation), *pad
    )
    randomised = table.add(Label("Randomised"), Count(counts.randomised), *pad)
    table.group((excluded, 1), (awaiting, 1), (randomised, 1), (assessed, 1))
    if reasons:
        table.group(*((row, 1) for row in reasons), (excluded, 1))
    at: dict[str, int] = {}
    for stage, attribute in (
        ("Allocated", "allocated"),
        ("Received allocated intervention", "received"),
        ("Did not receive it", "not_received"),
        ("Discontinued", "discontinued"),
        ("Followed up", "followed_up"),
        ("Lost to follow-up", "lost_to_follow_up"),
        ("Awaiting follow-up", "awaiting_follow_up"),
        ("Excluded from analysis (asked to be left out)", "excluded_from_analysis"),
        ("Analysed, intention to treat", "analysed_itt"),
        ("Analysed, completers", "analysed_completers"),
    ):
        at[attribute] = table.add(
            Label(stage), *(Count(int(getattr(arm, attribute))) for arm in arms)
        )
    if arms:
        table.group(*((at["allocated"], j) for j in range(1, len(arms) + 1)), (randomised, 1))
    for j in range(1, len(arms) + 1):
        table.group((at["received"], j), (at["not_received"], j), (at["allocated"], j))
        table.group(
            (at["excluded_from_analysis"], j), (at["analysed_itt"], j), (at["allocated"], j)
        )
    return render_table(table, k)


def build_study_report(study: Study, *, k: int | None = None) -> Report:
    """The report for one randomised study."""
    k = min_cell() if k is None else k
    programme = study.programme
    measure = study.primary_outcome or DEFAULT_MEASURE
    definition = _definition(measure)
    worse = definition.higher_is_worse
    rows = study_rows(study, measure)
    dose = doses(rows, weeks=programme.duration_weeks)
    arms: dict[str, list[Row]] = {}
    for row in rows:
        arms.setdefault(row.arm, []).append(row)

    observations = [
        Observation(row.participant_id, bool(row.treated), occasion, score)
        for row in rows
        for occasion, score in ((analysis.BASELINE, row.baseline), (analysis.END, row.end))
        if score is not None
    ]
    itt = analysis.itt_mixed_model(
        observations,
        higher_is_worse=worse,
        occasions=(analysis.BASELINE, analysis.END),
        label="Intention to treat",
    )
    complete = [row for row in rows if row.complete]
    completers = analysis.between_arms_g(
        [row.end for row in complete if row.treated and row.end is not None],
        [row.end for row in complete if not row.treated and row.end is not None],
        higher_is_worse=worse,
        label="Completers",
    )
    effects = Table(
        caption=(
            f"Peer support vs control on the {definition.short_name} "
            f"at {study.follow_up_weeks} weeks"
        ),
        headers=("Analysis", "Estimator", "People", "Effect (95% CI)"),
        note="Positive = favours peer support.",
    )
    if itt is not None:
        effects.add(
            Label("Intention to treat (primary)"),
            Label(itt.effect.estimator),
            Count(itt.n_participants),
            _effect_cell(itt.effect),
        )
        effects.add(
            Label("Intention to treat, raw difference"),
            Label(f"{definition.short_name} points, positive = favours peer support"),
            Count(itt.n_participants),
            Stat(format_ci(itt.difference, *itt.difference_ci), itt.effect.n_smallest_group),
        )
    else:
        effects.add(
            Label("Intention to treat (primary)"),
            Label("mixed model"),
            Count(len(rows)),
            "not estimable",
        )
    effects.add(
        Label("Completers (sensitivity)"),
        Label("Hedges' g at the follow-up (exact small-sample correction)"),
        Count(len(complete)),
        _effect_cell(completers),
    )
    within = Table(
        caption=f"Within-arm change on the {definition.short_name}",
        headers=("Arm", "People with both scores", "SMCR (95% CI)"),
    )
    for arm, group in arms.items():
        paired = [row for row in group if row.complete]
        within.add(
            Label(arm),
            Count(len(paired)),
            _effect_cell(
                analysis.prepost_smd(
                    [row.baseline for row in paired if row.baseline is not None],
                    [row.end for row in paired if row.end is not None],
                    higher_is_worse=worse,
                ),
                len(paired),
            ),
        )
    # Between arms in each cohort or site, for pooling.
    unit_rows: list[tuple[str, Effect | None, int]] = []
    units: list[Unit] = []
    for label, group in _by_cohort(rows):
        paired = [row for row in group if row.complete]
        effect = analysis.between_arms_g(
            [row.end for row in paired if row.treated and row.end is not None],
            [row.end for row in paired if not row.treated and row.end is not None],
            higher_is_worse=worse,
            label=label,
        )
        smallest = effect.n_smallest_group if effect is not None else 0
        unit_rows.append((label, effect, smallest))
        if effect is not None and allowed(smallest, k):
            engaged = [dose[row.participant_id] for row in group if row.treated]
            units.append(Unit(effect=effect, moderators=_moderators(programme, engaged)))
    per_unit = Table(
        caption="Completers' Hedges' g by cohort or site",
        headers=("Unit", "People in the smaller arm", "g (95% CI)"),
    )
    for label, effect, smallest in unit_rows:
        per_unit.add(Label(label), Count(smallest), _effect_cell(effect, smallest))
    pooled = analysis.pool(units)
    treated_rows = [row for row in rows if row.treated]
    sections = [
        Section(
            heading="Effects",
            method=(
                "Primary: intention to treat with a linear mixed model (statsmodels MixedLM, "
                "REML) of every randomised participant's baseline and follow-up scores, score ~ "
                "occasion * arm with a random intercept per participant; participants missing "
                "the follow-up still contribute their baseline (valid if dropout depends on "
                "observed scores). The adjusted difference at the follow-up is divided by the "
                "pooled baseline SD to give d. Sensitivity: completers' Hedges' g. 95% Wald "
                "intervals. Arms other than the control are analysed together as peer support."
            ),
            tables=(render_table(effects, k), render_table(within, k), render_table(per_unit, k)),
        ),
        _pooled_section(pooled, k, "cohorts or sites"),
        _engagement_section(
            [(arm, [dose[row.participant_id] for row in group]) for arm, group in arms.items()],
            k,
            programme.duration_weeks,
        ),
        _dose_section(treated_rows, dose, definition, k, "Peer support arm(s)"),
        _reliable_section(
            list(arms.items()),
            _tt_groups(study, cohorts_of=rows, by_arm=True),
            definition,
            k,
        ),
    ]
    forest_units = [(label, effect) for label, effect, n in unit_rows if effect and allowed(n, k)]
    if not forest_units and itt is not None and allowed(itt.effect.n_smallest_group, k):
        forest_units = [("Intention to treat", itt.effect)]
    funnel, funnel_reason = _funnel(pooled)
    about = [("Programme", programme.name), *_programme_about(programme)]
    about.append(("Primary outcome", f"{definition.name} at {study.follow_up_weeks} weeks"))
    return Report(
        kind="study",
        pk=study.pk,
        title=study.title,
        about=tuple(about),
        k=k,
        generated_at=timezone.now(),
        measure=measure,
        measure_name=definition.name,
        direction=_direction_words(definition),
        consort=_consort_table(study, k),
        sections=tuple(sections),
        forest=_forest(forest_units, pooled, definition, measure, between=True),
        funnel=funnel,
        funnel_reason=funnel_reason,
        literature=_literature_table(),
        citations=tuple(review.citation for review in literature.reviews()),
    )


# --- Cached access and plots ---------------------------------------------------------------------


def programme_report(programme: Programme) -> Report:
    """The programme's report, cached briefly: the page and its two images share one build."""
    key = f"evaluation:report:programme:{programme.pk}:{min_cell()}"
    report = cache.get(key)
    if not isinstance(report, Report):
        report = build_programme_report(programme)
        cache.set(key, report, CACHE_SECONDS)
    return report


def study_report(study: Study) -> Report:
    key = f"evaluation:report:study:{study.pk}:{min_cell()}"
    report = cache.get(key)
    if not isinstance(report, Report):
        report = build_study_report(study)
        cache.set(key, report, CACHE_SECONDS)
    return report


def forest_svg(report: Report) -> bytes | None:
    forest = report.forest
    if forest is None:
        return None
    return forest_plot_svg(
        forest.labels,
        forest.yi,
        forest.vi,
        summary=forest.pooled,
        references=forest.references,
        xlabel=forest.xlabel,
        direction=forest.direction,
        title=forest.title,
    )


def funnel_svg(report: Report) -> bytes | None:
    if report.funnel is None:
        return None
    return funnel_plot_svg(report.funnel, xlabel="Effect (positive = benefit)")


# --- Exports -----------------------------------------------------------------------------------


@transaction.atomic
def report_export_record(*, actor: User, report: Report, export_format: str) -> None:
    """One audit row per download: who took which report, in what form, under which k."""
    audit_record(
        actor=actor,
        action=EXPORT_ACTION,
        target_kind=report.kind,
        target_id=report.pk,
        detail={"format": export_format, "min_cell": report.k, "measure": report.measure},
    )


# --- De-identified rows ------------------------------------------------------------------------

ROW_HEADERS = (
    "participant",
    "cohort",
    "site",
    "arm",
    "weeks_since_enrolment",
    "measure",
    "baseline",
    "end",
    "active_days",
    "posts",
    "chat_messages",
    "sessions_attended",
    "check_ins",
)


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def deidentified_rows(
    owner: Programme | Study, *, k: int | None = None
) -> tuple[list[tuple[str, ...]], int]:
    """One row per participant for re-analysis elsewhere, and how many were left out.

    Ids are replaced by pseudonyms made for this export only, the only time is whole weeks
    since enrolment, and no text of a member's is included. Every group (cohort by arm) with
    fewer than k people is left out entirely, so no row belongs to a small cell.
    """
    k = min_cell() if k is None else k
    if isinstance(owner, Study):
        measure = owner.primary_outcome or DEFAULT_MEASURE
        rows = study_rows(owner, measure)
        weeks = owner.programme.duration_weeks
    else:
        measure = _primary_measure(owner)
        rows = programme_rows(owner, measure)
        weeks = owner.duration_weeks
    sizes: dict[tuple[str, str, str], int] = {}
    for row in rows:
        key = (row.cohort, row.site, row.arm)
        sizes[key] = sizes.get(key, 0) + 1
    dose = doses(rows, weeks=weeks)
    names = Pseudonyms()
    now = timezone.now()
    out: list[tuple[str, ...]] = []
    left_out = 0
    for row in sorted(rows, key=lambda each: (each.cohort, each.arm, names(each.participant_id))):
        if not allowed(sizes[(row.cohort, row.site, row.arm)], k):
            left_out += 1
            continue
        engaged = dose[row.participant_id]
        out.append(
            (
                names(row.participant_id),
                row.cohort,
                row.site,
                row.arm,
                str(weeks_since(row.start, now)),
                measure,
                _score(row.baseline),
                _score(row.end),
                str(engaged.active_days),
                str(engaged.posts),
                str(engaged.chat_messages),
                str(engaged.sessions_attended),
                str(engaged.check_ins),
            )
        )
    return out, left_out


def deidentified_csv(owner: Programme | Study) -> str:
    rows, _left_out = deidentified_rows(owner)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ROW_HEADERS)
    writer.writerows(rows)
    return buffer.getvalue()
