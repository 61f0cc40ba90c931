"""Writes for planned endings, feedback and supporters' tasks.

A planned ending: either person proposes it (the relationship is then "ending"), each may
write a reflection, the member may fill in questionnaires, and then either person closes it
("ended") and both are thanked. Afterwards the member may give feedback to the organisation.
Each function is one transaction with its audit row; audit details never copy anyone's text.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.notifications.services import notify_message
from alongside.safety.services.audit import audit_record
from alongside.support.ending_models import EndingReflection, SupporterTask, SupportFeedback
from alongside.support.models import SupportRelationship

SUPPORT_KIND = "support"
MAX_TEXT = 5000


def ending_link(relationship: SupportRelationship) -> str:
    return reverse("support_endings:ending", args=[relationship.pk])


def _locked(relationship: SupportRelationship, actor: User) -> SupportRelationship:
    locked = (
        SupportRelationship.objects.select_for_update()
        .select_related("member", "supporter")
        .get(pk=relationship.pk)
    )
    if actor.pk not in (locked.member_id, locked.supporter_id):
        raise Http404
    return locked


def _other(actor: User, relationship: SupportRelationship) -> User:
    return relationship.supporter if actor.pk == relationship.member_id else relationship.member


def _clean_text(text: str, field: str) -> str:
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("Please keep this under 5000 characters.")})
    return text


@transaction.atomic
def ending_propose(*, actor: User, relationship: SupportRelationship) -> SupportRelationship:
    """Either person suggests ending; the relationship moves to "ending"."""
    relationship = _locked(relationship, actor)
    if relationship.status != SupportRelationship.Status.ACTIVE:
        raise ValidationError(_("Only active support can be brought to an end this way."))
    relationship.status = SupportRelationship.Status.ENDING
    relationship.save(update_fields=["status"])
    notify_message(
        recipient=_other(actor, relationship),
        kind=SUPPORT_KIND,
        actor=actor,
        message=_(
            "%(handle)s has suggested bringing your support to a planned end. You can write "
            "a reflection before it closes."
        )
        % {"handle": actor.handle},
        link=ending_link(relationship),
    )
    audit_record(
        actor=actor,
        action="support.ending_propose",
        target_kind="support_relationship",
        target_id=relationship.pk,
        member=relationship.member,
    )
    return relationship


@transaction.atomic
def reflection_write(
    *, actor: User, relationship: SupportRelationship, text: str
) -> EndingReflection:
    """Write (or rewrite) the actor's own reflection while the support is ending."""
    relationship = _locked(relationship, actor)
    if relationship.status != SupportRelationship.Status.ENDING:
        raise ValidationError(_("Reflections are written while support is ending."))
    text = _clean_text(text, "text")
    if not text:
        raise ValidationError({"text": _("Please write something, or leave this page.")})
    now = timezone.now()
    reflection, created = EndingReflection.objects.get_or_create(
        relationship=relationship, by=actor, defaults={"text": text, "created_at": now}
    )
    if not created:
        reflection.text = text
        reflection.updated_at = now
        reflection.save(update_fields=["text", "updated_at"])
    audit_record(
        actor=actor,
        action="support.reflection_write",
        target_kind="support_relationship",
        target_id=relationship.pk,
        member=relationship.member,
        detail={"created": created},
    )
    return reflection


@transaction.atomic
def relationship_end(
    *, actor: User, relationship: SupportRelationship, now: datetime | None = None
) -> SupportRelationship:
    """Close a relationship that is ending; both people are thanked."""
    now = now or timezone.now()
    relationship = _locked(relationship, actor)
    if relationship.status != SupportRelationship.Status.ENDING:
        raise ValidationError(_("Support is ended after one of you has suggested ending it."))
    relationship.status = SupportRelationship.Status.ENDED
    relationship.ended_at = now
    relationship.save(update_fields=["status", "ended_at"])
    link = ending_link(relationship)
    notify_message(
        recipient=relationship.member,
        kind=SUPPORT_KIND,
        message=_(
            "Your support with %(handle)s has ended. Thank you for the work you put in. If you "
            "would like to, you can tell us how it went."
        )
        % {"handle": relationship.supporter.handle},
        link=reverse("support_endings:feedback", args=[relationship.pk]),
    )
    notify_message(
        recipient=relationship.supporter,
        kind=SUPPORT_KIND,
        message=_("Your support of %(handle)s has ended. Thank you for everything you gave.")
        % {"handle": relationship.member.handle},
        link=link,
    )
    audit_record(
        actor=actor,
        action="support.relationship_end",
        target_kind="support_relationship",
        target_id=relationship.pk,
        member=relationship.member,
    )
    return relationship


@transaction.atomic
def feedback_give(
    *, member: User, relationship: SupportRelationship, rating: int, comments: str = ""
) -> SupportFeedback:
    """The member's feedback after the ending, once; it goes to the organisation only."""
    relationship = _locked(relationship, member)
    if member.pk != relationship.member_id:
        raise Http404
    if relationship.status != SupportRelationship.Status.ENDED:
        raise ValidationError(_("Feedback can be given once your support has ended."))
    if SupportFeedback.objects.filter(relationship=relationship).exists():
        raise ValidationError(_("You have already given feedback. Thank you."))
    if rating not in range(1, 6):
        raise ValidationError({"rating": _("Please choose from 1 to 5.")})
    feedback = SupportFeedback.objects.create(
        relationship=relationship,
        member=member,
        rating=rating,
        comments=_clean_text(comments, "comments") or None,
    )
    audit_record(
        actor=member,
        action="support.feedback_give",
        target_kind="support_relationship",
        target_id=relationship.pk,
        member=member,
    )
    return feedback


# --- Supporter tasks ------------------------------------------------------------------------


@transaction.atomic
def task_add(
    *,
    supporter: User,
    text: str,
    kind: str = SupporterTask.Kind.CUSTOM,
    due_at: datetime | None = None,
    relationship: SupportRelationship | None = None,
) -> SupporterTask:
    text = _clean_text(text, "text")
    if not text:
        raise ValidationError({"text": _("Please say what the task is.")})
    if kind not in SupporterTask.Kind.values:
        raise ValidationError({"kind": _("Please choose a kind of task.")})
    if relationship is not None and relationship.supporter_id != supporter.pk:
        raise Http404
    task = SupporterTask.objects.create(
        supporter=supporter, text=text, kind=kind, due_at=due_at, relationship=relationship
    )
    audit_record(
        actor=supporter,
        action="support.task_add",
        target_kind="support_task",
        target_id=task.pk,
        detail={"kind": kind},
    )
    return task


@transaction.atomic
def task_done(*, supporter: User, task: SupporterTask) -> SupporterTask:
    task = SupporterTask.objects.select_for_update().get(pk=task.pk)
    if task.supporter_id != supporter.pk:
        raise Http404
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit_record(
            actor=supporter,
            action="support.task_done",
            target_kind="support_task",
            target_id=task.pk,
        )
    return task
