"""Peer supporter profiles, asking for support, matching, and support relationships."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import AgeBand, User
from alongside.accounts.roles import Role
from alongside.chat.models import Conversation
from alongside.notifications.models import Notification
from alongside.safety.jobs import run_periodic_jobs
from alongside.safety.services.protection import block_create
from alongside.support import matching, services
from alongside.support.models import (
    ProbationReview,
    SupporterProfile,
    SupportRelationship,
    SupportRequest,
    TrainingRecord,
)

pytestmark = pytest.mark.django_db

EVENINGS = [{"weekday": 2, "start": "18:00", "end": "21:00"}]


@pytest.fixture
def make_supporter(make_user: Any) -> Any:
    def make(handle: str, **profile: Any) -> User:
        user: User = make_user(handle, role=Role.PEER_SUPPORTER)
        profile.setdefault("on_duty", True)
        profile.setdefault("on_probation", False)
        SupporterProfile.objects.create(user=user, **profile)
        return user

    return make


@pytest.fixture
def supervisor(make_user: Any) -> User:
    user: User = make_user("sam_supervises", role=Role.SUPERVISOR)
    return user


def _ask(member: User, **preferences: Any) -> SupportRequest:
    return services.request_create(
        member=member, in_their_words="I keep panicking on the bus.", preferences=preferences
    )


def _matched(member: User, supporter: User) -> SupportRelationship:
    request = _ask(member)
    services.request_choose(actor=member, request=request, supporter=supporter)
    return services.request_accept(supporter=supporter, request=request, focus="Getting out again")


# --- Matching -------------------------------------------------------------------------------


class TestMatching:
    def test_order_and_plain_words_reasons(self, member: User, make_supporter: Any) -> None:
        make_supporter("plain")
        welsh = make_supporter(
            "welsh_anxious", lived_experience_areas=["anxiety", "grief"], languages=["cy", "en"]
        )
        anxious = make_supporter(
            "anxious", lived_experience_areas=["anxiety"], on_duty=False, availability=EVENINGS
        )
        request = _ask(member, areas=["anxiety"], language="cy", times=["evenings"])

        suggestions = matching.suggest_supporters(request)

        assert [s.supporter for s in suggestions][:2] == [welsh, anxious]
        assert suggestions[-1].supporter.handle == "plain"
        assert suggestions[0].reasons == [
            "Shares lived experience of anxiety",
            "Speaks Welsh",
            "On duty now",
            "Has space for new people this week",
        ]
        assert "Usually available evenings" in suggestions[1].reasons
        assert suggestions[0].score > suggestions[1].score > suggestions[2].score

    def test_lighter_load_wins_a_tie_and_reason_says_how_much_space(
        self, make_user: Any, make_supporter: Any
    ) -> None:
        busy = make_supporter("busy", caseload_cap=3)
        free = make_supporter("free", caseload_cap=3)
        _matched(make_user("first"), busy)
        suggestions = matching.suggest_supporters(_ask(make_user("second")))
        assert [s.supporter for s in suggestions] == [free, busy]
        assert "Has space for 2 more" in suggestions[1].reasons

    def test_gender_only_counts_when_asked(self, member: User, make_supporter: Any) -> None:
        make_supporter("alex", gender="Woman")
        unasked = matching.suggest_supporters(_ask(member))
        assert not any("as you asked" in reason for reason in unasked[0].reasons)
        services.request_withdraw(member=member, request=SupportRequest.objects.get())
        asked = matching.suggest_supporters(_ask(member, gender="woman"))
        assert "Is Woman, as you asked" in asked[0].reasons

    def test_unavailable_supporters_are_left_out(
        self, member: User, make_supporter: Any, make_user: Any
    ) -> None:
        make_supporter("off_no_times", on_duty=False)
        make_supporter("not_taking", accepting_requests=False)
        make_supporter("blocked_me")
        block_create(blocker=User.objects.get(handle="blocked_me"), blocked=member)
        inactive = make_supporter("gone")
        inactive.is_active = False
        inactive.save()
        # A profile alone is not enough: the peer supporter role is.
        former = make_user("former")
        SupporterProfile.objects.create(user=former, on_duty=True, on_probation=False)
        ok = make_supporter("available_evenings", on_duty=False, availability=EVENINGS)
        assert [s.supporter for s in matching.suggest_supporters(_ask(member))] == [ok]

    def test_under_18s_only_match_background_checked_supporters(
        self, make_user: Any, make_supporter: Any
    ) -> None:
        make_supporter("unchecked")
        checked = make_supporter("checked", lived_experience_areas=[])
        checked.background_check_cleared_at = timezone.now()
        checked.save()
        young = make_user("young", age_band=AgeBand.UNDER_18)
        request = _ask(young)
        assert [s.supporter for s in matching.suggest_supporters(request)] == [checked]
        with pytest.raises(ValidationError):
            services.request_choose(
                actor=young, request=request, supporter=User.objects.get(handle="unchecked")
            )
        adult = make_user("adult")
        assert len(matching.suggest_supporters(_ask(adult))) == 2


# --- Caps and probation ---------------------------------------------------------------------


class TestCaps:
    def test_full_caseload_is_not_suggested_and_cannot_be_chosen(
        self, make_user: Any, make_supporter: Any
    ) -> None:
        supporter = make_supporter("one_place", caseload_cap=1)
        _matched(make_user("first"), supporter)
        second = make_user("second")
        request = _ask(second)
        assert matching.suggest_supporters(request) == []
        with pytest.raises(ValidationError):
            services.request_choose(actor=second, request=request, supporter=supporter)

    def test_offers_waiting_take_a_place(self, make_user: Any, make_supporter: Any) -> None:
        supporter = make_supporter("one_place", caseload_cap=1)
        first = make_user("first")
        services.request_choose(actor=first, request=_ask(first), supporter=supporter)
        assert matching.suggest_supporters(_ask(make_user("second"))) == []

    def test_accept_refuses_over_cap_in_the_service(
        self, make_user: Any, make_supporter: Any
    ) -> None:
        supporter = make_supporter("two_places", caseload_cap=2)
        first, second = make_user("first"), make_user("second")
        one, two = _ask(first), _ask(second)
        services.request_choose(actor=first, request=one, supporter=supporter)
        services.request_choose(actor=second, request=two, supporter=supporter)
        # The cap drops after both offers were made: the second acceptance must fail.
        SupporterProfile.objects.filter(user=supporter).update(caseload_cap=1)
        services.request_accept(supporter=supporter, request=one, focus="")
        with pytest.raises(ValidationError, match="caseload is full"):
            services.request_accept(supporter=supporter, request=two, focus="")

    def test_probation_limits_to_one_until_enough_approvals(
        self, make_user: Any, make_supporter: Any, supervisor: User
    ) -> None:
        supporter = make_supporter("new_one", on_probation=True, probation_reviews_required=2)
        relationship = _matched(make_user("first"), supporter)
        assert matching.suggest_supporters(_ask(make_user("second"))) == []

        services.probation_review_record(
            actor=supervisor,
            supporter=supporter,
            decision=ProbationReview.Decision.APPROVE,
            relationship=relationship,
        )
        services.probation_review_record(
            actor=supervisor, supporter=supporter, decision=ProbationReview.Decision.CONTINUE
        )
        assert SupporterProfile.objects.get(user=supporter).on_probation
        services.probation_review_record(
            actor=supervisor, supporter=supporter, decision=ProbationReview.Decision.APPROVE
        )
        assert not SupporterProfile.objects.get(user=supporter).on_probation
        assert matching.suggest_supporters(SupportRequest.objects.get(member__handle="second"))
        assert Notification.objects.filter(recipient=supporter, kind="support").exists()

    def test_new_profiles_start_on_probation(self, make_user: Any) -> None:
        supporter = make_user("fresh", role=Role.PEER_SUPPORTER)
        profile = services.profile_ensure(supporter=supporter)
        assert profile.on_probation
        assert profile.effective_cap == 1

    def test_only_supervisors_review_and_record_training(
        self, make_supporter: Any, role_users: dict[str, User]
    ) -> None:
        supporter = make_supporter("someone")
        for role in ("member", "peer_supporter", "moderator", "researcher"):
            with pytest.raises(PermissionDenied):
                services.training_record_add(
                    actor=role_users[role],
                    supporter=supporter,
                    module="Safeguarding",
                    completed_on=date(2026, 1, 5),
                )
        for role in ("supervisor", "administrator"):
            services.training_record_add(
                actor=role_users[role],
                supporter=supporter,
                module="Safeguarding",
                completed_on=date(2026, 1, 5),
            )
        assert TrainingRecord.objects.filter(supporter=supporter).count() == 2
        with pytest.raises(ValidationError):
            services.probation_review_record(
                actor=role_users["supervisor"],
                supporter=role_users["supervisor"],
                decision=ProbationReview.Decision.APPROVE,
            )


# --- Accepting, declining, relationships ----------------------------------------------------


class TestFlow:
    def test_accept_creates_relationship_with_conversation_and_default_length(
        self, make_user: Any, make_supporter: Any
    ) -> None:
        member = make_user("newcomer", date_joined=timezone.now())  # under the new-account bar
        supporter = make_supporter("willow")
        request = _ask(member)
        services.request_choose(actor=member, request=request, supporter=supporter)
        assert Notification.objects.filter(recipient=supporter, kind="support").exists()

        relationship = services.request_accept(
            supporter=supporter, request=request, focus="Getting out again"
        )

        request.refresh_from_db()
        assert request.status == SupportRequest.Status.MATCHED
        assert relationship.status == SupportRelationship.Status.ACTIVE
        assert relationship.focus == "Getting out again"
        assert relationship.expected_end - relationship.started_at == timedelta(weeks=8)
        conversation = relationship.conversation
        assert conversation is not None
        assert conversation.kind == Conversation.Kind.DIRECT
        assert set(conversation.participants.values_list("user__handle", flat=True)) == {
            "newcomer",
            "willow",
        }
        assert Notification.objects.filter(recipient=member, kind="support").exists()

    @override_settings(SUPPORT_DEFAULT_WEEKS=6)
    def test_length_follows_the_setting_and_the_supporters_choice(
        self, make_user: Any, make_supporter: Any
    ) -> None:
        relationship = _matched(make_user("one"), make_supporter("a"))
        assert relationship.expected_end - relationship.started_at == timedelta(weeks=6)
        second = make_user("two")
        request = _ask(second)
        supporter = make_supporter("b")
        services.request_choose(actor=second, request=request, supporter=supporter)
        chosen = services.request_accept(supporter=supporter, request=request, focus="", weeks=4)
        assert chosen.expected_end - chosen.started_at == timedelta(weeks=4)

    def test_existing_one_to_one_is_reused(self, member: User, make_supporter: Any) -> None:
        from alongside.chat.services import direct_open

        supporter = make_supporter("willow")
        existing = direct_open(initiator=supporter, recipient=member)
        assert _matched(member, supporter).conversation == existing

    def test_decline_returns_to_matching_and_tells_the_member(
        self, member: User, make_supporter: Any
    ) -> None:
        first = make_supporter("first")
        second = make_supporter("second")
        request = _ask(member)
        services.request_choose(actor=member, request=request, supporter=first)
        services.request_decline(supporter=first, request=request)
        request.refresh_from_db()
        assert request.status == SupportRequest.Status.OPEN
        assert request.chosen_supporter is None
        assert [s.supporter for s in matching.suggest_supporters(request)] == [second]
        told = Notification.objects.get(recipient=member, kind="support")
        assert "can't take your request on right now" in told.message

    def test_only_the_chosen_supporter_may_answer(self, member: User, make_supporter: Any) -> None:
        chosen, other = make_supporter("chosen"), make_supporter("other")
        request = _ask(member)
        with pytest.raises(PermissionDenied):
            services.request_accept(supporter=chosen, request=request, focus="")
        services.request_choose(actor=member, request=request, supporter=chosen)
        with pytest.raises(PermissionDenied):
            services.request_accept(supporter=other, request=request, focus="")
        with pytest.raises(PermissionDenied):
            services.request_decline(supporter=other, request=request)
        with pytest.raises(ValidationError):
            services.request_choose(actor=member, request=request, supporter=other)

    def test_one_waiting_request_at_a_time(self, member: User) -> None:
        request = _ask(member)
        with pytest.raises(ValidationError):
            _ask(member)
        services.request_withdraw(member=member, request=request)
        _ask(member)

    def test_renewal_needs_both_and_extends_by_the_default(
        self, member: User, make_supporter: Any, make_user: Any
    ) -> None:
        supporter = make_supporter("willow")
        relationship = _matched(member, supporter)
        end = relationship.expected_end
        once = services.relationship_renew_agree(user=member, relationship=relationship)
        assert once.expected_end == end
        assert once.renewed_count == 0
        with pytest.raises(PermissionDenied):
            services.relationship_renew_agree(user=make_user("stranger"), relationship=once)
        both = services.relationship_renew_agree(user=supporter, relationship=once)
        assert both.expected_end == end + timedelta(weeks=8)
        assert both.renewed_count == 1
        assert both.renewal_member_agreed_at is None
        assert both.renewal_supporter_agreed_at is None


# --- Escalation -----------------------------------------------------------------------------


class TestEscalation:
    def test_unmatched_requests_escalate_once(
        self, member: User, make_user: Any, role_users: dict[str, User]
    ) -> None:
        old = _ask(member)
        SupportRequest.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(hours=49)
        )
        fresh = _ask(make_user("fresh"))

        assert services.escalate_unmatched_requests() == 1
        assert services.escalate_unmatched_requests() == 0
        run_periodic_jobs()

        old.refresh_from_db()
        fresh.refresh_from_db()
        assert old.status == SupportRequest.Status.ESCALATED
        assert old.escalated_at is not None
        assert fresh.status == SupportRequest.Status.OPEN
        told = Notification.objects.filter(recipient=member, kind="support")
        assert told.count() == 1
        assert told.get().message.startswith("Nobody has been able to take this yet.")
        coordinators = set(
            Notification.objects.filter(kind="support")
            .exclude(recipient=member)
            .values_list("recipient__handle", flat=True)
        )
        assert coordinators == {"user_supervisor", "user_administrator"}

    @override_settings(SUPPORT_ESCALATE_HOURS=1)
    def test_hours_follow_the_setting(self, member: User) -> None:
        request = _ask(member)
        SupportRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - timedelta(hours=2)
        )
        assert services.escalate_unmatched_requests() == 1

    def test_coordinator_can_offer_an_escalated_request(
        self, member: User, make_supporter: Any, supervisor: User, make_user: Any
    ) -> None:
        supporter = make_supporter("willow")
        request = _ask(member)
        SupportRequest.objects.filter(pk=request.pk).update(status=SupportRequest.Status.ESCALATED)
        with pytest.raises(PermissionDenied):
            services.request_choose(actor=make_user("nosy"), request=request, supporter=supporter)
        services.request_choose(actor=supervisor, request=request, supporter=supporter)
        relationship = services.request_accept(supporter=supporter, request=request, focus="")
        assert relationship.member == member


# --- Pages ----------------------------------------------------------------------------------


class TestPages:
    def test_ask_shows_suggestions_and_choosing_offers(
        self, member: User, make_supporter: Any, client_for: Any
    ) -> None:
        supporter = make_supporter("willow", lived_experience_areas=["anxiety"])
        client = client_for(member)
        assert client.get(reverse("support:ask")).status_code == 200
        response = client.post(
            reverse("support:ask"),
            {"in_their_words": "Panic on buses", "areas": ["anxiety"], "language": ""},
            follow=True,
        )
        assert response.status_code == 200
        assert b"Shares lived experience of anxiety" in response.content
        request = SupportRequest.objects.get(member=member)
        response = client.post(
            reverse("support:request_choose", args=[request.pk]), {"supporter": supporter.pk}
        )
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.chosen_supporter == supporter

    def test_form_errors_keep_what_was_typed(self, member: User, client_for: Any) -> None:
        response = client_for(member).post(
            reverse("support:ask"), {"in_their_words": "", "gender": "a woman please"}
        )
        assert response.status_code == 200
        assert b"a woman please" in response.content
        assert not SupportRequest.objects.exists()

    def test_supporter_accepts_and_declines_through_pages(
        self, make_user: Any, make_supporter: Any, client_for: Any
    ) -> None:
        supporter = make_supporter("willow")
        member = make_user("heron")
        request = _ask(member)
        services.request_choose(actor=member, request=request, supporter=supporter)
        client = client_for(supporter)
        page = client.get(reverse("support:request", args=[request.pk]))
        assert b"Can you take this on?" in page.content
        assert b"panicking on the bus" in page.content
        bad = client.post(
            reverse("support:request_accept", args=[request.pk]),
            {"focus": "Buses", "weeks": "99"},
        )
        assert bad.status_code == 400
        assert b"Buses" in bad.content
        good = client.post(
            reverse("support:request_accept", args=[request.pk]), {"focus": "Buses", "weeks": "6"}
        )
        relationship = SupportRelationship.objects.get()
        assert good.url == reverse("support:relationship", args=[relationship.pk])
        page = client_for(member).get(good.url)
        assert page.status_code == 200
        assert b"Buses" in page.content

    def test_member_sees_only_their_own_requests(
        self, member: User, make_user: Any, make_supporter: Any, client_for: Any
    ) -> None:
        request = _ask(member)
        url = reverse("support:request", args=[request.pk])
        assert client_for(member).get(url).status_code == 200
        assert client_for(make_user("other")).get(url).status_code == 404
        # A supporter sees a request only while it is offered to them.
        supporter, bystander = make_supporter("chosen"), make_supporter("bystander")
        assert client_for(supporter).get(url).status_code == 404
        services.request_choose(actor=member, request=request, supporter=supporter)
        assert client_for(supporter).get(url).status_code == 200
        assert client_for(bystander).get(url).status_code == 404
        post = client_for(bystander).post(reverse("support:request_decline", args=[request.pk]))
        assert post.status_code == 404

    def test_relationship_pages_are_private(
        self, member: User, make_user: Any, make_supporter: Any, client_for: Any, supervisor: User
    ) -> None:
        relationship = _matched(member, make_supporter("willow"))
        url = reverse("support:relationship", args=[relationship.pk])
        assert client_for(make_user("other")).get(url).status_code == 404
        assert client_for(make_supporter("another")).get(url).status_code == 404
        assert client_for(supervisor).get(url).status_code == 200
        renew = reverse("support:relationship_renew", args=[relationship.pk])
        assert client_for(member).post(renew).status_code == 302
        relationship.refresh_from_db()
        assert relationship.renewal_member_agreed_at is not None

    def test_supervisor_pages_need_the_permission(
        self, role_users: dict[str, User], make_supporter: Any, client_for: Any
    ) -> None:
        supporter = make_supporter("willow")
        pages = [
            reverse("support:supervision"),
            reverse("support:supervision_supporter", args=[supporter.pk]),
        ]
        for role, user in role_users.items():
            for url in pages:
                expected = 200 if role in ("supervisor", "administrator") else 403
                assert client_for(user).get(url).status_code == expected, (role, url)

    def test_supervisor_records_training_and_review(
        self, make_supporter: Any, supervisor: User, client_for: Any
    ) -> None:
        supporter = make_supporter("willow", on_probation=True, probation_reviews_required=1)
        client = client_for(supervisor)
        url = reverse("support:supervision_supporter", args=[supporter.pk])
        bad = client.post(url, {"module": "Listening skills", "completed_on": "not a date"})
        assert bad.status_code == 400
        assert b"Listening skills" in bad.content
        client.post(url, {"module": "Listening skills", "completed_on": "2026-03-01"})
        client.post(url, {"decision": "approve", "relationship": "", "note": "Warm, careful"})
        assert TrainingRecord.objects.get(supporter=supporter).module == "Listening skills"
        assert ProbationReview.objects.get(supporter=supporter).note == "Warm, careful"
        assert not SupporterProfile.objects.get(user=supporter).on_probation
        page = client.get(url)
        assert b"Listening skills" in page.content

    def test_supporter_edits_own_profile(
        self, make_user: Any, client_for: Any, member: User
    ) -> None:
        supporter = make_user("willow", role=Role.PEER_SUPPORTER)
        client = client_for(supporter)
        assert client.get(reverse("support:profile")).status_code == 200
        bad = client.post(
            reverse("support:profile"),
            {
                "lived_experience_areas": ["anxiety"],
                "languages": ["cy"],
                "availability": "Someday 9-5",
                "time_zone": "Europe/London",
                "caseload_cap": "4",
            },
        )
        assert b"Someday 9-5" in bad.content
        client.post(
            reverse("support:profile"),
            {
                "lived_experience_areas": ["anxiety"],
                "languages": ["cy"],
                "availability": "Wed 18:00-21:00\nsaturday 9:00-12:00",
                "time_zone": "Europe/London",
                "caseload_cap": "4",
                "on_duty": "on",
                "accepting_requests": "on",
            },
        )
        profile = SupporterProfile.objects.get(user=supporter)
        assert profile.availability == [
            {"weekday": 2, "start": "18:00", "end": "21:00"},
            {"weekday": 5, "start": "09:00", "end": "12:00"},
        ]
        assert profile.on_duty
        assert profile.on_probation  # not the supporter's to change
        assert client_for(member).get(reverse("support:profile")).status_code == 403

    def test_home_lists_offers_and_relationships(
        self, member: User, make_supporter: Any, client_for: Any
    ) -> None:
        supporter = make_supporter("willow")
        request = _ask(member)
        services.request_choose(actor=member, request=request, supporter=supporter)
        page = client_for(supporter).get(reverse("support:home"))
        assert reverse("support:request", args=[request.pk]).encode() in page.content
        assert client_for(member).get(reverse("support:home")).status_code == 200


# --- Demo -----------------------------------------------------------------------------------


def test_demo_support_is_idempotent(make_user: Any) -> None:
    from alongside.chat.services import direct_open
    from alongside.support.demo import PROFILES, ensure_demo_support

    users = {handle: make_user(handle, role=Role.PEER_SUPPORTER) for handle in PROFILES}
    users["quiet_heron"] = make_user("quiet_heron")
    users["mossandstone"] = make_user("mossandstone")
    users["ros_coordinator"] = make_user("ros_coordinator", role=Role.ADMINISTRATOR)
    existing = direct_open(initiator=users["willow_and_tea"], recipient=users["quiet_heron"])

    ensure_demo_support(users)
    ensure_demo_support(users)

    assert SupporterProfile.objects.count() == len(PROFILES)
    assert SupporterProfile.objects.get(user__handle="priya_k_ps").on_probation
    relationship = SupportRelationship.objects.get()
    assert relationship.conversation == existing
    assert relationship.supervisor is not None
    assert relationship.supervisor.handle == "marnie_supervises"
    assert relationship.started_at < timezone.now() - timedelta(weeks=2)
    assert SupportRequest.objects.filter(status=SupportRequest.Status.OPEN).count() == 1
    assert TrainingRecord.objects.filter(supporter=users["willow_and_tea"]).count() == 3


class TestQueryCounts:
    def _count(self, client: Any, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(url)  # warm the session and caches first
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    def test_supervision_and_suggestions_do_not_grow_with_supporters(
        self, member: User, make_supporter: Any, supervisor: User, client_for: Any
    ) -> None:
        request = _ask(member, areas=["anxiety"])
        pages = [
            (client_for(supervisor), reverse("support:supervision")),
            (client_for(member), reverse("support:request", args=[request.pk])),
        ]
        make_supporter("one", lived_experience_areas=["anxiety"])
        make_supporter("two")
        few = [self._count(client, url) for client, url in pages]
        for number in range(5):
            make_supporter(f"more{number}", lived_experience_areas=["anxiety"])
        many = [self._count(client, url) for client, url in pages]
        assert many == few


def test_support_notifications_show_in_the_list(
    member: User, make_supporter: Any, client_for: Any
) -> None:
    supporter = make_supporter("willow")
    request = _ask(member)
    services.request_choose(actor=member, request=request, supporter=supporter)
    services.request_decline(supporter=supporter, request=request)
    page = client_for(member).get(reverse("notifications:list"))
    assert page.status_code == 200
    assert b"can&#x27;t take your request on right now" in page.content


def test_words_that_read_as_crisis_tell_coordinators_at_once(
    member: User, role_users: dict[str, User], client_for: Any
) -> None:
    client = client_for(member)
    client.post(
        reverse("support:ask"),
        {
            "in_their_words": "Some nights I wish I could just disappear and not wake up. "
            "I'm not going to do anything, I just need someone to talk to.",
            "language": "",
        },
    )
    request = SupportRequest.objects.get(member=member)
    told = set(
        Notification.objects.filter(kind="support").values_list("recipient__handle", flat=True)
    )
    assert told == {"user_supervisor", "user_administrator"}
    assert request.status == SupportRequest.Status.OPEN
    from alongside.safety.support import SESSION_KEY

    assert client.session[SESSION_KEY]["tier"] in ("urgent", "review")


def test_ordinary_words_tell_nobody(member: User, role_users: dict[str, User]) -> None:
    outcome = services.request_ask(member=member, in_their_words="I'd like help with sleep.")
    assert not outcome.reads_as_crisis
    assert not Notification.objects.exists()


def test_relationship_page_without_focus_or_conversation(
    member: User, make_supporter: Any, client_for: Any
) -> None:
    from alongside.chat.services import preferences_update

    supporter = make_supporter("willow")
    request = _ask(member)
    services.request_choose(actor=member, request=request, supporter=supporter)
    preferences_update(user=member, who_may_message="nobody", presence_visibility="nobody")
    relationship = services.request_accept(supporter=supporter, request=request, focus="  ")
    assert relationship.conversation is None
    assert relationship.focus is None
    page = client_for(member).get(reverse("support:relationship", args=[relationship.pk]))
    assert b"Not written down yet." in page.content
    assert b"no one-to-one conversation yet" in page.content
