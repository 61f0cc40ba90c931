"""Reads for sessions and notes: the only door to them.

Who may see what:

* a relationship's sessions: its member, its supporter, its supervisor, and supervisors
  (``support.supervise``);
* a session note: the supporter who keeps it, the relationship's supervisor and supervisors
  (each reading by a supervisor is audited), and the member it is about, on their own
  read-only page. Never other supporters, never moderators as such.

Anyone else gets a 404, as if the thing did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from alongside.accounts.access import has_permission
from alongside.accounts.models import User
from alongside.support.models import SupporterProfile, SupportRelationship
from alongside.support.session_models import SessionNote, SupportSession

SUPERVISE = "support.supervise"


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """The IANA zone names this server knows (read once: it scans the zone files)."""
    return frozenset(available_timezones())


def is_valid_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this server knows."""
    if not name or name not in known_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def supporter_zone(relationship: SupportRelationship) -> str:
    """The supporter's time zone (their profile's), or the site's when they have none."""
    profile = SupporterProfile.objects.filter(user_id=relationship.supporter_id).first()
    if profile is not None and is_valid_zone(profile.time_zone):
        return profile.time_zone
    return str(settings.TIME_ZONE)


def member_zone(relationship: SupportRelationship) -> str:
    """The zone the member last chose for a session, else the site's."""
    latest = (
        SupportSession.objects.filter(relationship=relationship)
        .order_by("-updated_at", "-id")
        .values_list("member_time_zone", flat=True)
        .first()
    )
    if latest and is_valid_zone(latest):
        return latest
    return str(settings.TIME_ZONE)


def zone_for(user: User, relationship: SupportRelationship) -> str:
    """The zone ``user`` sees this relationship's times in."""
    if user.pk == relationship.supporter_id:
        return supporter_zone(relationship)
    return member_zone(relationship)


def is_supervisor_of(user: User, relationship: SupportRelationship) -> bool:
    if not user.is_active:
        return False
    if relationship.supervisor_id == user.pk:
        return True
    return has_permission(user, SUPERVISE)


def is_party(user: User, relationship: SupportRelationship) -> bool:
    """The member or the supporter of the relationship (who may book and change sessions)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.pk in (relationship.member_id, relationship.supporter_id)


def can_view_relationship(user: User, relationship: SupportRelationship) -> bool:
    if is_party(user, relationship):
        return True
    return is_supervisor_of(user, relationship)


def access_relationship(user: User, relationship_id: int) -> SupportRelationship:
    """The relationship, for its two people and supervisors; otherwise a 404."""
    relationship = (
        SupportRelationship.objects.select_related("member", "supporter", "supervisor")
        .filter(pk=relationship_id)
        .first()
    )
    if relationship is None:
        raise Http404
    if not can_view_relationship(user, relationship):
        raise Http404
    return relationship


def access_session(user: User, session_id: int) -> SupportSession:
    """One session, for whoever may see its relationship; otherwise a 404."""
    session = (
        SupportSession.objects.select_related(
            "relationship__member", "relationship__supporter", "relationship__supervisor"
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404
    if not can_view_relationship(user, session.relationship):
        raise Http404
    return session


def access_session_as_party(user: User, session_id: int) -> SupportSession:
    """A session its member or supporter may change (reschedule, cancel); else a 404."""
    session = access_session(user, session_id)
    if not is_party(user, session.relationship):
        raise Http404
    return session


def access_session_as_supporter(user: User, session_id: int) -> SupportSession:
    """A session whose notes ``user`` keeps (they are its supporter); else a 404."""
    session = access_session(user, session_id)
    if session.relationship.supporter_id != user.pk:
        raise Http404
    return session


def sessions_for_relationship(relationship: SupportRelationship) -> QuerySet[SupportSession]:
    """Every session of a relationship (the caller went through ``access_relationship``)."""
    return (
        SupportSession.objects.filter(relationship=relationship)
        .select_related("note")
        .order_by("starts_at", "id")
    )


def can_read_note(user: User, note: SessionNote) -> bool:
    relationship = note.session.relationship
    if not user.is_authenticated or not user.is_active:
        return False
    if relationship.supporter_id == user.pk:
        return True
    if relationship.member_id == user.pk:
        return True
    return is_supervisor_of(user, relationship)


def reads_as_supervisor(user: User, note: SessionNote) -> bool:
    """Whether this reading is a supervisor's (audited), not the supporter's or member's own."""
    relationship = note.session.relationship
    return user.pk not in (relationship.supporter_id, relationship.member_id)


def access_note(user: User, note_id: int) -> SessionNote:
    """A note, for its supporter, the member it is about and supervisors; otherwise a 404.

    A supervisor's reading is written to the audit log here, at the door, so no page can show
    a note to a supervisor without it being recorded.
    """
    from alongside.support.session_services import note_read_record

    note = (
        SessionNote.objects.select_related(
            "session__relationship__member",
            "session__relationship__supporter",
            "session__relationship__supervisor",
        )
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404
    if not can_read_note(user, note):
        raise Http404
    if reads_as_supervisor(user, note):
        note_read_record(actor=user, note=note)
    return note


def notes_about_member(user: User) -> QuerySet[SessionNote]:
    """Every note recorded about ``user`` as a member, newest session first (their own page)."""
    return (
        SessionNote.objects.filter(session__relationship__member=user)
        .select_related("session__relationship__supporter")
        .order_by("-session__starts_at", "-id")
    )


@dataclass(frozen=True)
class SessionRow:
    session: SupportSession
    starts_local: datetime
    ends_local: datetime
    zone: str
    can_change: bool
    can_write_note: bool
    can_mark: bool


def session_rows(
    user: User, relationship: SupportRelationship, zone: str, now: datetime
) -> list[SessionRow]:
    """The relationship's sessions with their times in ``zone`` and what ``user`` may do."""
    tz = ZoneInfo(zone)
    party = is_party(user, relationship)
    supporter = user.pk == relationship.supporter_id
    rows = []
    for session in sessions_for_relationship(relationship):
        started = session.starts_at <= now
        rows.append(
            SessionRow(
                session=session,
                starts_local=session.starts_at.astimezone(tz),
                ends_local=session.ends_at.astimezone(tz),
                zone=zone,
                can_change=party and session.is_active and not started,
                can_write_note=supporter and started and session.status != "cancelled",
                can_mark=supporter and started and session.is_active,
            )
        )
    return rows
