"""Programme and study pages: who sees what, the member's path, and allocation concealment."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from alongside.accounts.models import User
from alongside.evaluation.models import (
    Allocation,
    AllocationSlot,
    Arm,
    Enrolment,
    Programme,
    Screening,
    Study,
    StudyConsent,
)
from alongside.evaluation.tests.test_studies_support import (
    build_programme,
    build_study,
    consent,
    give_score,
)

MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    return make_user("coordinator_ash", role="administrator")


@pytest.fixture
def study(coordinator: User) -> Study:
    return build_study(coordinator, build_programme(coordinator))


def _html(response: object) -> str:
    content = response.content.decode()  # type: ignore[attr-defined]
    return CSRF.sub("", content)


# --- Permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "peer_supporter", "moderator", "researcher"])
def test_only_programme_managers_reach_the_set_up_pages(
    role: str, role_users: dict[str, User], client_for: ClientFor, study: Study
) -> None:
    client = client_for(role_users[role])
    for url in (
        reverse("evaluation:manage"),
        reverse("evaluation:manage_programme_create"),
        reverse("evaluation:manage_programme", args=[study.programme_id]),
        reverse("evaluation:manage_study", args=[study.pk]),
        reverse("evaluation:manage_study_create", args=[study.programme_id]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("evaluation:manage_study_close", args=[study.pk])).status_code == 403
    study.refresh_from_db()
    assert study.status == Study.Status.RECRUITING


def test_visitors_are_sent_to_sign_in(study: Study) -> None:
    response = Client().get(reverse("evaluation:study", args=[study.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_draft_study_is_not_shown_to_members(
    coordinator: User, member: User, client_for: ClientFor
) -> None:
    draft = build_study(coordinator, build_programme(coordinator), open_now=False)
    assert client_for(member).get(reverse("evaluation:study", args=[draft.pk])).status_code == 404


# --- Coordinators -------------------------------------------------------------------------


def test_coordinator_sets_up_a_programme_cohort_and_study(
    coordinator: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    response = client.post(
        reverse("evaluation:manage_programme_create"),
        {
            "name": "8-week peer support group",
            "description": "Weekly video meetings.",
            "format": "video",
            "support_source": "formal",
            "intended_sessions_per_week": "1",
            "duration_weeks": "8",
            "active": "on",
        },
    )
    programme = Programme.objects.get()
    assert response["Location"] == reverse("evaluation:manage_programme", args=[programme.pk])
    response = client.post(
        reverse("evaluation:manage_programme", args=[programme.pk]),
        {"name": "North spring", "starts_on": "2026-03-02", "site": "North"},
    )
    assert response.status_code == 302
    assert programme.cohorts.get().site == "North"
    response = client.post(
        reverse("evaluation:manage_study_create", args=[programme.pk]),
        {
            "title": "Access now vs waitlist",
            "summary": "We want to learn whether the group helps.",
            "arm1_name": "Access now",
            "arm1_ratio": "2",
            "arm2_name": "Waitlist",
            "arm2_ratio": "1",
            "arm2_delay_weeks": "8",
            "stratification_factors": ["site"],
            "block_sizes": "3, 6",
            "outcome_measures": ["gad7"],
            "primary_outcome": "gad7",
            "follow_up_weeks": "8",
        },
    )
    study = Study.objects.get()
    assert response["Location"] == reverse("evaluation:manage_study", args=[study.pk])
    assert [(arm.name, arm.ratio, arm.is_control) for arm in study.arms.all()] == [
        ("Access now", 2, False),
        ("Waitlist", 1, True),
    ]
    page = client.get(reverse("evaluation:manage_study", args=[study.pk]))
    assert "No consent form yet" in page.content.decode()
    client.post(
        reverse("evaluation:manage_study", args=[study.pk]),
        {"version": "1", "body": "Taking part is your choice.", "checks": "Can I stop? | yes"},
    )
    assert study.consent_documents.get().comprehension_checks[0]["answer"] is True
    client.post(reverse("evaluation:manage_study_open", args=[study.pk]))
    study.refresh_from_db()
    assert study.status == Study.Status.RECRUITING
    assert study.sequences.count() == 1


def test_block_sizes_that_break_the_ratio_are_shown_on_the_form(
    coordinator: User, client_for: ClientFor
) -> None:
    programme = build_programme(coordinator)
    response = client_for(coordinator).post(
        reverse("evaluation:manage_study_create", args=[programme.pk]),
        {
            "title": "T",
            "summary": "S",
            "arm1_name": "A",
            "arm1_ratio": "2",
            "arm2_name": "B",
            "arm2_ratio": "1",
            "arm2_delay_weeks": "0",
            "block_sizes": "2, 4",
            "outcome_measures": ["gad7"],
            "primary_outcome": "gad7",
            "follow_up_weeks": "8",
        },
    )
    assert response.status_code == 200
    assert "multiples of the total ratio (3)" in response.content.decode()
    assert not Study.objects.exists()


# --- Allocation concealment ---------------------------------------------------------------


def _pages_before_randomisation(
    study: Study, member: User, coordinator: User, client_for: ClientFor
) -> list[str]:
    mine = client_for(member)
    theirs = client_for(coordinator)
    return [
        _html(mine.get(reverse("evaluation:index"))),
        _html(mine.get(reverse("evaluation:programme", args=[study.programme_id]))),
        _html(mine.get(reverse("evaluation:study", args=[study.pk]))),
        _html(theirs.get(reverse("evaluation:manage"))),
        _html(theirs.get(reverse("evaluation:manage_programme", args=[study.programme_id]))),
        _html(theirs.get(reverse("evaluation:manage_study", args=[study.pk]))),
    ]


def _swap_every_slot(study: Study) -> None:
    """Exchange the two arms in every slot: a different concealed sequence."""
    first, second = Arm.objects.filter(study=study).order_by("position")
    slots = AllocationSlot.objects.filter(sequence__study=study)
    ids_first = list(slots.filter(arm=first).values_list("pk", flat=True))
    slots.filter(arm=second).update(arm=first)
    AllocationSlot.objects.filter(pk__in=ids_first).update(arm=second)


def test_no_page_depends_on_the_concealed_sequence(
    study: Study, member: User, coordinator: User, client_for: ClientFor
) -> None:
    """Every page a member or coordinator can open before randomisation is byte-for-byte the
    same whichever arms the sequence holds, so none of them can reveal the next allocation."""
    consent(member, study)
    give_score(member, "gad7", 12)
    before = _pages_before_randomisation(study, member, coordinator, client_for)
    _swap_every_slot(study)
    after = _pages_before_randomisation(study, member, coordinator, client_for)
    assert before == after
    for html in before:
        assert "slot" not in html.lower()
        assert "sequence" not in html.lower() or "never shown" in html.lower()


def test_the_arm_is_revealed_only_to_the_participant_after_randomisation(
    study: Study, make_user: MakeUser, client_for: ClientFor
) -> None:
    seen: set[str] = set()
    # Blocks of 2 to 6 at 1:1 in one stratum: six people always reach both arms.
    for index in range(6):
        person = make_user(f"participant{index}")
        consent(person, study)
        give_score(person, "gad7", 12)
        client = client_for(person)
        page = client.get(reverse("evaluation:study", args=[study.pk])).content.decode()
        assert "Find out my group" in page
        assert "Your group:" not in page
        client.post(reverse("evaluation:study_randomise", args=[study.pk]))
        allocation = Allocation.objects.get(participant=person)
        page = client.get(reverse("evaluation:study", args=[study.pk])).content.decode()
        assert f"Your group: {allocation.arm.name}" in page
        if allocation.arm.access_delay_weeks:
            assert "You're on the waiting list" in page
            enrolment = Enrolment.objects.get(member=person)
            assert enrolment.access_from is not None
            when = date_format(timezone.localtime(enrolment.access_from))
            assert f"access to the programme on {when}" in page
            assert reverse("core:get_help") in page
        else:
            assert "You'll start now" in page
        seen.add(allocation.arm.name)
    assert seen == {"Access now", "Waitlist"}
    # Someone not randomised sees the consent page, not anyone's arm.
    other = client_for(make_user("other")).get(reverse("evaluation:study", args=[study.pk]))
    assert "Your group:" not in other.content.decode()


# --- The member's path --------------------------------------------------------------------


def test_member_reads_consents_completes_baseline_and_is_randomised(
    study: Study, member: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    listing = client.get(reverse("evaluation:index")).content.decode()
    assert study.programme.name in listing
    page = client.get(reverse("evaluation:study", args=[study.pk])).content.decode()
    assert "separate from the community agreement" in page
    assert "Consent form (version 1)" in page
    document = study.consent_documents.get()
    cohort = study.programme.cohorts.order_by("pk").first()
    assert cohort is not None
    refused = client.post(
        reverse("evaluation:study_consent", args=[study.pk]),
        {"document": document.pk, "cohort": cohort.pk},
    )
    assert refused.status_code == 400  # the box was not ticked
    assert not StudyConsent.objects.exists()
    client.post(
        reverse("evaluation:study_consent", args=[study.pk]),
        {"document": document.pk, "cohort": cohort.pk, "agree": "on"},
    )
    assert StudyConsent.objects.get(member=member).document == document
    page = client.get(reverse("evaluation:study", args=[study.pk])).content.decode()
    assert reverse("measures:take", args=["gad7"]) in page
    # Randomising before the baseline is refused with the reason.
    client.post(reverse("evaluation:study_randomise", args=[study.pk]))
    assert not Allocation.objects.exists()
    give_score(member, "gad7", 16)
    client.post(reverse("evaluation:study_randomise", args=[study.pk]))
    allocation = Allocation.objects.get(participant=member)
    assert allocation.stratum == "site=North|baseline_severity=severe"


def test_an_old_consent_version_is_not_accepted(
    study: Study, coordinator: User, member: User, client_for: ClientFor
) -> None:
    old = study.consent_documents.get()
    from alongside.evaluation.studies import consent_publish

    consent_publish(actor=coordinator, study=study, version="2", body="New wording.")
    cohort = study.programme.cohorts.order_by("pk").first()
    assert cohort is not None
    client_for(member).post(
        reverse("evaluation:study_consent", args=[study.pk]),
        {"document": old.pk, "cohort": cohort.pk, "agree": "on"},
    )
    assert not StudyConsent.objects.exists()


def test_member_declines_and_joins_outside_the_study(
    study: Study, member: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    response = client.post(reverse("evaluation:study_decline", args=[study.pk]))
    assert response["Location"] == reverse("evaluation:programme", args=[study.programme_id])
    assert Screening.objects.get(member=member).excluded_reason == "declined"
    page = client.get(response["Location"]).content.decode()
    assert "Join without taking part in the study" in page
    cohort = study.programme.cohorts.order_by("pk").first()
    assert cohort is not None
    client.post(
        reverse("evaluation:programme_join", args=[study.programme_id]), {"cohort": cohort.pk}
    )
    enrolment = Enrolment.objects.get(member=member)
    assert enrolment.access_from is not None


def test_member_withdraws_choosing_what_happens_to_their_answers(
    study: Study, member: User, client_for: ClientFor
) -> None:
    consent(member, study)
    client = client_for(member)
    page = client.get(reverse("evaluation:study_withdraw", args=[study.pk])).content.decode()
    assert "Keep what I have already given" in page
    client.post(
        reverse("evaluation:study_withdraw", args=[study.pk]),
        {"data_choice": "remove", "leave_programme": "on"},
    )
    record = StudyConsent.objects.get(member=member)
    assert record.withdrawn_at is not None
    assert record.data_choice == "remove"
    assert Enrolment.objects.get(member=member).status == Enrolment.Status.WITHDRAWN


def test_pages_use_no_inline_script_or_style(
    study: Study, member: User, coordinator: User, client_for: ClientFor
) -> None:
    for html in _pages_before_randomisation(study, member, coordinator, client_for):
        assert "style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
