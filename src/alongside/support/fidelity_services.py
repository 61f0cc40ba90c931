"""Writes for fidelity guidance: the supporter's self-check after a session.

One transaction with its audit row. The audit detail holds ids only, never the answers or note.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.safety.services.audit import audit_record
from alongside.support.fidelity import current_model
from alongside.support.fidelity_models import FidelityCheck
from alongside.support.session_models import SupportSession

NOTE_MAX = 2000


def _clean_answers(answers: dict[str, Any]) -> dict[str, int]:
    """Every statement of the current model answered with a value on its scale."""
    model = current_model()
    allowed = model.scale_values
    cleaned: dict[str, int] = {}
    for statement in model.self_check:
        raw = answers.get(statement.key)
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = -1
        if value not in allowed:
            raise ValidationError(_("Please answer every statement."), code="unanswered")
        cleaned[statement.key] = value
    return cleaned


@transaction.atomic
def fidelity_check_record(
    *,
    supporter: User,
    session: SupportSession,
    answers: dict[str, Any],
    note: str = "",
) -> FidelityCheck:
    """Record the supporter's self-check about one completed session (once per session)."""
    relationship = session.relationship
    if relationship.supporter_id != supporter.pk:
        raise PermissionDenied
    if session.status != SupportSession.Status.COMPLETED:
        raise ValidationError(
            _("The self-check opens once the session is marked as happened."), code="not_completed"
        )
    if FidelityCheck.objects.filter(supporter=supporter, session=session).exists():
        raise ValidationError(
            _("You have already done the self-check for this session."), code="duplicate"
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("Please keep the note under %(max)d characters.") % {"max": NOTE_MAX},
            code="note_too_long",
        )
    model = current_model()
    check = FidelityCheck.objects.create(
        supporter=supporter,
        relationship=relationship,
        session=session,
        model_key=model.key,
        model_version=model.version,
        answers=_clean_answers(answers),
        note=note or None,
    )
    audit_record(
        actor=supporter,
        action="support.fidelity_check",
        target_kind="fidelity_check",
        target_id=check.pk,
        detail={"session": session.pk, "relationship": relationship.pk},
    )
    return check
