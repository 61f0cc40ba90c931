"""Per-request account concerns: the member's language, and asking again for changed policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.accounts.selectors import accepted_policy_ids, current_policy_ids

# Session key: {"user": pk, "ids": [policy document ids this member is known to have accepted]}.
ACCEPTED_POLICIES_SESSION_KEY = "accounts_accepted_policies"

# Pages a member may open before accepting: the accept page itself, reading the policies,
# leaving, and crisis help, which must never be behind anything.
EXEMPT_VIEW_NAMES = frozenset(
    {
        "accounts:accept_policies",
        "accounts:policy",
        "accounts:logout",
        "core:get_help",
        "core:healthz",
    }
)


class MemberLanguageMiddleware:
    """Use the signed-in member's preferred language over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def remember_accepted_policies(request: HttpRequest, document_ids: set[int]) -> None:
    """Note in the session that this member has accepted these documents (no query next time)."""
    user = request.user
    if not user.is_authenticated:
        return
    request.session[ACCEPTED_POLICIES_SESSION_KEY] = {
        "user": user.pk,
        "ids": sorted(document_ids),
    }


def _remembered_ids(request: HttpRequest, user: User) -> set[int]:
    session = getattr(request, "session", None)
    if session is None:
        return set()
    remembered: Any = session.get(ACCEPTED_POLICIES_SESSION_KEY)
    if not isinstance(remembered, dict) or remembered.get("user") != user.pk:
        return set()
    return set(remembered.get("ids") or [])


def has_accepted_current_policies(request: HttpRequest) -> bool:
    """Whether the signed-in member has accepted the current version of every policy.

    Costs no query when the session already says so (the common case); otherwise one query,
    whose answer is remembered in the session when it is yes.
    """
    user = request.user
    if not user.is_authenticated:
        return True
    assert isinstance(user, User)  # noqa: S101 - authenticated users are always ``User``
    current = set(current_policy_ids().values())
    if not current:
        return True
    if current <= _remembered_ids(request, user):
        return True
    accepted = accepted_policy_ids(user=user, document_ids=current)
    if current <= accepted:
        remember_accepted_policies(request, current)
        return True
    return False


class PolicyAcceptanceMiddleware:
    """Send a signed-in member who has not accepted the current policies to accept them.

    Page views (GET/HEAD) are redirected to the accept page and come back afterwards; other
    requests get a 403 page that explains (nothing the member typed is saved in between);
    the JSON API gets a JSON 403.
    """

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
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEW_NAMES:
            return None
        static_url = settings.STATIC_URL or ""
        if static_url.startswith("/") and request.path_info.startswith(static_url):
            return None
        if has_accepted_current_policies(request):
            return None
        return self._refuse(request, is_api=self._is_api(request))

    @staticmethod
    def _is_api(request: HttpRequest) -> bool:
        match = request.resolver_match
        if match is not None and "api" in match.namespaces:
            return True
        return request.path_info.startswith("/api/")

    @staticmethod
    def _refuse(request: HttpRequest, *, is_api: bool) -> HttpResponse:
        accept_url = reverse("accounts:accept_policies")
        if is_api:
            return JsonResponse(
                {
                    "detail": _(
                        "You need to accept policies first: the community agreement or the "
                        "privacy notice has been updated. Read and accept them at %(url)s"
                    )
                    % {"url": request.build_absolute_uri(accept_url)},
                    "accept_url": accept_url,
                },
                status=403,
            )
        if request.method in ("GET", "HEAD"):
            return HttpResponseRedirect(
                f"{accept_url}?{urlencode({'next': request.get_full_path()})}"
            )
        return render(
            request,
            "accounts/policies_required.html",
            {"accept_url": accept_url},
            status=403,
        )
