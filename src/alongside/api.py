"""The JSON API (django-ninja): one router per app, an OpenAPI schema at /api/v1/openapi.json.

Endpoints call the same services and access helpers as the web views; nothing here decides
who may see or change what.
"""

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="Alongside API",
    version="1",
    description="Groups, threads, replies, reactions and notifications.",
    auth=django_auth,
    docs_url=None,
    urls_namespace="api",
)
