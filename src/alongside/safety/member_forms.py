"""Forms for members' reports and protections: they shape and label the input; the services
in ``services.reports`` and ``services.protection`` decide what is allowed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alongside.safety.models import Report
from alongside.safety.services import protection, reports

CUSTOM_DATE = "date"


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What's wrong?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what's wrong.")},
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        help_text=_(
            "Only moderators read this. The member you report is never told who reported them."
        ),
        max_length=reports.NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ProtectionForm(forms.Form):
    muted_words = forms.CharField(
        label=_("Muted words and phrases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    hide_content_warned = forms.BooleanField(
        label=_("Fold posts with a content warning away completely"),
        help_text=_(
            "You'll see only a line saying that there is a post with a content warning, and "
            "what it is about. Nothing opens until you choose to."
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["muted_words"].help_text = gettext(
            "One per line, up to %(count)d. Posts that contain one are folded away for you, "
            "with a line saying why; you can still open them. Whole words only, and capitals "
            "don't matter."
        ) % {"count": protection.MUTED_WORDS_MAX}

    def words(self) -> list[str]:
        return self.cleaned_data["muted_words"].splitlines()


def _length_choices() -> list[tuple[str, Any]]:
    return [
        *((key, label) for key, (_length, label) in protection.BREAK_LENGTHS.items()),
        (CUSTOM_DATE, _("Until a date I choose")),
    ]


class BreakForm(forms.Form):
    length = forms.ChoiceField(
        label=_("How long would you like your break to be?"),
        choices=_length_choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how long you'd like your break to be.")},
    )
    until = forms.DateField(
        label=_("Until"),
        help_text=_("You can post again from the start of this day."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("length") == CUSTOM_DATE and not data.get("until"):
            self.add_error("until", _("Please choose the day your break ends."))
        return data

    def chosen(self) -> tuple[str | None, date | None]:
        """(length, until) in the shape ``protection.break_end_for`` takes."""
        length = self.cleaned_data["length"]
        if length == CUSTOM_DATE:
            return None, self.cleaned_data["until"]
        return length, None
