"""Forms for booking, moving and cancelling sessions, and for session notes.

They shape and label the input and turn a day, a clock time and a time zone into one aware
moment; the services decide whether that moment may be booked.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alongside.support import session_selectors as selectors
from alongside.support import session_services as services
from alongside.support.session_models import SupportSession


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in selectors.known_zones() if "/" in name or name == "UTC")
    return [(name, name.replace("_", " ")) for name in names]


class _WhenForm(forms.Form):
    """A day and clock time in a chosen zone; ``starts_at`` is the aware UTC moment."""

    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Please choose a day.")},
    )
    at = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Please choose a time.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        help_text=_("Times are shown to you in this zone; the other person sees their own."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = zone_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at, zone = data.get("day"), data.get("at"), data.get("time_zone")
        if day is not None and at is not None and zone:
            try:
                data["starts_at"] = services.combine_local(day, at, zone)
            except ValidationError as error:
                self.add_error("at", error)
        return data

    @property
    def starts_at(self) -> datetime:
        value: datetime = self.cleaned_data["starts_at"]
        return value


class BookingForm(_WhenForm):
    duration_minutes = forms.TypedChoiceField(
        label=_("Length"),
        coerce=int,
        choices=[(m, _("%(minutes)d minutes") % {"minutes": m}) for m in services.DURATIONS],
        initial=50,
    )
    mode = forms.ChoiceField(
        label=_("How you will meet"),
        choices=SupportSession.Mode.choices,
        initial=SupportSession.Mode.CHAT,
    )


class RescheduleForm(_WhenForm):
    reason = forms.CharField(
        label=_("Why it needs to move"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The other person sees this."),
        error_messages={"required": _("Please say why, in a few words.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you are cancelling"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The other person sees this."),
        error_messages={"required": _("Please say why, in a few words.")},
    )


class MarkForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (SupportSession.Status.COMPLETED, _("It happened")),
            (SupportSession.Status.MISSED, _("It did not happen")),
        ]
    )


def _area(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class NoteForm(forms.Form):
    talked_about = _area(_("What we talked about"))
    what_helped = _area(_("What helped"))
    next_steps = _area(_("Agreed next steps"))
    risk_noticed = _area(
        _("Any risk noticed"), _("Leave empty if you noticed none. Writing here flags the note.")
    )
    risk_action = _area(_("What was done about it"))
    risk_flag = forms.BooleanField(
        label=_("I noticed a risk (your supervisor will be told)"), required=False
    )

    def service_arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
