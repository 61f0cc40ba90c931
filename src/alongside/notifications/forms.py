"""The notification preferences form: for each kind, in the app and by email."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.notifications.selectors import PreferenceEntry


@dataclass(frozen=True)
class PreferenceRow:
    """One kind's pair of checkboxes, for the template's fieldset."""

    label: str
    in_app: forms.BoundField
    email: forms.BoundField


class PreferencesForm(forms.Form):
    """Two checkboxes per kind. Email boxes are disabled when the member has no email address."""

    def __init__(
        self, *args: Any, entries: list[PreferenceEntry], has_email: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        self.has_email = has_email
        for entry in entries:
            self.fields[f"{entry.kind}_in_app"] = forms.BooleanField(
                label=_("Show in Alongside"), required=False, initial=entry.in_app
            )
            self.fields[f"{entry.kind}_email"] = forms.BooleanField(
                label=_("Also send me an email"),
                required=False,
                initial=entry.email and has_email,
                disabled=not has_email,
                widget=forms.CheckboxInput(
                    attrs={"aria-describedby": "email-help" if has_email else "no-email-help"}
                ),
            )

    def rows(self) -> list[PreferenceRow]:
        return [
            PreferenceRow(
                label=entry.label,
                in_app=self[f"{entry.kind}_in_app"],
                email=self[f"{entry.kind}_email"],
            )
            for entry in self.entries
        ]

    def preferences(self) -> dict[str, dict[str, bool]]:
        """The cleaned choices in the shape ``preferences_update`` takes."""
        result: dict[str, dict[str, bool]] = {}
        for entry in self.entries:
            choice = {"in_app": bool(self.cleaned_data[f"{entry.kind}_in_app"])}
            if self.has_email:
                choice["email"] = bool(self.cleaned_data[f"{entry.kind}_email"])
            result[entry.kind] = choice
        return result
