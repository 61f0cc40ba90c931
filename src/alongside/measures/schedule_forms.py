"""The coordinator's schedule form: it shapes and labels the input; the services decide.

The services check everything again (the JSON API or a script may reach them without this
form), so the limits here only give browsers early messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.communities.models import Group
from alongside.evaluation.models import Programme
from alongside.measures import schedules
from alongside.measures.models import MeasureSchedule

EVERY_WEEKS_LABELS = {
    0: _("Not repeated"),
    2: _("Every 2 weeks"),
    4: _("Every 4 weeks"),
}


def measure_choices() -> list[tuple[str, str]]:
    """Every available measure by its name (with its short name), in the engine's order."""
    from alongside.measures.engine import available_measures

    return [
        (
            definition.key,
            definition.name
            if definition.short_name in definition.name
            else f"{definition.name} ({definition.short_name})",
        )
        for definition in available_measures()
    ]


class ScheduleForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=schedules.NAME_MAX,
        help_text=_("Members see this beside each questionnaire, e.g. “Wellbeing check-in”."),
        error_messages={"required": _("Please give the schedule a name.")},
    )
    measures = forms.MultipleChoiceField(
        label=_("Questionnaires"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Asked in the order listed. Where no responder is set up, the PHQ-9 is asked as the "
            "PHQ-8 (without the question about self-harm)."
        ),
        error_messages={"required": _("Choose at least one questionnaire.")},
    )
    group = forms.ModelChoiceField(
        label=_("Who is asked"),
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label=_("Everyone on the site (counted from when they joined the site)"),
        help_text=_("A group's members are counted from when they joined the group."),
    )
    programme = forms.ModelChoiceField(
        label=_("Or a programme's participants"),
        queryset=Programme.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("No programme"),
        help_text=_(
            "Counted from each participant's enrolment (or randomisation in a study), and asked "
            "of every arm, a waiting list included. Leave “Who is asked” as everyone."
        ),
    )
    at_joining = forms.BooleanField(
        label=_("Ask at joining (a baseline)"), required=False, initial=True
    )
    every_weeks = forms.TypedChoiceField(
        label=_("Repeat"),
        choices=list(EVERY_WEEKS_LABELS.items()),
        coerce=int,
        initial=0,
    )
    end_weeks = forms.IntegerField(
        label=_("End (week)"),
        required=False,
        min_value=1,
        max_value=schedules.END_WEEKS_MAX,
        help_text=_(
            "Asked once more at this week, and no repeats after it. Leave empty to keep repeating."
        ),
    )
    follow_up_weeks = forms.IntegerField(
        label=_("Follow-up (weeks after the end)"),
        required=False,
        min_value=1,
        max_value=schedules.FOLLOW_UP_WEEKS_MAX,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        measures_field = self.fields["measures"]
        assert isinstance(measures_field, forms.MultipleChoiceField)  # noqa: S101
        measures_field.choices = measure_choices()

    @classmethod
    def for_schedule(cls, schedule: MeasureSchedule) -> ScheduleForm:
        """An unbound form showing a schedule's current settings."""
        return cls(
            initial={
                "name": schedule.name,
                "measures": list(schedule.measures),
                "group": schedule.group_id,
                "programme": schedule.programme_id,
                "at_joining": schedule.at_joining,
                "every_weeks": schedule.every_weeks,
                "end_weeks": schedule.end_weeks,
                "follow_up_weeks": schedule.follow_up_weeks,
            }
        )

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned values, named as ``schedule_create`` and ``schedule_update`` take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "measures": list(data["measures"]),
            "group": data["group"],
            "programme": data["programme"],
            "at_joining": bool(data["at_joining"]),
            "every_weeks": int(data["every_weeks"]),
            "end_weeks": data["end_weeks"],
            "follow_up_weeks": data["follow_up_weeks"],
        }
