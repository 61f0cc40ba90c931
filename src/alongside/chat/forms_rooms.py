"""Forms for group rooms and the facilitator's tools.

They shape and label the input; ``services`` decides what is allowed and says why not, so a
refusal from a service lands on the same form with what was typed kept.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import User
from alongside.chat.models import Conversation
from alongside.communities.models import Group, Membership

DEFAULT_TIMEZONE = "Europe/London"
# The zones most Alongside communities meet in; anything else can be added here.
COMMON_TIMEZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "America/St_Johns",
    "America/Halifax",
    "America/Toronto",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)
SLOW_MODE_CHOICES = (
    (0, _("Off")),
    (10, _("10 seconds")),
    (30, _("30 seconds")),
    (60, _("1 minute")),
    (120, _("2 minutes")),
)
KIND_CHOICES = (
    (Conversation.Kind.ROOM, _("An always-open room: members can talk here at any time")),
    (
        Conversation.Kind.SESSION,
        _("A weekly facilitated session: open at a set time each week, with a facilitator"),
    ),
)


def facilitator_candidates(group: Group) -> QuerySet[User]:
    """The group's active members: a facilitator must be able to read and write in the room,
    so a peer supporter from elsewhere joins the group first."""
    return User.objects.filter(
        is_active=True,
        memberships__group=group,
        memberships__status=Membership.Status.ACTIVE,
    ).order_by("handle")


class FacilitatorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return cast(User, obj).handle


class RoomForm(forms.Form):
    title = forms.CharField(
        label=_("Name"),
        max_length=120,
        error_messages={"required": _("Please give the room a name.")},
        help_text=_("For example “Tuesday evening drop-in” or “Good news corner”."),
    )
    kind = forms.ChoiceField(
        label=_("What kind of room"),
        choices=KIND_CHOICES,
        initial=Conversation.Kind.ROOM,
        widget=forms.RadioSelect,
    )
    facilitator = FacilitatorField(
        label=_("Facilitator"),
        queryset=User.objects.none(),
        to_field_name="handle",
        required=False,
        empty_label=_("Nobody named (the group's moderators look after it)"),
        help_text=_(
            "Needed for a session. Anyone in the group can facilitate; a peer supporter from "
            "outside the group joins it first."
        ),
    )
    ground_rules = forms.CharField(
        label=_("Ground rules"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Shown at the top of the room for everyone. The facilitator can change them later."
        ),
    )
    schedule_weekday = forms.TypedChoiceField(
        label=_("Day of the week"),
        choices=[("", _("Choose a day")), *WEEKDAYS.items()],
        coerce=int,
        empty_value=None,
        required=False,
    )
    schedule_start = forms.TimeField(
        label=_("Starts at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    schedule_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        required=False,
        initial=60,
        help_text=_("Between 15 and 240."),
    )
    schedule_timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(zone, zone.replace("_", " ")) for zone in COMMON_TIMEZONES],
        initial=DEFAULT_TIMEZONE,
        required=False,
        help_text=_("The session opens at this time in this zone, summer time included."),
    )

    SESSION_FIELDS = ("schedule_weekday", "schedule_start", "schedule_minutes", "schedule_timezone")

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(FacilitatorField, self.fields["facilitator"])
        field.queryset = facilitator_candidates(group)

    def general_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.SESSION_FIELDS]

    def session_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.SESSION_FIELDS]

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned input as ``services.room_create`` takes it; a room has no schedule."""
        data = self.cleaned_data
        if data["kind"] != Conversation.Kind.SESSION:
            return {
                "title": data["title"],
                "kind": data["kind"],
                "facilitator": data["facilitator"],
                "ground_rules": data["ground_rules"],
            }
        minutes = data["schedule_minutes"]
        return {
            "title": data["title"],
            "kind": data["kind"],
            "facilitator": data["facilitator"],
            "ground_rules": data["ground_rules"],
            "schedule_weekday": data["schedule_weekday"],
            "schedule_start": data["schedule_start"],
            "schedule_minutes": minutes if minutes is not None else 0,
            "schedule_timezone": data["schedule_timezone"] or DEFAULT_TIMEZONE,
        }


class RulesForm(forms.Form):
    ground_rules = forms.CharField(
        label=_("Ground rules"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SlowModeForm(forms.Form):
    seconds = forms.TypedChoiceField(
        label=_("Slow mode"), choices=SLOW_MODE_CHOICES, coerce=int, initial=0
    )


class MuteForm(forms.Form):
    handle = forms.CharField(
        label=_("Participant"),
        max_length=30,
        error_messages={"required": _("Please choose whose messages to pause.")},
    )
