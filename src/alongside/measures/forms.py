"""Forms built from a measure's definition: one radio group per item, labelled as printed.

The form only shapes the input and keeps every answer on a re-rendered page; the engine (via
``services.response_submit``) scores and checks it again, as the API reaches it without this.
Blanks are allowed up to the number the measure's manual allows and no further, so a member
is never left with a questionnaire that cannot be scored without being told why first.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from alongside.measures import safety_pathway
from alongside.measures.engine import MeasureDefinition


def item_field_name(number: int) -> str:
    return f"item_{number}"


class MeasureForm(forms.Form):
    invitation = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, definition: MeasureDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for item in definition.items:
            self.fields[item_field_name(item.number)] = forms.TypedChoiceField(
                label=item.text,
                choices=[(str(option.value), option.label) for option in item.options],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    @property
    def max_missing(self) -> int:
        return self.definition.missing.max_missing

    def item_fields(self) -> list[tuple[int, forms.BoundField]]:
        """(number, bound field) for each item, in order, for the template."""
        return [(item.number, self[item_field_name(item.number)]) for item in self.definition.items]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        blanks = [
            item.number
            for item in self.definition.items
            if cleaned.get(item_field_name(item.number)) is None
        ]
        if len(blanks) > self.max_missing:
            if self.max_missing == 0:
                message = _(
                    "Please answer every question: this questionnaire can only be scored when "
                    "all of them are answered."
                )
            else:
                message = ngettext(
                    "You can leave at most %(allowed)d question blank.",
                    "You can leave at most %(allowed)d questions blank.",
                    self.max_missing,
                ) % {"allowed": self.max_missing}
            numbers = ", ".join(str(number) for number in blanks)
            raise forms.ValidationError(
                message + " " + _("Not yet answered: %(numbers)s.") % {"numbers": numbers}
            )
        return cleaned

    def answers(self) -> list[int | None]:
        """The answers in item order, None for blanks; call after ``is_valid``."""
        return [
            self.cleaned_data.get(item_field_name(item.number)) for item in self.definition.items
        ]


class FollowUpForm(forms.Form):
    """The safety follow-up questions, as radio groups."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in safety_pathway.FOLLOW_UP_QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text,
                choices=list(question.options),
                widget=forms.RadioSelect,
                error_messages={"required": gettext_lazy("Please choose one of the answers.")},
            )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=list(safety_pathway.RESOLUTIONS.items()))
    note = forms.CharField(required=False, max_length=2000)
