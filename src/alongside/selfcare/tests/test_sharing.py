"""Sharing progress with a peer supporter: consent, withdrawal, the one door, the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.access import forget_role_names
from alongside.accounts.roles import Role
from alongside.chat.models import Conversation, Participant
from alongside.measures.models import MeasureShare
from alongside.safety.models import AuditEntry
from alongside.selfcare import sharing
from alongside.selfcare.models import CheckIn, GoalRating
from alongside.selfcare.tests.test_progress import add_goal, add_score


@pytest.fixture
def supporter(make_user):
    return make_user("hazel", role=Role.PEER_SUPPORTER)


def member_with_history(member) -> None:
    today = timezone.localdate()
    add_score(
        member,
        "phq9",
        today - timedelta(days=30),
        14,
        "moderate",
        answers=[2, 2, 1, 2, 1, 2, 2, 1, 1],
    )
    add_score(member, "phq9", today - timedelta(days=2), 8, "mild", answers=[1] * 8 + [0])
    CheckIn.objects.create(member=member, day=today, mood=3, note="Argued with Fennel again")
    goal = add_goal(member, "Back to choir", [(today - timedelta(days=5), 4)])
    GoalRating.objects.create(goal=goal, rating=6, note="Sang the alto part with Juniper")


def test_grant_and_view(member, supporter, client_for):
    member_with_history(member)
    share = sharing.share_grant(member=member, supporter=supporter)

    response = client_for(supporter).get(reverse("progress:member", args=[member.handle]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "river&#x27;s progress" in page or "river's progress" in page
    assert "<td>8</td><td>mild</td>" in page
    assert "Back to choir" in page
    chart = reverse("progress:member_chart_measure", kwargs={"handle": "river", "key": "phq9"})
    assert chart in page
    entry = AuditEntry.objects.get(action="read_shared_progress")
    assert entry.actor == supporter
    assert entry.member == member
    assert entry.target_id == share.pk
    assert entry.detail == {"part": "page"}


def test_shared_view_never_shows_item_answers_or_notes(member, supporter, client_for):
    member_with_history(member)
    sharing.share_grant(member=member, supporter=supporter)

    page = client_for(supporter).get(reverse("progress:member", args=["river"])).content.decode()

    # Item wording of the PHQ-9 and the member's own notes stay out.
    assert "Little interest or pleasure" not in page
    assert "Thoughts that you would be better off dead" not in page
    assert "Argued with Fennel" not in page
    assert "Sang the alto part" not in page


def test_supporter_can_load_the_charts_and_each_is_audited(member, supporter, client_for):
    member_with_history(member)
    sharing.share_grant(member=member, supporter=supporter)
    client = client_for(supporter)

    url = reverse("progress:member_chart_measure", kwargs={"handle": "river", "key": "phq9"})
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert AuditEntry.objects.filter(
        action="read_shared_progress", detail={"part": "chart:measure:phq9"}
    ).exists()
    assert client.get(reverse("progress:member_chart_mood", args=["river"])).status_code == 200


def test_not_found_without_a_share(member, supporter, role_users, client_for):
    member_with_history(member)
    for viewer in [supporter, role_users["moderator"], role_users["administrator"]]:
        client = client_for(viewer)
        assert client.get(reverse("progress:member", args=["river"])).status_code == 404
        url = reverse("progress:member_chart_mood", args=["river"])
        assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="read_shared_progress").exists()


def test_withdrawn_share_is_not_found(member, supporter, client_for):
    member_with_history(member)
    share = sharing.share_grant(member=member, supporter=supporter)
    member_client = client_for(member)

    response = member_client.post(reverse("progress:share_withdraw", args=[share.pk]))

    assert response.status_code == 302
    share.refresh_from_db()
    assert share.withdrawn_at is not None
    url = reverse("progress:member", args=["river"])
    assert client_for(supporter).get(url).status_code == 404
    assert AuditEntry.objects.filter(action="withdraw_progress_share", member=member).exists()


def test_a_supporter_who_loses_the_role_loses_access(member, supporter, client_for):
    sharing.share_grant(member=member, supporter=supporter)
    supporter.groups.clear()
    forget_role_names(supporter)
    with pytest.raises(Http404):
        sharing.progress_for_viewer(viewer=supporter, member=member)


def test_non_supporter_cannot_be_granted(member, make_user, role_users):
    for person in [make_user("aspen"), role_users["moderator"], role_users["researcher"]]:
        with pytest.raises(ValidationError):
            sharing.share_grant(member=member, supporter=person)
    with pytest.raises(ValidationError):
        sharing.share_grant(member=member, supporter=member)
    assert not MeasureShare.objects.exists()


def test_grant_through_the_page(member, supporter, make_user, client_for):
    client = client_for(member)

    refused = client.post(reverse("progress:share_grant"), {"handle": "aspen_not_here"})
    assert refused.status_code == 400
    assert "No one has that handle." in refused.content.decode()
    make_user("aspen")
    refused = client.post(reverse("progress:share_grant"), {"handle": "aspen"})
    assert refused.status_code == 400
    assert "aspen is not a peer supporter" in refused.content.decode()
    assert 'value="aspen"' in refused.content.decode()

    granted = client.post(reverse("progress:share_grant"), {"handle": "HAZEL"})
    assert granted.status_code == 302
    assert [share.supporter for share in sharing.shares_for(member)] == [supporter]
    assert AuditEntry.objects.filter(action="grant_progress_share").count() == 1
    # Granting again changes nothing.
    client.post(reverse("progress:share_grant"), {"handle": "hazel"})
    assert MeasureShare.objects.count() == 1


def test_member_cannot_withdraw_someone_elses_share(member, supporter, make_user, client_for):
    other = make_user("linden")
    share = sharing.share_grant(member=other, supporter=supporter)
    response = client_for(member).post(reverse("progress:share_withdraw", args=[share.pk]))
    assert response.status_code == 404
    share.refresh_from_db()
    assert share.withdrawn_at is None


def test_supporters_they_chat_with_are_offered_first(member, make_user, client_for):
    make_user("alder", role=Role.PEER_SUPPORTER)
    chatted = make_user("yew", role=Role.PEER_SUPPORTER)
    make_user("birch")  # not a supporter: never offered
    conversation = Conversation.objects.create(kind=Conversation.Kind.DIRECT)
    Participant.objects.create(conversation=conversation, user=member)
    Participant.objects.create(conversation=conversation, user=chatted)

    offered = sharing.supporters_offered(member)

    assert [(choice.handle, choice.has_chat) for choice in offered] == [
        ("yew", True),
        ("alder", False),
    ]
    page = client_for(member).get(reverse("progress:index")).content.decode()
    assert "Share with yew" in page
    assert page.index("Share with yew") < page.index("Share with alder")
    assert "not see your answers to single questions" in page


def test_shared_with_me_lists_members(member, supporter, make_user, client_for):
    other = make_user("rowan")
    sharing.share_grant(member=member, supporter=supporter)
    withdrawn = sharing.share_grant(member=other, supporter=supporter)
    sharing.share_withdraw(member=other, share=withdrawn)

    page = client_for(supporter).get(reverse("progress:shared")).content.decode()

    assert reverse("progress:member", args=["river"]) in page
    assert "rowan" not in page


def test_own_progress_through_the_door_is_not_audited(member):
    sharing.progress_for_viewer(viewer=member, member=member)
    assert not AuditEntry.objects.filter(action="read_shared_progress").exists()
