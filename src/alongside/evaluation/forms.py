"""Forms for programme and study pages: they shape and label input; the services decide.

The services check everything again (a script may reach them without these forms), so the
limits here only give browsers early, in-place messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from alongside.communities.models import Group
from alongside.evaluation import allocation
from alongside.evaluation.models import (
    Cohort,
    Programme,
    Study,
    StudyConsent,
    StudyConsentDocument,
)
from alongside.evaluation.programmes import ProgrammeSettings
from alongside.evaluation.studies import ArmSpec, StudySettings


def _measure_choices() -> list[tuple[str, str]]:
    from alongside.measures.schedule_forms import measure_choices

    return measure_choices()


class DateInput(forms.DateInput):
    input_type = "date"


class CohortChoiceField(forms.ModelChoiceField):
    """Cohorts by name, site and start, as a member would choose between them."""

    def label_from_instance(self, obj: Any) -> str:
        cohort: Cohort = obj
        starts = date_format(cohort.starts_on)
        if cohort.site:
            return str(
                _("%(name)s (%(site)s, from %(starts)s)")
                % {"name": cohort.name, "site": cohort.site, "starts": starts}
            )
        return str(_("%(name)s (from %(starts)s)") % {"name": cohort.name, "starts": starts})


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What members get, in plain words. Members see this."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Programme.Format.choices)
    support_source = forms.ChoiceField(
        label=_("Who gives the support"), choices=Programme.SupportSource.choices
    )
    intended_sessions_per_week = forms.FloatField(
        label=_("Intended sessions per week"), min_value=0.1, max_value=50, initial=1
    )
    duration_weeks = forms.IntegerField(
        label=_("Duration (weeks)"), min_value=1, max_value=260, initial=8
    )
    enrolment_opens = forms.DateField(label=_("Enrolment opens"), required=False, widget=DateInput)
    enrolment_closes = forms.DateField(
        label=_("Enrolment closes"), required=False, widget=DateInput
    )
    group = forms.ModelChoiceField(
        label=_("Runs in the group"),
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label=_("No particular group"),
    )
    active = forms.BooleanField(label=_("Shown to members"), required=False, initial=True)

    @classmethod
    def for_programme(cls, programme: Programme) -> ProgrammeForm:
        return cls(
            initial={
                "name": programme.name,
                "description": programme.description,
                "format": programme.format,
                "support_source": programme.support_source,
                "intended_sessions_per_week": programme.intended_sessions_per_week,
                "duration_weeks": programme.duration_weeks,
                "enrolment_opens": programme.enrolment_opens,
                "enrolment_closes": programme.enrolment_closes,
                "group": programme.group_id,
                "active": programme.active,
            }
        )

    def settings(self) -> ProgrammeSettings:
        data = self.cleaned_data
        return ProgrammeSettings(
            name=data["name"],
            description=data["description"],
            format=data["format"],
            support_source=data["support_source"],
            intended_sessions_per_week=float(data["intended_sessions_per_week"]),
            duration_weeks=int(data["duration_weeks"]),
            enrolment_opens=data["enrolment_opens"],
            enrolment_closes=data["enrolment_closes"],
            group_id=data["group"].pk if data["group"] is not None else None,
            active=bool(data["active"]),
        )


class CohortForm(forms.Form):
    name = forms.CharField(label=_("Cohort name"), max_length=120)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)
    site = forms.CharField(
        label=_("Site"),
        max_length=60,
        required=False,
        help_text=_("A short label such as “North”, used to pool and compare sites."),
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, required=False)


def _int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise forms.ValidationError(
            _("Write whole numbers separated by commas, e.g. 2, 4, 6.")
        ) from None
    if not values:
        raise forms.ValidationError(_("Give at least one block size."))
    return values


class StudyForm(forms.Form):
    """Two arms: the one that starts now and the comparison (usually a waiting list)."""

    title = forms.CharField(label=_("Title"), max_length=160)
    summary = forms.CharField(
        label=_("Information sheet"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What members read before deciding: why the study is done, what taking part "
            "means, that half may wait, and that they can stop at any time."
        ),
    )
    arm1_name = forms.CharField(label=_("First arm"), initial=_("Access now"), max_length=80)
    arm1_ratio = forms.IntegerField(label=_("First arm's share"), min_value=1, initial=1)
    arm1_description = forms.CharField(
        label=_("What the first arm gets"), required=False, max_length=500
    )
    arm2_name = forms.CharField(label=_("Second arm"), initial=_("Waitlist"), max_length=80)
    arm2_ratio = forms.IntegerField(label=_("Second arm's share"), min_value=1, initial=1)
    arm2_description = forms.CharField(
        label=_("What the second arm gets"), required=False, max_length=500
    )
    arm2_delay_weeks = forms.IntegerField(
        label=_("Second arm waits (weeks)"),
        min_value=0,
        max_value=104,
        initial=8,
        help_text=_("The second arm is the comparison (control); 0 means it starts now too."),
    )
    stratification_factors = forms.MultipleChoiceField(
        label=_("Stratify by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(allocation.FACTORS.items()),
    )
    block_sizes = forms.CharField(
        label=_("Block sizes"),
        initial="2, 4, 6",
        help_text=_("Each a multiple of the shares added together; one is drawn for each block."),
    )
    outcome_measures = forms.MultipleChoiceField(
        label=_("Outcome questionnaires"), widget=forms.CheckboxSelectMultiple
    )
    primary_outcome = forms.ChoiceField(label=_("Primary outcome"))
    follow_up_weeks = forms.IntegerField(
        label=_("Follow-up (weeks after randomisation)"), min_value=1, max_value=104, initial=8
    )
    recruitment_target = forms.IntegerField(
        label=_("Recruitment target"), min_value=2, required=False
    )
    allow_joining_outside_study = forms.BooleanField(
        label=_("Members who decline may still join the programme"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _measure_choices()
        outcomes = self.fields["outcome_measures"]
        primary = self.fields["primary_outcome"]
        assert isinstance(outcomes, forms.MultipleChoiceField)  # noqa: S101
        assert isinstance(primary, forms.ChoiceField)  # noqa: S101
        outcomes.choices = choices
        primary.choices = choices

    def clean_block_sizes(self) -> tuple[int, ...]:
        return _int_list(self.cleaned_data["block_sizes"])

    @classmethod
    def for_study(cls, study: Study) -> StudyForm:
        arms = list(study.arms.all())
        initial: dict[str, Any] = {
            "title": study.title,
            "summary": study.summary,
            "stratification_factors": list(study.stratification_factors),
            "block_sizes": ", ".join(str(size) for size in study.block_sizes),
            "outcome_measures": list(study.outcome_measures),
            "primary_outcome": study.primary_outcome,
            "follow_up_weeks": study.follow_up_weeks,
            "recruitment_target": study.recruitment_target,
            "allow_joining_outside_study": study.allow_joining_outside_study,
        }
        for index, arm in enumerate(arms[:2], start=1):
            initial[f"arm{index}_name"] = arm.name
            initial[f"arm{index}_ratio"] = arm.ratio
            initial[f"arm{index}_description"] = arm.description
        if len(arms) > 1:
            initial["arm2_delay_weeks"] = arms[1].access_delay_weeks
        return cls(initial=initial)

    def settings(self) -> StudySettings:
        data = self.cleaned_data
        return StudySettings(
            title=data["title"],
            summary=data["summary"],
            arms=(
                ArmSpec(
                    name=data["arm1_name"],
                    ratio=data["arm1_ratio"],
                    description=data["arm1_description"],
                ),
                ArmSpec(
                    name=data["arm2_name"],
                    ratio=data["arm2_ratio"],
                    description=data["arm2_description"],
                    is_control=True,
                    access_delay_weeks=data["arm2_delay_weeks"],
                ),
            ),
            outcome_measures=tuple(data["outcome_measures"]),
            primary_outcome=data["primary_outcome"],
            block_sizes=data["block_sizes"],
            stratification_factors=tuple(data["stratification_factors"]),
            follow_up_weeks=data["follow_up_weeks"],
            recruitment_target=data["recruitment_target"],
            allow_joining_outside_study=bool(data["allow_joining_outside_study"]),
        )


class ConsentPublishForm(forms.Form):
    version = forms.CharField(label=_("Version"), max_length=20)
    body = forms.CharField(
        label=_("Consent form"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain words; each paragraph is one thing the member agrees to."),
    )
    checks = forms.CharField(
        label=_("Questions to check understanding (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: the question, a bar, then yes or no, e.g. “Can I stop? | yes”."),
    )

    def clean_checks(self) -> list[dict[str, Any]]:
        checks = []
        for number, line in enumerate(self.cleaned_data["checks"].splitlines(), start=1):
            if not line.strip():
                continue
            question, bar, answer = line.rpartition("|")
            if not bar or answer.strip().lower() not in {"yes", "no"}:
                raise forms.ValidationError(
                    _("Line %(n)d: write the question, a bar, then yes or no.") % {"n": number}
                )
            checks.append(
                {
                    "key": f"q{number}",
                    "question": question.strip(),
                    "answer": answer.strip().lower() == "yes",
                }
            )
        return checks


class StudyConsentForm(forms.Form):
    """The member's consent: a cohort to join and any comprehension questions."""

    cohort = CohortChoiceField(
        label=_("Which group would you join?"),
        queryset=Cohort.objects.none(),
        empty_label=None,
    )
    agree = forms.BooleanField(
        label=_("I have read the information and I agree to take part in this study."),
        error_messages={"required": _("Tick the box to agree, or choose not to take part.")},
    )

    def __init__(
        self,
        *args: Any,
        cohorts: list[Cohort],
        document: StudyConsentDocument,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cohort_field = self.fields["cohort"]
        assert isinstance(cohort_field, forms.ModelChoiceField)  # noqa: S101
        cohort_field.queryset = Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
        if not cohorts:
            del self.fields["cohort"]
        self.checks = list(document.comprehension_checks)
        for check in self.checks:
            self.fields[f"check_{check['key']}"] = forms.TypedChoiceField(
                label=check["question"],
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                coerce=lambda value: value == "yes",
            )

    def answers(self) -> dict[str, bool]:
        return {check["key"]: self.cleaned_data[f"check_{check['key']}"] for check in self.checks}


class WithdrawForm(forms.Form):
    data_choice = forms.ChoiceField(
        label=_("What happens to the answers you have already given?"),
        choices=StudyConsent.DataChoice.choices,
        initial=StudyConsent.DataChoice.KEEP,
        widget=forms.RadioSelect,
    )
    leave_programme = forms.BooleanField(
        label=_("Leave the programme as well"), required=False, initial=True
    )


class JoinForm(forms.Form):
    cohort = CohortChoiceField(
        label=_("Which group would you join?"), queryset=Cohort.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, cohorts: list[Cohort], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cohort"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
        if not cohorts:
            del self.fields["cohort"]
