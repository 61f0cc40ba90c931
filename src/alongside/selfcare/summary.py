"""A one-page summary a member can take to an appointment: built, handed over, never kept.

The member chooses what goes in (recent scores of chosen measures, goals, what helps, the
safety plan, questions for their clinician). ``summary_contents`` gathers exactly that and
nothing else; the PDF (``summary_pdf``) and the print page draw the same contents. Nothing
is stored or sent: the bytes go back in the response and that is the end of it.

One page, always: each list is cut to a few entries first (saying "(more in Alongside)"
where it was cut), and whatever still overflows is shrunk to fit by ``KeepInFrame``. The
font is DejaVu Sans from matplotlib's own data folder, so handles, goals and names in any
European script print as written rather than as empty boxes, with no font download.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from alongside.accounts.models import User
from alongside.selfcare import safety_plan
from alongside.selfcare.models import HelpfulThing, SafetyPlan
from alongside.selfcare.progress import goal_progress, measure_progress

# How much of each list goes on the page before "(more in Alongside)".
SCORES_PER_MEASURE = 4
GOALS_MAX = 6
HELPS_MAX = 8
PLAN_ENTRIES_MAX = 4
QUESTIONS_MAX_CHARS = 1200
MORE = "(more in Alongside)"

FONT = "AlongsideSans"
FONT_BOLD = "AlongsideSans-Bold"
_fonts_ready: list[str] = []


@dataclass(frozen=True)
class SummaryChoices:
    """What the member ticked on the summary form."""

    measures: tuple[str, ...] = ()
    goals: bool = False
    helps: bool = False
    safety_plan: bool = False
    questions: str = ""


@dataclass(frozen=True)
class SummaryScore:
    day: date
    score: float
    band: str


@dataclass(frozen=True)
class SummaryMeasure:
    key: str
    name: str
    short_name: str
    reference: str
    direction: str
    scores: tuple[SummaryScore, ...]
    more: bool


@dataclass(frozen=True)
class SummaryGoal:
    title: str
    status: str
    first: int | None
    latest: int | None


@dataclass(frozen=True)
class SummarySection:
    title: str
    entries: tuple[str, ...]
    more: bool


@dataclass(frozen=True)
class SummaryContents:
    """Exactly what the member chose, cut to fit one page."""

    handle: str
    made_on: date
    measures: tuple[SummaryMeasure, ...] = ()
    goals: tuple[SummaryGoal, ...] | None = None
    goals_more: bool = False
    helps: tuple[str, ...] | None = None
    helps_more: bool = False
    plan: tuple[SummarySection, ...] | None = None
    questions: str = ""
    questions_more: bool = False
    references: tuple[str, ...] = field(default=())

    @property
    def trimmed(self) -> bool:
        return (
            any(measure.more for measure in self.measures)
            or self.goals_more
            or self.helps_more
            or any(section.more for section in self.plan or ())
            or self.questions_more
        )


def summary_measure_choices(member: User) -> list[tuple[str, str]]:
    """(key, name) of each measure with at least one valid score, for the form's checkboxes."""
    return [
        (progress.key, progress.name) for progress in measure_progress(member) if progress.points
    ]


def summary_contents(*, member: User, choices: SummaryChoices) -> SummaryContents:
    """Gather what the member chose (and only that) from their own records."""
    measures: list[SummaryMeasure] = []
    if choices.measures:
        wanted = set(choices.measures)
        for progress in measure_progress(member):
            if progress.key not in wanted or not progress.points:
                continue
            recent = progress.points[-SCORES_PER_MEASURE:]
            measures.append(
                SummaryMeasure(
                    key=progress.key,
                    name=progress.name,
                    short_name=progress.short_name,
                    reference=progress.reference,
                    direction=progress.direction,
                    scores=tuple(SummaryScore(p.day, p.score, p.band) for p in reversed(recent)),
                    more=len(progress.points) > SCORES_PER_MEASURE,
                )
            )
    goals: tuple[SummaryGoal, ...] | None = None
    goals_more = False
    if choices.goals:
        all_goals = goal_progress(member)
        goals = tuple(
            SummaryGoal(
                title=goal.title,
                status=goal.status_label,
                first=goal.first.rating if goal.first else None,
                latest=goal.latest.rating if goal.latest else None,
            )
            for goal in all_goals[:GOALS_MAX]
        )
        goals_more = len(all_goals) > GOALS_MAX
    helps: tuple[str, ...] | None = None
    helps_more = False
    if choices.helps:
        texts = [thing.text or "" for thing in HelpfulThing.objects.filter(member=member)]
        texts = [text for text in texts if text.strip()]
        helps = tuple(texts[:HELPS_MAX])
        helps_more = len(texts) > HELPS_MAX
    plan: tuple[SummarySection, ...] | None = None
    if choices.safety_plan:
        stored = SafetyPlan.objects.filter(member=member).first()
        sections = safety_plan.normalised(stored.sections if stored else None)
        plan = tuple(
            SummarySection(
                title=str(section.title),
                entries=tuple(sections[section.key][:PLAN_ENTRIES_MAX]),
                more=len(sections[section.key]) > PLAN_ENTRIES_MAX,
            )
            for section in safety_plan.SECTIONS
            if sections[section.key]
        )
    questions = choices.questions.strip()
    questions_more = len(questions) > QUESTIONS_MAX_CHARS
    if questions_more:
        questions = questions[:QUESTIONS_MAX_CHARS].rstrip() + "…"
    references = tuple(
        f"{measure.name}: {measure.reference}" if measure.reference else measure.name
        for measure in measures
    )
    return SummaryContents(
        handle=member.handle,
        made_on=timezone.localdate(),
        measures=tuple(measures),
        goals=goals,
        goals_more=goals_more,
        helps=helps,
        helps_more=helps_more,
        plan=plan,
        questions=questions,
        questions_more=questions_more,
        references=references,
    )


# --- The PDF --------------------------------------------------------------------------------


def _register_fonts() -> tuple[str, str]:
    """DejaVu Sans from matplotlib's data folder; Helvetica if that is somehow missing."""
    if _fonts_ready:
        return FONT, FONT_BOLD
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    try:
        pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    except Exception:  # any font problem falls back to a built-in font
        return "Helvetica", "Helvetica-Bold"
    _fonts_ready.append(FONT)
    return FONT, FONT_BOLD


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _register_fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12, alignment=TA_LEFT)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=15, leading=19),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=bold, fontSize=11, leading=14, spaceBefore=6, spaceAfter=2
        ),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444")
        ),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
    }


def _text(value: str) -> str:
    """Member text made safe for reportlab's paragraph mark-up, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def _more(styles: dict[str, ParagraphStyle]) -> Paragraph:
    return Paragraph(_text(_(MORE)), styles["small"])


def _bullets(entries: tuple[str, ...], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [Paragraph(f"• {_text(entry)}", styles["base"]) for entry in entries]


def _story(contents: SummaryContents) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(_text(_("My summary from Alongside")), styles["title"]),
        Paragraph(
            _text(
                _("%(handle)s · made on %(day)s")
                % {"handle": contents.handle, "day": date_format(contents.made_on, "j F Y")}
            ),
            styles["base"],
        ),
        Spacer(1, 3 * mm),
        HRFlowable(width="100%", thickness=0.5, color=colors.HexColor("#888888")),
    ]
    if contents.measures:
        story.append(Paragraph(_text(_("Recent questionnaire scores")), styles["h2"]))
        for measure in contents.measures:
            story.append(Paragraph(_text(measure.name), styles["bold"]))
            rows = [[_("Date"), _("Score"), _("Band")]] + [
                [date_format(row.day, "j M Y"), f"{row.score:g}", row.band]
                for row in measure.scores
            ]
            table = Table(rows, colWidths=[32 * mm, 18 * mm, 60 * mm], hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), styles["base"].fontName),
                        ("FONTNAME", (0, 0), (-1, 0), styles["bold"].fontName),
                        ("FONTSIZE", (0, 0), (-1, -1), 9),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.HexColor("#888888")),
                        ("TOPPADDING", (0, 0), (-1, -1), 1),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ]
                )
            )
            story.append(table)
            story.append(Paragraph(_text(measure.direction), styles["small"]))
            if measure.more:
                story.append(_more(styles))
        story.append(
            Paragraph(
                _text(
                    _(
                        "These scores are not a diagnosis. They are how I answered a "
                        "questionnaire on the day, to help us talk about how things have been."
                    )
                ),
                styles["small"],
            )
        )
    if contents.goals is not None:
        story.append(Paragraph(_text(_("My goals")), styles["h2"]))
        if not contents.goals:
            story.append(Paragraph(_text(_("No goals yet.")), styles["base"]))
        for goal in contents.goals:
            if goal.latest is None:
                rating = _("not rated yet")
            elif goal.first is not None and goal.first != goal.latest:
                rating = _("%(latest)s/10 now, %(first)s/10 at first") % {
                    "latest": goal.latest,
                    "first": goal.first,
                }
            else:
                rating = _("%(latest)s/10") % {"latest": goal.latest}
            story.append(
                Paragraph(
                    f"• {_text(goal.title)} — {_text(rating)} ({_text(goal.status)})",
                    styles["base"],
                )
            )
        if contents.goals_more:
            story.append(_more(styles))
    if contents.helps is not None:
        story.append(Paragraph(_text(_("What helps me")), styles["h2"]))
        if not contents.helps:
            story.append(Paragraph(_text(_("Nothing listed yet.")), styles["base"]))
        story.extend(_bullets(contents.helps, styles))
        if contents.helps_more:
            story.append(_more(styles))
    if contents.plan is not None:
        story.append(Paragraph(_text(_("My safety plan")), styles["h2"]))
        if not contents.plan:
            story.append(Paragraph(_text(_("My safety plan is empty so far.")), styles["base"]))
        for section in contents.plan:
            story.append(Paragraph(_text(section.title), styles["bold"]))
            story.extend(_bullets(section.entries, styles))
            if section.more:
                story.append(_more(styles))
    if contents.questions:
        story.append(Paragraph(_text(_("Questions for my clinician")), styles["h2"]))
        story.append(Paragraph(_text(contents.questions), styles["base"]))
        if contents.questions_more:
            story.append(_more(styles))
    story.append(Spacer(1, 4 * mm))
    story.append(HRFlowable(width="100%", thickness=0.5, color=colors.HexColor("#888888")))
    story.append(
        Paragraph(
            _text(
                _(
                    "Made by the member with Alongside, a peer-support community. Scores from "
                    "questionnaires are not a diagnosis."
                )
            ),
            styles["small"],
        )
    )
    story.extend(Paragraph(_text(reference), styles["small"]) for reference in contents.references)
    return story


def summary_pdf(contents: SummaryContents) -> bytes:
    """One A4 page: the story shrunk to fit a single frame if it would run over."""
    buffer = io.BytesIO()
    margin = 15 * mm
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=_("Summary from Alongside"),
        author="",
        creator="Alongside",
        invariant=1,
    )
    # A little less than the frame, as the frame's own padding takes the rest.
    width = document.width - 12
    height = document.height - 12
    document.build([KeepInFrame(width, height, _story(contents), mode="shrink")])
    return buffer.getvalue()
