"""Matching: which peer supporters could take a request, ranked by fit and load, with reasons.

The score is deliberately simple and visible: each point comes from one reason a member can
read ("Shares lived experience of anxiety"), so nobody has to trust a black box. Supporters
who cannot take the request at all are left out rather than scored low:

- not a peer supporter, not active, or not taking new people;
- neither on duty nor with any weekly availability;
- caseload full (one person at a time while on probation; offers waiting count as places);
- already declined this request, or blocked either way with the member;
- the member is under 18 and the supporter has no cleared background check (the same rule as
  one-to-one chat: ``chat.policy``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.safety.selectors.protection import blocked_ids
from alongside.support.models import (
    SupporterProfile,
    SupportRelationship,
    SupportRequest,
)

# Points for each kind of fit; load adds up to LOAD_POINTS for a supporter with an empty list.
AREA_POINTS = 3
LANGUAGE_POINTS = 3
GENDER_POINTS = 2
TIMES_POINTS = 1
ON_DUTY_POINTS = 1
LOAD_POINTS = 2

# Times of day a member may prefer, as (start, end) in the supporter's own zone.
TIME_WINDOWS: dict[str, tuple[time, time]] = {
    "mornings": (time(6), time(12)),
    "afternoons": (time(12), time(17)),
    "evenings": (time(17), time(23, 59)),
}
WEEKEND = {5, 6}


@dataclass
class Suggestion:
    """One supporter who could take the request, why, and how well they fit."""

    supporter: User
    profile: SupporterProfile
    score: float
    reasons: list[str] = field(default_factory=list)
    load: int = 0


def open_load(supporter_ids: list[int]) -> dict[int, int]:
    """Places taken in each supporter's caseload: open relationships plus offers waiting."""
    relationships = dict(
        SupportRelationship.objects.filter(
            supporter_id__in=supporter_ids, status__in=SupportRelationship.OPEN_STATUSES
        )
        .values_list("supporter_id")
        .annotate(n=Count("id"))
        .values_list("supporter_id", "n")
    )
    offers = dict(
        SupportRequest.objects.filter(
            chosen_supporter_id__in=supporter_ids,
            status__in=[SupportRequest.Status.OFFERED, SupportRequest.Status.ESCALATED],
        )
        .values_list("chosen_supporter_id")
        .annotate(n=Count("id"))
        .values_list("chosen_supporter_id", "n")
    )
    return {pk: relationships.get(pk, 0) + offers.get(pk, 0) for pk in supporter_ids}


def may_support_minor(supporter: User) -> bool:
    """Only background-checked supporters work one-to-one with under-18s."""
    return supporter.background_check_cleared_at is not None


def _slot_times(slot: dict[str, object]) -> tuple[int, time, time] | None:
    try:
        weekday = int(str(slot["weekday"]))
        start = time.fromisoformat(str(slot["start"]))
        end = time.fromisoformat(str(slot["end"]))
    except (KeyError, ValueError):
        return None
    return weekday, start, end


def _fits_times(profile: SupporterProfile, wanted: list[str]) -> list[str]:
    """Which of the wanted times (mornings, evenings, weekends...) the availability covers."""
    slots = [s for s in (_slot_times(slot) for slot in profile.availability) if s is not None]
    found: list[str] = []
    for name in wanted:
        if name == "weekends":
            if any(weekday in WEEKEND for weekday, _start, _end in slots):
                found.append(name)
            continue
        window = TIME_WINDOWS.get(name)
        if window is None:
            continue
        if any(start < window[1] and end > window[0] for _day, start, end in slots):
            found.append(name)
    return found


def _area_label(area: str) -> str:
    return area


def _language_label(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


TIME_LABELS = {
    "mornings": _("mornings"),
    "afternoons": _("afternoons"),
    "evenings": _("evenings"),
    "weekends": _("weekends"),
}


def _score(
    request: SupportRequest, member: User, profile: SupporterProfile, load: int
) -> Suggestion:
    preferences = request.preferences or {}
    score = 0.0
    reasons: list[str] = []
    wanted_areas = [a for a in preferences.get("areas", []) if isinstance(a, str)]
    shared = [a for a in wanted_areas if a in profile.lived_experience_areas]
    if shared:
        score += AREA_POINTS * len(shared)
        reasons.append(
            _("Shares lived experience of %(areas)s")
            % {"areas": ", ".join(_area_label(a) for a in shared)}
        )
    language = preferences.get("language") or ""
    if language and language in profile.languages:
        score += LANGUAGE_POINTS
        reasons.append(_("Speaks %(language)s") % {"language": _language_label(language)})
    gender = str(preferences.get("gender") or "").strip().lower()
    if gender and profile.gender.strip().lower() == gender:
        score += GENDER_POINTS
        reasons.append(_("Is %(gender)s, as you asked") % {"gender": profile.gender})
    times = _fits_times(profile, [t for t in preferences.get("times", []) if isinstance(t, str)])
    if times:
        score += TIMES_POINTS
        reasons.append(
            _("Usually available %(times)s")
            % {"times": ", ".join(str(TIME_LABELS.get(t, t)) for t in times)}
        )
    if profile.on_duty:
        score += ON_DUTY_POINTS
        reasons.append(_("On duty now"))
    cap = profile.effective_cap
    free = cap - load
    score += round(LOAD_POINTS * free / cap, 2) if cap else 0
    if load == 0:
        reasons.append(_("Has space for new people this week"))
    else:
        reasons.append(_("Has space for %(count)d more") % {"count": free})
    return Suggestion(
        supporter=profile.user, profile=profile, score=round(score, 2), reasons=reasons, load=load
    )


def candidate_profiles(request: SupportRequest) -> list[SupporterProfile]:
    """Profiles of peer supporters who are taking new people and are available at all."""
    declined = [int(pk) for pk in request.declined_by if str(pk).isdigit()]
    return list(
        SupporterProfile.objects.filter(
            user__is_active=True,
            user__groups__name=Role.PEER_SUPPORTER,
            accepting_requests=True,
        )
        .filter(Q(on_duty=True) | ~Q(availability=[]))
        .exclude(user_id=request.member_id)
        .exclude(user_id__in=declined)
        .select_related("user")
        .distinct()
        .order_by("user__handle")
    )


def supporter_fits(request: SupportRequest, supporter: User) -> bool:
    """Whether this supporter could take the request now (the same rules as suggestions)."""
    return any(s.supporter.pk == supporter.pk for s in suggest_supporters(request))


def suggest_supporters(request: SupportRequest, *, limit: int | None = None) -> list[Suggestion]:
    """Supporters who could take ``request``, best fit first; ties go to the lighter load."""
    member = request.member
    profiles = candidate_profiles(request)
    loads = open_load([p.user_id for p in profiles])
    blocked = blocked_ids(member)
    suggestions: list[Suggestion] = []
    for profile in profiles:
        load = loads.get(profile.user_id, 0)
        if load >= profile.effective_cap:
            continue
        if member.is_minor and not may_support_minor(profile.user):
            continue
        if profile.user_id in blocked:
            continue
        suggestions.append(_score(request, member, profile, load))
    suggestions.sort(key=lambda s: (-s.score, s.load, s.supporter.handle.lower()))
    return suggestions[:limit] if limit else suggestions
