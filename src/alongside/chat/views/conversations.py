"""Conversation pages (filled in by the conversations UI work)."""

from typing import Any

urlpatterns: list[Any] = []
