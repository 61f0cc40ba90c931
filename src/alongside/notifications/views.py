"""Pages for a member's own notifications and their notification settings."""

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
from alongside.notifications import selectors, services
from alongside.notifications.forms import PreferencesForm


def _member(request: HttpRequest) -> User:
    """The signed-in member; only called behind login_required."""
    return cast(User, request.user)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = selectors.notification_page(user=_member(request), page=request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the member's notifications read and go to the post it is about."""
    user = _member(request)
    entry = selectors.notification_for(user=user, notification_id=notification_id)
    services.notification_mark_read(user=user, notification_ids=[entry.id])
    if not entry.available:
        if entry.kind not in selectors.MESSAGE_KINDS:
            messages.info(request, _("This post is no longer available."))
        return redirect("notifications:list")
    return redirect(entry.url)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = services.notification_mark_read(user=_member(request))
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    form = PreferencesForm(
        request.POST or None,
        entries=selectors.preferences_for(user=user),
        has_email=bool(user.email),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(user=user, preferences=form.preferences())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
