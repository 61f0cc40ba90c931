"""Group rooms and facilitated sessions (filled in by the rooms UI work)."""

from typing import Any

urlpatterns: list[Any] = []
