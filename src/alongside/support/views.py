"""Pages for formal peer support: asking, matching, offers, relationships, profiles, supervision.

Thin: ``selectors`` are the only way to a request or relationship (anything else is a 404),
``services`` make every change, supervisor pages need ``support.supervise`` (a 403 otherwise).
Every form works without JavaScript and comes back with what was typed when it has a problem.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts.access import is_peer_supporter, require_permission
from alongside.accounts.models import User
from alongside.core.form_errors import keep_service_errors
from alongside.safety import support as safety_support
from alongside.support import matching, selectors, services
from alongside.support.conf import default_weeks
from alongside.support.forms import (
    AcceptForm,
    AskForm,
    ProfileForm,
    ReviewForm,
    TrainingForm,
    availability_to_text,
)
from alongside.support.models import SupportRelationship, SupportRequest


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    supporter = is_peer_supporter(user)
    return render(
        request,
        "support/home.html",
        {
            "requests": selectors.requests_of(user)[:20],
            "relationships": selectors.relationships_of(user)[:50],
            "is_supporter": supporter,
            "offers": list(selectors.offers_for(user)) if supporter else [],
            "is_supervisor": selectors.is_supervisor(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    member = _user(request)
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.request_ask(
                member=member,
                in_their_words=form.cleaned_data["in_their_words"],
                preferences=form.preferences(),
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            if outcome.reads_as_crisis and outcome.screened is not None:
                notice = safety_support.support_notice(
                    screened=outcome.screened, held=False, user=member
                )
                safety_support.remember(request, notice)
            messages.success(request, _("Thank you. Here are supporters who could help."))
            return redirect("support:request", outcome.request.pk)
    return render(request, "support/ask.html", {"form": form}, status=200)


@login_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    support_request = selectors.access_request(user, request_id)
    is_member = support_request.member_id == user.pk
    is_supervisor = selectors.is_supervisor(user)
    choosing = support_request.chosen_supporter_id is None and support_request.status in (
        SupportRequest.Status.OPEN,
        SupportRequest.Status.ESCALATED,
    )
    suggestions = (
        matching.suggest_supporters(support_request, limit=10)
        if choosing and (is_member or is_supervisor)
        else []
    )
    offered_to_me = support_request.chosen_supporter_id == user.pk and support_request.status in (
        SupportRequest.Status.OFFERED,
        SupportRequest.Status.ESCALATED,
    )
    return render(
        request,
        "support/request.html",
        {
            "support_request": support_request,
            "is_member": is_member,
            "is_supervisor": is_supervisor,
            "suggestions": suggestions,
            "choosing": choosing,
            "offered_to_me": offered_to_me,
            "accept_form": AcceptForm() if offered_to_me else None,
            "escalation_text": services.member_escalation_text(),
            "relationship": support_request.relationships.first(),
        },
    )


@login_required
@require_POST
def request_choose(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    support_request = selectors.access_request(user, request_id)
    supporter = get_object_or_404(User, pk=request.POST.get("supporter", "0") or 0)
    try:
        services.request_choose(actor=user, request=support_request, supporter=supporter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("We've asked %(handle)s. You'll hear as soon as they reply.")
            % {"handle": supporter.handle},
        )
    return redirect("support:request", support_request.pk)


@login_required
@require_POST
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    support_request = selectors.access_request(user, request_id)
    try:
        services.request_withdraw(member=user, request=support_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request has been withdrawn."))
    return redirect("support:home")


@login_required
@require_POST
def request_accept(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    support_request = selectors.access_request(user, request_id)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            relationship = services.request_accept(
                supporter=user,
                request=support_request,
                focus=form.cleaned_data["focus"],
                weeks=form.cleaned_data["weeks"],
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("You've accepted. Say hello when you're ready."))
            return redirect("support:relationship", relationship.pk)
    return render(
        request,
        "support/request.html",
        {
            "support_request": support_request,
            "offered_to_me": support_request.chosen_supporter_id == user.pk,
            "accept_form": form,
            "escalation_text": services.member_escalation_text(),
        },
        status=400,
    )


@login_required
@require_POST
def request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    support_request = selectors.access_request(user, request_id)
    try:
        services.request_decline(supporter=user, request=support_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("support:request", support_request.pk)
    messages.success(request, _("Thanks for saying so. The member will choose someone else."))
    return redirect("support:home")


@login_required
def relationship_detail(request: HttpRequest, relationship_id: int) -> HttpResponse:
    user = _user(request)
    relationship = selectors.access_relationship(user, relationship_id)
    i_agreed = (
        relationship.renewal_member_agreed_at
        if user.pk == relationship.member_id
        else relationship.renewal_supporter_agreed_at
    )
    return render(
        request,
        "support/relationship.html",
        {
            "relationship": relationship,
            "is_party": user.pk in (relationship.member_id, relationship.supporter_id),
            "i_agreed_to_renew": i_agreed is not None,
            "other_agreed_to_renew": (
                relationship.renewal_supporter_agreed_at
                if user.pk == relationship.member_id
                else relationship.renewal_member_agreed_at
            )
            is not None,
            "default_weeks": default_weeks(),
        },
    )


@login_required
@require_POST
def relationship_renew(request: HttpRequest, relationship_id: int) -> HttpResponse:
    user = _user(request)
    relationship = selectors.access_relationship(user, relationship_id)
    try:
        renewed = services.relationship_renew_agree(user=user, relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if renewed.renewed_count > relationship.renewed_count:
            messages.success(request, _("You've both agreed: your support carries on."))
        else:
            messages.success(request, _("Thanks. We've asked the other person too."))
    return redirect("support:relationship", relationship.pk)


# --- Supporters ----------------------------------------------------------------------------


def _profile_initial(user: User) -> dict[str, Any]:
    profile = services.profile_ensure(supporter=user)
    return {
        "lived_experience_areas": profile.lived_experience_areas,
        "languages": profile.languages,
        "gender": profile.gender,
        "availability": availability_to_text(profile.availability),
        "time_zone": profile.time_zone,
        "caseload_cap": profile.caseload_cap,
        "on_duty": profile.on_duty,
        "accepting_requests": profile.accepting_requests,
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not is_peer_supporter(user):
        raise PermissionDenied
    form = ProfileForm(request.POST or None, initial=_profile_initial(user))
    if request.method == "POST" and form.is_valid():
        services.profile_update(supporter=user, **form.cleaned_data)
        messages.success(request, _("Your supporter profile is saved."))
        return redirect("support:profile")
    current = selectors.profile_of(user)
    return render(
        request,
        "support/profile.html",
        {
            "form": form,
            "profile": current,
            "training": selectors.training_of(user),
            "reviews": selectors.reviews_of(user),
            "background_checked_at": user.background_check_cleared_at,
            "admits_under_18": settings.ADMITS_UNDER_18,
        },
    )


# --- Supervision ---------------------------------------------------------------------------


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_permission(user, services.SUPERVISE)
    supporters = list(selectors.supporters_for_supervision())
    loads = matching.open_load([s.pk for s in supporters])
    rows = [
        {
            "supporter": s,
            "profile": getattr(s, "supporter_profile", None),
            "load": loads.get(s.pk, 0),
        }
        for s in supporters
    ]
    return render(
        request,
        "support/supervision.html",
        {
            "rows": rows,
            "escalated": selectors.escalated_requests(),
            "flagged": selectors.flagged_relationships(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def supervision_supporter(request: HttpRequest, supporter_id: int) -> HttpResponse:
    user = _user(request)
    require_permission(user, services.SUPERVISE)
    supporter = selectors.access_supporter(user, supporter_id)
    relationships = list(
        SupportRelationship.objects.filter(supporter=supporter).select_related("member")[:50]
    )
    choices = [(r.pk, f"{r.member.handle} ({r.started_at:%Y-%m-%d})") for r in relationships]
    training_form = TrainingForm(request.POST if "module" in request.POST else None)
    review_form = ReviewForm(
        request.POST if "decision" in request.POST else None, relationships=choices
    )
    if request.method == "POST":
        done = _supervision_post(user, supporter, training_form, review_form, relationships)
        if done:
            return redirect("support:supervision_supporter", supporter.pk)
    return render(
        request,
        "support/supervision_supporter.html",
        {
            "supporter": supporter,
            "profile": selectors.profile_of(supporter),
            "training": selectors.training_of(supporter),
            "reviews": selectors.reviews_of(supporter),
            "relationships": relationships,
            "training_form": training_form,
            "review_form": review_form,
            "admits_under_18": settings.ADMITS_UNDER_18,
        },
        status=400 if request.method == "POST" else 200,
    )


def _supervision_post(
    user: User,
    supporter: User,
    training_form: TrainingForm,
    review_form: ReviewForm,
    relationships: list[SupportRelationship],
) -> bool:
    if training_form.is_bound and training_form.is_valid():
        try:
            services.training_record_add(
                actor=user, supporter=supporter, **training_form.cleaned_data
            )
        except ValidationError as error:
            keep_service_errors(training_form, error)
            return False
        return True
    if review_form.is_bound and review_form.is_valid():
        chosen = review_form.cleaned_data["relationship"]
        relationship = next((r for r in relationships if r.pk == chosen), None)
        try:
            services.probation_review_record(
                actor=user,
                supporter=supporter,
                decision=review_form.cleaned_data["decision"],
                note=review_form.cleaned_data["note"],
                relationship=relationship,
            )
        except ValidationError as error:
            keep_service_errors(review_form, error)
            return False
        return True
    if not training_form.is_bound and not review_form.is_bound:
        raise Http404
    return False
