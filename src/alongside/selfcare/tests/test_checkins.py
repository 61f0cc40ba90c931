"""Daily check-ins: one a day, private, encrypted, and support at once for a note in crisis.

Every note here is invented for these tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.safety.models import Alert, DutyPeriod, QueueItem, Screening
from alongside.selfcare import services
from alongside.selfcare.models import CheckIn

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]

CRISIS_NOTE = (
    "I've saved up all my pills and I'm going to take them tonight. "
    "I already wrote letters to my mum and my sister."
)
ORDINARY_NOTE = "Slept badly but had lunch with Priya by the canal, which lifted things."


def _raw_notes() -> list[str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM selfcare_checkin")
        return [row[0] for row in cursor.fetchall()]


# --- Services -------------------------------------------------------------------------------


def test_a_check_in_is_saved_for_today_with_tags_normalised(member: User) -> None:
    outcome = services.check_in_record(
        member=member, mood=4, note=ORDINARY_NOTE, tags=["Sleep", " #Friends ", "sleep", ""]
    )
    check_in = CheckIn.objects.get()
    assert outcome.created
    assert check_in.day == timezone.localdate()
    assert check_in.mood == 4
    assert check_in.note == ORDINARY_NOTE
    assert check_in.tags == ["sleep", "friends"]
    assert not outcome.reads_as_crisis


def test_a_second_check_in_the_same_day_updates_the_first(member: User) -> None:
    services.check_in_record(member=member, mood=2, note="Rough morning.", tags=["work"])
    outcome = services.check_in_record(member=member, mood=4, note="", tags=[])
    assert not outcome.created
    check_in = CheckIn.objects.get()
    assert (check_in.mood, check_in.note or "", check_in.tags) == (4, "", [])
    assert check_in.updated_at >= check_in.created_at


@override_settings(TIME_ZONE="Pacific/Auckland")
def test_the_day_is_the_local_day_not_the_utc_day(member: User) -> None:
    services.check_in_record(member=member, mood=3)
    assert CheckIn.objects.get().day == timezone.localdate()


def test_the_note_is_encrypted_at_rest(member: User) -> None:
    services.check_in_record(member=member, mood=3, note=ORDINARY_NOTE)
    (stored,) = _raw_notes()
    assert stored
    assert "Priya" not in stored
    assert "canal" not in stored


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"mood": 0}, "mood"),
        ({"mood": 6}, "mood"),
        ({"mood": 3, "note": "x" * (services.NOTE_MAX + 1)}, "note"),
        ({"mood": 3, "tags": ["a" * (services.TAG_MAX + 1)]}, "tags"),
        ({"mood": 3, "tags": [f"tag{n}" for n in range(services.TAGS_MAX + 1)]}, "tags"),
        ({"mood": 3, "day": date.today() + timedelta(days=2)}, "day"),  # noqa: DTZ011
    ],
)
def test_invalid_check_ins_are_refused_by_field(
    member: User, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.check_in_record(member=member, **fields)  # type: ignore[arg-type]
    assert field in caught.value.message_dict
    assert not CheckIn.objects.exists()


def test_nobody_else_can_delete_a_check_in(member: User, make_user: MakeUser) -> None:
    outcome = services.check_in_record(member=member, mood=3)
    with pytest.raises(PermissionDenied):
        services.check_in_delete(member=make_user("olu"), check_in=outcome.check_in)
    assert CheckIn.objects.count() == 1


def test_a_crisis_note_is_screened_but_nothing_is_recorded_or_alerted(
    member: User, make_user: MakeUser
) -> None:
    DutyPeriod.objects.create(moderator=make_user("morgan", role="moderator"))
    outcome = services.check_in_record(member=member, mood=1, note=CRISIS_NOTE)
    assert outcome.reads_as_crisis
    assert not QueueItem.objects.exists()
    assert not Alert.objects.exists()
    assert not Screening.objects.exists()


# --- Pages ----------------------------------------------------------------------------------


def test_the_check_in_page_offers_moods_in_words(member: User, client_for: ClientFor) -> None:
    page = client_for(member).get(reverse("selfcare:check_in")).content.decode()
    for words in ("Very low", "Low", "Okay", "Good", "Very good"):
        assert words in page
    assert 'type="radio" name="mood"' in page
    assert 'name="suggested_tags" value="sleep"' in page


def test_checking_in_through_the_page_and_again_the_same_day(
    member: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    url = reverse("selfcare:check_in")
    response = client.post(
        url, {"mood": "2", "note": "Tired.", "suggested_tags": ["work"], "other_tags": "Gym, bus"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("selfcare:hub")
    assert CheckIn.objects.get().tags == ["work", "gym", "bus"]
    page = client.get(url).content.decode()
    assert "already checked in today" in page
    assert "gym, bus" in page  # the form starts from today's check-in
    client.post(url, {"mood": "5", "note": "Better now.", "other_tags": ""})
    check_in = CheckIn.objects.get()
    assert (check_in.mood, check_in.note, check_in.tags) == (5, "Better now.", [])


def test_the_hubs_quick_form_keeps_the_days_tags(member: User, client_for: ClientFor) -> None:
    services.check_in_record(member=member, mood=2, tags=["money"])
    client_for(member).post(reverse("selfcare:check_in"), {"mood": "3", "note": ""})
    check_in = CheckIn.objects.get()
    assert (check_in.mood, check_in.tags) == (3, ["money"])


def test_a_form_error_keeps_what_was_typed(member: User, client_for: ClientFor) -> None:
    response = client_for(member).post(
        reverse("selfcare:check_in"),
        {"note": "Walked to the allotment and back.", "other_tags": "garden"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please choose how you feel" in page
    assert "Walked to the allotment and back." in page
    assert 'value="garden"' in page
    assert not CheckIn.objects.exists()


def test_a_tag_too_long_comes_back_on_the_form(member: User, client_for: ClientFor) -> None:
    long_tag = "a" * (services.TAG_MAX + 1)
    response = client_for(member).post(
        reverse("selfcare:check_in"), {"mood": "3", "note": "Kept it.", "other_tags": long_tag}
    )
    page = response.content.decode()
    assert "Please keep each tag" in page
    assert "Kept it." in page
    assert not CheckIn.objects.exists()


def test_a_crisis_note_shows_the_author_support_and_says_nobody_is_told(
    member: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    DutyPeriod.objects.create(moderator=make_user("morgan", role="moderator"))
    client = client_for(member)
    response = client.post(
        reverse("selfcare:check_in"),
        {"mood": "1", "note": CRISIS_NOTE, "other_tags": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "support-panel is-crisis" in page
    assert reverse("core:get_help") in page
    assert "no one else has been told" in page
    assert "A moderator from our team has been let know" not in page
    assert reverse("selfcare:safety_plan") in page
    assert "Make a safety plan" in page
    assert not QueueItem.objects.exists()
    assert not Alert.objects.exists()
    # Shown once, like the posts' note: the next page is calm again.
    assert "support-panel" not in client.get(reverse("selfcare:hub")).content.decode()


def test_an_ordinary_note_shows_no_support_panel(member: User, client_for: ClientFor) -> None:
    response = client_for(member).post(
        reverse("selfcare:check_in"), {"mood": "4", "note": ORDINARY_NOTE}, follow=True
    )
    assert "support-panel" not in response.content.decode()


def test_the_history_lists_sixty_days_newest_first(member: User, client_for: ClientFor) -> None:
    today = timezone.localdate()
    for back, mood in ((0, 4), (1, 2), (59, 3), (60, 5)):
        CheckIn.objects.create(member=member, day=today - timedelta(days=back), mood=mood)
    services.check_in_record(member=member, mood=4, note="Café with Sam.", tags=["friends"])
    page = client_for(member).get(reverse("selfcare:check_ins")).content.decode()
    assert "Café with Sam." in page
    assert page.count('class="card check-in-row"') == 3
    assert (today - timedelta(days=60)).isoformat() not in page
    assert page.index(f"day-{today.isoformat()}") < page.index(
        f"day-{(today - timedelta(days=1)).isoformat()}"
    )
    assert "4 · Good" in page


def test_a_past_day_can_be_edited_and_deleted(member: User, client_for: ClientFor) -> None:
    day = timezone.localdate() - timedelta(days=3)
    CheckIn.objects.create(member=member, day=day, mood=2)
    client = client_for(member)
    edit = reverse("selfcare:check_in_edit", kwargs={"day": day.isoformat()})
    assert client.get(edit).status_code == 200
    client.post(edit, {"mood": "3", "note": "Looking back, it was okay.", "other_tags": ""})
    check_in = CheckIn.objects.get()
    assert (check_in.day, check_in.mood) == (day, 3)
    delete = reverse("selfcare:check_in_delete", kwargs={"day": day.isoformat()})
    assert "Delete this check-in?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not CheckIn.objects.exists()


def test_another_members_check_in_is_not_found(
    member: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    services.check_in_record(member=member, mood=2, note="Only mine.")
    day = timezone.localdate().isoformat()
    for other in (make_user("olu"), make_user("morgan", role="moderator")):
        client = client_for(other)
        assert client.get(reverse("selfcare:check_in_edit", kwargs={"day": day})).status_code == 404
        delete = reverse("selfcare:check_in_delete", kwargs={"day": day})
        assert client.post(delete).status_code == 404
        assert "Only mine." not in client.get(reverse("selfcare:check_ins")).content.decode()
    assert CheckIn.objects.count() == 1


def test_a_nonsense_day_is_not_found(member: User, client_for: ClientFor) -> None:
    url = reverse("selfcare:check_in_edit", kwargs={"day": "yesterday"})
    assert client_for(member).get(url).status_code == 404


def test_check_in_pages_need_a_signed_in_member() -> None:
    response = Client().get(reverse("selfcare:check_in"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_quick_form_error_comes_back_with_the_note(member: User, client_for: ClientFor) -> None:
    response = client_for(member).post(
        reverse("selfcare:check_in"), {"note": "Too tired to pick a number."}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please choose how you feel" in page
    assert "Too tired to pick a number." in page
    assert not CheckIn.objects.exists()


def test_a_note_screened_for_review_also_shows_support(member: User, client_for: ClientFor) -> None:
    response = client_for(member).post(
        reverse("selfcare:check_in"),
        {"mood": "1", "note": "I feel hopeless and I don't see the point of going on"},
        follow=True,
    )
    page = response.content.decode()
    assert "support-panel is-crisis" in page
    assert "no one else has been told" in page
    assert not QueueItem.objects.exists()
