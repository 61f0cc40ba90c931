"""``/support/fidelity/``: the self-check after a session and fidelity over time.

Mounted by the project's URLs with
``path("support/fidelity/", include("alongside.support.fidelity_urls"))``.
"""

from __future__ import annotations

from alongside.support.fidelity_views import urlpatterns

app_name = "support_fidelity"

__all__ = ["app_name", "urlpatterns"]
