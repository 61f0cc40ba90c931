"""Demo data for formal peer support: supporter profiles, a supervisor, one relationship and
one open request. Called from ``core.demo``; running it again changes nothing.

Everything is written through the support services (so audited and checked like real use),
except back-dating, which only a demo needs. All text is invented.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import Group as RoleGroup
from django.db import transaction
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.accounts.selectors import current_policies
from alongside.accounts.services import policies_accept, role_assign
from alongside.support import services
from alongside.support.models import (
    ProbationReview,
    SupporterProfile,
    SupportRelationship,
    SupportRequest,
)

SUPERVISOR_HANDLE = "marnie_supervises"
ADMINISTRATOR = "ros_coordinator"
EVENINGS = [
    {"weekday": 0, "start": "18:00", "end": "21:00"},
    {"weekday": 2, "start": "18:00", "end": "21:00"},
]
DAYTIME = [
    {"weekday": 1, "start": "10:00", "end": "15:00"},
    {"weekday": 3, "start": "10:00", "end": "15:00"},
    {"weekday": 5, "start": "09:00", "end": "12:00"},
]
# handle: profile fields. priya_k_ps is new, so still on probation.
PROFILES: dict[str, dict[str, Any]] = {
    "willow_and_tea": {
        "languages": ["en"],
        "gender": "Woman",
        "availability": EVENINGS,
        "on_duty": True,
        "on_probation": False,
    },
    "big_dave_walks": {
        "languages": ["en"],
        "gender": "Man",
        "availability": DAYTIME,
        "caseload_cap": 4,
        "on_probation": False,
    },
    "niamh_on_the_hill": {
        "languages": ["en", "ga"],
        "gender": "Woman",
        "availability": EVENINGS,
        "time_zone": "Europe/Dublin",
        "on_probation": False,
    },
    "jordan_rivers": {
        "languages": ["en", "es"],
        "availability": DAYTIME,
        "time_zone": "America/Los_Angeles",
        "on_probation": False,
    },
    "priya_k_ps": {"languages": ["en"], "gender": "Woman", "availability": EVENINGS},
}
TRAINING = ["Peer support foundations", "Safeguarding adults", "Responding to crisis"]
RELATIONSHIP_WORDS = (
    "My anxiety has got worse since I started the new job and I'm avoiding trains again. "
    "I'd like someone who gets it to help me work back up to the commute."
)
RELATIONSHIP_FOCUS = "Working back up to the train commute, a stop at a time."
OPEN_REQUEST = (
    "mossandstone",
    "It's been a year since my dad died and everyone expects me to be over it. I'd like to "
    "talk to someone who has been through grief and won't rush me.",
    {"areas": ["grief"], "times": ["evenings"]},
)


def _ensure_supervisor(users: dict[str, User]) -> User:
    supervisor = User.objects.filter(handle__iexact=SUPERVISOR_HANDLE).first()
    if supervisor is None:
        from alongside.core.demo import DEMO_PASSWORD

        supervisor = User.objects.create_user(
            SUPERVISOR_HANDLE,
            DEMO_PASSWORD,
            pronouns="she/her",
            bio="Supervises the peer support team. Twenty years of lived experience, ten of "
            "supporting supporters.",
            lived_experience=["low mood and depression", "trauma"],
            region="GB",
            date_joined=timezone.now() - timedelta(days=120),
        )
        policies_accept(user=supervisor, documents=current_policies())
    # Every member holds the member role from sign-up, unrecorded, as the other demo accounts
    # do; the supervisor role is given on the record.
    supervisor.groups.add(RoleGroup.objects.get(name=Role.MEMBER))
    role_assign(actor=users.get(ADMINISTRATOR), user=supervisor, role=Role.SUPERVISOR)
    return supervisor


def _ensure_profiles(users: dict[str, User], supervisor: User) -> None:
    for handle, fields in PROFILES.items():
        user = users.get(handle)
        if user is None or SupporterProfile.objects.filter(user=user).exists():
            continue
        areas = [a for a in user.lived_experience if isinstance(a, str)]
        SupporterProfile.objects.create(user=user, lived_experience_areas=areas, **fields)
        completed = date.today() - timedelta(days=150)  # noqa: DTZ011 - demo dates only
        for number, module in enumerate(TRAINING):
            services.training_record_add(
                actor=supervisor,
                supporter=user,
                module=module,
                completed_on=completed + timedelta(days=7 * number),
                expires_on=completed + timedelta(days=730) if "Safeguarding" in module else None,
            )
        if not fields.get("on_probation", True):
            services.probation_review_record(
                actor=supervisor,
                supporter=user,
                decision=ProbationReview.Decision.APPROVE,
                note="Warm, boundaried, and honest about what peer support is and isn't.",
            )


def _ensure_relationship(users: dict[str, User], supervisor: User) -> None:
    member, supporter = users.get("quiet_heron"), users.get("willow_and_tea")
    if member is None or supporter is None:
        return
    if SupportRelationship.objects.filter(member=member, supporter=supporter).exists():
        return
    if SupportRequest.objects.filter(member=member, status__in=services.WAITING).exists():
        return
    request = services.request_create(
        member=member,
        in_their_words=RELATIONSHIP_WORDS,
        preferences={"areas": ["anxiety"], "times": ["evenings"]},
    )
    services.request_choose(actor=member, request=request, supporter=supporter)
    # Reuses their existing one-to-one (chat.direct_open finds it).
    relationship = services.request_accept(
        supporter=supporter, request=request, focus=RELATIONSHIP_FOCUS
    )
    # Back-date: three weeks in, so the page shows a relationship part-way through.
    started = relationship.started_at - timedelta(weeks=3)
    SupportRequest.objects.filter(pk=request.pk).update(
        created_at=started - timedelta(days=1), offered_at=started - timedelta(hours=20)
    )
    SupportRelationship.objects.filter(pk=relationship.pk).update(
        started_at=started,
        expected_end=relationship.expected_end - timedelta(weeks=3),
        supervisor=supervisor,
    )


def _ensure_open_request(users: dict[str, User]) -> None:
    handle, words, preferences = OPEN_REQUEST
    member = users.get(handle)
    if member is None or SupportRequest.objects.filter(member=member).exists():
        return
    services.request_create(member=member, in_their_words=words, preferences=preferences)


def ensure_demo_support(users: dict[str, User]) -> None:
    """Profiles for the demo peer supporters, a supervisor (``marnie_supervises``), an active
    relationship between quiet_heron and willow_and_tea, and one open request."""
    with transaction.atomic():
        supervisor = _ensure_supervisor(users)
        _ensure_profiles(users, supervisor)
        _ensure_relationship(users, supervisor)
        _ensure_open_request(users)
