"""``/support/endings/``: planned endings, feedback, and supporters' tasks and calendar.

Mounted by the project's URLs with
``path("support/endings/", include("alongside.support.ending_urls"))``.
"""

from __future__ import annotations

from alongside.support.ending_views import urlpatterns

app_name = "support_endings"

__all__ = ["app_name", "urlpatterns"]
