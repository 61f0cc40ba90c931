"""Suspension enforcement: a suspended member is signed out at their next request.

The design, chosen as the simplest one that stays safe:

- On every request from a signed-in member, ``SuspensionMiddleware`` asks whether they are
  suspended now. The answer is cached per member (``SUSPENSION_CACHE_SECONDS``; the
  moderation services forget it the moment they suspend or lift), so the usual cost is one
  cache read and no query.
- A suspended member is signed out there and then, and shown a page with the reason, the
  end date (or that it is permanent) and how to appeal. The JSON API answers 403 with the
  same facts.
- A suspended member never regains a session. To appeal, the page gives them a link carrying
  a signed token (``appeal_token``) that names the one sanction and the member and expires
  after ``APPEAL_TOKEN_SECONDS``. The token opens only that sanction's appeal form
  (``safety_appeals:suspended``); it grants nothing else, cannot be forged without the
  secret key, and signing in again (which ends in this page again) gives a fresh one.
- Pages that must never be behind anything stay open, signed out: Get help now, the
  policies, "How we keep this space safe" and the health check.

Mutes are not enforced here: a muted member reads as usual and ``posting_restriction``
stops them writing, wherever they write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.safety.models import Sanction
from alongside.safety.selectors.standing import active_sanctions
from alongside.safety.services.moderation import (
    SUSPENSION_CACHE_SECONDS,
    suspension_cache_key,
)

APPEAL_TOKEN_SALT = "alongside.safety.suspended-appeal"  # noqa: S105 - a salt, not a secret
APPEAL_TOKEN_SECONDS = 2 * 3600

# Open to everyone, suspended or not (the member is signed out first all the same).
EXEMPT_VIEW_NAMES = frozenset(
    {
        "core:get_help",
        "core:healthz",
        "core:about_screening",
        "accounts:policy",
        "accounts:logout",
        "safety_appeals:suspended",
    }
)


def current_suspension(user: User) -> Sanction | None:
    """The member's suspension in force now, if any; cached, so usually no query."""
    key = suspension_cache_key(user.pk)
    cached = cache.get(key)
    if cached == 0:
        return None
    now = timezone.now()
    if cached is not None:
        sanction = Sanction.objects.filter(pk=cached).first()
        if sanction is not None and sanction.is_active_at(now):
            return sanction
    sanction = active_sanctions(user, now=now).filter(kind=Sanction.Kind.SUSPENSION).first()
    cache.set(key, sanction.pk if sanction else 0, SUSPENSION_CACHE_SECONDS)
    return sanction


def appeal_token(sanction: Sanction) -> str:
    return signing.dumps({"s": sanction.pk, "m": sanction.member_id}, salt=APPEAL_TOKEN_SALT)


def sanction_from_token(token: str) -> Sanction:
    """The sanction a valid, unexpired token names; Http404 for anything else."""
    try:
        data: Any = signing.loads(token, salt=APPEAL_TOKEN_SALT, max_age=APPEAL_TOKEN_SECONDS)
    except signing.BadSignature as error:  # includes SignatureExpired
        raise Http404 from error
    if not isinstance(data, dict):
        raise Http404
    sanction_id, member_id = data.get("s"), data.get("m")
    if not isinstance(sanction_id, int) or not isinstance(member_id, int):
        raise Http404
    sanction = (
        Sanction.objects.select_related("member")
        .filter(pk=sanction_id, member_id=member_id)
        .first()
    )
    if sanction is None:
        raise Http404
    return sanction


def suspension_page(request: HttpRequest, sanction: Sanction, *, status: int) -> HttpResponse:
    return render(
        request,
        "safety/appeals/suspended.html",
        {
            "sanction": sanction,
            "appeal_url": reverse("safety_appeals:suspended", args=[appeal_token(sanction)]),
            "appeal": sanction.appeals.first(),
        },
        status=status,
    )


class SuspensionMiddleware:
    """Sign out a suspended member and show them why (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        assert isinstance(user, User)  # noqa: S101 - authenticated users are always ``User``
        sanction = current_suspension(user)
        if sanction is None:
            return None
        logout(request)
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEW_NAMES:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Your account is suspended. Reason: %(reason)s")
                    % {"reason": sanction.reason},
                    "ends_at": sanction.ends_at.isoformat() if sanction.ends_at else None,
                },
                status=403,
            )
        return suspension_page(request, sanction, status=403)
