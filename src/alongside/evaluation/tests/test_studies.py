"""Study services: design checks, consent (required, versioned), eligibility, withdrawal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alongside.accounts.models import User
from alongside.evaluation.models import (
    Allocation,
    Enrolment,
    Screening,
    Study,
    StudyConsent,
)
from alongside.evaluation.programmes import participant_enrol
from alongside.evaluation.studies import (
    ArmSpec,
    StudySettings,
    consent_publish,
    participant_consent,
    participant_decline,
    participant_randomise,
    participant_withdraw,
    study_close,
    study_create,
    study_open,
    study_update,
)
from alongside.evaluation.tests.test_studies_support import (
    build_programme,
    build_study,
    consent,
    enrol_and_randomise,
    give_score,
)
from alongside.safety.models import AuditEntry

MakeUser = Callable[..., User]


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    return make_user("coordinator_ash", role="administrator")


def settings_with(**changes: object) -> StudySettings:
    values: dict[str, object] = {
        "title": "Access now vs waitlist",
        "summary": "Plain words.",
        "arms": (ArmSpec(name="Now"), ArmSpec(name="Later", is_control=True)),
        "outcome_measures": ("gad7",),
        "primary_outcome": "gad7",
        "block_sizes": (2, 4),
    }
    values.update(changes)
    return StudySettings(**values)  # type: ignore[arg-type]


# --- Set-up -------------------------------------------------------------------------------


def test_only_programme_managers_set_up_studies(
    coordinator: User, role_users: dict[str, User]
) -> None:
    programme = build_programme(coordinator)
    for role in ("member", "moderator", "researcher", "peer_supporter"):
        with pytest.raises(PermissionDenied):
            study_create(actor=role_users[role], programme=programme, settings=settings_with())
    study = study_create(
        actor=role_users["administrator"], programme=programme, settings=settings_with()
    )
    assert study.status == Study.Status.DRAFT
    assert [arm.name for arm in study.arms.all()] == ["Now", "Later"]
    assert AuditEntry.objects.filter(action="study_create", target_id=study.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"block_sizes": (3,)}, "block_sizes"),
        ({"arms": (ArmSpec(name="Only"),)}, "block_sizes"),
        ({"primary_outcome": "phq9"}, "primary_outcome"),
        ({"outcome_measures": ("nope",), "primary_outcome": "nope"}, "outcome_measures"),
        ({"stratification_factors": ("postcode",)}, "stratification_factors"),
        ({"arms": (ArmSpec(name="Same"), ArmSpec(name="Same"))}, "arms"),
        ({"title": " "}, "title"),
    ],
)
def test_a_faulty_design_is_refused_naming_the_field(
    coordinator: User, changes: dict[str, object], field: str
) -> None:
    programme = build_programme(coordinator)
    with pytest.raises(ValidationError) as error:
        study_create(actor=coordinator, programme=programme, settings=settings_with(**changes))
    assert field in error.value.message_dict


def test_the_design_is_fixed_once_the_study_opens(coordinator: User) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    with pytest.raises(ValidationError, match="cannot change"):
        study_update(actor=coordinator, study=study, settings=settings_with())


def test_a_study_cannot_open_without_a_consent_form(coordinator: User) -> None:
    programme = build_programme(coordinator)
    study = study_create(actor=coordinator, programme=programme, settings=settings_with())
    with pytest.raises(ValidationError, match="consent form"):
        study_open(actor=coordinator, study=study)
    assert not study.sequences.exists()


# --- Consent ------------------------------------------------------------------------------


def test_consent_is_required_before_randomisation(coordinator: User, member: User) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    give_score(member, "gad7", 9)
    with pytest.raises(ValidationError, match="Consent"):
        participant_randomise(actor=member, member=member, study=study)
    assert not Allocation.objects.exists()


def test_consent_is_to_the_current_version_and_keeps_which(
    coordinator: User, member: User, make_user: MakeUser
) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    first = study.consent_documents.get()
    second = consent_publish(
        actor=coordinator, study=study, version="2", body="We now also ask about loneliness."
    )
    cohort = study.programme.cohorts.first()
    with pytest.raises(ValidationError, match="changed"):
        participant_consent(member=member, study=study, document=first, cohort=cohort)
    record = participant_consent(member=member, study=study, document=second, cohort=cohort)
    assert record.document == second
    with pytest.raises(ValidationError, match="published already"):
        consent_publish(actor=coordinator, study=study, version="2", body="Again")


def test_consenting_joins_the_programme_without_access_until_randomised(
    coordinator: User, member: User
) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    consent(member, study)
    enrolment = Enrolment.objects.get(member=member)
    assert enrolment.access_from is None
    assert Screening.objects.get(member=member, study=study).excluded_reason == ""


def test_comprehension_checks_must_be_answered_rightly(coordinator: User, member: User) -> None:
    study = build_study(coordinator, build_programme(coordinator), open_now=False)
    document = consent_publish(
        actor=coordinator,
        study=study,
        version="2",
        body="Taking part is your choice.",
        comprehension_checks=[
            {"key": "choice", "question": "Can I stop at any time?", "answer": True},
        ],
    )
    study_open(actor=coordinator, study=study)
    study.refresh_from_db()
    cohort = study.programme.cohorts.first()
    with pytest.raises(ValidationError):
        participant_consent(
            member=member,
            study=study,
            document=document,
            cohort=cohort,
            comprehension_answers={"choice": False},
        )
    participant_consent(
        member=member,
        study=study,
        document=document,
        cohort=cohort,
        comprehension_answers={"choice": True},
    )


def test_declining_is_recorded_and_the_programme_can_still_be_joined(
    coordinator: User, member: User
) -> None:
    programme = build_programme(coordinator)
    study = build_study(coordinator, programme)
    participant_decline(member=member, study=study)
    assert Screening.objects.get(member=member).excluded_reason == Screening.Reason.DECLINED
    enrolment = participant_enrol(
        member=member, programme=programme, cohort=programme.cohorts.first()
    )
    assert enrolment.access_from is not None
    # Already in the programme outside the study: randomising could not change anything.
    with pytest.raises(ValidationError, match="outside the study"):
        consent(member, study)


def test_joining_outside_the_study_is_refused_where_the_study_says_so(
    coordinator: User, member: User
) -> None:
    programme = build_programme(coordinator)
    build_study(coordinator, programme, allow_outside=False)
    with pytest.raises(ValidationError, match="only be joined through"):
        participant_enrol(member=member, programme=programme, cohort=programme.cohorts.first())


# --- Randomisation ------------------------------------------------------------------------


def test_randomisation_needs_a_complete_recent_baseline(coordinator: User, member: User) -> None:
    study = build_study(coordinator, build_programme(coordinator), measures=("gad7", "phq8"))
    consent(member, study)
    give_score(member, "gad7", 9)
    give_score(member, "phq8", 9, at=timezone.now() - timedelta(days=40))  # too old
    with pytest.raises(ValidationError, match="phq8"):
        participant_randomise(actor=member, member=member, study=study)
    give_score(member, "phq8", 11)
    result = participant_randomise(actor=member, member=member, study=study)
    assert result.stratum == "site=North|baseline_severity=mild"


def test_randomisation_reveals_the_arm_and_sets_access(coordinator: User, member: User) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    result = enrol_and_randomise(member, study)
    enrolment = Enrolment.objects.get(member=member)
    assert result.enrolment == enrolment
    assert enrolment.started_at == result.allocated_at
    expected = result.allocated_at + timedelta(weeks=result.arm.access_delay_weeks)
    assert enrolment.access_from == expected
    entry = AuditEntry.objects.get(action="study_randomise")
    assert entry.member == member
    # Randomising twice returns the same allocation; it never draws again.
    assert participant_randomise(actor=member, member=member, study=study) == result
    assert Allocation.objects.count() == 1


def test_only_the_member_or_a_coordinator_may_randomise_them(
    coordinator: User, member: User, make_user: MakeUser
) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    consent(member, study)
    give_score(member, "gad7", 12)
    with pytest.raises(PermissionDenied):
        participant_randomise(actor=make_user("someone_else"), member=member, study=study)
    assert participant_randomise(actor=coordinator, member=member, study=study)


def test_closing_stops_randomisation_and_counts_who_was_waiting(
    coordinator: User, member: User, make_user: MakeUser
) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    consent(member, study)
    study_close(actor=coordinator, study=study)
    study.refresh_from_db()
    assert Screening.objects.get(member=member).excluded_reason == (
        Screening.Reason.BASELINE_INCOMPLETE
    )
    give_score(member, "gad7", 10)
    with pytest.raises(ValidationError, match="not recruiting"):
        participant_randomise(actor=member, member=member, study=study)


# --- Withdrawal ---------------------------------------------------------------------------


def test_withdrawal_keeps_data_by_default_and_records_the_choice(
    coordinator: User, member: User, make_user: MakeUser
) -> None:
    study = build_study(coordinator, build_programme(coordinator))
    enrol_and_randomise(member, study)
    record = participant_withdraw(member=member, study=study)
    assert record.withdrawn_at is not None
    assert record.data_choice == StudyConsent.DataChoice.KEEP
    assert Enrolment.objects.get(member=member).status == Enrolment.Status.WITHDRAWN
    assert Allocation.objects.filter(participant=member).exists()  # the record of what was
    other = make_user("kestrel")
    enrol_and_randomise(other, study)
    record = participant_withdraw(
        member=other, study=study, data_choice="remove", leave_programme=False
    )
    assert record.data_choice == StudyConsent.DataChoice.REMOVE
    assert Enrolment.objects.get(member=other).withdrawn_at is None
    with pytest.raises(ValidationError):
        participant_withdraw(member=other, study=study)
    assert AuditEntry.objects.filter(action="study_withdraw").count() == 2
