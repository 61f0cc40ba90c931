"""Writes for notifications: creating them when something happens, reading them, preferences.

The communities services call ``notify_*`` inside their own transaction. Emails are sent only
after that transaction commits, and only if the notification still exists then, so a reply
notification that a mention replaced later in the same transaction never produces an email.

Emails carry no post content: who did what, the thread title, and a link back to the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alongside.communities import selectors as communities_selectors
from alongside.notifications import selectors
from alongside.notifications.models import Notification, NotificationKind, NotificationPreference
from alongside.safety.models import SafetyPreferences
from alongside.safety.selectors.protection import is_blocked_between
from alongside.safety.selectors.standing import paused_until

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.communities.models import Post, Reaction


def _preference(*, user: User, kind: str) -> tuple[bool, bool]:
    """(in_app, email) for one member and kind; no row means in-app on, email off."""
    row = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if row is None:
        return True, False
    return row.in_app, row.email


def _can_receive(*, recipient: User, actor: User) -> bool:
    """Nobody is told about their own doings, and members who blocked one another are not
    told about each other's replies, mentions or reactions."""
    if recipient.pk == actor.pk:
        return False
    if not recipient.is_active:
        return False
    return not is_blocked_between(actor, recipient)


def _wants_emails_now(recipient: User) -> bool:
    """No notification emails while the member is taking a break they chose."""
    return paused_until(recipient) is None


def _forget_unread_count(user_id: int) -> None:
    """Drop the cached header count now and again after commit (no stale value in between)."""
    key = selectors.unread_count_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _create(
    *, recipient: User, kind: str, actor: User, post: Post, detail: str = ""
) -> Notification | None:
    """Create one notification if the member wants this kind in the app; queue its email.

    Nobody is told about a post in a group whose threads they cannot read (a restricted group
    they left, say): not even the thread's title may reach them, in the app or by email.
    """
    if not communities_selectors.can_read_threads(recipient, post.thread.group):
        return None
    in_app, email = _preference(user=recipient, kind=kind)
    if not in_app:
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor=actor,
        post=post,
        thread_id=post.thread_id,
        detail=detail,
    )
    _forget_unread_count(recipient.pk)
    if email and recipient.email and _wants_emails_now(recipient):
        notification_id = notification.pk
        transaction.on_commit(lambda: _send_email(notification_id=notification_id))
    return notification


# The notify_* services run inside the transaction of the post or reaction that caused them;
# they need no savepoint of their own (a failure undoes the whole write).
@transaction.atomic(savepoint=False)
def notify_reply(*, post: Post) -> None:
    """Tell the thread's author that someone replied, unless a mention already covers it."""
    thread = post.thread
    recipient = thread.author
    if not _can_receive(recipient=recipient, actor=post.author):
        return
    if post.deleted_at is not None:
        return
    already = Notification.objects.filter(
        recipient=recipient,
        post=post,
        kind__in=[NotificationKind.REPLY, NotificationKind.MENTION],
    ).exists()
    if already:
        return
    _create(recipient=recipient, kind=NotificationKind.REPLY, actor=post.author, post=post)


@transaction.atomic(savepoint=False)
def notify_mentions(*, post: Post, users: Iterable[User]) -> None:
    """Tell each mentioned member; a mention replaces a reply notification for the same post."""
    if post.deleted_at is not None:
        return
    seen: set[int] = set()
    for recipient in users:
        if recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        if not _can_receive(recipient=recipient, actor=post.author):
            continue
        existing = Notification.objects.filter(recipient=recipient, post=post)
        if existing.filter(kind=NotificationKind.MENTION).exists():
            continue
        created = _create(
            recipient=recipient, kind=NotificationKind.MENTION, actor=post.author, post=post
        )
        if created is not None:
            existing.filter(kind=NotificationKind.REPLY).delete()


@transaction.atomic(savepoint=False)
def notify_reaction(*, reaction: Reaction) -> None:
    """Tell a post's author about a reaction; one unread notification per actor and post."""
    post = reaction.post
    recipient = post.author
    if not _can_receive(recipient=recipient, actor=reaction.user):
        return
    if post.deleted_at is not None:
        return
    unread_exists = Notification.objects.filter(
        recipient=recipient,
        kind=NotificationKind.REACTION,
        actor=reaction.user,
        post=post,
        read_at__isnull=True,
    ).exists()
    if unread_exists:
        return
    _create(
        recipient=recipient,
        kind=NotificationKind.REACTION,
        actor=reaction.user,
        post=post,
        detail=reaction.kind,
    )


@transaction.atomic(savepoint=False)
def notify_message(
    *,
    recipient: User,
    kind: str,
    message: str,
    link: str = "",
    actor: User | None = None,
    email_subject: str = "",
) -> Notification:
    """A notification that carries its own message: a moderator's warning, a report outcome,
    an urgent alert for moderators. Always shown in the app (members cannot switch safety
    messages off); emailed, with ``email_subject`` and a link but never the message itself,
    when the member has an email address and either asked for email of this kind or the
    message is a safety alert.
    """
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, actor=actor, message=message, link=link
    )
    _forget_unread_count(recipient.pk)
    _in_app, wants_email = _preference(user=recipient, kind=kind)
    wants_email = wants_email or kind == NotificationKind.SAFETY_ALERT
    if recipient.email and wants_email and _wants_emails_now(recipient):
        subject = email_subject or _("A message from %(site)s") % {"site": settings.SITE_NAME}
        address, url = recipient.email, settings.SITE_URL + reverse("notifications:list")
        transaction.on_commit(lambda: _send_message_email(address, subject, url))
    return notification


@transaction.atomic
def notify_optional_messages(
    *,
    kind: str,
    messages: Sequence[tuple[User, str]],
    link: str = "",
    email_subject: str = "",
) -> list[Notification]:
    """Notifications that carry their own message, of a kind members may switch off (a
    reminder that questionnaires are waiting), for many members in a few queries.

    Each member's preference for ``kind`` decides: no notification when they switched it off
    in the app (the email comes on top of the in-app one, as the settings page says), and an
    email only when they asked for one, have an address and are not taking a break. As with
    every message email, it holds ``email_subject`` and a link, never the message itself.
    Returns the notifications created.
    """
    if kind not in selectors.OPTIONAL_MESSAGE_KINDS:
        raise ValueError(f"{kind!r} is not a message kind members may switch off.")
    recipients = {user.pk: (user, message) for user, message in messages if user.is_active}
    if not recipients:
        return []
    preferences = {
        row.user_id: row
        for row in NotificationPreference.objects.filter(user_id__in=recipients, kind=kind)
    }
    notifications: list[Notification] = []
    wants_email: list[int] = []
    for user_id, (user, message) in recipients.items():
        row = preferences.get(user_id)
        if row is not None and not row.in_app:
            continue
        notifications.append(Notification(recipient=user, kind=kind, message=message, link=link))
        if row is not None and row.email and user.email:
            wants_email.append(user_id)
    created = Notification.objects.bulk_create(notifications)
    keys = [selectors.unread_count_cache_key(n.recipient_id) for n in created]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
    if wants_email:
        on_break = set(
            SafetyPreferences.objects.filter(
                user_id__in=wants_email, paused_until__gt=timezone.now()
            ).values_list("user_id", flat=True)
        )
        addresses = [recipients[pk][0].email for pk in wants_email if pk not in on_break]
        subject = email_subject or _("A message from %(site)s") % {"site": settings.SITE_NAME}
        # Worded now, in the language the caller chose, not in whatever is active at commit.
        body = _("You have a new message on %(site)s. Read it here: %(url)s") % {
            "site": settings.SITE_NAME,
            "url": settings.SITE_URL + reverse("notifications:list"),
        }
        if addresses:
            transaction.on_commit(lambda: _send_message_emails(addresses, subject, body))
    return created


def _send_message_emails(addresses: list[str], subject: str, body: str) -> None:
    """One email per address over one connection; nobody sees anyone else's address."""
    send_mass_mail([(subject, body, None, [address]) for address in addresses], fail_silently=True)


def _send_message_email(address: str, subject: str, url: str) -> None:
    body = _("You have a new message on %(site)s. Read it here: %(url)s") % {
        "site": settings.SITE_NAME,
        "url": url,
    }
    send_mail(subject, body, None, [address], fail_silently=True)


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the member's own unread notifications read (all of them when ids is None).

    Ids that belong to someone else are ignored; returns how many were marked.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    _forget_unread_count(user.pk)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preferences_update(*, user: User, preferences: dict[str, dict[str, bool]]) -> None:
    """Save the member's choices, e.g. ``{"reply": {"in_app": True, "email": False}}``.

    A channel left out of a kind keeps its current value. Unknown kinds or channels, and
    asking for email without an email address on the account, raise ValidationError and
    change nothing.
    """
    unknown = set(preferences) - set(NotificationKind.values)
    if unknown:
        raise ValidationError(
            _("Unknown notification kind: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))}
        )
    for choice in preferences.values():
        unknown_channels = set(choice) - {"in_app", "email"}
        if unknown_channels:
            raise ValidationError(
                _("Unknown notification channel: %(channels)s")
                % {"channels": ", ".join(sorted(unknown_channels))}
            )
        if choice.get("email") and not user.email:
            raise ValidationError(
                _("Add an email address to your account before asking for emails.")
            )
    for kind, choice in preferences.items():
        row, _created = NotificationPreference.objects.get_or_create(user=user, kind=kind)
        if "in_app" in choice:
            row.in_app = bool(choice["in_app"])
        if "email" in choice:
            row.email = bool(choice["email"])
        row.save(update_fields=["in_app", "email"])


def _email_text(notification: Notification) -> tuple[str, str]:
    """Subject and body: who, what kind, the thread title and a link; never the post's text."""
    actor = notification.actor.handle if notification.actor else _("Someone")
    title = notification.thread.title if notification.thread else ""
    if notification.kind == NotificationKind.MENTION:
        line = _("%(actor)s mentioned you in “%(title)s”") % {"actor": actor, "title": title}
    elif notification.kind == NotificationKind.REACTION:
        line = _("%(actor)s reacted to your post in “%(title)s”") % {
            "actor": actor,
            "title": title,
        }
    else:
        line = _("%(actor)s replied to your thread “%(title)s”") % {"actor": actor, "title": title}
    link = getattr(settings, "SITE_URL", "").rstrip("/") + reverse(
        "notifications:open", kwargs={"notification_id": notification.pk}
    )
    preferences = getattr(settings, "SITE_URL", "").rstrip("/") + reverse(
        "notifications:preferences"
    )
    body = "\n\n".join(
        [
            line,
            _("Read it on %(site)s: %(link)s") % {"site": settings.SITE_NAME, "link": link},
            _("To change which emails you get: %(link)s") % {"link": preferences},
        ]
    )
    subject = f"[{settings.SITE_NAME}] {line}"
    return subject, body + "\n"


def _send_email(*, notification_id: int) -> None:
    """Runs after commit: send the email if the notification survived the transaction."""
    notification = (
        Notification.objects.select_related("recipient", "actor", "thread")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or not notification.recipient.email:
        return
    language = notification.recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, body = _email_text(notification)
    send_mail(
        subject=subject,
        message=body,
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
