"""The JSON API (django-ninja): one router per app, an OpenAPI schema at /api/v1/openapi.json.

Endpoints call the same services and access helpers as the web views; nothing here decides
who may see or change what.

Authentication is the Django session (``django_auth``): a call without a signed-in session
gets 401 JSON, and unsafe methods must carry the CSRF token like any form. There is no Swagger
UI (``docs_url=None``) because it would load its assets from a CDN, which our CSP forbids.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import django_auth

from alongside.api_schemas import validation_problems

api = NinjaAPI(
    title="Alongside API",
    version="1",
    description=(
        "Groups, threads, replies, reactions, notifications, chat, questionnaires and "
        "self-management."
    ),
    auth=django_auth,
    docs_url=None,
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def _refused_by_service(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service said no (Django's ValidationError): 422, in the shape of ninja's own 422."""
    return api.create_response(request, {"detail": validation_problems(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or _("You do not have permission to do that.")}, status=403
    )


# Routers: one line per app.
api.add_router("/notifications/", "alongside.notifications.api.router")
api.add_router("/groups/", "alongside.communities.api.router")
api.add_router("/safety/", "alongside.safety.api.router")
api.add_router("/screening/", "alongside.safety.api_draft.router")
api.add_router("/chat/", "alongside.chat.api.router")
api.add_router("/measures/", "alongside.measures.api.router")
api.add_router("/me/", "alongside.selfcare.api.router")
