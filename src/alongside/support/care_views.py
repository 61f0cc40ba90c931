"""Supporter care pages, under ``/support/care/``: debriefs and warm handovers.

The forms only clean input; the services in ``care_services`` decide.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts.access import is_peer_supporter, require_permission
from alongside.accounts.models import User
from alongside.core.form_errors import keep_service_errors
from alongside.support import care_selectors, care_services, selectors
from alongside.support.models import SupportRelationship
from alongside.support.services import SUPERVISE


class DebriefForm(forms.Form):
    relationship = forms.TypedChoiceField(
        label=gettext_lazy("Which conversation (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    note = forms.CharField(
        label=gettext_lazy("Anything you'd like your supervisor to know first (optional)"),
        required=False,
        max_length=care_services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, supporter: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = SupportRelationship.objects.filter(supporter=supporter).select_related("member")
        self.fields["relationship"].choices = [  # type: ignore[attr-defined]
            ("", _("Not about one conversation")),
            *[(r.pk, r.member.handle) for r in mine],
        ]


class HandoverForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Summary for the member to read and agree to"),
        max_length=care_services.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    goodbye = forms.CharField(
        label=gettext_lazy("Your goodbye, posted in your conversation once they agree"),
        max_length=care_services.GOODBYE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_supporter = forms.CharField(
        label=gettext_lazy("Handle of the supporter taking over (leave empty to end early)"),
        required=False,
        max_length=150,
    )

    def clean_new_supporter(self) -> User | None:
        handle = self.cleaned_data["new_supporter"].strip().lstrip("@")
        if not handle:
            return None
        user = User.objects.filter(handle__iexact=handle, is_active=True).first()
        if user is None or not is_peer_supporter(user):
            raise forms.ValidationError(_("There's no peer supporter with that handle."))
        return user


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- Debriefs -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def debrief_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not is_peer_supporter(user):
        raise PermissionDenied
    form = DebriefForm(request.POST or None, supporter=user)
    if request.method == "POST" and form.is_valid():
        relationship_id = form.cleaned_data["relationship"]
        relationship = (
            selectors.access_relationship(user, relationship_id) if relationship_id else None
        )
        try:
            care_services.debrief_request(
                supporter=user, note=form.cleaned_data["note"], relationship=relationship
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(
                request, _("Thank you for asking. A supervisor will be in touch with you.")
            )
            return redirect("support_care:debrief_new")
    return render(
        request,
        "support/care/debrief_new.html",
        {"form": form, "debriefs": care_selectors.debriefs_of(user)[:10]},
    )


@login_required
def debriefs(request: HttpRequest) -> HttpResponse:
    """Open debriefs, for supervisors (linked from the supervision page)."""
    user = _user(request)
    require_permission(user, SUPERVISE)
    return render(
        request, "support/care/debriefs.html", {"debriefs": care_selectors.open_debriefs()}
    )


@login_required
@require_POST
def debrief_take(request: HttpRequest, debrief_id: int) -> HttpResponse:
    user = _user(request)
    require_permission(user, SUPERVISE)
    debrief = care_selectors.access_debrief(user, debrief_id)
    try:
        care_services.debrief_take(actor=user, debrief=debrief)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You've taken this debrief. The supporter has been told."))
    return redirect("support_care:debriefs")


# --- Warm handovers -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def handover_new(request: HttpRequest, relationship_id: int) -> HttpResponse:
    user = _user(request)
    relationship = selectors.access_relationship(user, relationship_id)
    if relationship.supporter_id != user.pk and not selectors.is_supervisor(user):
        raise PermissionDenied
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            handover = care_services.handover_propose(
                actor=user,
                relationship=relationship,
                summary=form.cleaned_data["summary"],
                goodbye=form.cleaned_data["goodbye"],
                new_supporter=form.cleaned_data["new_supporter"],
            )
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            messages.success(request, _("Sent. Nothing is passed on until the member agrees."))
            return redirect("support_care:handover", handover.pk)
    return render(
        request,
        "support/care/handover_new.html",
        {
            "form": form,
            "relationship": relationship,
            "pending": care_selectors.pending_handover_for(relationship.pk),
        },
    )


@login_required
def handover_detail(request: HttpRequest, handover_id: int) -> HttpResponse:
    user = _user(request)
    handover = care_selectors.access_handover(user, handover_id)
    return render(
        request,
        "support/care/handover.html",
        {
            "handover": handover,
            "relationship": handover.relationship,
            "is_member": handover.relationship.member_id == user.pk,
        },
    )


@login_required
@require_POST
def handover_answer(request: HttpRequest, handover_id: int) -> HttpResponse:
    user = _user(request)
    handover = care_selectors.access_handover(user, handover_id)
    agree = request.POST.get("answer") == "agree"
    try:
        if agree:
            care_services.handover_agree(member=user, handover=handover)
        else:
            care_services.handover_decline(member=user, handover=handover)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Thank you. Your support has been handed over.")
            if agree
            else _("Thank you. Nothing has been passed on; your supporter will talk it through."),
        )
    return redirect("support_care:handover", handover.pk)
