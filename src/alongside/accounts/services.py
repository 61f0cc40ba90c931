"""Writes for accounts: signing up, recovery codes, policies, profiles and roles.

Each function is one transaction. Views and management commands call these; nothing else
writes accounts data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth.models import Group as RoleGroup
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.accounts import access
from alongside.accounts.models import (
    AgeBand,
    PolicyAcceptance,
    PolicyDocument,
    RecoveryCode,
    RoleChange,
    User,
)
from alongside.accounts.roles import Role
from alongside.accounts.selectors import CURRENT_POLICIES_CACHE_KEY

HANDLE_TAKEN = _("That handle is taken. Please choose another one.")

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/i/l: codes are copied by hand. 31 symbols x 12 = about 59 bits per code.
RECOVERY_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_CODE_LENGTH = 12


class RecoveryFailedError(Exception):
    """The handle and recovery code did not match (deliberately not saying which was wrong)."""


@dataclass(frozen=True)
class SignupResult:
    user: User
    # Plain-text codes to show once; empty when the member gave an email address.
    recovery_codes: list[str]


# --- Sign-up --------------------------------------------------------------------------------


@transaction.atomic
def user_signup(
    *,
    handle: str,
    password: str,
    accepted_documents: Iterable[PolicyDocument],
    email: str = "",
    region: str = "",
    language: str = "",
    age_band: str = "",
) -> SignupResult:
    """Create a member with the member role, record their policy acceptances, and give
    recovery codes to members without an email address.

    ``accepted_documents`` are the policy versions the person ticked on the form.
    ``age_band`` is asked only where the deployment admits under-18s; blank otherwise.
    Raises ValidationError (on "handle") if the handle is taken, ignoring case.
    """
    if User.objects.filter(handle__iexact=handle).exists():
        raise ValidationError({"handle": HANDLE_TAKEN}, code="handle_taken")
    if age_band and age_band not in AgeBand.values:
        raise ValidationError({"age_band": _("Please choose your age band.")})
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                handle,
                password,
                email=User.objects.normalize_email(email) if email else "",
                region=region,
                language=language,
                age_band=age_band,
            )
    except IntegrityError as error:  # someone took it a moment ago
        raise ValidationError({"handle": HANDLE_TAKEN}, code="handle_taken") from error
    user.groups.add(RoleGroup.objects.get(name=Role.MEMBER))
    now = timezone.now()
    PolicyAcceptance.objects.bulk_create(
        PolicyAcceptance(user=user, document=document, accepted_at=now)
        for document in accepted_documents
    )
    codes = [] if email else recovery_codes_generate(user=user)
    return SignupResult(user=user, recovery_codes=codes)


# --- Recovery codes -------------------------------------------------------------------------


def normalize_recovery_code(code: str) -> str:
    """Ignore case, spaces and dashes, so "ABCD-efgh jkmn" matches "abcdefghjkmn"."""
    return re.sub(r"[\s\-]", "", code).lower()


def _hash_code(code: str, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}${normalize_recovery_code(code)}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def _code_matches(code: str, stored: str) -> bool:
    try:
        algorithm, salt, _digest = stored.split("$", 2)
    except ValueError:
        return False
    if algorithm != "sha256":
        return False
    return hmac.compare_digest(_hash_code(code, salt), stored)


def _new_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Replace the member's recovery codes with new ones; returns them in plain text, once.

    Only salted hashes are stored. The high entropy of each code (about 59 bits) is what keeps
    them safe, so a fast hash is enough and checking a code stays cheap.
    """
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    now = timezone.now()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_code(code, secrets.token_hex(8)), created_at=now)
        for code in codes
    )
    return codes


@transaction.atomic
def user_recover_with_code(*, handle: str, code: str, new_password: str) -> User:
    """Set a new password for the member whose unused recovery code this is; use up the code.

    Raises RecoveryFailedError for an unknown handle, an inactive account or a code that is
    wrong or already used, without saying which. The new password is expected to have passed
    the password validators already (the form does that).
    """
    user = User.objects.filter(handle__iexact=handle.strip(), is_active=True).first()
    if user is None:
        raise RecoveryFailedError
    candidates = RecoveryCode.objects.filter(user=user, used_at__isnull=True)
    match = next((item for item in candidates if _code_matches(code, item.code_hash)), None)
    if match is None:
        raise RecoveryFailedError
    # The filter on used_at makes using a code twice at the same moment impossible.
    used = RecoveryCode.objects.filter(pk=match.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used != 1:
        raise RecoveryFailedError
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


# --- Policies -------------------------------------------------------------------------------


def _forget_current_policies() -> None:
    cache.delete(CURRENT_POLICIES_CACHE_KEY)


@transaction.atomic
def policy_publish(
    *,
    kind: str,
    version: str,
    title: str,
    body: str,
    summary_of_changes: str = "",
    actor: User | None = None,
) -> PolicyDocument:
    """Publish a new version of a policy; every member is asked to accept it on their next visit.

    ``actor`` (from the web page) needs ``accounts.publish_policies``; None means a server
    operator (``manage.py publish_policy``). Raises ValidationError for an unknown kind, an
    empty body or a version that exists already.
    """
    if actor is not None:
        access.require_permission(actor, access.PUBLISH_POLICIES)
    if kind not in PolicyDocument.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of policy.")})
    if not body.strip():
        raise ValidationError({"body": _("The policy text is empty.")})
    version = version.strip()
    if not version:
        raise ValidationError({"version": _("Give the new version a name, such as 2.")})
    if PolicyDocument.objects.filter(kind=kind, version=version).exists():
        raise ValidationError({"version": _("That version has been published already.")})
    document = PolicyDocument.objects.create(
        kind=kind,
        version=version,
        title=title.strip() or str(PolicyDocument.Kind(kind).label),
        body=body,
        summary_of_changes=summary_of_changes.strip(),
        published_at=timezone.now(),
    )
    # Forget now for this process, and again after commit so no request in between can put
    # the old ids back into the cache for good.
    _forget_current_policies()
    transaction.on_commit(_forget_current_policies)
    return document


@transaction.atomic
def policies_accept(*, user: User, documents: Iterable[PolicyDocument]) -> None:
    """Record that the member accepted these policy versions, now (accepting twice is a no-op)."""
    now = timezone.now()
    PolicyAcceptance.objects.bulk_create(
        [PolicyAcceptance(user=user, document=document, accepted_at=now) for document in documents],
        ignore_conflicts=True,
    )


# --- Profile --------------------------------------------------------------------------------


@transaction.atomic
def profile_update(
    *,
    user: User,
    pronouns: str,
    bio: str,
    lived_experience: list[str],
    language: str,
    region: str,
    email: str,
) -> User:
    """Save what a member chose to show about themselves, and their settings.

    A changed bio is screened like a post: one that screening would hold (contact details,
    advertising, abuse) is saved but shown only to the member and moderators until a
    moderator has looked; a concerning one also reaches the moderators' queue.
    """
    from alongside.safety.models import ContentKind
    from alongside.safety.services.screening import record_screening, screen_text

    bio = bio.strip()
    screened = screen_text(author=user, text=bio) if bio and bio != user.bio else None
    user.pronouns = pronouns.strip()
    user.bio = bio
    user.lived_experience = list(lived_experience)
    user.language = language
    user.region = region
    user.email = User.objects.normalize_email(email) if email else ""
    user.full_clean(exclude=["password", "handle"])
    fields = ["pronouns", "bio", "lived_experience", "language", "region", "email"]
    if screened is not None or not bio:
        user.bio_held = bool(screened and screened.holding_flags)
        fields.append("bio_held")
    with transaction.atomic():
        user.save(update_fields=fields)
        if screened is not None:
            record_screening(
                kind=ContentKind.PROFILE,
                object_id=user.pk,
                author=user,
                screened=screened,
                held=user.bio_held,
            )
    user.screening = screened  # type: ignore[attr-defined]
    return user


# --- Roles ----------------------------------------------------------------------------------


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s"), params={"role": role})


def _check_actor(actor: User | None) -> None:
    # actor=None is the operator at the server's command line (``manage.py assign_role``).
    if actor is not None:
        access.require_permission(actor, access.ASSIGN_ROLES)


@transaction.atomic
def role_assign(*, actor: User | None, user: User, role: str) -> bool:
    """Give the member a role; returns False if they had it already.

    ``actor`` needs ``accounts.assign_roles``; None means a server operator (command line).
    """
    _check_actor(actor)
    _check_role(role)
    group = RoleGroup.objects.get(name=role)
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)
    RoleChange.objects.create(user=user, actor=actor, role=role, action=RoleChange.Action.ASSIGNED)
    access.forget_role_names(user)
    return True


@transaction.atomic
def role_remove(*, actor: User | None, user: User, role: str) -> bool:
    """Take a role away; returns False if they did not have it.

    Administrators cannot remove their own administrator role, so a site cannot lose its last
    administrator by a slip of the mouse.
    """
    _check_actor(actor)
    _check_role(role)
    if actor is not None and actor.pk == user.pk and role == Role.ADMINISTRATOR:
        raise ValidationError(
            _("You cannot remove your own administrator role. Ask another administrator.")
        )
    group = RoleGroup.objects.get(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.remove(group)
    RoleChange.objects.create(user=user, actor=actor, role=role, action=RoleChange.Action.REMOVED)
    access.forget_role_names(user)
    return True


@transaction.atomic
def roles_set(*, actor: User | None, user: User, roles: Iterable[str]) -> None:
    """Make the member's roles exactly ``roles`` (plus member, which everyone keeps)."""
    _check_actor(actor)
    wanted = set(roles) | {Role.MEMBER.value}
    for role in wanted:
        _check_role(role)
    current = set(access.user_role_names(user))
    for role in sorted(wanted - current):
        role_assign(actor=actor, user=user, role=role)
    for role in sorted(current - wanted):
        role_remove(actor=actor, user=user, role=role)


# --- Background checks ----------------------------------------------------------------------


@transaction.atomic
def background_check_set(*, actor: User, user: User, cleared_on: date) -> User:
    """Record that a peer supporter's background check cleared on ``cleared_on``.

    Only such supporters may talk one-to-one with members under 18 (``chat.policy``).
    """
    from alongside.safety.models import ContentKind
    from alongside.safety.services.audit import audit_record

    access.require_permission(actor, access.ASSIGN_ROLES)
    if not access.is_peer_supporter(user):
        raise ValidationError(_("Background checks are recorded only for peer supporters."))
    if cleared_on > timezone.localdate():
        raise ValidationError(
            {"cleared_on": _("The date the check cleared can't be in the future.")}
        )
    user.background_check_cleared_at = datetime.combine(
        cleared_on, time(12), tzinfo=timezone.get_current_timezone()
    )
    user.save(update_fields=["background_check_cleared_at"])
    audit_record(
        actor=actor,
        action="background_check_set",
        target_kind=ContentKind.MEMBER,
        target_id=user.pk,
        member=user,
        detail={"cleared_on": cleared_on.isoformat()},
    )
    return user


@transaction.atomic
def background_check_clear(*, actor: User, user: User) -> User:
    """Take the record away (a check lapsed, or was recorded by mistake)."""
    from alongside.safety.models import ContentKind
    from alongside.safety.services.audit import audit_record

    access.require_permission(actor, access.ASSIGN_ROLES)
    if user.background_check_cleared_at is None:
        return user
    user.background_check_cleared_at = None
    user.save(update_fields=["background_check_cleared_at"])
    audit_record(
        actor=actor,
        action="background_check_clear",
        target_kind=ContentKind.MEMBER,
        target_id=user.pk,
        member=user,
    )
    return user
