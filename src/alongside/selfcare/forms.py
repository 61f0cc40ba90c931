"""Forms for the self-care pages: they shape and label the input; the services decide.

Lengths here give browsers a ``maxlength`` and early messages; the services check again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.selfcare import safety_plan, services
from alongside.selfcare.models import CheckIn, Goal

SUGGESTED_TAG_KEYS = frozenset(key for key, _label in services.SUGGESTED_TAGS)
RATING_CHOICES = [
    (value, f"{value} · {label}" if label else str(value))
    for value, label in (
        (value, {0: _("not started"), 5: _("halfway"), 10: _("goal reached")}.get(value, ""))
        for value in range(services.RATING_MIN, services.RATING_MAX + 1)
    )
]


class CheckInForm(forms.Form):
    mood = forms.TypedChoiceField(
        label=_("How are you feeling today?"),
        choices=[(value, f"{value} · {label}") for value, label in services.MOODS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how you feel, from very low to very good.")},
    )
    note = forms.CharField(
        label=_("Anything you'd like to note"),
        help_text=_("Optional. Only you can read this."),
        max_length=services.NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    suggested_tags = forms.MultipleChoiceField(
        label=_("What has it been about?"),
        help_text=_("Optional. Tick any that fit."),
        choices=services.SUGGESTED_TAGS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_tags = forms.CharField(
        label=_("Your own tags"),
        help_text=_("Optional. Words of your own, separated by commas, such as “gym, therapy”."),
        max_length=(services.TAG_MAX + 2) * services.TAGS_MAX,
        required=False,
    )

    @classmethod
    def initial_from(cls, check_in: CheckIn | None) -> dict[str, Any]:
        if check_in is None:
            return {}
        tags = [str(tag) for tag in check_in.tags or []]
        return {
            "mood": check_in.mood,
            "note": check_in.note or "",
            "suggested_tags": [tag for tag in tags if tag in SUGGESTED_TAG_KEYS],
            "other_tags": ", ".join(tag for tag in tags if tag not in SUGGESTED_TAG_KEYS),
        }

    def tags(self) -> list[str]:
        """Ticked and typed tags together, in that order (the service normalises them)."""
        typed = self.cleaned_data.get("other_tags", "").split(",")
        return [*self.cleaned_data.get("suggested_tags", []), *typed]


class QuickCheckInForm(CheckInForm):
    """The hub's short version: mood and a note; tags are on the full page."""

    suggested_tags = None  # type: ignore[assignment]
    other_tags = None  # type: ignore[assignment]


class GoalForm(forms.Form):
    title = forms.CharField(
        label=_("My goal"),
        help_text=_("In your own words, for example “Get back to swimming once a week”."),
        max_length=services.GOAL_TITLE_MAX,
        error_messages={"required": _("Please say what the goal is, in your own words.")},
    )
    why = forms.CharField(
        label=_("Why it matters to me"),
        help_text=_("Optional."),
        max_length=services.GOAL_WHY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NewGoalForm(GoalForm):
    first_rating = forms.TypedChoiceField(
        label=_("Where do you feel you are with it now?"),
        help_text=_("Optional. 0 means not started, 10 means the goal is reached."),
        choices=[("", _("Leave for now")), *RATING_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )


class GoalRatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Where are you with this goal now?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a number from 0 to 10.")},
    )
    note = forms.CharField(
        label=_("A note about it"),
        help_text=_("Optional: what has moved things on, or held them back."),
        max_length=services.RATING_NOTE_MAX,
        required=False,
    )


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Goal.Status.choices)


class StepForm(forms.Form):
    text = forms.CharField(
        label=_("A small step"),
        max_length=services.STEP_MAX,
        error_messages={"required": _("Please write the step.")},
    )


class HelpfulThingForm(forms.Form):
    text = forms.CharField(
        label=_("Something that helps me"),
        help_text=_("For example “Ringing my sister”, or “Walking the long way home”."),
        max_length=services.HELPFUL_MAX,
        error_messages={"required": _("Please write what helps.")},
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class SafetyPlanForm(forms.Form):
    """One textarea per section, one entry per line: works on any phone without scripts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in safety_plan.SECTIONS:
            self.fields[section.key] = forms.CharField(
                label=section.title,
                help_text=section.prompt,
                required=False,
                max_length=(safety_plan.ENTRY_MAX + 1) * safety_plan.ENTRIES_MAX,
                widget=forms.Textarea(attrs={"rows": 4, "placeholder": str(section.example)}),
            )

    @classmethod
    def initial_from(cls, sections: dict[str, list[str]]) -> dict[str, str]:
        return {key: "\n".join(entries) for key, entries in sections.items()}

    def sections(self) -> dict[str, list[str]]:
        return {
            section.key: safety_plan.entries_from_text(self.cleaned_data.get(section.key, ""))
            for section in safety_plan.SECTIONS
        }
