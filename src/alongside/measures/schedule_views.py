"""Pages for coordinators to set when measures are due, and a member's "skip this one"."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.core.form_errors import keep_service_errors
from alongside.measures import schedule_selectors as selectors
from alongside.measures import schedules as services
from alongside.measures.schedule_forms import EVERY_WEEKS_LABELS, ScheduleForm, measure_choices


def _member(request: HttpRequest) -> User:
    """The signed-in member; only called behind login_required."""
    return cast(User, request.user)


@login_required
@require_GET
def schedule_list(request: HttpRequest) -> HttpResponse:
    schedules = list(selectors.schedules_for_manager(_member(request)))
    names = dict(measure_choices())
    rows = [
        {
            "schedule": schedule,
            "measures": [names.get(key, key) for key in schedule.measures],
            "repeat": EVERY_WEEKS_LABELS.get(schedule.every_weeks, schedule.every_weeks),
        }
        for schedule in schedules
    ]
    return render(request, "measures/schedules/list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    selectors.schedules_for_manager(user)  # 403 for anyone who may not manage schedules
    form = ScheduleForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            schedule = services.schedule_create(actor=user, **form.service_arguments())
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(
                request, _("The schedule “%(name)s” is set up.") % {"name": schedule.name}
            )
            return redirect("measures:measure_schedules:list")
    return render(request, "measures/schedules/form.html", {"form": form, "schedule": None})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, schedule_id: int) -> HttpResponse:
    user = _member(request)
    schedule = selectors.access_schedule(user, schedule_id)
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                services.schedule_update(actor=user, schedule=schedule, **form.service_arguments())
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("The schedule is saved."))
                return redirect("measures:measure_schedules:list")
    else:
        form = ScheduleForm.for_schedule(schedule)
    return render(request, "measures/schedules/form.html", {"form": form, "schedule": schedule})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_deactivate(request: HttpRequest, schedule_id: int) -> HttpResponse:
    """Ask for confirmation (GET), then stop the schedule (POST)."""
    user = _member(request)
    schedule = selectors.access_schedule(user, schedule_id)
    if request.method == "POST":
        services.schedule_deactivate(actor=user, schedule=schedule)
        messages.success(
            request,
            _("The schedule “%(name)s” is stopped. Nobody will be asked for it any more.")
            % {"name": schedule.name},
        )
        return redirect("measures:measure_schedules:list")
    return render(request, "measures/schedules/deactivate.html", {"schedule": schedule})


@login_required
@require_POST
def invitation_skip(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """The member skips one questionnaire this time; no questions asked."""
    member = _member(request)
    invitation = selectors.access_own_invitation(member, invitation_id)
    try:
        services.invitation_skip(member=member, invitation=invitation)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("Skipped. It won't be asked again this time."))
    return redirect("measures:index")
