"""Planned endings, reflections and the member's feedback, with who may see what."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import MakeUser
from django.db import connection
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.notifications.models import Notification
from alongside.support import ending_selectors as selectors
from alongside.support import ending_services as services
from alongside.support.ending_models import EndingReflection, SupportFeedback
from alongside.support.models import SupportRelationship
from alongside.support.tests import test_endings_helpers as helpers

pytestmark = [pytest.mark.django_db, pytest.mark.urls(helpers.URLS)]

ClientFor = Callable[[User], Client]


@pytest.fixture
def supporter(make_user: MakeUser) -> User:
    return helpers.make_supporter(make_user)


@pytest.fixture
def relationship(member: User, supporter: User) -> SupportRelationship:
    return helpers.make_relationship(member, supporter)


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_full_planned_ending_through_the_pages(
    client_for: ClientFor, member: User, supporter: User, relationship: SupportRelationship
) -> None:
    as_member, as_supporter = client_for(member), client_for(supporter)
    page = as_member.get(reverse("support_endings:ending", args=[relationship.pk]))
    assert page.status_code == 200
    assert "Suggest a planned ending" in page.content.decode()

    as_supporter.post(reverse("support_endings:propose", args=[relationship.pk]))
    relationship.refresh_from_db()
    assert relationship.status == SupportRelationship.Status.ENDING
    assert Notification.objects.filter(recipient=member, kind="support").exists()

    page = as_member.get(reverse("support_endings:ending", args=[relationship.pk]))
    assert reverse("measures:index") in page.content.decode()
    as_member.post(
        reverse("support_endings:ending", args=[relationship.pk]), {"text": "I sleep better"}
    )
    as_supporter.post(
        reverse("support_endings:ending", args=[relationship.pk]), {"text": "Proud of you"}
    )
    assert EndingReflection.objects.filter(relationship=relationship).count() == 2
    page = as_member.get(reverse("support_endings:ending", args=[relationship.pk]))
    assert "Proud of you" in page.content.decode()

    as_member.post(reverse("support_endings:end", args=[relationship.pk]))
    relationship.refresh_from_db()
    assert relationship.status == SupportRelationship.Status.ENDED
    assert relationship.ended_at is not None
    thanks = Notification.objects.filter(recipient=member).order_by("-id").first()
    assert thanks is not None and "Thank you" in thanks.message

    feedback_url = reverse("support_endings:feedback", args=[relationship.pk])
    page = as_member.get(feedback_url)
    assert "without your name" in page.content.decode()
    response = as_member.post(feedback_url, {"rating": "4", "comments": "Kind and steady"})
    assert response.status_code == 302
    feedback = SupportFeedback.objects.get(relationship=relationship)
    assert feedback.rating == 4
    assert "Kind and steady" not in _raw("support_supportfeedback", "comments", feedback.pk)


def test_statuses_are_enforced(member: User, relationship: SupportRelationship) -> None:
    with pytest.raises(services.ValidationError):
        services.relationship_end(actor=member, relationship=relationship)
    with pytest.raises(services.ValidationError):
        services.reflection_write(actor=member, relationship=relationship, text="x")
    with pytest.raises(services.ValidationError):
        services.feedback_give(member=member, relationship=relationship, rating=5)
    services.ending_propose(actor=member, relationship=relationship)
    with pytest.raises(services.ValidationError):
        services.ending_propose(actor=member, relationship=relationship)
    services.relationship_end(actor=member, relationship=relationship)
    services.feedback_give(member=member, relationship=relationship, rating=5)
    with pytest.raises(services.ValidationError):
        services.feedback_give(member=member, relationship=relationship, rating=5)


def test_supporter_cannot_give_feedback_and_bad_ratings_refused(
    client_for: ClientFor, member: User, supporter: User
) -> None:
    relationship = helpers.make_relationship(member, supporter, SupportRelationship.Status.ENDED)
    url = reverse("support_endings:feedback", args=[relationship.pk])
    assert client_for(supporter).get(url).status_code == 404
    response = client_for(member).post(url, {"rating": "9", "comments": "kept text"})
    assert response.status_code == 200
    assert "kept text" in response.content.decode()
    assert not SupportFeedback.objects.exists()


def test_reflection_encrypted_and_rewritable(
    member: User, relationship: SupportRelationship
) -> None:
    services.ending_propose(actor=member, relationship=relationship)
    services.reflection_write(actor=member, relationship=relationship, text="first words")
    reflection = services.reflection_write(
        actor=member, relationship=relationship, text="secret growth"
    )
    assert EndingReflection.objects.count() == 1
    assert "secret growth" not in _raw("support_endingreflection", "text", reflection.pk)
    assert EndingReflection.objects.get().text == "secret growth"


def test_others_get_404(
    client_for: ClientFor,
    make_user: MakeUser,
    relationship: SupportRelationship,
) -> None:
    stranger = make_user("stranger")
    other_supporter = helpers.make_supporter(make_user, "sam")
    supervisor = make_user("sup", role=Role.SUPERVISOR)
    for user in (stranger, other_supporter, supervisor):
        client = client_for(user)
        for name in ("ending", "feedback"):
            url = reverse(f"support_endings:{name}", args=[relationship.pk])
            assert client.get(url).status_code == 404
        for name in ("propose", "end"):
            url = reverse(f"support_endings:{name}", args=[relationship.pk])
            assert client.post(url).status_code == 404
    relationship.refresh_from_db()
    assert relationship.status == SupportRelationship.Status.ACTIVE


def _ended_with_feedback(
    make_user: MakeUser, supporter: User, rating: int, comments: str
) -> SupportFeedback:
    member = make_user()
    relationship = helpers.make_relationship(member, supporter, SupportRelationship.Status.ENDED)
    return services.feedback_give(
        member=member, relationship=relationship, rating=rating, comments=comments
    )


def test_supporter_sees_only_aggregates_from_three(
    client_for: ClientFor, make_user: MakeUser, supporter: User
) -> None:
    url = reverse("support_endings:my_feedback")
    _ended_with_feedback(make_user, supporter, 5, "very personal words")
    _ended_with_feedback(make_user, supporter, 2, "other words")
    assert selectors.feedback_summary_for_supporter(supporter) is None
    page = client_for(supporter).get(url).content.decode()
    assert "at least 3 people" in page
    assert "very personal words" not in page

    _ended_with_feedback(make_user, supporter, 4, "third")
    summary = selectors.feedback_summary_for_supporter(supporter)
    assert summary == selectors.SupporterFeedbackSummary(
        count=3, found_helpful=2, mixed=0, found_unhelpful=1
    )
    page = client_for(supporter).get(url).content.decode()
    assert "3 people gave feedback" in page
    assert "very personal words" not in page
    # Nothing about ratings on the organisation's page for a supporter.
    assert (
        client_for(supporter).get(reverse("support_endings:organisation_feedback")).status_code
        == 404
    )


def test_organisation_sees_comments_without_member_handles(
    client_for: ClientFor, make_user: MakeUser, supporter: User
) -> None:
    member = make_user("identifiable_member")
    relationship = helpers.make_relationship(member, supporter, SupportRelationship.Status.ENDED)
    services.feedback_give(
        member=member, relationship=relationship, rating=3, comments="Sessions felt rushed"
    )
    for role in (Role.ADMINISTRATOR, Role.SUPERVISOR):
        viewer = make_user(f"viewer_{role}", role=role)
        page = client_for(viewer).get(reverse("support_endings:organisation_feedback"))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Sessions felt rushed" in text
        assert "identifiable_member" not in text
    overview = selectors.feedback_for_organisation(viewer)
    assert overview.count == 1
    assert overview.by_rating[3] == 1
    assert not hasattr(overview.rows[0], "member")
    for role in (Role.MEMBER, Role.MODERATOR):
        outsider = make_user(f"outsider_{role}", role=role)
        response = client_for(outsider).get(reverse("support_endings:organisation_feedback"))
        assert response.status_code == 404


def test_no_public_rating_on_supporter_pages(
    client_for: ClientFor, make_user: MakeUser, supporter: User, relationship: SupportRelationship
) -> None:
    for _ in range(3):
        _ended_with_feedback(make_user, supporter, 5, "great")
    other_member = make_user("curious")
    page = client_for(other_member).get(reverse("support_endings:my_feedback"))
    assert page.status_code == 404
    assert not hasattr(supporter, "rating")
