"""Pages for a member's own check-ins, goals, "what helps me" list and safety plan.

Thin on purpose: ``selectors`` fetch only the signed-in member's own objects (anything else is
a 404), ``services`` make every change, and the view picks the template, the message and where
to go next. Every form works without JavaScript; a form with a problem comes back with what
the member typed still in it.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.core.form_errors import keep_service_errors
from alongside.safety import support
from alongside.selfcare import selectors, services
from alongside.selfcare.forms import (
    CheckInForm,
    GoalForm,
    GoalRatingForm,
    GoalStatusForm,
    HelpfulThingForm,
    MoveForm,
    NewGoalForm,
    QuickCheckInForm,
    SafetyPlanForm,
    StepForm,
)
from alongside.selfcare.models import CheckIn, Goal


def _member(request: HttpRequest) -> User:
    return cast(User, request.user)


def url_or_none(name: str) -> str | None:
    """A link to another app's page, or None while that page does not exist yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# --- Hub ------------------------------------------------------------------------------------


@login_required
@require_GET
def hub(request: HttpRequest) -> HttpResponse:
    """Looking after myself: today's check-in, goals, what helps, the plan, and where next."""
    member = _member(request)
    today = selectors.check_in_today(member)
    return render(
        request,
        "selfcare/hub.html",
        {
            "today": today,
            "today_mood_label": services.mood_label(today.mood) if today else "",
            "check_in_form": None if today else QuickCheckInForm(),
            "goal_rows": selectors.goal_rows(member, status=Goal.Status.ACTIVE),
            "helpful_things": selectors.helpful_things(member),
            "has_safety_plan": selectors.safety_plan_for(member) is not None,
            "measures_url": url_or_none("measures:index"),
            "progress_url": url_or_none("progress:index"),
            "summary_url": url_or_none("progress:summary"),
        },
    )


# --- Check-ins ------------------------------------------------------------------------------


def _offer_support(request: HttpRequest, outcome: services.CheckInOutcome) -> None:
    """Crisis lines on the next page when the note reads as a crisis, marked private so the
    panel says that nobody else has been told (check-ins are not screened for moderators)."""
    if not outcome.reads_as_crisis or outcome.screened is None:
        return
    notice = support.support_notice(screened=outcome.screened, held=False, user=_member(request))
    if notice is not None:
        request.session[support.SESSION_KEY] = {**notice.as_dict(), "private": True}


def _save_check_in(
    request: HttpRequest, form: CheckInForm, existing: CheckIn | None
) -> services.CheckInOutcome | None:
    """Record the form's check-in for the existing one's day (else today); the quick form has
    no tags, so it keeps any the day already has."""
    if "other_tags" in form.fields:
        tags: list[str] = form.tags()
    else:
        tags = list(existing.tags or []) if existing is not None else []
    try:
        outcome = services.check_in_record(
            member=_member(request),
            mood=form.cleaned_data["mood"],
            note=form.cleaned_data.get("note", ""),
            tags=tags,
            day=existing.day if existing is not None else None,
        )
    except ValidationError as error:
        keep_service_errors(form, error)
        return None
    _offer_support(request, outcome)
    return outcome


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    """Today's check-in; sending it again the same day changes it.

    The hub's quick form posts here too (without tags); its problems come back on this page.
    """
    member = _member(request)
    today = selectors.check_in_today(member)
    if request.method == "POST":
        quick = "other_tags" not in request.POST
        form: CheckInForm = (QuickCheckInForm if quick else CheckInForm)(request.POST)
        if form.is_valid() and _save_check_in(request, form, today):
            messages.success(request, _("Thank you. Today's check-in is saved."))
            return redirect("selfcare:hub")
    else:
        form = CheckInForm(initial=CheckInForm.initial_from(today))
    return render(
        request,
        "selfcare/check_in_form.html",
        {"form": form, "existing": today, "day": services.member_today(member), "is_today": True},
    )


@login_required
@require_GET
def check_ins(request: HttpRequest) -> HttpResponse:
    """The last sixty days, newest first."""
    member = _member(request)
    return render(
        request,
        "selfcare/check_ins.html",
        {
            "rows": [
                {
                    "check_in": each,
                    "mood_label": services.mood_label(each.mood),
                    "tags": [services.tag_label(tag) for tag in each.tags or []],
                }
                for each in selectors.check_ins_recent(member)
            ],
            "days": selectors.HISTORY_DAYS,
            "today": services.member_today(member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in_edit(request: HttpRequest, day: str) -> HttpResponse:
    member = _member(request)
    existing = selectors.access_check_in(member, selectors.parse_day(day))
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid() and _save_check_in(request, form, existing):
            messages.success(request, _("Your check-in is changed."))
            return redirect("selfcare:check_ins")
    else:
        form = CheckInForm(initial=CheckInForm.initial_from(existing))
    return render(
        request,
        "selfcare/check_in_form.html",
        {
            "form": form,
            "existing": existing,
            "day": existing.day,
            "is_today": existing.day == services.member_today(member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in_delete(request: HttpRequest, day: str) -> HttpResponse:
    member = _member(request)
    existing = selectors.access_check_in(member, selectors.parse_day(day))
    if request.method == "POST":
        services.check_in_delete(member=member, check_in=existing)
        messages.success(request, _("The check-in is deleted."))
        return redirect("selfcare:check_ins")
    return render(
        request,
        "selfcare/confirm.html",
        {
            "title": _("Delete this check-in?"),
            "question": _("The check-in for %(day)s will be gone for good.")
            % {"day": date_format(existing.day, "DATE_FORMAT")},
            "button": _("Delete it"),
            "back": reverse("selfcare:check_ins"),
        },
    )


# --- Goals ----------------------------------------------------------------------------------


@login_required
@require_GET
def goals(request: HttpRequest) -> HttpResponse:
    rows = selectors.goal_rows(_member(request))
    return render(
        request,
        "selfcare/goals.html",
        {
            "active": [row for row in rows if row.goal.status == Goal.Status.ACTIVE],
            "closed": [row for row in rows if row.goal.status != Goal.Status.ACTIVE],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest) -> HttpResponse:
    form = NewGoalForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            goal = services.goal_create(member=_member(request), **form.cleaned_data)
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("Your goal is saved. Small steps count."))
            return redirect("selfcare:goal_detail", goal_id=goal.pk)
    return render(request, "selfcare/goal_form.html", {"form": form, "goal": None})


def _render_goal(
    request: HttpRequest,
    goal: Goal,
    *,
    rating_form: GoalRatingForm | None = None,
    step_form: StepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "selfcare/goal_detail.html",
        {
            "goal": goal,
            "steps": selectors.goal_steps(_member(request), goal),
            "ratings": selectors.goal_ratings(_member(request), goal),
            "rating_form": rating_form or GoalRatingForm(),
            "step_form": step_form or StepForm(),
            "statuses": Goal.Status.choices,
        },
        status=status,
    )


@login_required
@require_GET
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    return _render_goal(request, selectors.access_goal(_member(request), goal_id))


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                services.goal_update(member=member, goal=goal, **form.cleaned_data)
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("Your goal is changed."))
                return redirect("selfcare:goal_detail", goal_id=goal.pk)
    else:
        form = GoalForm(initial={"title": goal.title or "", "why": goal.why or ""})
    return render(request, "selfcare/goal_form.html", {"form": form, "goal": goal})


@login_required
@require_POST
def goal_status(request: HttpRequest, goal_id: int) -> HttpResponse:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    form = GoalStatusForm(request.POST)
    if form.is_valid():
        services.goal_set_status(member=member, goal=goal, status=form.cleaned_data["status"])
        if goal.status == Goal.Status.ACHIEVED:
            messages.success(request, _("Well done on getting there."))
        elif goal.status == Goal.Status.SET_ASIDE:
            messages.success(request, _("The goal is set aside. You can pick it up again."))
        else:
            messages.success(request, _("You're working on this goal again."))
    return redirect("selfcare:goal_detail", goal_id=goal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, goal_id: int) -> HttpResponse:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    if request.method == "POST":
        services.goal_delete(member=member, goal=goal)
        messages.success(request, _("The goal is deleted."))
        return redirect("selfcare:goals")
    return render(
        request,
        "selfcare/confirm.html",
        {
            "title": _("Delete this goal?"),
            "question": _(
                "The goal, its steps and its ratings will be gone for good. If you might come "
                "back to it, you could set it aside instead."
            ),
            "button": _("Delete it"),
            "back": reverse("selfcare:goal_detail", kwargs={"goal_id": goal.pk}),
        },
    )


@login_required
@require_POST
def goal_rate(request: HttpRequest, goal_id: int) -> HttpResponse:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    form = GoalRatingForm(request.POST)
    if form.is_valid():
        try:
            services.goal_rate(member=member, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("Your rating is saved."))
            return redirect("selfcare:goal_detail", goal_id=goal.pk)
    return _render_goal(request, goal, rating_form=form, status=400)


@login_required
@require_POST
def goal_step_add(request: HttpRequest, goal_id: int) -> HttpResponse:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.goal_step_add(member=member, goal=goal, text=form.cleaned_data["text"])
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            return redirect(reverse("selfcare:goal_detail", kwargs={"goal_id": goal.pk}) + "#steps")
    return _render_goal(request, goal, step_form=form, status=400)


@login_required
@require_POST
def goal_step_done(request: HttpRequest, goal_id: int, step_id: int) -> HttpResponse:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    step = selectors.access_goal_step(member, goal, step_id)
    services.goal_step_set_done(member=member, step=step, done=request.POST.get("done") == "1")
    return redirect(reverse("selfcare:goal_detail", kwargs={"goal_id": goal.pk}) + "#steps")


@login_required
@require_POST
def goal_step_remove(request: HttpRequest, goal_id: int, step_id: int) -> HttpResponse:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    step = selectors.access_goal_step(member, goal, step_id)
    services.goal_step_remove(member=member, step=step)
    return redirect(reverse("selfcare:goal_detail", kwargs={"goal_id": goal.pk}) + "#steps")


@login_required
@require_POST
def goal_step_move(request: HttpRequest, goal_id: int, step_id: int) -> HttpResponse:
    member = _member(request)
    goal = selectors.access_goal(member, goal_id)
    step = selectors.access_goal_step(member, goal, step_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.goal_step_move(member=member, step=step, direction=form.cleaned_data["direction"])
    return redirect(reverse("selfcare:goal_detail", kwargs={"goal_id": goal.pk}) + "#steps")


# --- What helps me --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def helps(request: HttpRequest) -> HttpResponse:
    """The list, with a form to add to it at the bottom."""
    member = _member(request)
    form = HelpfulThingForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.helpful_thing_add(member=member, text=form.cleaned_data["text"])
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("Added to your list."))
            return redirect("selfcare:helps")
    return render(
        request,
        "selfcare/helps.html",
        {"things": selectors.helpful_things(member), "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def help_edit(request: HttpRequest, thing_id: int) -> HttpResponse:
    member = _member(request)
    thing = selectors.access_helpful_thing(member, thing_id)
    if request.method == "POST":
        form = HelpfulThingForm(request.POST)
        if form.is_valid():
            try:
                services.helpful_thing_update(
                    member=member, thing=thing, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("Your list is updated."))
                return redirect("selfcare:helps")
    else:
        form = HelpfulThingForm(initial={"text": thing.text or ""})
    return render(request, "selfcare/help_form.html", {"form": form, "thing": thing})


@login_required
@require_POST
def help_remove(request: HttpRequest, thing_id: int) -> HttpResponse:
    member = _member(request)
    thing = selectors.access_helpful_thing(member, thing_id)
    services.helpful_thing_remove(member=member, thing=thing)
    messages.success(request, _("Removed from your list."))
    return redirect("selfcare:helps")


@login_required
@require_POST
def help_move(request: HttpRequest, thing_id: int) -> HttpResponse:
    member = _member(request)
    thing = selectors.access_helpful_thing(member, thing_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.helpful_thing_move(
            member=member, thing=thing, direction=form.cleaned_data["direction"]
        )
    return redirect(reverse("selfcare:helps") + f"#help-{thing.pk}")


# --- Safety plan ----------------------------------------------------------------------------


def _plan_context(member: User) -> dict[str, Any]:
    plan = selectors.safety_plan_for(member)
    return {
        "plan": plan,
        "sections": selectors.plan_sections(plan),
        "lines": selectors.crisis_lines_for(member),
    }


@login_required
@require_GET
def safety_plan(request: HttpRequest) -> HttpResponse:
    """The member's plan, or an invitation to make one; private either way."""
    return render(request, "selfcare/safety_plan.html", _plan_context(_member(request)))


@login_required
@require_http_methods(["GET", "POST"])
def safety_plan_edit(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    context = _plan_context(member)
    if request.method == "POST":
        form = SafetyPlanForm(request.POST)
        if form.is_valid():
            try:
                services.safety_plan_update(member=member, sections=form.sections())
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("Your safety plan is saved. Only you can see it."))
                return redirect("selfcare:safety_plan")
    else:
        form = SafetyPlanForm(
            initial=SafetyPlanForm.initial_from(
                {row.key: row.entries for row in context["sections"]}
            )
        )
    return render(request, "selfcare/safety_plan_edit.html", {**context, "form": form})


@login_required
@require_GET
def safety_plan_print(request: HttpRequest) -> HttpResponse:
    """A clean page to print or save as PDF: the plan and crisis lines, no site navigation."""
    return render(request, "selfcare/safety_plan_print.html", _plan_context(_member(request)))
