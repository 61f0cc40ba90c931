"""Forms for formal peer support; they only clean input, the services decide."""

from __future__ import annotations

import re
from datetime import time
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alongside.support.models import ProbationReview
from alongside.support.services import MAX_WEEKS

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SLOT = re.compile(r"^\s*([a-z]{3})[a-z]*\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$", re.I)

TIME_CHOICES = [
    ("mornings", _("Mornings")),
    ("afternoons", _("Afternoons")),
    ("evenings", _("Evenings")),
    ("weekends", _("Weekends")),
]


def _area_choices() -> list[tuple[str, str]]:
    return [(area, area) for area in settings.LIVED_EXPERIENCE_AREAS]


def _language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def availability_to_text(slots: list[dict[str, Any]]) -> str:
    lines = []
    for slot in slots:
        try:
            day = WEEKDAYS[int(slot["weekday"])].capitalize()
        except (KeyError, ValueError, IndexError):
            continue
        lines.append(f"{day} {slot.get('start', '')}-{slot.get('end', '')}")
    return "\n".join(lines)


def parse_availability(text: str) -> list[dict[str, Any]]:
    """Lines like "Mon 18:00-20:00" into [{"weekday": 0, "start": "18:00", "end": "20:00"}]."""
    slots: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = _SLOT.match(line)
        day = found.group(1).lower() if found else ""
        if not found or day not in WEEKDAYS:
            raise forms.ValidationError(
                _('Line %(n)d: write a day and times, like "Mon 18:00-20:00".') % {"n": number}
            )
        try:
            start, end = (
                time.fromisoformat(found.group(2).zfill(5)),
                time.fromisoformat(found.group(3).zfill(5)),
            )
        except ValueError as error:
            raise forms.ValidationError(
                _("Line %(n)d: that isn't a time of day.") % {"n": number}
            ) from error
        if end <= start:
            raise forms.ValidationError(
                _("Line %(n)d: the end comes before the start.") % {"n": number}
            )
        slots.append(
            {
                "weekday": WEEKDAYS.index(day),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
            }
        )
    return slots


class AskForm(forms.Form):
    in_their_words = forms.CharField(
        label=_("What would you like support with?"),
        help_text=_("In your own words. Only the supporter you choose and coordinators read it."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
    )
    areas = forms.MultipleChoiceField(
        label=_("Someone with lived experience of (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language (optional)"), required=False)
    gender = forms.CharField(
        label=_("Gender of supporter (optional)"),
        help_text=_('Only if it matters to you, in your own words, for example "a woman".'),
        required=False,
        max_length=60,
    )
    times = forms.MultipleChoiceField(
        label=_("Times that suit you (optional)"),
        choices=TIME_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = _area_choices()  # type: ignore[attr-defined]
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("No preference")),
            *_language_choices(),
        ]

    def preferences(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "areas": data["areas"],
            "language": data["language"],
            "gender": data["gender"],
            "times": data["times"],
        }


class ProfileForm(forms.Form):
    lived_experience_areas = forms.MultipleChoiceField(
        label=_("Lived experience you are willing to share"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can support in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gender = forms.CharField(
        label=_("Gender (optional)"),
        help_text=_("Only used when a member asks for a supporter of a particular gender."),
        required=False,
        max_length=60,
    )
    availability = forms.CharField(
        label=_("Weekly availability"),
        help_text=_('One line each, like "Mon 18:00-20:00", in your time zone.'),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    time_zone = forms.CharField(label=_("Time zone"), max_length=64)
    caseload_cap = forms.IntegerField(
        label=_("Most people you can support at once"), min_value=1, max_value=30
    )
    on_duty = forms.BooleanField(label=_("On duty now"), required=False)
    accepting_requests = forms.BooleanField(label=_("Taking new people"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lived_experience_areas"].choices = _area_choices()  # type: ignore[attr-defined]
        self.fields["languages"].choices = _language_choices()  # type: ignore[attr-defined]

    def clean_availability(self) -> list[dict[str, Any]]:
        return parse_availability(self.cleaned_data["availability"])

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"].strip()
        if zone not in available_timezones():
            raise forms.ValidationError(_('Use a time zone name like "Europe/London".'))
        return zone


class AcceptForm(forms.Form):
    focus = forms.CharField(
        label=_("What you have agreed to focus on"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    weeks = forms.IntegerField(
        label=_("Expected length in weeks"), min_value=1, max_value=MAX_WEEKS, required=False
    )


class TrainingForm(forms.Form):
    module = forms.CharField(label=_("Module"), max_length=120)
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("Expires on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ProbationReview.Decision.choices, widget=forms.RadioSelect
    )
    relationship = forms.TypedChoiceField(
        label=_("Conversation reviewed (optional)"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(
        label=_("Note for the supporter's record"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, relationships: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relationship"].choices = [  # type: ignore[attr-defined]
            ("", _("Not about one conversation")),
            *relationships,
        ]
