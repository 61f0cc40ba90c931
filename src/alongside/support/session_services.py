"""Writes for sessions and notes: booking, moving, cancelling, marking, and session notes.

Times arrive as aware datetimes and are stored in UTC. Availability is the supporter's weekly
pattern in their own time zone, so "Mondays 18:00 to 20:00" stays 18:00 to 20:00 on their
clock across summer time. Each change tells the other person (``notify_message``) in their
own time zone; notifications and the audit log never carry a note's text.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.notifications.services import notify_message
from alongside.safety.services.audit import audit_record
from alongside.support import session_selectors as selectors
from alongside.support.models import SupporterProfile, SupportRelationship
from alongside.support.session_models import SessionNote, SupportSession

# The notification kind for session changes, reminders and risk flags.
NOTIFICATION_KIND = "support"
DURATIONS = (30, 50, 60, 90)
REASON_MAX = 500
NOTE_FIELDS = ("talked_about", "what_helped", "next_steps", "risk_noticed", "risk_action")
# Relationships in which sessions may still be booked.
BOOKABLE_STATUSES = (SupportRelationship.Status.ACTIVE, SupportRelationship.Status.ENDING)


def combine_local(day: object, at: time, zone: str) -> datetime:
    """A wall-clock time on a day in ``zone`` as an aware UTC datetime.

    A time the clocks skip (the spring change) does not exist and is refused; a time that
    happens twice (the autumn change) means the first of the two.
    """
    tz = ZoneInfo(zone)
    local = datetime.combine(day, at, tzinfo=tz)  # type: ignore[arg-type]
    in_utc = local.astimezone(UTC)
    if in_utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            _("That time does not exist on that day: the clocks change. Please pick another."),
            code="nonexistent_time",
        )
    return in_utc


def _parse_clock(value: str) -> time | None:
    try:
        hours, minutes = (int(part) for part in str(value).split(":"))
        if hours == 24 and minutes == 0:  # "until midnight"
            return time.max
        return time(hours, minutes)
    except (TypeError, ValueError):
        return None


def availability_windows(
    profile: SupporterProfile | None, starts_at: datetime
) -> list[tuple[datetime, datetime]]:
    """The supporter's available periods (UTC) on the local day that ``starts_at`` falls on."""
    if profile is None:
        return []
    zone = profile.time_zone if selectors.is_valid_zone(profile.time_zone) else "UTC"
    tz = ZoneInfo(zone)
    day = starts_at.astimezone(tz).date()
    windows = []
    for slot in profile.availability or []:
        if not isinstance(slot, dict) or slot.get("weekday") != day.weekday():
            continue
        start = _parse_clock(slot.get("start", ""))
        end = _parse_clock(slot.get("end", ""))
        if start is None or end is None or end <= start:
            continue
        windows.append(
            (
                datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
                datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
            )
        )
    return windows


def within_availability(
    relationship: SupportRelationship, starts_at: datetime, minutes: int
) -> bool:
    profile = SupporterProfile.objects.filter(user_id=relationship.supporter_id).first()
    ends_at = starts_at + timedelta(minutes=minutes)
    return any(
        start <= starts_at and ends_at <= end
        for start, end in availability_windows(profile, starts_at)
    )


def _clashes(
    relationship: SupportRelationship,
    starts_at: datetime,
    minutes: int,
    exclude: SupportSession | None = None,
) -> bool:
    """Whether the supporter (or the member) already has a session overlapping this time."""
    ends_at = starts_at + timedelta(minutes=minutes)
    same_people = Q(relationship__supporter_id=relationship.supporter_id) | Q(
        relationship__member_id=relationship.member_id
    )
    # No session is longer than a day, so earlier starts cannot overlap.
    candidates = SupportSession.objects.filter(
        same_people,
        status__in=SupportSession.ACTIVE_STATUSES,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - timedelta(hours=24),
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    return any(other.ends_at > starts_at for other in candidates)


def _lock_supporter(relationship: SupportRelationship) -> None:
    """Serialise bookings for one supporter, so two at once cannot both take a slot."""
    list(User.objects.select_for_update().filter(pk=relationship.supporter_id))


def _check_time(
    *,
    relationship: SupportRelationship,
    starts_at: datetime,
    minutes: int,
    now: datetime,
    exclude: SupportSession | None = None,
) -> None:
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be timezone-aware")
    if minutes not in DURATIONS:
        raise ValidationError({"duration_minutes": _("Please choose one of the lengths offered.")})
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Please choose a time in the future.")})
    if not within_availability(relationship, starts_at, minutes):
        message = _("That time is outside the supporter's available hours.")
        raise ValidationError({"starts_at": ValidationError(message, code="unavailable")})
    if _clashes(relationship, starts_at, minutes, exclude=exclude):
        message = _("That time is already taken. Please choose another.")
        raise ValidationError({"starts_at": ValidationError(message, code="taken")})


def _require_party(actor: User, relationship: SupportRelationship) -> None:
    if not selectors.is_party(actor, relationship):
        raise Http404


def _require_bookable(relationship: SupportRelationship) -> None:
    if relationship.status not in BOOKABLE_STATUSES:
        raise ValidationError(_("Sessions can only be booked while the support is going on."))


def _other_person(actor: User, relationship: SupportRelationship) -> User:
    if actor.pk == relationship.member_id:
        return relationship.supporter
    return relationship.member


def _zone_of(user: User, session: SupportSession) -> str:
    if user.pk == session.relationship.supporter_id:
        return selectors.supporter_zone(session.relationship)
    return session.member_time_zone


def when_text(moment: datetime, zone: str, language: str = "") -> str:
    """A time as the person reads it: in their zone and language, with the zone's name."""
    with translation.override(language or settings.LANGUAGE_CODE):
        local = moment.astimezone(ZoneInfo(zone))
        return f"{formats.date_format(local, 'l j F Y, H:i')} ({zone})"


def sessions_link(relationship: SupportRelationship) -> str:
    return reverse("support_sessions:list", kwargs={"relationship_id": relationship.pk})


def _tell(recipient: User, session: SupportSession, message: str, actor: User | None) -> None:
    notify_message(
        recipient=recipient,
        kind=NOTIFICATION_KIND,
        message=message,
        link=sessions_link(session.relationship),
        actor=actor,
        email_subject=_("About your support session"),
    )


def _clean_zone(zone: str) -> str:
    if not selectors.is_valid_zone(zone):
        raise ValidationError({"time_zone": _("Please choose a time zone from the list.")})
    return zone


@transaction.atomic
def session_book(
    *,
    actor: User,
    relationship: SupportRelationship,
    starts_at: datetime,
    duration_minutes: int = 50,
    mode: str = SupportSession.Mode.CHAT,
    member_time_zone: str = "",
    now: datetime | None = None,
) -> SupportSession:
    """Book a session for the member or the supporter, inside the supporter's availability."""
    now = now or timezone.now()
    _require_party(actor, relationship)
    _require_bookable(relationship)
    if mode not in SupportSession.Mode.values:
        raise ValidationError({"mode": _("Please choose how you will meet.")})
    zone = _clean_zone(member_time_zone or selectors.member_zone(relationship))
    _lock_supporter(relationship)
    _check_time(relationship=relationship, starts_at=starts_at, minutes=duration_minutes, now=now)
    session = SupportSession.objects.create(
        relationship=relationship,
        starts_at=starts_at.astimezone(UTC),
        duration_minutes=duration_minutes,
        mode=mode,
        member_time_zone=zone,
        booked_by=actor,
        # Booked less than a day ahead: the booking notice itself is the day's reminder.
        reminder_day_sent_at=now if starts_at - now <= timedelta(hours=24) else None,
        created_at=now,
        updated_at=now,
    )
    other = _other_person(actor, relationship)
    _tell(
        other,
        session,
        _("%(handle)s booked a support session with you for %(when)s.")
        % {
            "handle": actor.handle,
            "when": when_text(session.starts_at, _zone_of(other, session), other.language),
        },
        actor,
    )
    audit_record(
        actor=actor,
        action="support_session_book",
        target_kind="support_session",
        target_id=session.pk,
        member=relationship.member,
    )
    return session


def _locked(session: SupportSession) -> SupportSession:
    return (
        SupportSession.objects.select_for_update()
        .select_related("relationship__member", "relationship__supporter")
        .get(pk=session.pk)
    )


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please say why, in a few words.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Please keep the reason short.")})
    return reason


@transaction.atomic
def session_reschedule(
    *,
    actor: User,
    session: SupportSession,
    starts_at: datetime,
    reason: str,
    member_time_zone: str = "",
    now: datetime | None = None,
) -> SupportSession:
    """Move a session still to come to a new time, with a reason; the other person is told."""
    now = now or timezone.now()
    session = _locked(session)
    relationship = session.relationship
    _require_party(actor, relationship)
    if not session.is_active or session.starts_at <= now:
        raise ValidationError(_("Only a session still to come can be moved."))
    reason = _clean_reason(reason)
    if member_time_zone and actor.pk == relationship.member_id:
        session.member_time_zone = _clean_zone(member_time_zone)
    _lock_supporter(relationship)
    _check_time(
        relationship=relationship,
        starts_at=starts_at,
        minutes=session.duration_minutes,
        now=now,
        exclude=session,
    )
    previous = session.starts_at
    session.starts_at = starts_at.astimezone(UTC)
    session.status = SupportSession.Status.RESCHEDULED
    session.reschedule_reason = reason
    session.reminder_day_sent_at = now if starts_at - now <= timedelta(hours=24) else None
    session.reminder_hour_sent_at = None
    session.updated_at = now
    session.save(
        update_fields=[
            "starts_at",
            "status",
            "reschedule_reason",
            "member_time_zone",
            "reminder_day_sent_at",
            "reminder_hour_sent_at",
            "updated_at",
        ]
    )
    other = _other_person(actor, relationship)
    zone = _zone_of(other, session)
    _tell(
        other,
        session,
        _("%(handle)s moved your support session from %(old)s to %(new)s. Their reason: %(reason)s")
        % {
            "handle": actor.handle,
            "old": when_text(previous, zone, other.language),
            "new": when_text(session.starts_at, zone, other.language),
            "reason": reason,
        },
        actor,
    )
    audit_record(
        actor=actor,
        action="support_session_reschedule",
        target_kind="support_session",
        target_id=session.pk,
        member=relationship.member,
    )
    return session


@transaction.atomic
def session_cancel(
    *, actor: User, session: SupportSession, reason: str, now: datetime | None = None
) -> SupportSession:
    """Cancel a session still to come, with a reason; the other person is told."""
    now = now or timezone.now()
    session = _locked(session)
    relationship = session.relationship
    _require_party(actor, relationship)
    if not session.is_active or session.starts_at <= now:
        raise ValidationError(_("Only a session still to come can be cancelled."))
    session.cancel_reason = _clean_reason(reason)
    session.status = SupportSession.Status.CANCELLED
    session.cancelled_by = actor
    session.updated_at = now
    session.save(update_fields=["status", "cancel_reason", "cancelled_by", "updated_at"])
    other = _other_person(actor, relationship)
    _tell(
        other,
        session,
        _("%(handle)s cancelled your support session on %(when)s. Their reason: %(reason)s")
        % {
            "handle": actor.handle,
            "when": when_text(session.starts_at, _zone_of(other, session), other.language),
            "reason": session.cancel_reason,
        },
        actor,
    )
    audit_record(
        actor=actor,
        action="support_session_cancel",
        target_kind="support_session",
        target_id=session.pk,
        member=relationship.member,
    )
    return session


@transaction.atomic
def session_mark(
    *, actor: User, session: SupportSession, status: str, now: datetime | None = None
) -> SupportSession:
    """The supporter says whether a session that has begun happened or not."""
    now = now or timezone.now()
    session = _locked(session)
    if actor.pk != session.relationship.supporter_id:
        raise Http404
    if status not in (SupportSession.Status.COMPLETED, SupportSession.Status.MISSED):
        raise ValidationError(_("Please say whether the session happened."))
    if session.starts_at > now or session.status == SupportSession.Status.CANCELLED:
        raise ValidationError(_("Only a session that has begun can be marked."))
    session.status = status
    session.updated_at = now
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="support_session_mark",
        target_kind="support_session",
        target_id=session.pk,
        member=session.relationship.member,
        detail={"status": status},
    )
    return session


def _supervisors_to_tell(relationship: SupportRelationship) -> list[User]:
    """The relationship's supervisor; with none, everyone who supervises."""
    if relationship.supervisor is not None and relationship.supervisor.is_active:
        return [relationship.supervisor]
    app_label, codename = selectors.SUPERVISE.split(".")
    direct = Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    by_role = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    return list(
        User.objects.filter(direct | by_role, is_active=True)
        .exclude(pk=relationship.supporter_id)
        .distinct()
    )


@transaction.atomic
def note_save(
    *,
    actor: User,
    session: SupportSession,
    talked_about: str = "",
    what_helped: str = "",
    next_steps: str = "",
    risk_noticed: str = "",
    risk_action: str = "",
    risk_flag: bool = False,
    now: datetime | None = None,
) -> SessionNote:
    """Write (or correct) the supporter's note after a session.

    A risk noticed, written or ticked, flags the note; when the flag is newly raised the
    relationship's supervisor is told (that there is a flag and where, never the text).
    """
    now = now or timezone.now()
    session = _locked(session)
    relationship = session.relationship
    if actor.pk != relationship.supporter_id:
        raise Http404
    if session.starts_at > now:
        raise ValidationError(_("Notes are written after the session has begun."))
    if session.status == SupportSession.Status.CANCELLED:
        raise ValidationError(_("A cancelled session has no notes."))
    texts = {
        "talked_about": talked_about,
        "what_helped": what_helped,
        "next_steps": next_steps,
        "risk_noticed": risk_noticed,
        "risk_action": risk_action,
    }
    cleaned = {name: (value or "").strip() or None for name, value in texts.items()}
    if not any(cleaned.values()):
        raise ValidationError(_("Please write something in at least one part of the note."))
    flagged = risk_flag or bool(cleaned["risk_noticed"])
    note = SessionNote.objects.select_for_update().filter(session=session).first()
    was_flagged = note is not None and note.risk_flag
    if note is None:
        note = SessionNote(session=session, created_by=actor, created_at=now)
    for name, value in cleaned.items():
        setattr(note, name, value)
    note.risk_flag = flagged
    note.updated_at = now
    note.save()
    if session.is_active:
        session.status = SupportSession.Status.COMPLETED
        session.updated_at = now
        session.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="session_note_save",
        target_kind="session_note",
        target_id=note.pk,
        member=relationship.member,
        detail={"risk_flag": flagged},
    )
    if flagged and not was_flagged:
        link = reverse("support_sessions:note_detail", kwargs={"note_id": note.pk})
        for supervisor in _supervisors_to_tell(relationship):
            with translation.override(supervisor.language or settings.LANGUAGE_CODE):
                notify_message(
                    recipient=supervisor,
                    kind=NOTIFICATION_KIND,
                    message=_(
                        "%(handle)s noted a risk after a support session. Please read the note."
                    )
                    % {"handle": actor.handle},
                    link=link,
                    actor=actor,
                    email_subject=_("A session note needs your attention"),
                )
    return note


@transaction.atomic
def note_read_record(*, actor: User, note: SessionNote) -> None:
    """Record that a supervisor read a session note (called by ``access_note``)."""
    audit_record(
        actor=actor,
        action="read_session_note",
        target_kind="session_note",
        target_id=note.pk,
        member=note.session.relationship.member,
    )
