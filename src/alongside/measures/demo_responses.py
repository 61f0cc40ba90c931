"""A believable questionnaire history for the demo member, scored by the real engine.

Seven occasions two weeks apart over the last twelve weeks, a PHQ (the PHQ-9 where a
responder is named, otherwise the PHQ-8, as the site would offer) and a GAD-7 each time, with
scores falling from moderately severe towards mild, so the progress pages have something
honest to show. Every answer to PHQ-9 item 9 is 0: the demo never starts the safety pathway.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from alongside.measures.engine import MeasureDefinition, get_definition, score
from alongside.measures.models import MeasureResponse
from alongside.measures.responder import offered_measure_key
from alongside.measures.services import _store

if TYPE_CHECKING:
    from alongside.accounts.models import User

WEEKS_APART = 2
# Totals at each occasion, oldest first.
PHQ_TOTALS = (17, 16, 14, 12, 10, 8, 6)
GAD_TOTALS = (14, 13, 12, 10, 8, 7, 5)


def spread(definition: MeasureDefinition, total: int) -> list[int | None]:
    """Answers adding up to ``total``, as even as the items allow, risk items left at 0."""
    risk = {safety.item_key for safety in definition.safety_items}
    open_items = [index for index, item in enumerate(definition.items) if item.key not in risk]
    answers: list[int | None] = [0] * definition.item_count
    remaining = total
    while remaining > 0:
        progressed = False
        for index in open_items:
            value = answers[index] or 0
            if remaining and value < max(definition.items[index].values):
                answers[index] = value + 1
                remaining -= 1
                progressed = True
        if not progressed:
            raise ValueError(f"{definition.key} cannot reach {total} without its risk items")
    return answers


@transaction.atomic
def ensure_demo_responses(member: User) -> None:
    """Give ``member`` the demo history, once: nothing happens if they have any already."""
    phq = get_definition(offered_measure_key("phq9"))
    gad = get_definition("gad7")
    if MeasureResponse.objects.filter(member=member, measure__in=[phq.key, gad.key]).exists():
        return
    now = timezone.now()
    last = len(PHQ_TOTALS) - 1
    for occasion, (phq_total, gad_total) in enumerate(zip(PHQ_TOTALS, GAD_TOTALS, strict=True)):
        when = now - timedelta(weeks=WEEKS_APART * (last - occasion), hours=2)
        for definition, total, offset in ((phq, phq_total, 0), (gad, gad_total, 5)):
            answers = spread(definition, total)
            result = score(definition, answers)
            _store(
                member=member,
                result=result,
                answers=answers,
                completed_at=when + timedelta(minutes=offset),
            )
