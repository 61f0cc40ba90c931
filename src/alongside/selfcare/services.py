"""Every change to a member's check-ins, goals, "what helps me" list and safety plan.

Each function is one transaction and takes the member who acts: everything here belongs to
that member alone, so a service refuses (``PermissionDenied``) an object of anyone else's
even though the views already fetched it through ``selectors``. Text is checked here, not
only in the forms, and problems come back as ``ValidationError`` keyed by field, in words a
member can act on.

No audit rows and no moderation: these are private notes, not posts. The one exception to
"nobody looks" is kinder, not wider: a check-in note that reads as a crisis is screened so its
author can be shown where help is at once; the result is not stored and nobody is told.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.selfcare import safety_plan
from alongside.selfcare.models import (
    CheckIn,
    Goal,
    GoalRating,
    GoalStep,
    HelpfulThing,
    SafetyPlan,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from alongside.accounts.models import User
    from alongside.safety.services.screening import ScreenedText

# Mood 1 to 5, always shown with words: a number or a face alone is easy to misread.
MOODS: tuple[tuple[int, StrOrPromise], ...] = (
    (1, gettext_lazy("Very low")),
    (2, gettext_lazy("Low")),
    (3, gettext_lazy("Okay")),
    (4, gettext_lazy("Good")),
    (5, gettext_lazy("Very good")),
)
MOOD_MIN, MOOD_MAX = 1, 5
# Tags offered with a tick box; members may add their own as well.
SUGGESTED_TAGS: tuple[tuple[str, StrOrPromise], ...] = (
    ("sleep", gettext_lazy("sleep")),
    ("work", gettext_lazy("work")),
    ("family", gettext_lazy("family")),
    ("friends", gettext_lazy("friends")),
    ("health", gettext_lazy("health")),
    ("money", gettext_lazy("money")),
    ("weather", gettext_lazy("weather")),
)
TAGS_MAX = 8
TAG_MAX = 24
NOTE_MAX = 2000
GOAL_TITLE_MAX = 200
GOAL_WHY_MAX = 1000
STEP_MAX = 300
STEPS_MAX = 30
RATING_MIN, RATING_MAX = 0, 10
RATING_NOTE_MAX = 500
HELPFUL_MAX = 300
HELPFUL_THINGS_MAX = 50

Direction = Literal["up", "down"]
Ordered = TypeVar("Ordered", GoalStep, HelpfulThing)


def _text(value: str | None) -> str:
    """Trim and use one kind of line ending, whatever the browser sent."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _too_long(length: int, maximum: int) -> str:
    return _("Please keep this to %(max)d characters; it is %(length)d now.") % {
        "max": maximum,
        "length": length,
    }


def _check_length(errors: dict[str, str], field: str, value: str, maximum: int) -> None:
    if len(value) > maximum:
        errors[field] = _too_long(len(value), maximum)


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _require_own(member: User, owner_id: int) -> None:
    """Nobody changes another member's self-care, whatever their role."""
    if owner_id != member.pk:
        raise PermissionDenied


def member_today(member: User) -> date:
    """Today in the member's own day.

    Accounts carry no time zone yet, so this is the active zone (the deployment's
    ``TIME_ZONE`` unless middleware activated another); ``member`` is taken so callers do not
    change when accounts gain one.
    """
    del member
    return timezone.localdate()


# --- Check-ins ------------------------------------------------------------------------------


def mood_label(mood: int) -> str:
    """The words for a mood, such as "Very low" for 1."""
    return str(dict(MOODS).get(mood, mood))


def tag_label(tag: str) -> str:
    """A suggested tag in the member's language; their own tags as they wrote them."""
    return str(dict(SUGGESTED_TAGS).get(tag, tag))


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """Lower case, single spaces, no leading '#', no repeats; order kept.

    Raises ``ValidationError`` for a tag longer than ``TAG_MAX`` or more than ``TAGS_MAX``
    tags, rather than cutting them short: a silently shortened word is worse than a question.
    """
    seen: list[str] = []
    for raw in tags:
        tag = re.sub(r"\s+", " ", str(raw)).strip().lstrip("#").strip().lower()
        if not tag or tag in seen:
            continue
        if len(tag) > TAG_MAX:
            raise ValidationError(
                {
                    "tags": _("Please keep each tag to %(max)d characters (“%(tag)s” is longer).")
                    % {"max": TAG_MAX, "tag": tag}
                }
            )
        seen.append(tag)
    if len(seen) > TAGS_MAX:
        raise ValidationError(
            {"tags": _("Please choose up to %(max)d tags for one day.") % {"max": TAGS_MAX}}
        )
    return seen


@dataclass(frozen=True)
class CheckInOutcome:
    """What ``check_in_record`` did, and the screening of the note when there was one."""

    check_in: CheckIn
    created: bool
    screened: ScreenedText | None

    @property
    def reads_as_crisis(self) -> bool:
        return self.screened is not None and self.screened.is_concerning


def check_in_record(
    *,
    member: User,
    mood: int,
    note: str = "",
    tags: Iterable[str] = (),
    day: date | None = None,
) -> CheckInOutcome:
    """Record how the member feels on ``day`` (today by default); again the same day updates it.

    One check-in a day, in the member's own day. The note is screened before the transaction
    opens (screening only reads, and the SQLite write lock should not wait on it) so the page
    can show crisis lines at once; the result is not stored, queued or alerted: a private note
    is not a post, and a member who writes honestly in their own journal must be able to trust
    that nobody else reads it.
    """
    from alongside.safety.services.screening import screen_text

    note = _text(note)
    today = member_today(member)
    day = day or today
    errors: dict[str, str] = {}
    if not (isinstance(mood, int) and MOOD_MIN <= mood <= MOOD_MAX):
        errors["mood"] = _("Please choose how you feel, from 1 (very low) to 5 (very good).")
    if day > today:
        errors["day"] = _("A check-in can't be for a day that hasn't happened yet.")
    _check_length(errors, "note", note, NOTE_MAX)
    try:
        tag_list = normalise_tags(tags)
    except ValidationError as error:
        errors.update({field: " ".join(msgs) for field, msgs in error.message_dict.items()})
        tag_list = []
    _raise(errors)
    screened = screen_text(author=member, text=note) if note else None
    with transaction.atomic():
        now = timezone.now()
        check_in, created = CheckIn.objects.select_for_update().get_or_create(
            member=member,
            day=day,
            defaults={"mood": mood, "note": note, "tags": tag_list, "created_at": now},
        )
        if not created:
            check_in.mood = mood
            check_in.note = note
            check_in.tags = tag_list
            check_in.updated_at = now
            check_in.save(update_fields=["mood", "note", "tags", "updated_at"])
    return CheckInOutcome(check_in=check_in, created=created, screened=screened)


@transaction.atomic
def check_in_delete(*, member: User, check_in: CheckIn) -> None:
    _require_own(member, check_in.member_id)
    check_in.delete()


# --- Goals ----------------------------------------------------------------------------------


def _goal_text_errors(title: str, why: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Please say what the goal is, in your own words.")
    _check_length(errors, "title", title, GOAL_TITLE_MAX)
    _check_length(errors, "why", why, GOAL_WHY_MAX)
    return errors


def _rating_errors(rating: int, note: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (isinstance(rating, int) and RATING_MIN <= rating <= RATING_MAX):
        errors["rating"] = _("Please choose a number from 0 (not started) to 10 (goal reached).")
    _check_length(errors, "note", note, RATING_NOTE_MAX)
    return errors


@transaction.atomic
def goal_create(
    *, member: User, title: str, why: str = "", first_rating: int | None = None
) -> Goal:
    """A new goal, optionally with where the member feels they are now (the baseline rating)."""
    title, why = _text(title), _text(why)
    errors = _goal_text_errors(title, why)
    if first_rating is not None:
        errors.update(_rating_errors(first_rating, ""))
    _raise(errors)
    goal = Goal.objects.create(member=member, title=title, why=why)
    if first_rating is not None:
        GoalRating.objects.create(goal=goal, rating=first_rating, rated_at=goal.created_at)
    return goal


@transaction.atomic
def goal_update(*, member: User, goal: Goal, title: str, why: str = "") -> Goal:
    _require_own(member, goal.member_id)
    title, why = _text(title), _text(why)
    _raise(_goal_text_errors(title, why))
    goal.title, goal.why = title, why
    goal.save(update_fields=["title", "why"])
    return goal


@transaction.atomic
def goal_set_status(*, member: User, goal: Goal, status: str) -> Goal:
    """Working on it, achieved, or set aside; a closed goal keeps its steps and ratings."""
    _require_own(member, goal.member_id)
    if status not in Goal.Status.values:
        raise ValidationError({"status": _("Please choose one of the options.")})
    goal.status = status
    goal.closed_at = None if status == Goal.Status.ACTIVE else timezone.now()
    goal.save(update_fields=["status", "closed_at"])
    return goal


@transaction.atomic
def goal_delete(*, member: User, goal: Goal) -> None:
    """Gone for good, with its steps and ratings (setting aside keeps them)."""
    _require_own(member, goal.member_id)
    goal.delete()


@transaction.atomic
def goal_rate(*, member: User, goal: Goal, rating: int, note: str = "") -> GoalRating:
    """How far towards the goal the member feels now, 0 to 10; earlier ratings stay."""
    _require_own(member, goal.member_id)
    note = _text(note)
    _raise(_rating_errors(rating, note))
    return GoalRating.objects.create(goal=goal, rating=rating, note=note)


@transaction.atomic
def goal_step_add(*, member: User, goal: Goal, text: str) -> GoalStep:
    _require_own(member, goal.member_id)
    text = _text(text)
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Please write the step.")
    _check_length(errors, "text", text, STEP_MAX)
    positions = list(goal.steps.values_list("position", flat=True))
    if len(positions) >= STEPS_MAX:
        errors["text"] = _("A goal can have up to %(max)d steps.") % {"max": STEPS_MAX}
    _raise(errors)
    return GoalStep.objects.create(goal=goal, text=text, position=max(positions, default=-1) + 1)


def _step_goal_owner(step: GoalStep) -> int:
    return int(Goal.objects.values_list("member_id", flat=True).get(pk=step.goal_id))


@transaction.atomic
def goal_step_set_done(*, member: User, step: GoalStep, done: bool) -> GoalStep:
    _require_own(member, _step_goal_owner(step))
    step.done_at = (step.done_at or timezone.now()) if done else None
    step.save(update_fields=["done_at"])
    return step


@transaction.atomic
def goal_step_remove(*, member: User, step: GoalStep) -> None:
    _require_own(member, _step_goal_owner(step))
    step.delete()


@transaction.atomic
def goal_step_move(*, member: User, step: GoalStep, direction: Direction) -> None:
    _require_own(member, _step_goal_owner(step))
    _move(
        list(GoalStep.objects.filter(goal_id=step.goal_id).order_by("position", "pk")),
        step.pk,
        direction,
    )


# --- What helps me --------------------------------------------------------------------------


def _helpful_errors(text: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Please write what helps.")
    _check_length(errors, "text", text, HELPFUL_MAX)
    return errors


@transaction.atomic
def helpful_thing_add(*, member: User, text: str) -> HelpfulThing:
    """Add to the end of the member's list."""
    text = _text(text)
    errors = _helpful_errors(text)
    positions = list(HelpfulThing.objects.filter(member=member).values_list("position", flat=True))
    if len(positions) >= HELPFUL_THINGS_MAX:
        errors["text"] = _("The list can hold up to %(max)d things.") % {"max": HELPFUL_THINGS_MAX}
    _raise(errors)
    return HelpfulThing.objects.create(
        member=member, text=text, position=max(positions, default=-1) + 1
    )


@transaction.atomic
def helpful_thing_update(*, member: User, thing: HelpfulThing, text: str) -> HelpfulThing:
    _require_own(member, thing.member_id)
    text = _text(text)
    _raise(_helpful_errors(text))
    thing.text = text
    thing.save(update_fields=["text"])
    return thing


@transaction.atomic
def helpful_thing_remove(*, member: User, thing: HelpfulThing) -> None:
    _require_own(member, thing.member_id)
    thing.delete()


@transaction.atomic
def helpful_thing_move(*, member: User, thing: HelpfulThing, direction: Direction) -> None:
    """One place up or down the list (buttons, so it works without JavaScript)."""
    _require_own(member, thing.member_id)
    _move(
        list(HelpfulThing.objects.filter(member=member).order_by("position", "pk")),
        thing.pk,
        direction,
    )


def _move(rows: list[Ordered], pk: int, direction: Direction) -> None:
    """Swap one row with its neighbour and number the whole list 0, 1, 2… again."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Please choose up or down."))
    index = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    changed = []
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["position"])


# --- Safety plan ----------------------------------------------------------------------------


@transaction.atomic
def safety_plan_update(*, member: User, sections: Mapping[str, Iterable[str]]) -> SafetyPlan | None:
    """Replace the member's plan with these sections' entries.

    Unknown section keys are refused; blank entries are dropped. A plan left with no entries
    at all is deleted, so "has a safety plan" is simply "has a row" (the crisis panel links to
    "Make a safety plan" instead of an empty page).
    """
    unknown = set(sections) - set(safety_plan.SECTION_KEYS)
    if unknown:
        raise ValidationError(
            _("Unknown safety plan section: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
        )
    cleaned: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for key in safety_plan.SECTION_KEYS:
        entries = [_text(entry) for entry in sections.get(key, ())]
        entries = [entry for entry in entries if entry]
        too_long = [entry for entry in entries if len(entry) > safety_plan.ENTRY_MAX]
        if too_long:
            errors[key] = _("Please keep each line to %(max)d characters.") % {
                "max": safety_plan.ENTRY_MAX
            }
        elif len(entries) > safety_plan.ENTRIES_MAX:
            errors[key] = _("Please keep this part to %(max)d lines.") % {
                "max": safety_plan.ENTRIES_MAX
            }
        cleaned[key] = entries
    _raise(errors)
    plan = SafetyPlan.objects.select_for_update().filter(member=member).first()
    if safety_plan.is_empty(cleaned):
        if plan is not None:
            plan.delete()
        return None
    now = timezone.now()
    if plan is None:
        return SafetyPlan.objects.create(
            member=member, sections=cleaned, created_at=now, updated_at=now
        )
    plan.sections = cleaned  # type: ignore[assignment]  # the field stores any JSON value
    plan.updated_at = now
    plan.save(update_fields=["sections", "updated_at"])
    return plan


@transaction.atomic
def safety_plan_delete(*, member: User) -> None:
    SafetyPlan.objects.filter(member=member).delete()
