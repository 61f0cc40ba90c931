"""The quick addresses are exactly what ``reverse()`` gives."""

from __future__ import annotations

from django.urls import reverse

from alongside.communities import links


def test_quick_addresses_match_reverse() -> None:
    assert links.thread_url("low-mood", 42) == reverse(
        "communities:thread_detail", kwargs={"slug": "low-mood", "thread_id": 42}
    )
    assert links.react_url(7) == reverse("communities:react", args=[7])
    assert links.profile_url("River_2") == reverse("accounts:profile", args=["River_2"])
