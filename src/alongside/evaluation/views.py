"""Pages for programmes and studies: coordinators set them up, members join and take part.

Thin views: every write is a service, every read a selector. No view, for anyone, renders an
``AllocationSlot``: the next arm of a sequence is never on a page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.core.form_errors import keep_service_errors
from alongside.evaluation import programmes as programme_services
from alongside.evaluation import selectors
from alongside.evaluation import studies as study_services
from alongside.evaluation.allocation import FACTORS
from alongside.evaluation.consort import consort_counts
from alongside.evaluation.forms import (
    CohortForm,
    ConsentPublishForm,
    JoinForm,
    ProgrammeForm,
    StudyConsentForm,
    StudyForm,
    WithdrawForm,
)
from alongside.evaluation.models import Study
from alongside.measures.models import MeasureSchedule


def _member(request: HttpRequest) -> User:
    """The signed-in member; only called behind login_required."""
    return cast(User, request.user)


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Coordinators: programmes -------------------------------------------------------------


@login_required
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    programmes = list(
        selectors.programmes_for_manager(_member(request)).prefetch_related("studies", "cohorts")
    )
    return render(request, "evaluation/manage/list.html", {"programmes": programmes})


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    selectors.require_manager(user)
    form = ProgrammeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            programme = programme_services.programme_create(actor=user, settings=form.settings())
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("The programme is set up. Add its cohorts next."))
            return redirect("evaluation:manage_programme", programme.pk)
    return render(request, "evaluation/manage/programme_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    user = _member(request)
    programme = selectors.programme_for_manager(user, programme_id)
    if request.method == "POST":
        form = ProgrammeForm(request.POST)
        if form.is_valid():
            try:
                programme_services.programme_update(
                    actor=user, programme=programme, settings=form.settings()
                )
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("The programme is saved."))
                return redirect("evaluation:manage_programme", programme.pk)
    else:
        form = ProgrammeForm.for_programme(programme)
    return render(
        request, "evaluation/manage/programme_form.html", {"form": form, "programme": programme}
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme, its cohorts (with a form to add one), its schedule and its studies."""
    user = _member(request)
    programme = selectors.programme_for_manager(user, programme_id)
    form = CohortForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            programme_services.cohort_create(actor=user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("The cohort is added."))
            return redirect("evaluation:manage_programme", programme.pk)
    cohorts = [
        (cohort, cohort.enrolments.filter(withdrawn_at__isnull=True).count())
        for cohort in programme.cohorts.order_by("starts_on", "name")
    ]
    context = {
        "programme": programme,
        "cohorts": cohorts,
        "form": form,
        "studies": list(selectors.studies_for_programme(programme)),
        "schedules": list(MeasureSchedule.objects.filter(programme=programme, active=True)),
        "enrolled": programme.enrolments.filter(withdrawn_at__isnull=True).count(),
    }
    return render(request, "evaluation/manage/programme.html", context)


# --- Coordinators: studies ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def study_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    user = _member(request)
    programme = selectors.programme_for_manager(user, programme_id)
    form = StudyForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            study = study_services.study_create(
                actor=user, programme=programme, settings=form.settings()
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("The study is set up. Publish its consent form next."))
            return redirect("evaluation:manage_study", study.pk)
    return render(
        request, "evaluation/manage/study_form.html", {"form": form, "programme": programme}
    )


@login_required
@require_http_methods(["GET", "POST"])
def study_edit(request: HttpRequest, study_id: int) -> HttpResponse:
    user = _member(request)
    study = selectors.study_for_manager(user, study_id)
    if request.method == "POST":
        form = StudyForm(request.POST)
        if form.is_valid():
            try:
                study_services.study_update(actor=user, study=study, settings=form.settings())
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("The study is saved."))
                return redirect("evaluation:manage_study", study.pk)
    else:
        form = StudyForm.for_study(study)
    return render(
        request,
        "evaluation/manage/study_form.html",
        {"form": form, "programme": study.programme, "study": study},
    )


@login_required
@require_http_methods(["GET", "POST"])
def study_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    """Design, consent form versions, open/close, and the CONSORT counts. Never the sequence."""
    user = _member(request)
    study = selectors.study_for_manager(user, study_id)
    form = ConsentPublishForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            study_services.consent_publish(
                actor=user,
                study=study,
                version=form.cleaned_data["version"],
                body=form.cleaned_data["body"],
                comprehension_checks=form.cleaned_data["checks"],
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("The consent form is published."))
            return redirect("evaluation:manage_study", study.pk)
    context = {
        "study": study,
        "arms": list(study.arms.all()),
        "documents": list(study.consent_documents.all()),
        "form": form,
        "counts": consort_counts(study),
        "factors": [FACTORS.get(key, key) for key in study.stratification_factors],
    }
    return render(request, "evaluation/manage/study.html", context)


@login_required
@require_POST
def study_open(request: HttpRequest, study_id: int) -> HttpResponse:
    user = _member(request)
    study = selectors.study_for_manager(user, study_id)
    try:
        study_services.study_open(actor=user, study=study)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The study is open: members can now read it and consent."))
    return redirect("evaluation:manage_study", study.pk)


@login_required
@require_POST
def study_close(request: HttpRequest, study_id: int) -> HttpResponse:
    user = _member(request)
    study = selectors.study_for_manager(user, study_id)
    try:
        study_services.study_close(actor=user, study=study)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Recruitment is closed. Participants carry on as before."))
    return redirect("evaluation:manage_study", study.pk)


# --- Members ------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Programmes a member can join, and the ones they are in."""
    member = _member(request)
    today = timezone.localdate()
    rows = [
        {
            "programme": programme,
            "enrolment": selectors.live_enrolment(member, programme),
            "open": programme.enrolment_open_on(today),
            "study": selectors.recruiting_study(programme),
        }
        for programme in selectors.programmes_open_to_members()
    ]
    return render(
        request,
        "evaluation/index.html",
        {"rows": rows, "can_manage": selectors.can_manage_programmes(member)},
    )


@login_required
@require_GET
def programme_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    member = _member(request)
    programme = selectors.programme_for_member(programme_id)
    study = selectors.recruiting_study(programme)
    enrolment = selectors.live_enrolment(member, programme)
    cohorts = programme_services.open_cohorts(programme)
    may_join_directly = enrolment is None and (study is None or study.allow_joining_outside_study)
    context = {
        "programme": programme,
        "study": study,
        "enrolment": enrolment,
        "open": programme.enrolment_open_on(timezone.localdate()),
        "join_form": JoinForm(cohorts=cohorts) if may_join_directly else None,
        "allocation": selectors.member_allocation(member, study) if study else None,
    }
    return render(request, "evaluation/programme.html", context)


@login_required
@require_POST
def programme_join(request: HttpRequest, programme_id: int) -> HttpResponse:
    member = _member(request)
    programme = selectors.programme_for_member(programme_id)
    form = JoinForm(request.POST, cohorts=programme_services.open_cohorts(programme))
    if form.is_valid():
        try:
            programme_services.participant_enrol(
                member=member, programme=programme, cohort=form.cleaned_data.get("cohort")
            )
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("You have joined “%(name)s”.") % {"name": programme.name})
    else:
        messages.error(request, _("Please choose a group to join."))
    return redirect("evaluation:programme", programme.pk)


@login_required
@require_POST
def programme_leave(request: HttpRequest, programme_id: int) -> HttpResponse:
    member = _member(request)
    programme = selectors.programme_for_member(programme_id)
    enrolment = selectors.live_enrolment(member, programme)
    if enrolment is not None:
        study = selectors.recruiting_study(programme)
        if study is not None and selectors.live_consent(member, study) is not None:
            return redirect("evaluation:study_withdraw", study.pk)
        programme_services.enrolment_withdraw(member=member, enrolment=enrolment)
        messages.success(request, _("You have left the programme."))
    return redirect("evaluation:programme", programme.pk)


def _measure_names(keys: list[str]) -> list[tuple[str, str]]:
    from alongside.measures.engine import UnknownMeasure, get_definition
    from alongside.measures.responder import offered_measure_key

    result = []
    for key in keys:
        asked = offered_measure_key(key)
        try:
            result.append((asked, get_definition(asked).name))
        except UnknownMeasure:
            result.append((asked, asked))
    return result


@login_required
@require_GET
def study_page(request: HttpRequest, study_id: int) -> HttpResponse:
    """The information sheet and consent form; then the next step; then the member's arm."""
    member = _member(request)
    study = selectors.study_for_member(study_id)
    document = selectors.current_consent_document(study)
    consent = selectors.live_consent(member, study)
    allocation = selectors.member_allocation(member, study)
    context: dict[str, object] = {
        "study": study,
        "programme": study.programme,
        "document": document,
        "consent": consent,
        "allocation": allocation,
    }
    if allocation is not None:
        enrolment = allocation.enrolment
        context["access_from"] = enrolment.access_from if enrolment is not None else None
        context["waiting"] = allocation.arm.access_delay_weeks > 0
        context["follow_up_on"] = allocation.allocated_at + timedelta(weeks=study.follow_up_weeks)
        return render(request, "evaluation/study_allocated.html", context)
    if consent is not None:
        missing = selectors.missing_baseline(member, study)
        context["missing"] = _measure_names(missing)
        return render(request, "evaluation/study_baseline.html", context)
    if study.status != Study.Status.RECRUITING or document is None:
        return render(request, "evaluation/study_closed.html", context)
    cohorts = programme_services.open_cohorts(study.programme)
    context["form"] = StudyConsentForm(cohorts=cohorts, document=document)
    context["arms"] = list(study.arms.all())
    return render(request, "evaluation/study_consent.html", context)


@login_required
@require_POST
def study_consent(request: HttpRequest, study_id: int) -> HttpResponse:
    member = _member(request)
    study = selectors.study_for_member(study_id)
    document = selectors.current_consent_document(study)
    if document is None or str(document.pk) != request.POST.get("document", ""):
        messages.error(request, _("The consent form has changed; please read the new version."))
        return redirect("evaluation:study", study.pk)
    cohorts = programme_services.open_cohorts(study.programme)
    form = StudyConsentForm(request.POST, cohorts=cohorts, document=document)
    if form.is_valid():
        try:
            study_services.participant_consent(
                member=member,
                study=study,
                document=document,
                cohort=form.cleaned_data.get("cohort"),
                comprehension_answers=form.answers(),
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. You are taking part in the study."))
            return redirect("evaluation:study", study.pk)
    context = {
        "study": study,
        "programme": study.programme,
        "document": document,
        "form": form,
        "arms": list(study.arms.all()),
    }
    return render(request, "evaluation/study_consent.html", context, status=400)


@login_required
@require_POST
def study_decline(request: HttpRequest, study_id: int) -> HttpResponse:
    member = _member(request)
    study = selectors.study_for_member(study_id)
    try:
        study_services.participant_decline(member=member, study=study)
    except ValidationError as error:
        _refusal(request, error)
        return redirect("evaluation:study", study.pk)
    if study.allow_joining_outside_study:
        messages.info(
            request,
            _("Thank you for letting us know. You can still join the programme outside the study."),
        )
    else:
        messages.info(request, _("Thank you for letting us know."))
    return redirect("evaluation:programme", study.programme_id)


@login_required
@require_POST
def study_randomise(request: HttpRequest, study_id: int) -> HttpResponse:
    member = _member(request)
    study = selectors.study_for_member(study_id)
    try:
        study_services.participant_randomise(actor=member, member=member, study=study)
    except ValidationError as error:
        _refusal(request, error)
    return redirect("evaluation:study", study.pk)


@login_required
@require_http_methods(["GET", "POST"])
def study_withdraw(request: HttpRequest, study_id: int) -> HttpResponse:
    member = _member(request)
    study = selectors.study_for_member(study_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            study_services.participant_withdraw(
                member=member,
                study=study,
                data_choice=form.cleaned_data["data_choice"],
                leave_programme=bool(form.cleaned_data["leave_programme"]),
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(
                request, _("You have left the study. Thank you for the time you gave it.")
            )
            return redirect("evaluation:index")
    return render(request, "evaluation/study_withdraw.html", {"study": study, "form": form})
