"""What a member chose to protect themselves from: blocks, muted words, folded content warnings.

The thread page asks these for every reader, so each answer costs at most one query and then
stays in the shared cache until it changes: the protection services drop the keys (at once
and again after commit, so no other request can cache the old value in between). A block
concerns two members, so blocking or unblocking drops both members' keys.

``reader_filter`` gathers everything a page of posts needs in one cache round trip, and
``ReaderFilter.reason_for`` says why one post should be folded or hidden for this reader.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from alongside.safety.models import Block, SafetyPreferences

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from alongside.accounts.models import User

    Viewer: TypeAlias = User | AnonymousUser
else:
    Viewer: TypeAlias = Any

CACHE_SECONDS = 3600
_BLOCKS_KEY = "safety:blocks:{}"
_PREFERENCES_KEY = "safety:protection:{}"

# Why a post is folded or hidden for one reader (``ReaderFilter.reason_for``).
BLOCKED = "blocked"  # the reader blocked its author: a neutral placeholder
BLOCKED_BY = "blocked_by"  # its author blocked the reader: not shown at all
MUTED = "muted"  # it contains a word the reader muted: folded
CONTENT_WARNING = "content_warning"  # it has a content warning and the reader folds those

# Scripts written without spaces between words: a muted word there matches anywhere.
_UNSPACED_SCRIPT = re.compile(
    r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


# --- Blocks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocks:
    """One member's blocks in both directions, by user id."""

    blocking: frozenset[int] = frozenset()  # members they blocked
    blocked_by: frozenset[int] = frozenset()  # members who blocked them

    @property
    def either_way(self) -> frozenset[int]:
        return self.blocking | self.blocked_by


NO_BLOCKS = Blocks()


def _load_blocks(user_id: int) -> Blocks:
    rows = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list(
        "blocker_id", "blocked_id"
    )
    blocking, blocked_by = set(), set()
    for blocker_id, blocked_id in rows:
        if blocker_id == user_id:
            blocking.add(blocked_id)
        else:
            blocked_by.add(blocker_id)
    return Blocks(blocking=frozenset(blocking), blocked_by=frozenset(blocked_by))


def blocks_for(user: Viewer) -> Blocks:
    """Whom the member blocked and who blocked them (cached; one query when not)."""
    if not user.is_authenticated:
        return NO_BLOCKS
    key = _BLOCKS_KEY.format(user.pk)
    found: Blocks | None = cache.get(key)
    if found is None:
        found = _load_blocks(user.pk)
        cache.set(key, found, CACHE_SECONDS)
    return found


def blocked_ids(user: Viewer) -> frozenset[int]:
    """Ids of members the member blocked or was blocked by: neither sees the other's posts."""
    return blocks_for(user).either_way


def is_blocked_between(first: Viewer, second: Viewer) -> bool:
    """Whether either of the two blocked the other (mentions and replies then go unsaid)."""
    if not first.is_authenticated or not second.is_authenticated:
        return False
    return second.pk in blocked_ids(first)


def forget_blocks(*user_ids: int) -> None:
    """Drop the cached blocks of these members, now and after commit."""
    keys = [_BLOCKS_KEY.format(user_id) for user_id in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def blocked_members(user: User) -> list[Block]:
    """The member's own blocks, newest first, with the blocked members (never the reverse:
    nobody learns who blocked them)."""
    return list(
        Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at", "-id")
    )


# --- Muted words and content warnings -------------------------------------------------------


@dataclass(frozen=True)
class Protection:
    """The member's reading preferences, as the thread page needs them."""

    muted_words: tuple[str, ...] = ()
    hide_content_warned: bool = False


NO_PROTECTION = Protection()


def _load_protection(user_id: int) -> Protection:
    row = (
        SafetyPreferences.objects.filter(user_id=user_id)
        .values_list("muted_words", "hide_content_warned")
        .first()
    )
    if row is None:
        return NO_PROTECTION
    words, hide = row
    return Protection(
        muted_words=tuple(str(word) for word in words or ()), hide_content_warned=hide
    )


def protection_for(user: Viewer) -> Protection:
    """Muted words and the content-warning preference (cached; one query when not)."""
    if not user.is_authenticated:
        return NO_PROTECTION
    key = _PREFERENCES_KEY.format(user.pk)
    found: Protection | None = cache.get(key)
    if found is None:
        found = _load_protection(user.pk)
        cache.set(key, found, CACHE_SECONDS)
    return found


def muted_words(user: Viewer) -> tuple[str, ...]:
    return protection_for(user).muted_words


def forget_protection(user_id: int) -> None:
    """Drop the cached preferences of this member, now and after commit."""
    key = _PREFERENCES_KEY.format(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def fold(text: str) -> str:
    """Text as muted words are compared: compatibility forms, case folded, one apostrophe."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)


@lru_cache(maxsize=1024)
def _muted_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One expression for all the words: whole words only, any run of spaces inside a phrase.

    Words in scripts written without spaces (Chinese, Japanese, Thai) match anywhere, since
    there a word boundary is not a space.
    """
    parts = []
    for word in words:
        tokens = fold(word).split()
        if not tokens:
            continue
        body = r"\s+".join(re.escape(token) for token in tokens)
        if _UNSPACED_SCRIPT.search(body):
            parts.append(body)
        else:
            parts.append(rf"(?<!\w){body}(?!\w)")
    if not parts:
        return None
    return re.compile("|".join(parts))


def matches_muted(text: str, words: tuple[str, ...] | list[str]) -> bool:
    """Whether ``text`` contains one of ``words`` as a whole word or phrase, ignoring case.

    Unicode-aware: "Panik" matches "panik" and "PANIK", "straße" matches "STRASSE", and
    a typographic apostrophe matches a plain one; "pan" does not match "panic".
    """
    if not text or not words:
        return False
    pattern = _muted_pattern(tuple(words))
    if pattern is None:
        return False
    return pattern.search(fold(text)) is not None


# --- Everything a page of posts needs -------------------------------------------------------


@dataclass(frozen=True)
class ReaderFilter:
    """One reader's blocks and preferences, fetched once per page of posts."""

    user_id: int | None
    blocks: Blocks = NO_BLOCKS
    protection: Protection = NO_PROTECTION

    def reason_for(self, *, author_id: int, body: str, content_warning: str = "") -> str:
        """Why this post is folded or hidden for this reader, or "" when it is not.

        A member's own posts are never folded for them. Blocks come first, then muted
        words (they also match the content warning's text), then the content-warning fold.
        """
        if author_id == self.user_id:
            return ""
        if author_id in self.blocks.blocking:
            return BLOCKED
        if author_id in self.blocks.blocked_by:
            return BLOCKED_BY
        words = self.protection.muted_words
        if words and (matches_muted(body, words) or matches_muted(content_warning, words)):
            return MUTED
        if content_warning and self.protection.hide_content_warned:
            return CONTENT_WARNING
        return ""


def reader_filter(user: Viewer) -> ReaderFilter:
    """Blocks and preferences in one cache round trip; each missing one costs one query."""
    if not user.is_authenticated:
        return ReaderFilter(user_id=None)
    blocks_key, preferences_key = _BLOCKS_KEY.format(user.pk), _PREFERENCES_KEY.format(user.pk)
    found = cache.get_many([blocks_key, preferences_key])
    blocks: Blocks | None = found.get(blocks_key)
    if blocks is None:
        blocks = _load_blocks(user.pk)
        cache.set(blocks_key, blocks, CACHE_SECONDS)
    protection: Protection | None = found.get(preferences_key)
    if protection is None:
        protection = _load_protection(user.pk)
        cache.set(preferences_key, protection, CACHE_SECONDS)
    return ReaderFilter(user_id=user.pk, blocks=blocks, protection=protection)


# --- The settings page ----------------------------------------------------------------------


def preferences_of(user: User) -> SafetyPreferences:
    """The member's preferences row, or an unsaved one with the defaults (read only)."""
    found = SafetyPreferences.objects.filter(user=user).first()
    return found if found is not None else SafetyPreferences(user=user)
