"""``/support/sessions/``: booking, moving and cancelling sessions, and session notes.

Mounted by the project's URLs with
``path("support/sessions/", include("alongside.support.session_urls"))``.
"""

from __future__ import annotations

from alongside.support.session_views import urlpatterns

app_name = "support_sessions"

__all__ = ["app_name", "urlpatterns"]
