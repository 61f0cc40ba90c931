"""WSGI entry point, for HTTP-only workers (gunicorn) behind the ASGI ones that serve live chat."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
application = get_wsgi_application()
