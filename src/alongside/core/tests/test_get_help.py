from django.test import Client
from django.urls import reverse


def test_get_help_lists_regions_with_member_region_first(db: None) -> None:
    response = Client().get(reverse("core:get_help"), {"region": "IE"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Pieta") < html.index("Samaritans</h3>")
    assert "988" in html
