"""Members protecting themselves: blocking, muting words, folding content warnings, a break.

These are a member's own choices about what they see, so no moderator is involved and nothing
is written to the moderation audit log. Each function is one transaction, refuses with a
``ValidationError`` a member can act on, and drops the cached answers the thread page reads
(``selectors.protection``), so the next page already honours the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.accounts.models import User
from alongside.safety.models import Block, SafetyPreferences
from alongside.safety.selectors.protection import fold, forget_blocks, forget_protection

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MUTED_WORDS_MAX = 50
MUTED_WORD_LENGTH_MAX = 60
BLOCKS_MAX = 1000
# The longest break one can choose at once; it can always be extended.
BREAK_DAYS_MAX = 365
BREAK_LENGTHS: dict[str, tuple[timedelta, StrOrPromise]] = {
    "1d": (timedelta(days=1), gettext_lazy("1 day")),
    "3d": (timedelta(days=3), gettext_lazy("3 days")),
    "1w": (timedelta(weeks=1), gettext_lazy("1 week")),
    "2w": (timedelta(weeks=2), gettext_lazy("2 weeks")),
    "1m": (timedelta(days=30), gettext_lazy("1 month")),
}
_HAS_WORD_CHARACTER = re.compile(r"\w")


def _require_active_account(user: User) -> None:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied


def _preferences_for_update(user: User) -> SafetyPreferences:
    preferences, _created = SafetyPreferences.objects.select_for_update().get_or_create(user=user)
    return preferences


# --- Blocks ---------------------------------------------------------------------------------


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    """Block a member: neither sees the other's posts, and mentions and replies between them
    are not notified. Blocking someone already blocked changes nothing. The blocked member is
    not told."""
    _require_active_account(blocker)
    if blocked.pk == blocker.pk:
        raise ValidationError(_("You can't block yourself."))
    if not blocked.is_active:
        raise ValidationError(_("This member's account is no longer active."))
    block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if created:
        if Block.objects.filter(blocker=blocker).count() > BLOCKS_MAX:
            raise ValidationError(
                _("You can block up to %(max)d members. Please unblock someone first.")
                % {"max": BLOCKS_MAX}
            )
        forget_blocks(blocker.pk, blocked.pk)
    return block


@transaction.atomic
def block_delete(*, blocker: User, blocked: User) -> bool:
    """Unblock a member; returns whether there was a block to remove."""
    _require_active_account(blocker)
    deleted, _details = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        forget_blocks(blocker.pk, blocked.pk)
    return bool(deleted)


@transaction.atomic
def blocks_replace(*, blocker: User, handles: Iterable[str]) -> list[Block]:
    """Make the member's blocks exactly these handles (the API's PUT).

    Unknown handles, or the member's own, refuse the whole change, so a typo never unblocks
    anyone by accident.
    """
    _require_active_account(blocker)
    wanted = {handle.strip().lower() for handle in handles if handle.strip()}
    if len(wanted) > BLOCKS_MAX:
        raise ValidationError(
            {"handles": _("You can block up to %(max)d members.") % {"max": BLOCKS_MAX}}
        )
    if blocker.handle.lower() in wanted:
        raise ValidationError({"handles": _("You can't block yourself.")})
    members = list(
        User.objects.annotate(handle_lower=Lower("handle")).filter(
            handle_lower__in=wanted, is_active=True
        )
    )
    unknown = wanted - {member.handle.lower() for member in members}
    if unknown:
        raise ValidationError(
            {
                "handles": _("There is no member called %(handles)s.")
                % {"handles": ", ".join(sorted(unknown))}
            }
        )
    keep = {member.pk for member in members}
    current = set(Block.objects.filter(blocker=blocker).values_list("blocked_id", flat=True))
    removed = current - keep
    added = keep - current
    if removed:
        Block.objects.filter(blocker=blocker, blocked_id__in=removed).delete()
    Block.objects.bulk_create(Block(blocker=blocker, blocked_id=member_id) for member_id in added)
    if removed or added:
        forget_blocks(blocker.pk, *removed, *added)
    return list(
        Block.objects.filter(blocker=blocker).select_related("blocked").order_by("-created_at")
    )


# --- Muted words and content warnings -------------------------------------------------------


def clean_muted_words(words: Iterable[str]) -> list[str]:
    """Trimmed, one space inside phrases, without repeats (ignoring case), in the given order.

    Raises ``ValidationError`` on the ``muted_words`` field for too many words, a word that is
    too long, or one with no letter or number in it (it would fold far too much).
    """
    cleaned: list[str] = []
    seen: set[str] = set()
    problems: list[str] = []
    for raw in words:
        word = " ".join(str(raw).split())
        if not word:
            continue
        key = fold(word)
        if key in seen:
            continue
        seen.add(key)
        if len(word) > MUTED_WORD_LENGTH_MAX:
            problems.append(
                _("“%(word)s…” is too long: please keep each word or phrase to %(max)d characters.")
                % {"word": word[:20], "max": MUTED_WORD_LENGTH_MAX}
            )
        elif not _HAS_WORD_CHARACTER.search(word):
            problems.append(
                _("“%(word)s” has no letters or numbers, so it would hide too much.")
                % {"word": word}
            )
        cleaned.append(word)
    if len(cleaned) > MUTED_WORDS_MAX:
        problems.append(
            _("You can mute up to %(max)d words or phrases; this list has %(count)d.")
            % {"max": MUTED_WORDS_MAX, "count": len(cleaned)}
        )
    if problems:
        raise ValidationError({"muted_words": problems})
    return cleaned


@transaction.atomic
def protection_update(
    *,
    user: User,
    muted_words: Iterable[str] | None = None,
    hide_content_warned: bool | None = None,
) -> SafetyPreferences:
    """Change the member's muted words and whether content-warned posts start folded away.

    ``None`` leaves a setting as it is.
    """
    _require_active_account(user)
    words = None if muted_words is None else clean_muted_words(muted_words)
    preferences = _preferences_for_update(user)
    changed: list[str] = []
    if words is not None and words != preferences.muted_words:
        preferences.muted_words = words
        changed.append("muted_words")
    if hide_content_warned is not None and hide_content_warned != preferences.hide_content_warned:
        preferences.hide_content_warned = hide_content_warned
        changed.append("hide_content_warned")
    if changed:
        preferences.save(update_fields=changed)
        forget_protection(user.pk)
    return preferences


# --- Taking a break -------------------------------------------------------------------------


def break_end_for(
    *, length: str | None = None, until: date | None = None, now: datetime | None = None
) -> datetime:
    """When a break chosen on the settings page ends: after ``length`` (a ``BREAK_LENGTHS``
    key), or at the start of the day ``until`` in the site's time zone."""
    moment = now or timezone.now()
    if length in BREAK_LENGTHS:
        return moment + BREAK_LENGTHS[length][0]
    if until is not None:
        return timezone.make_aware(datetime.combine(until, time.min))
    raise ValidationError({"length": _("Please choose how long you'd like your break to be.")})


@transaction.atomic
def break_start(*, user: User, until: datetime) -> SafetyPreferences:
    """Pause posting until ``until`` (or move the end of a break already under way).

    While on a break the member can read everything; ``posting_restriction`` stops posting,
    and no notification emails are sent.
    """
    _require_active_account(user)
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    now = timezone.now()
    if until <= now:
        raise ValidationError({"paused_until": _("Please choose a time in the future.")})
    if until > now + timedelta(days=BREAK_DAYS_MAX):
        raise ValidationError(
            {
                "paused_until": _(
                    "A break can last up to %(days)d days at a time. You can extend it later."
                )
                % {"days": BREAK_DAYS_MAX}
            }
        )
    preferences = _preferences_for_update(user)
    preferences.paused_until = until
    preferences.save(update_fields=["paused_until"])
    return preferences


@transaction.atomic
def break_end(*, user: User) -> SafetyPreferences:
    """End the member's break now; ending a break they are not on changes nothing."""
    _require_active_account(user)
    preferences = _preferences_for_update(user)
    if preferences.paused_until is not None:
        preferences.paused_until = None
        preferences.save(update_fields=["paused_until"])
    return preferences


@transaction.atomic
def protection_replace(
    *,
    user: User,
    muted_words: Iterable[str],
    hide_content_warned: bool,
    paused_until: datetime | None,
) -> SafetyPreferences:
    """Set every protection at once (the API's PUT): all of it is saved, or none.

    ``paused_until`` None ends a break; the end of the current break sent back unchanged
    leaves it as it is.
    """
    preferences = protection_update(
        user=user, muted_words=muted_words, hide_content_warned=hide_content_warned
    )
    now = timezone.now()
    current = preferences.paused_until
    if current is not None and current <= now:
        current = None
    if paused_until is None:
        if preferences.paused_until is not None:
            return break_end(user=user)
        return preferences
    if current is not None and paused_until == current:
        return preferences
    return break_start(user=user, until=paused_until)
