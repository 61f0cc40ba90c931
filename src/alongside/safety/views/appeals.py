"""Appeals: members see their sanctions and appeal them; moderators decide.

A member's own page is ``/safety/appeals/``. A suspended member has no session (see
``safety.middleware``), so they reach the form for their suspension through the signed,
short-lived link on the suspension page: ``/safety/appeals/suspended/<token>/``.
Moderators list and decide appeals under ``/moderation/appeals/``; only a moderator who did
not issue the sanction may decide.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from alongside.accounts.models import User
from alongside.safety.middleware import sanction_from_token
from alongside.safety.models import Appeal
from alongside.safety.selectors import queue as selectors
from alongside.safety.services import moderation as services
from alongside.safety.views.moderation import error_text


class AppealForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Why should the decision change?"),
        help_text=gettext_lazy(
            "A moderator who was not part of the decision will read this and reply."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=services.APPEAL_MAX,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("uphold", gettext_lazy("Uphold: the decision stands")),
            ("overturn", gettext_lazy("Overturn: lift the sanction")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the member"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.NOTE_MAX,
    )


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- Members --------------------------------------------------------------------------------


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    """The member's sanctions with reasons, end dates and appeals."""
    return render(
        request,
        "safety/appeals/list.html",
        {"rows": selectors.own_sanctions(_user(request))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_create(request: HttpRequest, sanction_id: int) -> HttpResponse:
    user = _user(request)
    row = selectors.access_own_sanction(user, sanction_id)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_create(
                member=user, sanction=row.sanction, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("Your appeal is sent. A moderator will reply here and tell you.")
            )
            return redirect("safety_appeals:list")
    return render(request, "safety/appeals/appeal_form.html", {"row": row, "form": form})


@require_http_methods(["GET", "POST"])
def suspended_appeal(request: HttpRequest, token: str) -> HttpResponse:
    """The appeal form for a suspended (signed-out) member, opened by a signed link."""
    sanction = sanction_from_token(token)
    appeal = sanction.appeals.first()
    form = AppealForm(request.POST or None)
    if request.method == "POST" and appeal is None and form.is_valid():
        try:
            appeal = services.appeal_create(
                member=sanction.member, sanction=sanction, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                _("Your appeal is sent. A moderator will reply; you'll see it when you sign in."),
            )
            return redirect("safety_appeals:suspended", token=token)
    return render(
        request,
        "safety/appeals/suspended_appeal.html",
        {"sanction": sanction, "appeal": appeal, "form": form},
    )


# --- Moderators -----------------------------------------------------------------------------


@login_required
@require_GET
def moderator_appeals(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "safety/moderation/appeals.html",
        {
            "open_appeals": selectors.appeal_list(user, status=Appeal.Status.OPEN),
            "decided_appeals": selectors.appeal_list(user, status="decided"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderator_appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = _user(request)
    appeal = selectors.access_appeal_by_id(user, appeal_id)
    can_decide = selectors.can_decide_appeal(user, appeal)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.appeal_decide(
                    actor=user,
                    appeal=appeal,
                    overturn=form.cleaned_data["decision"] == "overturn",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("Decided. The member was told, with your note."))
                return redirect("safety_moderation:appeals")
    return render(
        request,
        "safety/moderation/appeal_detail.html",
        {
            "appeal": appeal,
            "history": selectors.member_history(user, appeal.member),
            "can_decide": can_decide,
            "form": form,
        },
    )
