"""Reads for fidelity guidance, with their access checks.

- A supporter sees their own self-checks and may check a completed session of theirs.
- Supervisors (``support.supervise``) see any supporter's checks over time: counts and
  averages per principle, never a ranking of supporters against each other.
- The in-the-moment prompts show only to the supporter of an active relationship, in that
  relationship's one-to-one conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from alongside.accounts.models import User
from alongside.chat.models import Conversation
from alongside.support.fidelity import PeerSupportModel, current_model
from alongside.support.fidelity_models import FidelityCheck
from alongside.support.models import SupportRelationship
from alongside.support.selectors import is_supervisor
from alongside.support.session_models import SupportSession


def shows_prompts(user: User | None, conversation: Conversation | None) -> bool:
    """Whether ``user`` is the supporter of an active relationship in this one-to-one.

    At most one query; none for anyone signed out or for group rooms.
    """
    if user is None or conversation is None:
        return False
    if not user.is_authenticated:
        return False
    if not conversation.is_direct:
        return False
    return SupportRelationship.objects.filter(
        conversation_id=conversation.pk,
        supporter_id=user.pk,
        status=SupportRelationship.Status.ACTIVE,
    ).exists()


def access_session_for_check(user: User, session_id: int) -> SupportSession:
    """A completed session whose supporter is ``user``; otherwise a 404."""
    session = (
        SupportSession.objects.select_related("relationship__member", "relationship__supporter")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404
    if session.relationship.supporter_id != user.pk:
        raise Http404
    if session.status != SupportSession.Status.COMPLETED:
        raise Http404
    return session


def check_for_session(user: User, session: SupportSession) -> FidelityCheck | None:
    return FidelityCheck.objects.filter(supporter=user, session=session).first()


def access_supporter_checks(user: User, supporter_id: int) -> User:
    """The supporter whose checks ``user`` may see (their own, or anyone's for supervisors)."""
    supporter = User.objects.filter(pk=supporter_id).first()
    if supporter is None:
        raise Http404
    if supporter.pk == user.pk:
        return supporter
    if is_supervisor(user):
        return supporter
    raise Http404


def checks_of(supporter: User) -> QuerySet[FidelityCheck]:
    """The supporter's checks, newest first (the caller went through an access check)."""
    return FidelityCheck.objects.filter(supporter=supporter).select_related(
        "relationship__member", "session"
    )


@dataclass(frozen=True)
class PrincipleSummary:
    key: str
    name: str
    average: float | None
    answered: int


@dataclass(frozen=True)
class CheckRow:
    check: FidelityCheck
    averages: list[float | None]


@dataclass(frozen=True)
class FidelitySummary:
    model: PeerSupportModel
    count: int
    principles: list[PrincipleSummary]
    rows: list[CheckRow]


def _principle_of(model: PeerSupportModel) -> dict[str, str]:
    return {statement.key: statement.principle for statement in model.self_check}


def _averages(check: FidelityCheck, model: PeerSupportModel) -> dict[str, list[int]]:
    """Answers grouped by principle; statements the current model no longer has are skipped."""
    principle_of = _principle_of(model)
    grouped: dict[str, list[int]] = {}
    answers = check.answers if isinstance(check.answers, dict) else {}
    for key, value in answers.items():
        principle = principle_of.get(key)
        if principle is None or not isinstance(value, int):
            continue
        grouped.setdefault(principle, []).append(value)
    return grouped


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def fidelity_summary(supporter: User, *, limit: int = 100) -> FidelitySummary:
    """The supporter's recent checks with per-principle averages on the model's scale."""
    model = current_model()
    checks = list(checks_of(supporter)[:limit])
    totals: dict[str, list[int]] = {principle.key: [] for principle in model.principles}
    rows: list[CheckRow] = []
    for check in checks:
        grouped = _averages(check, model)
        for principle, values in grouped.items():
            totals[principle].extend(values)
        rows.append(
            CheckRow(
                check=check,
                averages=[_mean(grouped.get(p.key, [])) for p in model.principles],
            )
        )
    principles = [
        PrincipleSummary(
            key=principle.key,
            name=principle.name,
            average=_mean(totals[principle.key]),
            answered=len(totals[principle.key]),
        )
        for principle in model.principles
    ]
    return FidelitySummary(model=model, count=len(checks), principles=principles, rows=rows)
