"""Pages for planned endings, feedback and supporters' tools, under ``/support/endings/``.

Thin: the selectors are the door (a 404 for anyone else), the services decide.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.access import is_peer_supporter
from alongside.accounts.models import User
from alongside.core.form_errors import keep_service_errors
from alongside.support import ending_selectors as selectors
from alongside.support import ending_services as services
from alongside.support.ending_models import SupporterTask
from alongside.support.models import SupportRelationship

RATINGS = [
    ("5", gettext_lazy("5: it helped a lot")),
    ("4", gettext_lazy("4: it helped")),
    ("3", gettext_lazy("3: somewhat")),
    ("2", gettext_lazy("2: not much")),
    ("1", gettext_lazy("1: not at all")),
]


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your reflection"),
        help_text=gettext_lazy(
            "What changed, what you will take with you. Optional; both of you can read it."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=services.MAX_TEXT,
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How much did this support help you?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=gettext_lazy("Anything you would like to tell us (optional)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=services.MAX_TEXT,
    )


class TaskForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("What to do"), max_length=500)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SupporterTask.Kind.choices)
    due_on = forms.DateField(
        label=gettext_lazy("Due on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    relationship = forms.TypedChoiceField(
        label=gettext_lazy("Who it is about (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
    )


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _supporter(request: HttpRequest) -> User:
    user = _user(request)
    if not is_peer_supporter(user):
        raise Http404
    return user


# --- Endings --------------------------------------------------------------------------------


def _ending_page(
    request: HttpRequest, relationship: SupportRelationship, form: ReflectionForm | None = None
) -> HttpResponse:
    user = _user(request)
    reflections = list(selectors.reflections_for(user, relationship))
    mine = next((r for r in reflections if r.by_id == user.pk), None)
    if form is None:
        form = ReflectionForm(initial={"text": mine.text if mine else ""})
    return render(
        request,
        "support/endings/ending.html",
        {
            "relationship": relationship,
            "is_member": user.pk == relationship.member_id,
            "reflections": reflections,
            "form": form,
            "feedback_given": selectors.feedback_of(relationship) is not None,
            "Status": SupportRelationship.Status,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ending(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """The ending page; a POST saves the person's reflection."""
    relationship = selectors.access_relationship_as_party(_user(request), relationship_id)
    if request.method != "POST":
        return _ending_page(request, relationship)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_write(
                actor=_user(request), relationship=relationship, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("Your reflection is saved."))
            return redirect("support_endings:ending", relationship.pk)
    return _ending_page(request, relationship, form)


@login_required
@require_POST
def propose(request: HttpRequest, relationship_id: int) -> HttpResponse:
    relationship = selectors.access_relationship_as_party(_user(request), relationship_id)
    try:
        services.ending_propose(actor=_user(request), relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("support_endings:ending", relationship.pk)


@login_required
@require_POST
def end(request: HttpRequest, relationship_id: int) -> HttpResponse:
    relationship = selectors.access_relationship_as_party(_user(request), relationship_id)
    try:
        services.relationship_end(actor=_user(request), relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your support has ended. Thank you."))
    return redirect("support_endings:ending", relationship.pk)


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """The member's feedback form, after the ending."""
    user = _user(request)
    relationship = selectors.access_relationship_as_party(user, relationship_id)
    if user.pk != relationship.member_id:
        raise Http404
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give(
                member=user,
                relationship=relationship,
                rating=form.cleaned_data["rating"],
                comments=form.cleaned_data["comments"],
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("support_endings:ending", relationship.pk)
    return render(
        request,
        "support/endings/feedback.html",
        {
            "relationship": relationship,
            "form": form,
            "given": selectors.feedback_of(relationship) is not None,
            "ended": relationship.status == SupportRelationship.Status.ENDED,
        },
    )


@login_required
@require_GET
def organisation_feedback(request: HttpRequest) -> HttpResponse:
    overview = selectors.feedback_for_organisation(_user(request))
    return render(request, "support/endings/organisation_feedback.html", {"overview": overview})


@login_required
@require_GET
def my_feedback(request: HttpRequest) -> HttpResponse:
    supporter = _supporter(request)
    return render(
        request,
        "support/endings/my_feedback.html",
        {
            "summary": selectors.feedback_summary_for_supporter(supporter),
            "minimum": selectors.MIN_FEEDBACK_FOR_SUMMARY,
        },
    )


# --- Supporter tools ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tasks(request: HttpRequest) -> HttpResponse:
    supporter = _supporter(request)
    relationships = {r.pk: r for r in selectors.own_relationships(supporter)}
    form = TaskForm(request.POST or None)
    cast(forms.TypedChoiceField, form.fields["relationship"]).choices = [("", "—")] + [
        (pk, r.member.handle) for pk, r in relationships.items()
    ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        due_at = None
        if data["due_on"]:
            zone = ZoneInfo(selectors.zone_of_supporter(supporter))
            due_at = datetime.combine(data["due_on"], time(9, 0), tzinfo=zone)
        try:
            services.task_add(
                supporter=supporter,
                text=data["text"],
                kind=data["kind"],
                due_at=due_at,
                relationship=relationships.get(data["relationship"] or 0),
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("Task added."))
            return redirect("support_endings:tasks")
    return render(
        request,
        "support/endings/tasks.html",
        {
            "form": form,
            "write_ups": selectors.sessions_to_write_up(supporter),
            "open_tasks": selectors.open_tasks(supporter),
            "done_tasks": selectors.recently_done_tasks(supporter),
            "zone": selectors.zone_of_supporter(supporter),
        },
    )


@login_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    supporter = _supporter(request)
    task = selectors.access_task(supporter, task_id)
    services.task_done(supporter=supporter, task=task)
    return redirect("support_endings:tasks")


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    supporter = _supporter(request)
    zone, weeks = selectors.calendar_weeks(supporter)
    return render(request, "support/endings/calendar.html", {"zone": zone, "weeks": weeks})


urlpatterns = [
    path("tasks/", tasks, name="tasks"),
    path("tasks/<int:task_id>/done/", task_done, name="task_done"),
    path("calendar/", calendar, name="calendar"),
    path("feedback/", organisation_feedback, name="organisation_feedback"),
    path("feedback/mine/", my_feedback, name="my_feedback"),
    path("<int:relationship_id>/", ending, name="ending"),
    path("<int:relationship_id>/propose/", propose, name="propose"),
    path("<int:relationship_id>/end/", end, name="end"),
    path("<int:relationship_id>/feedback/", feedback, name="feedback"),
]
