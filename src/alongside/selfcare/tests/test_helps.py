"""The "what helps me" list: add, change, remove and reorder, without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.selfcare import selectors, services
from alongside.selfcare.models import HelpfulThing

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


def _texts(member: User) -> list[str]:
    return [thing.text or "" for thing in selectors.helpful_things(member)]


def test_things_are_added_in_order_and_encrypted(member: User) -> None:
    for text in ("Ringing my sister", "A hot bath", "Walking the long way home"):
        services.helpful_thing_add(member=member, text=text)
    assert _texts(member) == ["Ringing my sister", "A hot bath", "Walking the long way home"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM selfcare_helpfulthing")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert "sister" not in stored
    assert "bath" not in stored


def test_an_empty_or_long_entry_is_refused(member: User) -> None:
    for text in ("  ", "x" * (services.HELPFUL_MAX + 1)):
        with pytest.raises(ValidationError) as caught:
            services.helpful_thing_add(member=member, text=text)
        assert "text" in caught.value.message_dict
    assert not HelpfulThing.objects.exists()


def test_moving_up_and_down_swaps_neighbours_and_stops_at_the_ends(member: User) -> None:
    a, b, c = (services.helpful_thing_add(member=member, text=t) for t in ("A", "B", "C"))
    services.helpful_thing_move(member=member, thing=c, direction="up")
    assert _texts(member) == ["A", "C", "B"]
    services.helpful_thing_move(member=member, thing=a, direction="down")
    assert _texts(member) == ["C", "A", "B"]
    services.helpful_thing_move(member=member, thing=b, direction="down")
    assert _texts(member) == ["C", "A", "B"]
    services.helpful_thing_remove(member=member, thing=a)
    services.helpful_thing_move(member=member, thing=b, direction="up")
    assert _texts(member) == ["B", "C"]


def test_nobody_else_can_change_the_list(member: User, make_user: MakeUser) -> None:
    thing = services.helpful_thing_add(member=member, text="Music")
    other = make_user("olu", role="moderator")
    with pytest.raises(PermissionDenied):
        services.helpful_thing_update(member=other, thing=thing, text="Theirs")
    with pytest.raises(PermissionDenied):
        services.helpful_thing_remove(member=other, thing=thing)
    with pytest.raises(PermissionDenied):
        services.helpful_thing_move(member=other, thing=thing, direction="up")
    assert _texts(member) == ["Music"]


def test_the_page_adds_changes_moves_and_removes(member: User, client_for: ClientFor) -> None:
    client = client_for(member)
    url = reverse("selfcare:helps")
    assert "Nothing here yet" in client.get(url).content.decode()
    client.post(url, {"text": "Feeding the ducks"})
    client.post(url, {"text": "Baking bread"})
    first, second = selectors.helpful_things(member)
    page = client.get(url).content.decode()
    assert page.index("Feeding the ducks") < page.index("Baking bread")
    client.post(reverse("selfcare:help_move", kwargs={"thing_id": second.pk}), {"direction": "up"})
    assert _texts(member) == ["Baking bread", "Feeding the ducks"]
    edit = reverse("selfcare:help_edit", kwargs={"thing_id": first.pk})
    assert "Feeding the ducks" in client.get(edit).content.decode()
    client.post(edit, {"text": "Feeding the ducks with my niece"})
    client.post(reverse("selfcare:help_remove", kwargs={"thing_id": second.pk}))
    assert _texts(member) == ["Feeding the ducks with my niece"]


def test_a_form_error_keeps_what_was_typed(member: User, client_for: ClientFor) -> None:
    typed = "y" * (services.HELPFUL_MAX + 5)
    response = client_for(member).post(reverse("selfcare:helps"), {"text": typed})
    assert response.status_code == 400
    assert typed in response.content.decode()
    assert not HelpfulThing.objects.exists()


def test_another_members_entry_is_not_found(
    member: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    thing = services.helpful_thing_add(member=member, text="Cat on my lap")
    client = client_for(make_user("olu", role="administrator"))
    kwargs = {"thing_id": thing.pk}
    assert client.get(reverse("selfcare:help_edit", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("selfcare:help_remove", kwargs=kwargs)).status_code == 404
    move = reverse("selfcare:help_move", kwargs=kwargs)
    assert client.post(move, {"direction": "up"}).status_code == 404
    assert "Cat on my lap" not in client.get(reverse("selfcare:helps")).content.decode()
    assert _texts(member) == ["Cat on my lap"]
