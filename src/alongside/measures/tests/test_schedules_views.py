"""The coordinator's schedule pages, a member's skip button, and the due-invitations read."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.communities.models import Group
from alongside.measures.models import MeasureInvitation, MeasureSchedule
from alongside.measures.schedule_selectors import due_invitations
from alongside.safety.models import AuditEntry

MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
Status = MeasureInvitation.Status

LIST = "measures:measure_schedules:list"
CREATE = "measures:measure_schedules:create"


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    user = make_user("coordinator_sam")
    user.user_permissions.add(Permission.objects.get(codename="manage_measure_schedules"))
    return user


@pytest.fixture
def schedule(db: None) -> MeasureSchedule:
    return MeasureSchedule.objects.create(
        name="Wellbeing check-in", measures=["phq9", "gad7"], every_weeks=4
    )


def test_pages_are_for_coordinators_only(
    member: User, schedule: MeasureSchedule, client_for: ClientFor
) -> None:
    client = client_for(member)
    for url in (
        reverse(LIST),
        reverse(CREATE),
        reverse("measures:measure_schedules:edit", args=[schedule.pk]),
        reverse("measures:measure_schedules:deactivate", args=[schedule.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse(CREATE), {"name": "Sneaky", "measures": ["gad7"]})
    assert response.status_code == 403
    response = client.post(reverse("measures:measure_schedules:deactivate", args=[schedule.pk]))
    assert response.status_code == 403
    schedule.refresh_from_db()
    assert schedule.active
    assert MeasureSchedule.objects.count() == 1


def test_administrators_manage_schedules_and_other_roles_do_not(
    role_users: dict[str, User], client_for: ClientFor
) -> None:
    for role, user in role_users.items():
        status = client_for(user).get(reverse(LIST)).status_code
        assert status == (200 if role == Role.ADMINISTRATOR else 403), role


def test_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get(reverse(LIST))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_list_shows_each_schedule_plainly(
    coordinator: User, schedule: MeasureSchedule, client_for: ClientFor
) -> None:
    html = client_for(coordinator).get(reverse(LIST)).content.decode()
    assert "Wellbeing check-in" in html
    assert "Patient Health Questionnaire (PHQ-9)" in html
    assert "Every 4 weeks" in html
    assert "Everyone" in html


def test_a_coordinator_adds_a_group_schedule(coordinator: User, client_for: ClientFor) -> None:
    group = Group.objects.create(slug="young-carers", name="Young carers")
    client = client_for(coordinator)
    form_html = client.get(reverse(CREATE)).content.decode()
    assert 'type="checkbox" name="measures" value="qpr15"' in form_html
    response = client.post(
        reverse(CREATE),
        {
            "name": "Carers programme",
            "measures": ["gad7", "qpr15"],
            "group": str(group.pk),
            "at_joining": "on",
            "every_weeks": "2",
            "end_weeks": "12",
            "follow_up_weeks": "12",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(LIST)
    created = MeasureSchedule.objects.get()
    assert (created.name, created.measures, created.group) == (
        "Carers programme",
        ["gad7", "qpr15"],
        group,
    )
    assert (created.every_weeks, created.end_weeks, created.follow_up_weeks) == (2, 12, 12)
    assert AuditEntry.objects.filter(action="schedule_create", actor=coordinator).exists()


def test_a_form_error_keeps_what_was_typed(coordinator: User, client_for: ClientFor) -> None:
    response = client_for(coordinator).post(
        reverse(CREATE),
        {
            "name": "Autumn course",
            "measures": ["ucla3"],
            "every_weeks": "4",
            "follow_up_weeks": "8",  # no end week: a follow-up has nothing to follow
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A follow-up is counted from the end: set an end week too." in html
    assert 'value="Autumn course"' in html
    assert re.search(r'<input type="checkbox" name="measures" value="ucla3"[^>]* checked', html)
    assert not re.search(r'value="gad7"[^>]* checked', html)
    assert re.search(r'<option value="4" selected>', html)
    assert 'value="8"' in html
    assert not MeasureSchedule.objects.exists()


def test_editing_shows_the_settings_and_saves_changes(
    coordinator: User, schedule: MeasureSchedule, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    url = reverse("measures:measure_schedules:edit", args=[schedule.pk])
    html = client.get(url).content.decode()
    assert 'value="Wellbeing check-in"' in html
    response = client.post(
        url, {"name": "Wellbeing check-in", "measures": ["gad7"], "every_weeks": "2"}
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.measures, schedule.every_weeks, schedule.at_joining) == (["gad7"], 2, False)


def test_stopping_asks_first_then_stops(
    coordinator: User, schedule: MeasureSchedule, member: User, client_for: ClientFor
) -> None:
    waiting = MeasureInvitation.objects.create(
        member=member, schedule=schedule, occasion="week-4", measure="gad7", due_at=timezone.now()
    )
    client = client_for(coordinator)
    url = reverse("measures:measure_schedules:deactivate", args=[schedule.pk])
    assert "Stop the schedule" in client.get(url).content.decode()
    schedule.refresh_from_db()
    assert schedule.active
    response = client.post(url, follow=True)
    assert "is stopped" in response.content.decode()
    schedule.refresh_from_db()
    waiting.refresh_from_db()
    assert not schedule.active
    assert waiting.status == Status.LAPSED


def test_a_missing_schedule_is_404(coordinator: User, client_for: ClientFor) -> None:
    url = reverse("measures:measure_schedules:edit", args=[999])
    assert client_for(coordinator).get(url).status_code == 404


# --- Members --------------------------------------------------------------------------------


def test_a_member_skips_their_own_questionnaire(
    member: User, schedule: MeasureSchedule, client_for: ClientFor
) -> None:
    invitation = MeasureInvitation.objects.create(
        member=member, schedule=schedule, occasion="week-4", measure="gad7", due_at=timezone.now()
    )
    client = client_for(member)
    url = reverse("measures:measure_schedules:skip", args=[invitation.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("measures:index")
    invitation.refresh_from_db()
    assert invitation.status == Status.SKIPPED
    # Skipping again is harmless.
    assert client.post(url).status_code == 302


def test_nobody_can_skip_someone_elses(
    member: User, make_user: MakeUser, schedule: MeasureSchedule, client_for: ClientFor
) -> None:
    invitation = MeasureInvitation.objects.create(
        member=member, schedule=schedule, occasion="week-4", measure="gad7", due_at=timezone.now()
    )
    url = reverse("measures:measure_schedules:skip", args=[invitation.pk])
    assert client_for(make_user("nosy")).post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Status.DUE


def test_due_invitations_are_the_members_own_waiting_ones_oldest_first(
    member: User, make_user: MakeUser, schedule: MeasureSchedule
) -> None:
    now = timezone.now()

    def invite(user: User, occasion: str, measure: str, **fields: object) -> MeasureInvitation:
        fields.setdefault("due_at", now - timedelta(hours=1))
        return MeasureInvitation.objects.create(
            member=user, schedule=schedule, occasion=occasion, measure=measure, **fields
        )

    newer = invite(member, "week-4", "gad7", due_at=now - timedelta(minutes=5))
    older = invite(member, "week-4", "phq8", due_at=now - timedelta(days=1))
    invite(member, "week-8", "gad7", due_at=now + timedelta(days=1))
    invite(member, "baseline", "gad7", status=Status.SKIPPED)
    invite(member, "baseline", "phq8", status=Status.COMPLETED)
    invite(make_user("other"), "week-4", "gad7")
    assert list(due_invitations(member, now=now)) == [older, newer]
    MeasureSchedule.objects.filter(pk=schedule.pk).update(active=False)
    assert list(due_invitations(member, now=now)) == []


def test_the_skip_form_partial_posts_to_the_members_skip(
    member: User, schedule: MeasureSchedule
) -> None:
    from django.template.loader import render_to_string

    invitation = MeasureInvitation.objects.create(
        member=member, schedule=schedule, occasion="week-4", measure="gad7", due_at=timezone.now()
    )
    html = render_to_string(
        "measures/schedules/_skip_form.html",
        {"invitation": invitation, "label": "GAD-7"},
    )
    assert f'action="{reverse("measures:measure_schedules:skip", args=[invitation.pk])}"' in html
    assert 'method="post"' in html
    assert "Skip this time" in html
    assert "(GAD-7)" in html
