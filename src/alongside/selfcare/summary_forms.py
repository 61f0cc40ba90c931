"""Forms of the progress pages: what goes in a summary, and sharing with a supporter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.selfcare.summary import SummaryChoices

# The form accepts a little more than the page prints, so a long note is trimmed visibly
# ("(more in Alongside)") rather than refused.
QUESTIONS_FIELD_MAX = 4000


class SummaryForm(forms.Form):
    """What to put in the summary; the measure checkboxes are the member's own measures."""

    measures = forms.MultipleChoiceField(
        label=_("Recent scores"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    goals = forms.BooleanField(label=_("My goals and how they are going"), required=False)
    helps = forms.BooleanField(label=_("What helps me"), required=False)
    safety_plan = forms.BooleanField(
        label=_("My safety plan"),
        required=False,
        help_text=_("Only if you want it in; it is left out unless you tick this."),
    )
    questions = forms.CharField(
        label=_("Questions for my clinician"),
        required=False,
        max_length=QUESTIONS_FIELD_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("About 1,200 characters fit on the page; more is cut short."),
    )

    def __init__(self, *args: Any, measure_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["measures"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = measure_choices
        if not self.is_bound:
            self.initial.setdefault("measures", [key for key, _name in measure_choices])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = (
            cleaned.get("measures")
            or cleaned.get("goals")
            or cleaned.get("helps")
            or cleaned.get("safety_plan")
            or (cleaned.get("questions") or "").strip()
        )
        if not chosen and not self.errors:
            raise forms.ValidationError(
                _("Choose at least one thing to include, or write a question."), code="empty"
            )
        return cleaned

    def choices(self) -> SummaryChoices:
        data = self.cleaned_data
        return SummaryChoices(
            measures=tuple(data.get("measures") or ()),
            goals=bool(data.get("goals")),
            helps=bool(data.get("helps")),
            safety_plan=bool(data.get("safety_plan")),
            questions=data.get("questions") or "",
        )


class ShareForm(forms.Form):
    """Share with a peer supporter, by handle."""

    handle = forms.CharField(label=_("Peer supporter's handle"), max_length=30)
