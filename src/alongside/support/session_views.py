"""Pages for a relationship's sessions and the supporter's notes, under ``/support/sessions/``.

Thin: the selectors are the door (a 404 for anyone else), the services decide.
"""

from __future__ import annotations

from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.core.form_errors import keep_service_errors
from alongside.support import session_selectors as selectors
from alongside.support import session_services as services
from alongside.support.models import SupporterProfile, SupportRelationship
from alongside.support.session_forms import (
    BookingForm,
    CancelForm,
    MarkForm,
    NoteForm,
    RescheduleForm,
)
from alongside.support.session_models import SessionNote, SupportSession

WEEKDAYS = [
    gettext_lazy("Mondays"),
    gettext_lazy("Tuesdays"),
    gettext_lazy("Wednesdays"),
    gettext_lazy("Thursdays"),
    gettext_lazy("Fridays"),
    gettext_lazy("Saturdays"),
    gettext_lazy("Sundays"),
]

# The services name the start time; the booking forms ask for a day and a time.
SERVICE_FIELDS = {"starts_at": "day"}


def _user(request: HttpRequest) -> User:
    """The signed-in member; only called behind login_required."""
    return cast(User, request.user)


def _viewer_zone(request: HttpRequest, relationship: SupportRelationship) -> str:
    """The zone this person sees times in: one they picked (``?tz=``), else their own."""
    picked = request.GET.get("tz", "")
    if picked and selectors.is_valid_zone(picked):
        return picked
    return selectors.zone_for(_user(request), relationship)


def _availability(relationship: SupportRelationship) -> tuple[list[str], str]:
    """The supporter's weekly hours as plain lines, in the supporter's own zone."""
    profile = SupporterProfile.objects.filter(user_id=relationship.supporter_id).first()
    zone = selectors.supporter_zone(relationship)
    slots = (profile.availability if profile else None) or []
    lines = [
        _("%(days)s %(start)s to %(end)s")
        % {"days": WEEKDAYS[slot["weekday"]], "start": slot.get("start"), "end": slot.get("end")}
        for slot in slots
        if isinstance(slot, dict) and slot.get("weekday") in range(7)
    ]
    return lines, zone


def _list_context(
    request: HttpRequest, relationship: SupportRelationship, form: BookingForm | None
) -> dict[str, Any]:
    user = _user(request)
    zone = _viewer_zone(request, relationship)
    availability, supporter_zone = _availability(relationship)
    return {
        "relationship": relationship,
        "rows": selectors.session_rows(user, relationship, zone, timezone.now()),
        "zone": zone,
        "form": form,
        "availability": availability,
        "supporter_zone": supporter_zone,
        "is_supporter": user.pk == relationship.supporter_id,
        "is_member": user.pk == relationship.member_id,
    }


@login_required
@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest, relationship_id: int) -> HttpResponse:
    user = _user(request)
    relationship = selectors.access_relationship(user, relationship_id)
    form: BookingForm | None = None
    if selectors.is_party(user, relationship) and relationship.status in services.BOOKABLE_STATUSES:
        if request.method == "POST":
            form = BookingForm(request.POST)
        else:
            form = BookingForm(initial={"time_zone": _viewer_zone(request, relationship)})
    elif request.method == "POST":
        messages.error(request, _("Sessions can only be booked while the support is going on."))
        return redirect("support_sessions:list", relationship_id=relationship.pk)
    if form is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_book(
                actor=user,
                relationship=relationship,
                starts_at=form.starts_at,
                duration_minutes=data["duration_minutes"],
                mode=data["mode"],
                member_time_zone=data["time_zone"] if user.pk == relationship.member_id else "",
            )
        except ValidationError as error:
            keep_service_errors(form, error, rename=SERVICE_FIELDS)
        else:
            messages.success(request, _("The session is booked. The other person has been told."))
            return redirect("support_sessions:list", relationship_id=relationship.pk)
    return render(request, "support/sessions/list.html", _list_context(request, relationship, form))


def _session_context(request: HttpRequest, session: SupportSession) -> dict[str, Any]:
    zone = _viewer_zone(request, session.relationship)
    tz = ZoneInfo(zone)
    return {
        "session": session,
        "relationship": session.relationship,
        "zone": zone,
        "starts_local": session.starts_at.astimezone(tz),
    }


@login_required
@require_http_methods(["GET", "POST"])
def session_reschedule(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    session = selectors.access_session_as_party(user, session_id)
    relationship = session.relationship
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            zone = form.cleaned_data["time_zone"]
            try:
                services.session_reschedule(
                    actor=user,
                    session=session,
                    starts_at=form.starts_at,
                    reason=form.cleaned_data["reason"],
                    member_time_zone=zone if user.pk == relationship.member_id else "",
                )
            except ValidationError as error:
                keep_service_errors(form, error, rename=SERVICE_FIELDS)
            else:
                messages.success(request, _("The session has moved. The other person was told."))
                return redirect("support_sessions:list", relationship_id=relationship.pk)
    else:
        form = RescheduleForm(initial={"time_zone": _viewer_zone(request, relationship)})
    context = {**_session_context(request, session), "form": form}
    return render(request, "support/sessions/reschedule.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    session = selectors.access_session_as_party(user, session_id)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.session_cancel(actor=user, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            keep_service_errors(form, error, rename=SERVICE_FIELDS)
        else:
            messages.success(request, _("The session is cancelled. The other person was told."))
            return redirect("support_sessions:list", relationship_id=session.relationship_id)
    context = {**_session_context(request, session), "form": form}
    return render(request, "support/sessions/cancel.html", context)


@login_required
@require_POST
def session_mark(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    session = selectors.access_session_as_supporter(user, session_id)
    form = MarkForm(request.POST)
    if form.is_valid():
        try:
            services.session_mark(actor=user, session=session, status=form.cleaned_data["status"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("support_sessions:list", relationship_id=session.relationship_id)


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    session = selectors.access_session_as_supporter(user, session_id)
    existing = SessionNote.objects.filter(session=session).first()
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                note = services.note_save(actor=user, session=session, **form.service_arguments())
            except ValidationError as error:
                keep_service_errors(form, error, rename=SERVICE_FIELDS)
            else:
                messages.success(request, _("The note is saved."))
                return redirect("support_sessions:note_detail", note_id=note.pk)
    else:
        initial = {}
        if existing is not None:
            initial = {name: getattr(existing, name) or "" for name in services.NOTE_FIELDS}
            initial["risk_flag"] = existing.risk_flag
        form = NoteForm(initial=initial)
    context = {**_session_context(request, session), "form": form, "existing": existing}
    return render(request, "support/sessions/note_form.html", context)


@login_required
@require_GET
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    user = _user(request)
    note = selectors.access_note(user, note_id)
    context = {
        **_session_context(request, note.session),
        "note": note,
        "is_supporter": user.pk == note.session.relationship.supporter_id,
    }
    return render(request, "support/sessions/note_detail.html", context)


@login_required
@require_GET
def recorded_about_me(request: HttpRequest) -> HttpResponse:
    notes = list(selectors.notes_about_member(_user(request)))
    zone = request.GET.get("tz", "")
    if not selectors.is_valid_zone(zone):
        zone = ""
    rows = []
    for note in notes:
        note_zone = zone or note.session.member_time_zone
        if not selectors.is_valid_zone(note_zone):
            note_zone = "UTC"
        rows.append(
            {
                "note": note,
                "starts_local": note.session.starts_at.astimezone(ZoneInfo(note_zone)),
                "zone": note_zone,
            }
        )
    return render(request, "support/sessions/about_me.html", {"rows": rows})


urlpatterns = [
    path("about-me/", recorded_about_me, name="about_me"),
    path("relationship/<int:relationship_id>/", session_list, name="list"),
    path("<int:session_id>/reschedule/", session_reschedule, name="reschedule"),
    path("<int:session_id>/cancel/", session_cancel, name="cancel"),
    path("<int:session_id>/mark/", session_mark, name="mark"),
    path("<int:session_id>/note/", note_edit, name="note_edit"),
    path("notes/<int:note_id>/", note_detail, name="note_detail"),
]
