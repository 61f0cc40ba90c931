"""Session notes: encrypted at rest, who may read them, auditing, and the risk flag."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from conftest import MakeUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.notifications.models import Notification
from alongside.safety.models import AuditEntry
from alongside.support import session_selectors as selectors
from alongside.support import session_services as services
from alongside.support.models import SupportRelationship
from alongside.support.session_models import SessionNote, SupportSession
from alongside.support.tests import test_sessions_helpers as helpers

pytestmark = [pytest.mark.django_db, pytest.mark.urls(helpers.URLS)]


@pytest.fixture
def supporter(make_user: MakeUser) -> User:
    return helpers.make_supporter(make_user)


@pytest.fixture
def supervisor(make_user: MakeUser) -> User:
    return helpers.make_supervisor(make_user, "sam")


@pytest.fixture
def relationship(member: User, supporter: User, supervisor: User) -> SupportRelationship:
    return helpers.make_relationship(member, supporter, supervisor)


ClientFor = Callable[[User], Client]

NOTE: dict[str, str] = {
    "talked_about": "Starting at the allotment again",
    "what_helped": "Walking while we talked",
    "next_steps": "Ring the allotment society",
    "risk_noticed": "",
    "risk_action": "",
}


@pytest.fixture
def session(relationship: SupportRelationship, member: User) -> SupportSession:
    """A session that took place yesterday (created directly: bookings must be in future)."""
    starts = (timezone.now() - timedelta(days=1)).replace(second=0, microsecond=0)
    return SupportSession.objects.create(
        relationship=relationship, starts_at=starts, booked_by=member
    )


@pytest.fixture
def note(session: SupportSession, supporter: User) -> SessionNote:
    return services.note_save(actor=supporter, session=session, **NOTE)  # type: ignore[arg-type]


def _note_url(note: SessionNote) -> str:
    return reverse("support_sessions:note_detail", kwargs={"note_id": note.pk})


def test_note_text_is_encrypted_at_rest(note: SessionNote) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT talked_about, what_helped, next_steps FROM support_sessionnote WHERE id = %s",
            [note.pk],
        )
        stored = " ".join(str(value) for value in cursor.fetchone())
    for plain in ("allotment", "Walking", "society"):
        assert plain not in stored
    note.refresh_from_db()
    assert note.talked_about == NOTE["talked_about"]


def test_saving_a_note_completes_the_session_and_is_audited_without_text(
    note: SessionNote, session: SupportSession
) -> None:
    session.refresh_from_db()
    assert session.status == SupportSession.Status.COMPLETED
    entry = AuditEntry.objects.get(action="session_note_save")
    assert entry.target_id == note.pk
    assert "allotment" not in str(entry.detail)
    assert note.risk_flag is False


def test_only_the_supporter_writes_notes_after_a_session_began(
    session: SupportSession, member: User, supervisor: User, supporter: User
) -> None:
    for other in (member, supervisor):
        with pytest.raises(Http404):
            services.note_save(actor=other, session=session, **NOTE)  # type: ignore[arg-type]
    session.starts_at = timezone.now() + timedelta(hours=2)
    session.save()
    with pytest.raises(ValidationError):
        services.note_save(actor=supporter, session=session, **NOTE)  # type: ignore[arg-type]


def test_an_empty_note_is_refused(session: SupportSession, supporter: User) -> None:
    with pytest.raises(ValidationError):
        services.note_save(actor=supporter, session=session)


def test_supporter_reads_the_note_without_an_audit_entry(
    note: SessionNote, supporter: User, client_for: ClientFor
) -> None:
    response = client_for(supporter).get(_note_url(note))
    assert response.status_code == 200
    assert "Starting at the allotment again" in response.content.decode()
    assert not AuditEntry.objects.filter(action="read_session_note").exists()


def test_relationship_supervisor_reads_and_every_reading_is_audited(
    note: SessionNote, supervisor: User, member: User, client_for: ClientFor
) -> None:
    client = client_for(supervisor)
    for _ in range(2):
        response = client.get(_note_url(note))
        assert response.status_code == 200
        assert "Walking while we talked" in response.content.decode()
    entries = AuditEntry.objects.filter(action="read_session_note")
    assert entries.count() == 2
    entry = entries.first()
    assert entry is not None
    assert (entry.actor, entry.target_id, entry.member) == (supervisor, note.pk, member)


def test_a_supervisor_by_permission_reads_and_is_audited(
    note: SessionNote, make_user: MakeUser, client_for: ClientFor
) -> None:
    other_supervisor = helpers.make_supervisor(make_user, "jo")
    assert client_for(other_supervisor).get(_note_url(note)).status_code == 200
    assert AuditEntry.objects.filter(action="read_session_note", actor=other_supervisor).exists()


def test_the_relationship_supervisor_without_the_permission_still_reads(
    note: SessionNote, relationship: SupportRelationship, make_user: MakeUser
) -> None:
    named = make_user("pat")
    relationship.supervisor = named
    relationship.save()
    assert selectors.access_note(named, note.pk) == note
    assert AuditEntry.objects.filter(action="read_session_note", actor=named).exists()


def test_other_supporters_moderators_and_strangers_get_404(
    note: SessionNote,
    make_user: MakeUser,
    client_for: ClientFor,
    role_users: dict[str, User],
) -> None:
    for outsider in (
        role_users["peer_supporter"],
        role_users["moderator"],
        make_user("stranger"),
    ):
        client = client_for(outsider)
        assert client.get(_note_url(note)).status_code == 404
        edit = reverse("support_sessions:note_edit", kwargs={"session_id": note.session_id})
        assert client.get(edit).status_code == 404
        assert client.post(edit, NOTE).status_code == 404
    assert not AuditEntry.objects.filter(action="read_session_note").exists()


def test_member_sees_what_is_recorded_about_them_and_nobody_elses(
    note: SessionNote,
    member: User,
    supporter: User,
    make_user: MakeUser,
    client_for: ClientFor,
) -> None:
    url = reverse("support_sessions:about_me")
    page = client_for(member).get(url).content.decode()
    assert "Starting at the allotment again" in page
    assert "Ring the allotment society" in page
    assert "with alex" in page
    # The member may open the note itself too, read-only, with no audit entry.
    response = client_for(member).get(_note_url(note)).content.decode()
    assert "Correct this note" not in response
    assert not AuditEntry.objects.filter(action="read_session_note").exists()
    # Someone else's page shows nothing of it.
    other = client_for(make_user("kit")).get(url).content.decode()
    assert "allotment" not in other
    assert "Nothing has been recorded about you" in other


def test_a_risk_noticed_flags_the_note_and_tells_the_supervisor_once(
    session: SupportSession, supporter: User, supervisor: User, member: User
) -> None:
    note = services.note_save(
        actor=supporter,
        session=session,
        talked_about="A hard week",
        risk_noticed="Spoke about not wanting to be here",
        risk_action="Made a safety plan together and shared the crisis line",
    )
    assert note.risk_flag is True
    [notification] = Notification.objects.filter(recipient=supervisor)
    assert "noted a risk" in notification.message
    assert "not wanting" not in notification.message
    assert notification.link == _note_url(note)
    assert not Notification.objects.filter(recipient=member).exists()
    # Correcting the note does not tell the supervisor again.
    services.note_save(
        actor=supporter,
        session=session,
        talked_about="A hard week",
        risk_noticed="Spoke about not wanting to be here",
        risk_action="Safety plan; follow-up message tomorrow",
    )
    assert Notification.objects.filter(recipient=supervisor).count() == 1


def test_the_tick_box_alone_flags_the_note_and_tells_the_supervisor(
    session: SupportSession, supporter: User, supervisor: User, client_for: ClientFor
) -> None:
    edit = reverse("support_sessions:note_edit", kwargs={"session_id": session.pk})
    response = client_for(supporter).post(edit, {**NOTE, "risk_flag": "on"})
    assert response.status_code == 302
    note = SessionNote.objects.get(session=session)
    assert note.risk_flag is True
    assert Notification.objects.filter(recipient=supervisor).count() == 1


def test_without_a_named_supervisor_the_supervisors_are_told(
    session: SupportSession,
    relationship: SupportRelationship,
    supporter: User,
    supervisor: User,
) -> None:
    relationship.supervisor = None
    relationship.save()
    services.note_save(actor=supporter, session=session, risk_flag=True, talked_about="Hard")
    assert Notification.objects.filter(recipient=supervisor).count() == 1


def test_note_form_errors_keep_what_was_typed(
    session: SupportSession, supporter: User, client_for: ClientFor
) -> None:
    edit = reverse("support_sessions:note_edit", kwargs={"session_id": session.pk})
    client = client_for(supporter)
    too_long = {**NOTE, "risk_action": "x" * 5001}
    response = client.post(edit, too_long)
    assert response.status_code == 200
    assert "Starting at the allotment again</textarea>" in response.content.decode()
    empty = client.post(edit, dict.fromkeys(NOTE, ""))
    assert "at least one part of the note" in empty.content.decode()
    assert not SessionNote.objects.exists()


def test_supporter_corrects_a_note_through_the_form(
    note: SessionNote, supporter: User, client_for: ClientFor
) -> None:
    edit = reverse("support_sessions:note_edit", kwargs={"session_id": note.session_id})
    client = client_for(supporter)
    page = client.get(edit).content.decode()
    assert "Starting at the allotment again</textarea>" in page
    client.post(edit, {**NOTE, "next_steps": "Visit the allotment on Saturday"})
    note.refresh_from_db()
    assert note.next_steps == "Visit the allotment on Saturday"
    assert SessionNote.objects.count() == 1


def test_session_list_shows_note_links_only_to_those_who_may_read(
    note: SessionNote,
    relationship: SupportRelationship,
    supporter: User,
    member: User,
    client_for: ClientFor,
) -> None:
    url = reverse("support_sessions:list", kwargs={"relationship_id": relationship.pk})
    for person in (supporter, member):
        assert _note_url(note) in client_for(person).get(url).content.decode()


def test_cancelled_sessions_take_no_notes(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    session = services.session_book(
        actor=member,
        relationship=relationship,
        starts_at=_noon_in(days=2),
    )
    services.session_cancel(actor=member, session=session, reason="Away")
    with pytest.raises(ValidationError):
        services.note_save(actor=supporter, session=session, talked_about="x", now=session.ends_at)


def _noon_in(*, days: int) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
