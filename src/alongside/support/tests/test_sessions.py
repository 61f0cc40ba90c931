"""Booking, moving and cancelling live sessions; time zones; reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from conftest import MakeUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.chat.models import Conversation
from alongside.notifications.models import Notification
from alongside.safety.models import AuditEntry
from alongside.support import session_services as services
from alongside.support.models import SupporterProfile, SupportRelationship
from alongside.support.session_jobs import session_reminders_send
from alongside.support.session_models import SupportSession
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

# Summer time in the UK begins on Sunday 31 March 2030: Monday 25 March is on GMT (UTC+0),
# Monday 1 April on BST (UTC+1).
BEFORE_CHANGE = date(2030, 3, 25)
AFTER_CHANGE = date(2030, 4, 1)


def _evenings_only(user: User) -> None:
    """Mondays 18:00 to 20:00, London time."""
    SupporterProfile.objects.filter(user=user).update(
        availability=[{"weekday": 0, "start": "18:00", "end": "20:00"}]
    )


def _soon(days: int = 2) -> datetime:
    """Noon UTC a few days from now: inside the all-week hours, away from midnight."""
    return (timezone.now() + timedelta(days=days)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )


def _book(relationship: SupportRelationship, actor: User, **kwargs: object) -> SupportSession:
    kwargs.setdefault("starts_at", _soon())
    return services.session_book(actor=actor, relationship=relationship, **kwargs)  # type: ignore[arg-type]


def _messages_for(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


# Booking -------------------------------------------------------------------------------------


def test_member_books_within_availability_and_supporter_is_told(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    _evenings_only(supporter)
    starts = datetime(2030, 3, 25, 18, 30, tzinfo=UTC)
    session = _book(relationship, member, starts_at=starts, member_time_zone="UTC")
    assert session.status == SupportSession.Status.BOOKED
    assert session.booked_by == member
    assert session.starts_at == starts
    [message] = _messages_for(supporter)
    assert "river booked a support session" in message
    assert "18:30 (Europe/London)" in message
    assert _messages_for(member) == []
    assert AuditEntry.objects.filter(action="support_session_book", target_id=session.pk).exists()


@pytest.mark.parametrize(
    ("at", "minutes"),
    [(time(17, 30), 50), (time(19, 30), 50), (time(21, 0), 30)],
    ids=["before", "runs-past-the-end", "after"],
)
def test_booking_outside_availability_is_refused(
    relationship: SupportRelationship, member: User, supporter: User, at: time, minutes: int
) -> None:
    _evenings_only(supporter)
    starts = datetime.combine(BEFORE_CHANGE, at, tzinfo=UTC)
    with pytest.raises(ValidationError) as caught:
        _book(relationship, member, starts_at=starts, duration_minutes=minutes)
    assert caught.value.error_dict["starts_at"][0].code == "unavailable"
    assert not SupportSession.objects.exists()


def test_a_supporter_without_hours_cannot_be_booked(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    SupporterProfile.objects.filter(user=supporter).update(availability=[])
    with pytest.raises(ValidationError):
        _book(relationship, member)


def test_no_double_booking_for_the_supporter_across_relationships(
    relationship: SupportRelationship, member: User, supporter: User, make_user: MakeUser
) -> None:
    starts = _soon()
    _book(relationship, member, starts_at=starts)
    other_member = make_user("kit")
    other = SupportRelationship.objects.create(
        member=other_member, supporter=supporter, expected_end=_soon(56)
    )
    for overlap in (starts, starts + timedelta(minutes=49), starts - timedelta(minutes=49)):
        with pytest.raises(ValidationError) as caught:
            _book(other, other_member, starts_at=overlap)
        assert caught.value.error_dict["starts_at"][0].code == "taken"
    # Back to back is fine, and a cancelled session frees its time.
    _book(other, other_member, starts_at=starts + timedelta(minutes=50))
    first = SupportSession.objects.get(starts_at=starts)
    services.session_cancel(actor=member, session=first, reason="Feeling unwell")
    _book(other, other_member, starts_at=starts)


def test_past_times_ended_relationships_and_third_people_are_refused(
    relationship: SupportRelationship, member: User, make_user: MakeUser
) -> None:
    with pytest.raises(ValidationError):
        _book(relationship, member, starts_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(Http404):
        _book(relationship, make_user("stranger"))
    relationship.status = SupportRelationship.Status.ENDED
    relationship.save()
    with pytest.raises(ValidationError):
        _book(relationship, member)


# Time zones ----------------------------------------------------------------------------------


def test_same_supporter_hours_move_in_utc_across_the_clock_change(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    """18:00 London is 18:00 UTC before the change and 17:00 UTC after it."""
    _evenings_only(supporter)
    tokyo = "Asia/Tokyo"  # no summer time: the member's clock does not move
    # 03:00 in Tokyo on Tuesday is 18:00 UTC on Monday: inside the hours on GMT ...
    before = services.combine_local(date(2030, 3, 26), time(3, 0), tokyo)
    assert before == datetime(2030, 3, 25, 18, 0, tzinfo=UTC)
    _book(relationship, member, starts_at=before, member_time_zone=tokyo)
    # ... and 02:00 in Tokyo is 17:00 UTC: too early on GMT, exactly 18:00 on BST.
    with pytest.raises(ValidationError):
        _book(
            relationship,
            member,
            starts_at=services.combine_local(date(2030, 3, 26), time(2, 0), tokyo),
        )
    after = services.combine_local(date(2030, 4, 2), time(2, 0), tokyo)
    assert after == datetime(2030, 4, 1, 17, 0, tzinfo=UTC)
    session = _book(relationship, member, starts_at=after, member_time_zone=tokyo)
    # The supporter is told in their own (summer) time.
    assert "18:00 (Europe/London)" in _messages_for(supporter)[-1]
    assert session.member_time_zone == tokyo


def test_a_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        services.combine_local(date(2030, 3, 31), time(1, 30), "Europe/London")
    assert caught.value.code == "nonexistent_time"
    # The hour that happens twice in autumn means the first of the two (summer time).
    twice = services.combine_local(date(2030, 10, 27), time(1, 30), "Europe/London")
    assert twice == datetime(2030, 10, 27, 0, 30, tzinfo=UTC)


def test_each_person_sees_times_in_their_own_zone(
    relationship: SupportRelationship,
    member: User,
    supporter: User,
    client_for: ClientFor,
) -> None:
    _evenings_only(supporter)
    client = client_for(member)
    url = reverse("support_sessions:list", kwargs={"relationship_id": relationship.pk})
    response = client.post(
        url,
        {
            "day": "2030-04-02",
            "at": "02:00",
            "time_zone": "Asia/Tokyo",
            "duration_minutes": "50",
            "mode": "chat",
        },
    )
    assert response.status_code == 302
    session = SupportSession.objects.get()
    assert session.starts_at == datetime(2030, 4, 1, 17, 0, tzinfo=UTC)
    member_page = client.get(url).content.decode()
    assert "Tuesday 2 April 2030, 02:00\N{EN DASH}02:50" in member_page
    assert "Asia/Tokyo" in member_page
    supporter_page = client_for(supporter).get(url).content.decode()
    assert "Monday 1 April 2030, 18:00\N{EN DASH}18:50" in supporter_page
    assert "Europe/London" in supporter_page


def test_booking_form_errors_keep_what_was_typed(
    relationship: SupportRelationship, member: User, supporter: User, client_for: ClientFor
) -> None:
    _evenings_only(supporter)
    url = reverse("support_sessions:list", kwargs={"relationship_id": relationship.pk})
    response = client_for(member).post(
        url,
        {
            "day": "2030-03-25",
            "at": "09:15",
            "time_zone": "Europe/Paris",
            "duration_minutes": "60",
            "mode": "phone",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "outside the supporter" in page
    assert 'value="2030-03-25"' in page
    assert 'value="09:15"' in page
    assert '<option value="Europe/Paris" selected>' in page
    assert '<option value="60" selected>' in page
    assert '<option value="phone" selected>' in page
    assert not SupportSession.objects.exists()


# Moving and cancelling -----------------------------------------------------------------------


def test_reschedule_tells_the_other_person_with_the_reason(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    session = _book(relationship, member, member_time_zone="America/New_York")
    new_time = session.starts_at + timedelta(hours=3)
    services.session_reschedule(
        actor=supporter, session=session, starts_at=new_time, reason="A training day"
    )
    session.refresh_from_db()
    assert session.status == SupportSession.Status.RESCHEDULED
    assert session.starts_at == new_time
    [message] = _messages_for(member)
    assert "alex moved your support session" in message
    assert "A training day" in message
    assert "(America/New_York)" in message


def test_reschedule_needs_a_reason_and_a_free_available_time(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    session = _book(relationship, member)
    later = _book(relationship, member, starts_at=session.starts_at + timedelta(hours=2))
    with pytest.raises(ValidationError) as caught:
        services.session_reschedule(
            actor=member, session=session, starts_at=later.starts_at, reason=" "
        )
    assert "reason" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        services.session_reschedule(
            actor=member, session=session, starts_at=later.starts_at, reason="Clash at work"
        )
    assert caught.value.error_dict["starts_at"][0].code == "taken"


def test_cancel_through_the_page_tells_the_other_person(
    relationship: SupportRelationship, member: User, supporter: User, client_for: ClientFor
) -> None:
    session = _book(relationship, supporter)
    Notification.objects.all().delete()
    url = reverse("support_sessions:cancel", kwargs={"session_id": session.pk})
    client = client_for(member)
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200
    assert "Please say why" in empty.content.decode()
    response = client.post(url, {"reason": "I have a hospital appointment"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SupportSession.Status.CANCELLED
    assert session.cancelled_by == member
    [message] = _messages_for(supporter)
    assert "river cancelled your support session" in message
    assert "hospital appointment" in message
    assert _messages_for(member) == []


def test_reschedule_page_keeps_input_on_error_and_moves_on_success(
    relationship: SupportRelationship, member: User, supporter: User, client_for: ClientFor
) -> None:
    session = _book(relationship, member)
    url = reverse("support_sessions:reschedule", kwargs={"session_id": session.pk})
    client = client_for(supporter)
    bad = client.post(
        url, {"day": "2001-01-01", "at": "10:00", "time_zone": "UTC", "reason": "Clash"}
    )
    assert bad.status_code == 200
    assert "Please choose a time in the future" in bad.content.decode()
    assert "Clash</textarea>" in bad.content.decode()
    new_time = session.starts_at + timedelta(days=1)
    good = client.post(
        url,
        {
            "day": new_time.date().isoformat(),
            "at": new_time.strftime("%H:%M"),
            "time_zone": "UTC",
            "reason": "Clash",
        },
    )
    assert good.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == new_time


def test_a_third_person_gets_404_everywhere(
    relationship: SupportRelationship,
    member: User,
    make_user: MakeUser,
    client_for: ClientFor,
    role_users: dict[str, User],
) -> None:
    session = _book(relationship, member)
    urls = [
        reverse("support_sessions:list", kwargs={"relationship_id": relationship.pk}),
        reverse("support_sessions:reschedule", kwargs={"session_id": session.pk}),
        reverse("support_sessions:cancel", kwargs={"session_id": session.pk}),
        reverse("support_sessions:note_edit", kwargs={"session_id": session.pk}),
    ]
    for outsider in (make_user("stranger"), role_users["moderator"], role_users["peer_supporter"]):
        client = client_for(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)
        assert client.post(urls[2], {"reason": "x"}).status_code == 404
    session.refresh_from_db()
    assert session.status == SupportSession.Status.BOOKED


def test_supervisor_sees_sessions_but_cannot_change_them(
    relationship: SupportRelationship, member: User, supervisor: User, client_for: ClientFor
) -> None:
    session = _book(relationship, member)
    client = client_for(supervisor)
    url = reverse("support_sessions:list", kwargs={"relationship_id": relationship.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "Book a session" not in page.content.decode()
    cancel = reverse("support_sessions:cancel", kwargs={"session_id": session.pk})
    assert client.post(cancel, {"reason": "x"}).status_code == 404


# Reminders -----------------------------------------------------------------------------------


def test_reminders_a_day_and_an_hour_before_once_each(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    starts = _soon(3)
    session = _book(relationship, member, starts_at=starts)
    Notification.objects.all().delete()
    assert session_reminders_send(now=starts - timedelta(hours=30)) == 0
    day_before = starts - timedelta(hours=23)
    assert session_reminders_send(now=day_before) == 1
    assert session_reminders_send(now=day_before) == 0
    assert session_reminders_send(now=day_before + timedelta(hours=5)) == 0
    for person in (member, supporter):
        [message] = _messages_for(person)
        assert "tomorrow" in message
    hour_before = starts - timedelta(minutes=40)
    assert session_reminders_send(now=hour_before) == 1
    assert session_reminders_send(now=hour_before + timedelta(minutes=10)) == 0
    assert session_reminders_send(now=starts + timedelta(minutes=5)) == 0
    for person in (member, supporter):
        messages = _messages_for(person)
        assert len(messages) == 2
        assert sum("within the hour" in text for text in messages) == 1
    session.refresh_from_db()
    assert session.reminder_day_sent_at == day_before
    assert session.reminder_hour_sent_at == hour_before


def test_a_late_run_sends_one_reminder_not_two_and_cancelled_sessions_none(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    starts = _soon(3)
    _book(relationship, member, starts_at=starts)
    cancelled = _book(relationship, member, starts_at=starts + timedelta(hours=5))
    services.session_cancel(actor=member, session=cancelled, reason="Away")
    Notification.objects.all().delete()
    assert session_reminders_send(now=starts - timedelta(minutes=30)) == 1
    assert len(_messages_for(member)) == 1
    assert session_reminders_send(now=starts - timedelta(minutes=20)) == 0


def test_moving_a_session_resets_its_reminders(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    starts = _soon(3)
    session = _book(relationship, member, starts_at=starts)
    session_reminders_send(now=starts - timedelta(hours=20))
    session.refresh_from_db()
    assert session.reminder_day_sent_at is not None
    services.session_reschedule(
        actor=member, session=session, starts_at=starts + timedelta(days=3), reason="Clash"
    )
    session.refresh_from_db()
    assert session.reminder_day_sent_at is None
    assert session.reminder_hour_sent_at is None


def test_booking_less_than_a_day_ahead_skips_the_day_reminder(
    relationship: SupportRelationship, member: User, supporter: User
) -> None:
    starts = _soon(3)
    booked_at = starts - timedelta(hours=5)
    _book(relationship, member, starts_at=starts, now=booked_at)
    Notification.objects.all().delete()
    assert session_reminders_send(now=booked_at) == 0
    assert session_reminders_send(now=starts - timedelta(minutes=55)) == 1
    assert len(_messages_for(member)) == 1


def test_the_sessions_page_takes_the_same_queries_however_many_sessions(
    relationship: SupportRelationship,
    member: User,
    client_for: ClientFor,
) -> None:
    client = client_for(member)
    url = reverse("support_sessions:list", kwargs={"relationship_id": relationship.pk})
    _book(relationship, member, starts_at=_soon(2))
    client.get(url)  # warm the session and policy caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for days in (3, 4, 5, 6):
        _book(relationship, member, starts_at=_soon(days))
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    assert len(five) == len(one)


def test_live_chat_sessions_point_to_the_relationships_conversation(
    relationship: SupportRelationship, member: User, supporter: User, client_for: ClientFor
) -> None:
    conversation = Conversation.objects.create(kind=Conversation.Kind.DIRECT, created_by=member)
    relationship.conversation = conversation
    relationship.save()
    _book(relationship, member)
    url = reverse("support_sessions:list", kwargs={"relationship_id": relationship.pk})
    chat = reverse("chat:conversation", kwargs={"conversation_id": conversation.pk})
    for person in (member, supporter):
        assert f'href="{chat}"' in client_for(person).get(url).content.decode()
