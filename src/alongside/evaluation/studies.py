"""Writes for randomised evaluations: set-up, consent, randomisation and withdrawal.

The order a participant goes through is fixed here, not in the views: read the information
sheet and consent (a versioned form, separate from the platform agreement) → join the
programme → complete the baseline questionnaires → randomised, which is the first moment the
arm exists for them. Declining is recorded too (CONSORT counts everyone assessed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.evaluation import allocation
from alongside.evaluation.models import (
    Allocation,
    Arm,
    Cohort,
    Enrolment,
    Programme,
    Screening,
    Study,
    StudyConsent,
    StudyConsentDocument,
)
from alongside.evaluation.programmes import participant_enrol
from alongside.evaluation.selectors import (
    baseline_response,
    can_manage_programmes,
    current_consent_document,
    live_consent,
    live_enrolment,
    member_allocation,
    missing_baseline,
    require_manager,
)
from alongside.safety.services.audit import audit_record

if TYPE_CHECKING:
    from alongside.accounts.models import User

TITLE_MAX = 160
FOLLOW_UP_WEEKS_MAX = 104


@dataclass(frozen=True)
class ArmSpec:
    """One arm as a coordinator describes it."""

    name: str
    ratio: int = 1
    is_control: bool = False
    access_delay_weeks: int = 0
    description: str = ""


@dataclass(frozen=True)
class StudySettings:
    title: str
    summary: str
    arms: tuple[ArmSpec, ...]
    outcome_measures: tuple[str, ...]
    primary_outcome: str
    block_sizes: tuple[int, ...]
    stratification_factors: tuple[str, ...] = ()
    follow_up_weeks: int = 8
    recruitment_target: int | None = None
    allow_joining_outside_study: bool = True


def _available_keys() -> set[str]:
    from alongside.measures.engine import available_measures

    return {definition.key for definition in available_measures()}


def _clean(settings: StudySettings) -> StudySettings:
    """Check a study's design; ValidationError names each field that is wrong."""
    errors: dict[str, list[str]] = {}
    title = (settings.title or "").strip()
    if not title or len(title) > TITLE_MAX:
        errors["title"] = [_("Please give the study a title (up to 160 characters).")]
    if not (settings.summary or "").strip():
        errors["summary"] = [_("Write the information sheet members read before deciding.")]
    arms = tuple(
        ArmSpec(
            name=arm.name.strip(),
            ratio=arm.ratio,
            is_control=arm.is_control,
            access_delay_weeks=arm.access_delay_weeks,
            description=arm.description.strip(),
        )
        for arm in settings.arms
        if arm.name and arm.name.strip()
    )
    if len({arm.name for arm in arms}) != len(arms):
        errors["arms"] = [_("Each arm needs a different name.")]
    measures = tuple(dict.fromkeys(key.strip().lower() for key in settings.outcome_measures))
    unknown = sorted(set(measures) - _available_keys())
    if not measures:
        errors["outcome_measures"] = [_("Choose at least one outcome questionnaire.")]
    elif unknown:
        errors["outcome_measures"] = [
            _("These questionnaires are not available here: %(keys)s")
            % {"keys": ", ".join(unknown)}
        ]
    primary = settings.primary_outcome.strip().lower()
    if primary not in measures:
        errors["primary_outcome"] = [_("The primary outcome must be one of the outcomes.")]
    unknown_factors = [f for f in settings.stratification_factors if f not in allocation.FACTORS]
    if unknown_factors:
        errors["stratification_factors"] = [
            _("Unknown stratification factors: %(f)s") % {"f": ", ".join(unknown_factors)}
        ]
    try:
        allocation.check_design(
            [allocation.ArmShare(arm_id=index, ratio=arm.ratio) for index, arm in enumerate(arms)],
            settings.block_sizes,
        )
    except allocation.AllocationError as error:
        errors.setdefault("block_sizes", []).append(str(error))
    if not 1 <= settings.follow_up_weeks <= FOLLOW_UP_WEEKS_MAX:
        errors["follow_up_weeks"] = [_("The follow-up must be between week 1 and week 104.")]
    if settings.recruitment_target is not None and settings.recruitment_target < 2:
        errors["recruitment_target"] = [_("A target needs at least two participants.")]
    if errors:
        raise ValidationError(errors)
    return StudySettings(
        title=title,
        summary=settings.summary.strip(),
        arms=arms,
        outcome_measures=measures,
        primary_outcome=primary,
        block_sizes=tuple(sorted(set(settings.block_sizes))),
        stratification_factors=tuple(dict.fromkeys(settings.stratification_factors)),
        follow_up_weeks=settings.follow_up_weeks,
        recruitment_target=settings.recruitment_target,
        allow_joining_outside_study=settings.allow_joining_outside_study,
    )


def _design_detail(study: Study) -> dict[str, Any]:
    return {
        "title": study.title,
        "programme_id": study.programme_id,
        "arms": [
            {"name": arm.name, "ratio": arm.ratio, "is_control": arm.is_control}
            for arm in study.arms.all()
        ],
        "stratification_factors": list(study.stratification_factors),
        "block_sizes": list(study.block_sizes),
        "outcome_measures": list(study.outcome_measures),
        "primary_outcome": study.primary_outcome,
        "follow_up_weeks": study.follow_up_weeks,
    }


def _write(study: Study, settings: StudySettings) -> None:
    study.title = settings.title
    study.summary = settings.summary
    study.outcome_measures = list(settings.outcome_measures)
    study.primary_outcome = settings.primary_outcome
    study.block_sizes = list(settings.block_sizes)
    study.stratification_factors = list(settings.stratification_factors)
    study.follow_up_weeks = settings.follow_up_weeks
    study.recruitment_target = settings.recruitment_target
    study.allow_joining_outside_study = settings.allow_joining_outside_study
    study.save()
    study.arms.all().delete()
    Arm.objects.bulk_create(
        Arm(
            study=study,
            name=arm.name,
            description=arm.description,
            ratio=arm.ratio,
            is_control=arm.is_control,
            access_delay_weeks=arm.access_delay_weeks,
            position=index,
        )
        for index, arm in enumerate(settings.arms)
    )


@transaction.atomic
def study_create(*, actor: User, programme: Programme, settings: StudySettings) -> Study:
    """Set up a study in draft; nothing is randomised until it opens."""
    require_manager(actor)
    settings = _clean(settings)
    study = Study(programme=programme, created_by=actor)
    _write(study, settings)
    audit_record(
        actor=actor,
        action="study_create",
        target_kind="study",
        target_id=study.pk,
        detail=_design_detail(study),
    )
    return study


@transaction.atomic
def study_update(*, actor: User, study: Study, settings: StudySettings) -> Study:
    """Change a study's design; only while it is a draft (the design is fixed once anyone
    may have been randomised under it)."""
    require_manager(actor)
    if study.status != Study.Status.DRAFT:
        raise ValidationError(_("A study's design cannot change once it has opened."))
    settings = _clean(settings)
    before = _design_detail(study)
    _write(study, settings)
    audit_record(
        actor=actor,
        action="study_update",
        target_kind="study",
        target_id=study.pk,
        detail={"before": before, "after": _design_detail(study)},
    )
    return study


@transaction.atomic
def consent_publish(
    *,
    actor: User,
    study: Study,
    version: str,
    body: str,
    comprehension_checks: Sequence[Mapping[str, Any]] = (),
) -> StudyConsentDocument:
    """Publish a version of the study's consent form. Consent given to an earlier version
    stays on record with that version; new participants consent to the newest."""
    require_manager(actor)
    version = (version or "").strip()
    errors: dict[str, list[str]] = {}
    if not version:
        errors["version"] = [_("Give this consent form a version, e.g. 1 or 1.1.")]
    elif StudyConsentDocument.objects.filter(study=study, version=version).exists():
        errors["version"] = [_("This version has been published already.")]
    if not (body or "").strip():
        errors["body"] = [_("The consent form cannot be empty.")]
    checks = [
        {
            "key": str(check["key"]),
            "question": str(check["question"]),
            "answer": bool(check["answer"]),
        }
        for check in comprehension_checks
    ]
    if errors:
        raise ValidationError(errors)
    document = StudyConsentDocument.objects.create(
        study=study,
        version=version,
        body=body.strip(),
        comprehension_checks=checks,
        published_by=actor,
    )
    audit_record(
        actor=actor,
        action="study_consent_publish",
        target_kind="study",
        target_id=study.pk,
        detail={"version": version, "document_id": document.pk},
    )
    return document


@transaction.atomic
def study_open(*, actor: User, study: Study) -> Study:
    """Start recruiting: generate every stratum's concealed sequence on the server now.

    The audit row says how many strata and slots were made, never which arms they hold.
    """
    require_manager(actor)
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.status != Study.Status.DRAFT:
        raise ValidationError(_("Only a study being set up can be opened."))
    if current_consent_document(study) is None:
        raise ValidationError(_("Publish a consent form before opening the study."))
    try:
        made = allocation.sequences_generate(study)
    except allocation.AllocationError as error:
        raise ValidationError(str(error)) from error
    study.status = Study.Status.RECRUITING
    study.opened_at = timezone.now()
    study.save(update_fields=["status", "opened_at"])
    audit_record(
        actor=actor,
        action="study_open",
        target_kind="study",
        target_id=study.pk,
        detail={"strata": len(made), "slots": sum(made.values())},
    )
    return study


@transaction.atomic
def study_close(*, actor: User, study: Study) -> Study:
    """Stop recruiting. Participants already randomised carry on and are followed up;
    anyone who consented but was not yet randomised is counted as excluded."""
    require_manager(actor)
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.status != Study.Status.RECRUITING:
        raise ValidationError(_("Only a recruiting study can be closed."))
    study.status = Study.Status.CLOSED
    study.closed_at = timezone.now()
    study.save(update_fields=["status", "closed_at"])
    waiting = Screening.objects.filter(study=study, excluded_reason="").exclude(
        member__study_allocations__study=study
    )
    unrandomised = 0
    for screening in waiting.select_related("member"):
        missing = missing_baseline(screening.member, study, at=study.closed_at)
        screening.excluded_reason = (
            Screening.Reason.BASELINE_INCOMPLETE if missing else Screening.Reason.RECRUITMENT_CLOSED
        )
        screening.save(update_fields=["excluded_reason"])
        unrandomised += 1
    audit_record(
        actor=actor,
        action="study_close",
        target_kind="study",
        target_id=study.pk,
        detail={"not_randomised": unrandomised},
    )
    return study


def _screening(member: User, study: Study) -> Screening:
    screening, _created = Screening.objects.get_or_create(member=member, study=study)
    return screening


@transaction.atomic
def participant_consent(
    *,
    member: User,
    study: Study,
    document: StudyConsentDocument,
    cohort: Cohort | None = None,
    comprehension_answers: Mapping[str, bool] | None = None,
    now: datetime | None = None,
) -> StudyConsent:
    """The member consents to the current version of the consent form and joins the
    programme as a participant (no access yet: randomisation decides when)."""
    now = now or timezone.now()
    if study.status != Study.Status.RECRUITING:
        raise ValidationError(_("This study is not recruiting."))
    current = current_consent_document(study)
    if current is None or document.pk != current.pk:
        raise ValidationError(_("The consent form has changed; please read the new version."))
    existing = live_consent(member, study)
    if existing is not None:
        return existing
    answers = dict(comprehension_answers or {})
    wrong = [
        check["question"]
        for check in document.comprehension_checks
        if answers.get(check["key"]) is not check["answer"]
    ]
    if wrong:
        raise ValidationError(
            {"comprehension": [_("Please look again at: %(q)s") % {"q": "; ".join(wrong)}]}
        )
    already = live_enrolment(member, study.programme)
    if already is not None and already.access_from is not None:
        # They have the programme already, so randomising them could not change what they get.
        raise ValidationError(_("You are already taking part in this programme outside the study."))
    enrolment = participant_enrol(
        member=member, programme=study.programme, cohort=cohort, now=now, for_study=True
    )
    consent = StudyConsent.objects.create(
        member=member,
        study=study,
        document=document,
        consented_at=now,
        comprehension_answers=answers,
    )
    screening = _screening(member, study)
    if screening.excluded_reason:
        # Declined before, consented now: no longer excluded.
        screening.excluded_reason = ""
        screening.save(update_fields=["excluded_reason"])
    audit_record(
        actor=member,
        action="study_consent",
        target_kind="study",
        target_id=study.pk,
        member=member,
        detail={"version": document.version, "enrolment_id": enrolment.pk},
    )
    return consent


@transaction.atomic
def participant_decline(*, member: User, study: Study) -> Screening:
    """The member chose not to take part. Recorded only as a CONSORT exclusion reason."""
    if live_consent(member, study) is not None or member_allocation(member, study) is not None:
        raise ValidationError(_("You have already agreed; use withdraw instead."))
    screening = _screening(member, study)
    screening.excluded_reason = Screening.Reason.DECLINED
    screening.save(update_fields=["excluded_reason"])
    return screening


@transaction.atomic
def participant_randomise(
    *, actor: User, member: User, study: Study, now: datetime | None = None
) -> Allocation:
    """Randomise one eligible participant: the first moment their arm exists.

    Eligible means a live consent, a live enrolment and every outcome measure answered in the
    baseline window. The arm comes from the next unused slot of their stratum, taken under a
    row lock (``allocation.take_next_slot``), so concurrent randomisations never share one.
    """
    now = now or timezone.now()
    if actor.pk != member.pk and not can_manage_programmes(actor):
        raise PermissionDenied
    study = Study.objects.select_related("programme").get(pk=study.pk)
    if study.status != Study.Status.RECRUITING:
        raise ValidationError(_("This study is not recruiting."))
    existing = member_allocation(member, study)
    if existing is not None:
        return existing
    consent = live_consent(member, study)
    if consent is None:
        raise ValidationError(_("Consent to the study comes before randomisation."))
    enrolment = live_enrolment(member, study.programme)
    if enrolment is None:
        raise ValidationError(_("Join the programme before randomisation."))
    missing = missing_baseline(member, study, at=now)
    if missing:
        raise ValidationError(
            _("Please complete these questionnaires first: %(keys)s") % {"keys": ", ".join(missing)}
        )
    severity_key = allocation.severity_measure(study)
    baseline = baseline_response(member, severity_key, at=now) if severity_key else None
    site = enrolment.cohort.site if enrolment.cohort is not None else ""
    levels = allocation.participant_levels(
        study, site=site, baseline_score=baseline.score if baseline is not None else None
    )
    stratum = allocation.stratum_key(study, levels)
    slot = allocation.take_next_slot(study, stratum, now=now)
    arm = slot.arm
    result = Allocation.objects.create(
        participant=member,
        study=study,
        arm=arm,
        stratum=stratum,
        slot=slot,
        enrolment=enrolment,
        allocated_at=now,
    )
    enrolment.started_at = now
    enrolment.access_from = now + timedelta(weeks=arm.access_delay_weeks)
    enrolment.save(update_fields=["started_at", "access_from"])
    _screening(member, study)
    audit_record(
        actor=actor,
        action="study_randomise",
        target_kind="allocation",
        target_id=result.pk,
        member=member,
        detail={"study_id": study.pk, "stratum": stratum},
    )
    return result


@transaction.atomic
def participant_withdraw(
    *,
    member: User,
    study: Study,
    data_choice: str = StudyConsent.DataChoice.KEEP,
    leave_programme: bool = True,
    now: datetime | None = None,
) -> StudyConsent:
    """The member leaves the study, at any time and without giving a reason.

    Answers already given are kept for the analysis unless ``data_choice`` is "remove"; the
    choice is recorded on the consent so every analysis can honour it. By default they leave
    the programme too (the schedule stops asking); ``leave_programme`` False keeps them in it.
    """
    now = now or timezone.now()
    if data_choice not in StudyConsent.DataChoice.values:
        raise ValidationError({"data_choice": [_("Choose what happens to your answers.")]})
    consent = (
        StudyConsent.objects.select_for_update()
        .filter(member=member, study=study, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None:
        raise ValidationError(_("You are not taking part in this study."))
    consent.withdrawn_at = now
    consent.data_choice = data_choice
    consent.save(update_fields=["withdrawn_at", "data_choice"])
    if leave_programme:
        enrolment = live_enrolment(member, study.programme)
        if enrolment is not None:
            enrolment.withdrawn_at = now
            enrolment.status = Enrolment.Status.WITHDRAWN
            enrolment.save(update_fields=["withdrawn_at", "status"])
    audit_record(
        actor=member,
        action="study_withdraw",
        target_kind="study",
        target_id=study.pk,
        member=member,
        detail={"data_choice": data_choice, "left_programme": leave_programme},
    )
    return consent
