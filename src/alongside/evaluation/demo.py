"""A believable programme and randomised study for the demo site, all invented.

"8-week peer support group" runs at two sites (North and South); its study, "Access now vs
waitlist", has randomised 40 invented participants through the real services (consent,
baseline, stratified permuted blocks), with PHQ and GAD-7 answers at baseline and at 8 weeks
scored by the real engine. Scores fall more in the access-now arm than on the waiting list,
some participants miss the follow-up, two withdraw and a few declined, so the analysis,
CONSORT and report pages all have something honest to show. Every answer to PHQ-9 item 9 is
0: the demo never starts the safety pathway.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group as RoleGroup
from django.db import transaction
from django.utils import timezone

from alongside.accounts.access import has_permission
from alongside.accounts.roles import Role
from alongside.evaluation.models import Programme
from alongside.evaluation.programmes import ProgrammeSettings, cohort_create, programme_create
from alongside.evaluation.selectors import MANAGE_PROGRAMMES
from alongside.evaluation.studies import (
    ArmSpec,
    StudySettings,
    consent_publish,
    participant_consent,
    participant_decline,
    participant_randomise,
    participant_withdraw,
    study_create,
    study_open,
)

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.evaluation.models import Cohort, Study

PROGRAMME_NAME = "8-week peer support group"
STUDY_TITLE = "Access now vs waitlist"
PARTICIPANTS = 40
DECLINED = 5
WITHOUT_BASELINE = 2
# Fixed, so the demo looks the same on every install (not a secret: no real allocation).
SEED = 20260105

_FIRST = (
    "amber", "birch", "cedar", "dawn", "ember", "fern", "glen", "hazel", "iris", "juniper",
    "kelp", "linden", "maple", "nettle", "oak", "pebble", "quill", "rowan", "sorrel", "thyme",
)  # fmt: skip
_SECOND = ("finch", "otter", "moth", "wren", "vole", "lark", "heron", "hare")

SUMMARY = """\
We want to find out whether the 8-week peer support group helps people feel less low and
less anxious, compared with waiting a few weeks for it.

If you take part, the computer decides by chance whether you start the group now or join the
waiting list and start after 8 weeks. Everyone is asked to fill in two short questionnaires
(about mood and about worry) before the group is chosen and again after 8 weeks.

Taking part is your choice. You can stop at any time without giving a reason, and whatever you
decide, everything else on the site stays open to you."""

CONSENT = """\
I have read the information about the study and had the chance to ask questions.

I understand that the group I am in is decided by chance, and that I may be on a waiting list
for 8 weeks.

I understand that my questionnaire scores will be used in the study without my handle or
anything I have written, and that I can stop at any time and choose whether the answers I
have already given are kept."""


def participant_handles() -> list[str]:
    """The invented study participants' handles (the demo tests tell them from the community)."""
    return _handles()


def _handles() -> list[str]:
    return [f"{first}_{second}" for second in _SECOND for first in _FIRST]


def _member(handle: str) -> User:
    from alongside.accounts.models import User

    user, created = User.objects.get_or_create(
        handle=handle, defaults={"date_joined": timezone.now() - timedelta(weeks=30)}
    )
    if created:
        from alongside.accounts.models import PolicyAcceptance, PolicyDocument

        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(RoleGroup.objects.get(name=Role.MEMBER))
        # Like every demo account, they joined under the current agreement and notice.
        PolicyAcceptance.objects.bulk_create(
            PolicyAcceptance(user=user, document=document)
            for document in PolicyDocument.objects.all()
        )
    return user


def _answer(member: User, key: str, total: int, at: datetime) -> None:
    """One questionnaire through the real service, then dated when it was 'given'."""
    from alongside.measures.demo_responses import spread
    from alongside.measures.engine import get_definition
    from alongside.measures.models import MeasureResponse
    from alongside.measures.services import response_submit

    definition = get_definition(key)
    response = response_submit(member=member, measure_key=key, answers=spread(definition, total))
    MeasureResponse.objects.filter(pk=response.pk).update(completed_at=at)


def _clamp(value: float, top: int) -> int:
    return max(0, min(top, round(value)))


def _programme(actor: User) -> tuple[Programme, list[Cohort]]:
    today = timezone.localdate()
    programme = programme_create(
        actor=actor,
        settings=ProgrammeSettings(
            name=PROGRAMME_NAME,
            description=(
                "Eight weekly video meetings with others who understand, led by two trained "
                "peer supporters. Each week has a theme, and there is always time to talk."
            ),
            format=Programme.Format.VIDEO,
            support_source=Programme.SupportSource.FORMAL,
            intended_sessions_per_week=1.0,
            duration_weeks=8,
            enrolment_opens=today - timedelta(weeks=16),
            enrolment_closes=today + timedelta(weeks=6),
        ),
    )
    cohorts = [
        cohort_create(
            actor=actor,
            programme=programme,
            name=f"{site}, this season",
            starts_on=today - timedelta(weeks=15),
            ends_on=today + timedelta(weeks=6),
            site=site,
            capacity=30,
        )
        for site in ("North", "South")
    ]
    return programme, cohorts


def _study(actor: User, programme: Programme, *, phq: str) -> Study:
    study = study_create(
        actor=actor,
        programme=programme,
        settings=StudySettings(
            title=STUDY_TITLE,
            summary=SUMMARY,
            arms=(
                ArmSpec(
                    name="Access now",
                    description="You join the next weekly meeting of your group.",
                ),
                ArmSpec(
                    name="Waitlist",
                    description="You join the group after 8 weeks.",
                    is_control=True,
                    access_delay_weeks=8,
                ),
            ),
            outcome_measures=(phq, "gad7"),
            primary_outcome=phq,
            block_sizes=(2, 4, 6),
            stratification_factors=("site", "baseline_severity"),
            follow_up_weeks=8,
            recruitment_target=40,
            allow_joining_outside_study=True,
        ),
    )
    consent_publish(
        actor=actor,
        study=study,
        version="1",
        body=CONSENT,
        comprehension_checks=[
            {"key": "chance", "question": "Is my group chosen by chance?", "answer": True},
            {"key": "stop", "question": "Can I stop at any time?", "answer": True},
        ],
    )
    study_open(actor=actor, study=study)
    study.refresh_from_db()
    return study


@transaction.atomic
def ensure_demo_evaluation(users: dict[str, User]) -> None:
    """Create the demo programme, its study and participants, once (idempotent by name)."""
    from alongside.measures.responder import offered_measure_key
    from alongside.measures.schedules import schedule_create

    if Programme.objects.filter(name=PROGRAMME_NAME).exists():
        return
    actor = next((user for user in users.values() if has_permission(user, MANAGE_PROGRAMMES)), None)
    if actor is None:
        return
    phq = offered_measure_key("phq9")
    programme, cohorts = _programme(actor)
    schedule = schedule_create(
        actor=actor,
        name="Peer support group outcomes",
        measures=[phq, "gad7"],
        programme=programme,
        at_joining=True,
        end_weeks=8,
    )
    study = _study(actor, programme, phq=phq)
    rng = random.Random(SEED)  # noqa: S311 - invented demo scores, not an allocation
    now = timezone.now()
    schedule.created_at = now - timedelta(weeks=15)
    schedule.save(update_fields=["created_at"])
    handles = iter(_handles())
    documents = study.consent_documents.order_by("-published_at", "-pk")
    document = documents.first()
    assert document is not None  # noqa: S101 - published just above
    answers = {"chance": True, "stop": True}

    for _ in range(DECLINED):
        participant_decline(member=_member(next(handles)), study=study)
    for index in range(WITHOUT_BASELINE):
        person = _member(next(handles))
        participant_consent(
            member=person,
            study=study,
            document=document,
            cohort=cohorts[index % 2],
            comprehension_answers=answers,
            now=now - timedelta(days=3),
        )

    for index in range(PARTICIPANTS):
        person = _member(next(handles))
        # Recruited over three weeks, 14 to 11 weeks ago: every 8-week follow-up is due.
        start = now - timedelta(weeks=14) + timedelta(hours=12 * index + rng.randint(0, 8))
        participant_consent(
            member=person,
            study=study,
            document=document,
            cohort=cohorts[index % 2],
            comprehension_answers=answers,
            now=start,
        )
        phq_base = rng.randint(6, 21)
        gad_base = _clamp(phq_base * 0.8 + rng.gauss(0, 2.5), 21)
        _answer(person, phq, phq_base, start + timedelta(minutes=20))
        _answer(person, "gad7", gad_base, start + timedelta(minutes=25))
        allocation = participant_randomise(
            actor=person, member=person, study=study, now=start + timedelta(minutes=30)
        )
        treated = allocation.arm.access_delay_weeks == 0
        if index in (7, 23):
            participant_withdraw(
                member=person,
                study=study,
                data_choice="keep" if index == 7 else "remove",
            )
            continue
        if rng.random() < 0.15:
            continue  # did not answer at 8 weeks: lost to follow-up
        change = rng.gauss(-5.0 if treated else -1.5, 3.5)
        phq_end = _clamp(phq_base + change, 24)
        gad_end = _clamp(gad_base + change * 0.8 + rng.gauss(0, 1.5), 21)
        follow_up = allocation.allocated_at + timedelta(weeks=8, days=rng.randint(0, 6))
        _answer(person, phq, phq_end, follow_up)
        _answer(person, "gad7", gad_end, follow_up + timedelta(minutes=5))
