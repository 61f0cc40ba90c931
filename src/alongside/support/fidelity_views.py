"""Pages for fidelity guidance: the self-check after a session, and fidelity over time.

Thin: ``fidelity_selectors`` are the only way to sessions and checks (anything else is a 404),
``fidelity_services`` makes the one change. Forms work without JavaScript and keep what was
typed when there is a problem.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from alongside.accounts.models import User
from alongside.support import fidelity_selectors as selectors
from alongside.support import fidelity_services as services
from alongside.support.fidelity import PeerSupportModel, current_model


class FidelityCheckForm(forms.Form):
    """One radio question per self-check statement of the model, and an optional note."""

    note = forms.CharField(
        label=gettext_lazy("Anything you want to remember or take to supervision (optional)"),
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, model: PeerSupportModel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(point.value), point.label) for point in model.scale]
        statements: dict[str, forms.Field] = {
            f"answer_{statement.key}": forms.ChoiceField(
                label=statement.text, choices=choices, widget=forms.RadioSelect
            )
            for statement in model.self_check
        }
        self.fields = {**statements, "note": self.fields["note"]}
        self.statement_keys = [statement.key for statement in model.self_check]

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"answer_{key}"] for key in self.statement_keys}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _session_id(request: HttpRequest) -> int:
    raw = request.GET.get("session", "")
    if not raw.isdigit():
        raise Http404
    return int(raw)


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """``?session=<id>``: the short self-check after a completed session of the supporter's."""
    user = _user(request)
    session = selectors.access_session_for_check(user, _session_id(request))
    done = selectors.check_for_session(user, session)
    if done is not None:
        messages.info(request, _("You have already done the self-check for this session."))
        return redirect("support_fidelity:mine")
    model = current_model()
    form = FidelityCheckForm(request.POST or None, model=model)
    if request.method == "POST" and form.is_valid():
        try:
            services.fidelity_check_record(
                supporter=user,
                session=session,
                answers=form.answers(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("Thank you. Your self-check is saved."))
            return redirect("support_fidelity:mine")
    return render(
        request,
        "support/fidelity/check.html",
        {"form": form, "session": session, "model": model},
    )


def _supporter_page(request: HttpRequest, supporter: User) -> HttpResponse:
    summary = selectors.fidelity_summary(supporter)
    rows = summary.rows
    return render(
        request,
        "support/fidelity/history.html",
        {
            "supporter": supporter,
            "summary": summary,
            "own": supporter.pk == request.user.pk,
            "first": rows[-1].check.created_at if rows else None,
            "last": rows[0].check.created_at if rows else None,
            "scale_low": summary.model.scale[0],
            "scale_high": summary.model.scale[-1],
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The supporter's own self-checks over time."""
    return _supporter_page(request, _user(request))


@login_required
def supporter(request: HttpRequest, supporter_id: int) -> HttpResponse:
    """A supporter's fidelity over time: for supervisors and the supporter themself."""
    target = selectors.access_supporter_checks(_user(request), supporter_id)
    return _supporter_page(request, target)


def check_url(session_id: int) -> str:
    """Where to link a supporter after a session is marked as happened."""
    return f"{reverse('support_fidelity:check')}?session={session_id}"


urlpatterns = [
    path("", mine, name="mine"),
    path("check/", check, name="check"),
    path("supporter/<int:supporter_id>/", supporter, name="supporter"),
]
