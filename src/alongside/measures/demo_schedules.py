"""The demo community's questionnaire schedule: a gentle, site-wide wellbeing check-in."""

from __future__ import annotations

from django.db.models import Min
from django.utils import timezone

from alongside.accounts.models import User
from alongside.measures.models import MeasureSchedule

DEMO_SCHEDULE_NAME = "Wellbeing check-in"
DEMO_MEASURES = ["phq9", "gad7", "ucla3"]


def ensure_demo_schedule() -> MeasureSchedule:
    """Create the demo schedule once (PHQ-9, GAD-7 and UCLA-3 at joining and every 4 weeks);
    running it again returns the same row, unchanged.

    It is dated from the demo community's first member, as though the community had always
    used it, so the next job run offers each demo member their current occasion at once (only
    that one: never a backlog). The PHQ-9 is offered as the PHQ-8 automatically where no
    responder is configured, so the demo is safe on a deployment nobody watches.
    """
    existing = MeasureSchedule.objects.filter(name=DEMO_SCHEDULE_NAME, group=None).first()
    if existing is not None:
        return existing
    first_joined = User.objects.aggregate(first=Min("date_joined"))["first"]
    return MeasureSchedule.objects.create(
        name=DEMO_SCHEDULE_NAME,
        measures=list(DEMO_MEASURES),
        at_joining=True,
        every_weeks=4,
        created_at=first_joined or timezone.now(),
    )
