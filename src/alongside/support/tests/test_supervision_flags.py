"""The supervision page's "conversations to look at": risk noted in a session note, or an open
urgent alert in the relationship's one-to-one; never the words that flagged it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.safety.models import ContentKind, QueueItem, Tier
from alongside.support.selectors import flagged_relationships
from alongside.support.session_models import SessionNote, SupportSession
from alongside.support.tests.test_sessions_helpers import (
    make_relationship,
    make_supervisor,
    make_supporter,
)

pytestmark = pytest.mark.django_db


def _held_session(relationship, *, days_ago: int) -> SupportSession:
    return SupportSession.objects.create(
        relationship=relationship,
        starts_at=timezone.now() - timedelta(days=days_ago),
        status=SupportSession.Status.COMPLETED,
        booked_by=relationship.member,
    )


def test_a_recent_risk_note_flags_the_relationship_and_an_old_one_does_not(make_user, member):
    relationship = make_relationship(
        member, make_supporter(make_user), make_supervisor(make_user, "sam")
    )
    assert flagged_relationships() == []
    old = SessionNote.objects.create(
        session=_held_session(relationship, days_ago=40),
        risk_flag=True,
        risk_noticed="Invented: talked about not wanting to be here.",
    )
    SessionNote.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    assert flagged_relationships() == []
    SessionNote.objects.create(session=_held_session(relationship, days_ago=1), risk_flag=True)
    [flag] = flagged_relationships()
    assert flag.relationship == relationship
    assert flag.risk_noted and not flag.urgent_open


def test_an_open_urgent_alert_in_the_conversation_flags_it_until_resolved(make_user, member):
    from alongside.chat.models import Conversation, Message

    relationship = make_relationship(
        member, make_supporter(make_user), make_supervisor(make_user, "sam")
    )
    conversation = Conversation.objects.create(kind=Conversation.Kind.DIRECT)
    relationship.conversation = conversation
    relationship.save(update_fields=["conversation"])
    message = Message.objects.create(
        conversation=conversation, author=member, body="Invented.", seq=1, updated_seq=1
    )
    item = QueueItem.objects.create(
        kind=ContentKind.MESSAGE, object_id=message.pk, member=member, tier=Tier.URGENT
    )
    [flag] = flagged_relationships()
    assert flag.urgent_open and not flag.risk_noted
    item.status = QueueItem.Status.RESOLVED
    item.save(update_fields=["status"])
    assert flagged_relationships() == []


def test_the_supervision_page_lists_flags_without_the_words(make_user, member, client_for):
    supervisor = make_supervisor(make_user, "sam")
    relationship = make_relationship(member, make_supporter(make_user), supervisor)
    SessionNote.objects.create(
        session=_held_session(relationship, days_ago=1),
        risk_flag=True,
        risk_noticed="Invented: mentioned a plan for the weekend.",
    )
    page = client_for(supervisor).get(reverse("support:supervision")).content.decode()
    assert "a session note recorded a risk" in page
    assert member.handle in page
    assert "plan for the weekend" not in page
