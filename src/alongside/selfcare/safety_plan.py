"""The sections of a personal safety plan, in the order the member works through them.

The structure is Stanley and Brown's Safety Planning Intervention, the one most crisis teams
use: first notice the warning signs, then what I can do alone, then who and where can take my
mind off things, then who I can ask for help, then professionals and crisis lines, then making
my surroundings safer; reasons for living close the plan, as many services' versions do. The
headings are in plain words; the prompts say what belongs in each without clinical terms.

Stored as ``SafetyPlan.sections``: a mapping from each key below to a list of entries, one
short line each. Unknown keys are dropped when read, so renaming a section never shows a
member a half-empty plan with a stray heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# One entry is one line: long enough for a phone number with a name and a note.
ENTRY_MAX = 300
ENTRIES_MAX = 20


@dataclass(frozen=True)
class Section:
    key: str
    title: StrOrPromise
    prompt: StrOrPromise
    example: StrOrPromise


SECTIONS: tuple[Section, ...] = (
    Section(
        key="warning_signs",
        title=_("Warning signs"),
        prompt=_(
            "Thoughts, feelings, situations or things I do that tell me a crisis may be coming."
        ),
        example=_("For example: not sleeping, pulling away from people, “what's the point”."),
    ),
    Section(
        key="coping",
        title=_("Things I can do on my own"),
        prompt=_("Ways to take my mind off things or feel calmer, without anyone else."),
        example=_("For example: a hot shower, a walk round the block, a playlist."),
    ),
    Section(
        key="distractions",
        title=_("People and places that take my mind off things"),
        prompt=_("People I can be with, and places I can go, that help me feel better."),
        example=_("For example: the library, my neighbour's kitchen, the park café."),
    ),
    Section(
        key="people_to_ask",
        title=_("People I can ask for help"),
        prompt=_("Friends or family I can tell that I'm struggling, with how to reach them."),
        example=_("For example: my brother, by text any time."),
    ),
    Section(
        key="professionals",
        title=_("Professionals and crisis lines"),
        prompt=_(
            "My GP, care team or therapist, and lines I can call or text in a crisis, day or night."
        ),
        example=_("For example: my GP surgery in working hours; a crisis line at night."),
    ),
    Section(
        key="safer_surroundings",
        title=_("Making my surroundings safer"),
        prompt=_(
            "What I can put out of reach, or ask someone to keep for me, while I feel like this."
        ),
        example=_("For example: ask my partner to keep my medication."),
    ),
    Section(
        key="reasons_for_living",
        title=_("My reasons for living"),
        prompt=_("What matters most to me and is worth staying safe for."),
        example=_("For example: my cat, my niece, seeing the sea again."),
    ),
)

SECTION_KEYS: tuple[str, ...] = tuple(section.key for section in SECTIONS)


def entries_from_text(text: str) -> list[str]:
    """One entry per non-empty line, spaces trimmed (a textarea, without JavaScript)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def normalised(raw: Any) -> dict[str, list[str]]:
    """Every known section as a list of strings, whatever was stored (or nothing)."""
    stored = raw if isinstance(raw, dict) else {}
    sections: dict[str, list[str]] = {}
    for key in SECTION_KEYS:
        entries = stored.get(key) or []
        if not isinstance(entries, list):
            entries = []
        sections[key] = [str(entry) for entry in entries if str(entry).strip()]
    return sections


def is_empty(sections: dict[str, list[str]]) -> bool:
    return not any(sections.values())
