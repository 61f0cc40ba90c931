"""Scoring the shipped measures against the manuals' worked examples, band edges and edge cases."""

from __future__ import annotations

import dataclasses

import pytest

from alongside.measures.engine import (
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    SHIPPED_ORDER,
    ResponseError,
    available_measures,
    clear_cache,
    get_definition,
    reliable_change,
    score,
    talking_therapies_outcome,
)


@pytest.fixture(autouse=True)
def _fresh_definitions(settings):
    settings.MEASURES_EXTRA_DIR = ""
    clear_cache()
    yield
    clear_cache()


def answers_for(key: str, total: int) -> list[int | None]:
    """Answers to ``key`` adding up to ``total``: the highest option first, then the rest."""
    definition = get_definition(key)
    remaining = total - definition.raw_min
    result: list[int | None] = []
    for item in definition.items:
        low, high = min(item.values), max(item.values)
        step = min(high - low, remaining)
        result.append(low + step)
        remaining -= step
    assert remaining == 0, f"{total} is not reachable on {key}"
    return result


# --- the shipped definitions -------------------------------------------------------------------


def test_every_shipped_measure_loads_in_order():
    keys = [definition.key for definition in available_measures()]
    assert keys == list(SHIPPED_ORDER)


@pytest.mark.parametrize(
    ("key", "items", "low", "high"),
    [
        ("phq9", 9, 0, 27),
        ("phq8", 8, 0, 24),
        ("phq2", 2, 0, 6),
        ("gad7", 7, 0, 21),
        ("gad2", 2, 0, 6),
        ("ucla3", 3, 3, 9),
        ("qpr15", 15, 0, 60),
    ],
)
def test_shipped_ranges(key, items, low, high):
    definition = get_definition(key)
    assert definition.item_count == items
    assert (definition.score_min, definition.score_max) == (low, high)
    assert definition.licence
    assert definition.source
    assert definition.version
    assert [item.number for item in definition.items] == list(range(1, items + 1))


@pytest.mark.parametrize("key", [key for key in SHIPPED_ORDER if key != "qpr15"])
def test_bands_cover_every_possible_total_without_gaps(key):
    definition = get_definition(key)
    for total in range(definition.raw_min, definition.raw_max + 1):
        assert definition.band_for(total), f"{key}: no band for {total}"


def test_qpr15_has_no_bands_and_higher_is_better():
    definition = get_definition("qpr15")
    assert definition.bands == ()
    assert definition.higher_is_worse is False
    result = score(definition, [4] * 15)
    assert (result.score, result.band, result.caseness) == (60, "", None)
    assert result.flags == []


def test_key_lookup_accepts_printed_names():
    assert get_definition("PHQ-9").key == "phq9"
    assert get_definition(" gad-7 ").key == "gad7"


def test_unknown_measure_names_the_known_ones():
    from alongside.measures.engine import UnknownMeasure

    with pytest.raises(UnknownMeasure, match="phq9, phq8"):
        get_definition("beck")
    assert issubclass(UnknownMeasure, LookupError)


def test_definitions_are_frozen():
    definition = get_definition("phq9")
    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.caseness = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.items[0].text = "changed"  # type: ignore[misc]


def test_phq9_item_wording_and_options():
    definition = get_definition("phq9")
    assert definition.instructions.startswith("Over the last 2 weeks")
    assert definition.items[1].text == "Feeling down, depressed, or hopeless"
    assert definition.items[8].key == "phq9_9"
    assert "better off dead" in definition.items[8].text
    assert [(o.value, o.label) for o in definition.items[0].options] == [
        (0, "Not at all"),
        (1, "Several days"),
        (2, "More than half the days"),
        (3, "Nearly every day"),
    ]
    (safety,) = definition.safety_items
    assert (safety.item_key, safety.min_response, safety.pathway) == ("phq9_9", 1, "self_harm")


# --- worked examples and band edges ------------------------------------------------------------


def test_phq9_worked_example():
    result = score(get_definition("phq9"), [1, 2, 1, 0, 3, 1, 2, 1, 0])
    assert result.score == 11
    assert result.raw_total == 11
    assert result.band == "moderate"
    assert result.valid is True
    assert result.reason == ""
    assert result.prorated is False
    assert result.caseness is True
    assert result.flags == ["caseness"]
    assert result.risk_items == []
    assert (result.measure, result.version) == ("phq9", "1")


@pytest.mark.parametrize(
    ("key", "total", "band"),
    [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately severe"),
        ("phq9", 19, "moderately severe"),
        ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        ("phq8", 4, "minimal"),
        ("phq8", 5, "mild"),
        ("phq8", 9, "mild"),
        ("phq8", 10, "moderate"),
        ("phq8", 14, "moderate"),
        ("phq8", 15, "moderately severe"),
        ("phq8", 19, "moderately severe"),
        ("phq8", 20, "severe"),
        ("phq8", 24, "severe"),
        ("gad7", 0, "minimal"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 9, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 14, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("phq2", 2, "negative screen"),
        ("phq2", 3, "positive screen"),
        ("phq2", 6, "positive screen"),
        ("gad2", 0, "negative screen"),
        ("gad2", 2, "negative screen"),
        ("gad2", 3, "positive screen"),
        ("ucla3", 3, "not lonely"),
        ("ucla3", 5, "not lonely"),
        ("ucla3", 6, "lonely"),
        ("ucla3", 9, "lonely"),
    ],
)
def test_band_edges(key, total, band):
    result = score(get_definition(key), answers_for(key, total))
    assert result.score == total
    assert result.band == band


@pytest.mark.parametrize(
    ("key", "below", "at"),
    [
        ("phq9", 9, 10),
        ("gad7", 7, 8),
        ("phq8", 9, 10),
        ("phq2", 2, 3),
        ("gad2", 2, 3),
        ("ucla3", 5, 6),
    ],
)
def test_caseness_starts_at_the_cut_off(key, below, at):
    definition = get_definition(key)
    under = score(definition, answers_for(key, below))
    on = score(definition, answers_for(key, at))
    assert under.caseness is False
    assert "caseness" not in under.flags
    assert on.caseness is True
    assert "caseness" in on.flags


def test_nhs_talking_therapies_thresholds_are_in_the_definitions():
    phq9, gad7 = get_definition("phq9"), get_definition("gad7")
    assert (phq9.caseness, phq9.reliable_change_threshold) == (10, 6)
    assert (gad7.caseness, gad7.reliable_change_threshold) == (8, 4)
    assert "Talking Therapies" in phq9.caseness_source
    assert "Talking Therapies" in gad7.reliable_change_source


# --- missing items -----------------------------------------------------------------------------


def test_phq9_prorates_one_missing_item_rounding_halves_up():
    # Eight answers adding to 4: 4 / 8 * 9 = 4.5, which rounds up to 5 (mild, not minimal).
    result = score(get_definition("phq9"), [1, 1, 1, 1, 0, 0, 0, None, 0])
    assert result.valid is True
    assert result.prorated is True
    assert result.score == 5
    assert result.band == "mild"
    assert result.flags == ["prorated"]


def test_phq9_prorates_two_missing_items():
    # Seven answers adding to 12: 12 / 7 * 9 = 15.43, reported as 15.
    result = score(get_definition("phq9"), [None, None, 1, 2, 2, 2, 2, 2, 1])
    assert (result.valid, result.prorated, result.score) == (True, True, 15)
    assert result.band == "moderately severe"
    assert result.flags == ["prorated", "caseness", "risk:phq9_9"]


def test_phq9_three_missing_items_is_invalid_with_a_plain_reason():
    result = score(get_definition("phq9"), [None, 3, None, 3, 3, None, 3, 3, 0])
    assert result.valid is False
    assert result.score is None
    assert result.raw_total is None
    assert result.band == ""
    assert result.caseness is None
    assert result.reason == "3 of 9 items are unanswered; the PHQ-9 scoring rules allow at most 2"
    assert result.flags == []


def test_gad7_prorates_one_missing_item_and_not_two():
    definition = get_definition("gad7")
    # Six answers adding to 3: 3 / 6 * 7 = 3.5, rounded up to 4.
    one = score(definition, [1, 1, 1, 0, 0, 0, None])
    assert (one.valid, one.prorated, one.score, one.band) == (True, True, 4, "minimal")
    two = score(definition, [1, 1, 1, 0, 0, None, None])
    assert two.valid is False
    assert two.reason == "2 of 7 items are unanswered; the GAD-7 scoring rules allow at most 1"


def test_phq8_allows_one_missing_item():
    definition = get_definition("phq8")
    assert score(definition, [2, 2, 2, 2, 2, 2, 2, None]).score == 16
    assert score(definition, [2, 2, 2, 2, 2, 2, None, None]).valid is False


@pytest.mark.parametrize(
    ("key", "answers", "reason"),
    [
        (
            "phq2",
            [None, 3],
            "1 of 2 items is unanswered; the PHQ-2 can only be scored with every item answered",
        ),
        (
            "gad2",
            [2, None],
            "1 of 2 items is unanswered; the GAD-2 can only be scored with every item answered",
        ),
        (
            "ucla3",
            [3, 3, None],
            "1 of 3 items is unanswered; the UCLA-3 can only be scored with every item answered",
        ),
        (
            "qpr15",
            [4] * 14 + [None],
            "1 of 15 items is unanswered; the QPR-15 can only be scored with every item answered",
        ),
    ],
)
def test_measures_without_prorating_need_every_item(key, answers, reason):
    result = score(get_definition(key), answers)
    assert result.valid is False
    assert result.reason == reason


def test_nothing_answered_is_invalid():
    result = score(get_definition("phq9"), [None] * 9)
    assert result.valid is False
    assert result.reason.startswith("9 of 9 items are unanswered")


# --- answers that cannot belong to the measure -------------------------------------------------


def test_out_of_range_answer_names_the_item():
    with pytest.raises(ResponseError, match=r"PHQ-9 item 9 \(phq9_9\): 4 is out of range"):
        score(get_definition("phq9"), [0, 0, 0, 0, 0, 0, 0, 0, 4])


def test_negative_answer_is_out_of_range():
    with pytest.raises(ResponseError, match=r"GAD-7 item 1 .* -1 is out of range; the answers are"):
        score(get_definition("gad7"), [-1, 0, 0, 0, 0, 0, 0])


def test_ucla3_zero_is_out_of_range():
    with pytest.raises(ResponseError, match=r"UCLA-3 item 2 \(ucla3_2\): 0 is out of range"):
        score(get_definition("ucla3"), [1, 0, 1])


@pytest.mark.parametrize("bad", [1.0, "1", True])
def test_non_integer_answers_are_rejected(bad):
    with pytest.raises(ResponseError, match=r"item 1 .* is not a whole number"):
        score(get_definition("phq2"), [bad, 1])


@pytest.mark.parametrize("count", [0, 8, 10])
def test_wrong_number_of_answers(count):
    with pytest.raises(ResponseError, match=f"PHQ-9 has 9 items but {count} answers were given"):
        score(get_definition("phq9"), [0] * count)


def test_response_error_is_a_value_error():
    assert issubclass(ResponseError, ValueError)


# --- safety items ------------------------------------------------------------------------------


def test_phq9_item9_of_one_flags_risk_whatever_the_total():
    result = score(get_definition("phq9"), [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result.score == 1
    assert result.band == "minimal"
    assert result.risk_items == ["phq9_9"]
    assert result.flags == ["risk:phq9_9"]


def test_phq9_item9_zero_is_not_a_risk():
    result = score(get_definition("phq9"), [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert result.risk_items == []
    assert not any(flag.startswith("risk:") for flag in result.flags)


def test_risk_is_reported_even_when_the_score_is_invalid():
    result = score(get_definition("phq9"), [None, None, None, None, None, None, None, None, 3])
    assert result.valid is False
    assert result.risk_items == ["phq9_9"]
    assert result.flags == ["risk:phq9_9"]


def test_unanswered_item9_is_not_a_risk_answer():
    result = score(get_definition("phq9"), [1, 1, 1, 1, 1, 1, 1, 1, None])
    assert result.prorated is True
    assert result.risk_items == []


def test_phq8_has_no_item9_and_no_safety_items():
    definition = get_definition("phq8")
    assert definition.safety_items == ()
    assert [item.key for item in definition.items][-1] == "phq8_8"
    assert not any("better off dead" in item.text for item in definition.items)
    result = score(definition, [3] * 8)
    assert result.risk_items == []
    assert result.flags == ["caseness"]


def test_only_phq9_has_a_safety_item():
    with_safety = [d.key for d in available_measures() if d.safety_items]
    assert with_safety == ["phq9"]


def test_as_json_carries_every_field():
    data = score(get_definition("phq9"), [0, 0, 0, 0, 0, 0, 0, 0, 2]).as_json()
    assert data == {
        "measure": "phq9",
        "version": "1",
        "score": 2,
        "raw_total": 2,
        "band": "minimal",
        "valid": True,
        "reason": "",
        "prorated": False,
        "flags": ["risk:phq9_9"],
        "caseness": False,
        "risk_items": ["phq9_9"],
    }


# --- reliable change ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "before", "after", "expected"),
    [
        ("phq9", 16, 10, IMPROVED),  # a fall of exactly 6
        ("phq9", 16, 11, NO_RELIABLE_CHANGE),  # a fall of 5
        ("phq9", 10, 16, DETERIORATED),  # a rise of exactly 6
        ("phq9", 10, 15, NO_RELIABLE_CHANGE),
        ("gad7", 12, 8, IMPROVED),  # a fall of exactly 4
        ("gad7", 12, 9, NO_RELIABLE_CHANGE),
        ("gad7", 5, 9, DETERIORATED),
        ("gad7", 5, 8, NO_RELIABLE_CHANGE),
        ("phq8", 24, 0, NO_RELIABLE_CHANGE),  # no published threshold
        ("qpr15", 0, 60, NO_RELIABLE_CHANGE),
    ],
)
def test_reliable_change(key, before, after, expected):
    assert reliable_change(get_definition(key), before, after) == expected


# --- NHS Talking Therapies paired outcome ------------------------------------------------------


def test_reliable_recovery():
    outcome = talking_therapies_outcome(15, 8, 10, 7)
    assert outcome.case_at_start is True
    assert outcome.case_at_end is False
    assert outcome.reliable_improvement is True
    assert outcome.reliable_deterioration is False
    assert outcome.recovery is True
    assert outcome.reliable_recovery is True
    assert outcome.summary == "reliable recovery"


def test_recovery_without_reliable_improvement():
    # PHQ-9 10 to 9: no longer a case, but a fall of 1 is within measurement error.
    outcome = talking_therapies_outcome(10, 9, 7, 7)
    assert outcome.recovery is True
    assert outcome.reliable_improvement is False
    assert outcome.reliable_recovery is False
    assert outcome.summary == "recovery"


def test_reliable_improvement_while_still_a_case():
    outcome = talking_therapies_outcome(20, 14, 12, 12)
    assert outcome.reliable_improvement is True
    assert outcome.recovery is False
    assert outcome.reliable_recovery is False
    assert outcome.summary == "reliable improvement"


def test_gad7_at_caseness_at_the_end_blocks_recovery():
    outcome = talking_therapies_outcome(12, 4, 8, 8)
    assert outcome.case_at_end is True
    assert outcome.recovery is False
    assert outcome.reliable_improvement is True


def test_phq9_of_exactly_ten_at_the_start_is_a_case():
    outcome = talking_therapies_outcome(10, 3, 0, 0)
    assert outcome.case_at_start is True
    assert outcome.reliable_recovery is True


def test_reliable_fall_on_one_and_rise_on_the_other_is_neither():
    outcome = talking_therapies_outcome(18, 12, 6, 10)
    assert outcome.phq9_change == IMPROVED
    assert outcome.gad7_change == DETERIORATED
    assert outcome.reliable_improvement is False
    assert outcome.reliable_deterioration is False
    assert outcome.recovery is False
    assert outcome.summary == "no reliable change"


def test_reliable_deterioration_from_below_caseness():
    outcome = talking_therapies_outcome(4, 10, 3, 3)
    assert outcome.case_at_start is False
    assert outcome.reliable_deterioration is True
    assert outcome.reliable_improvement is False
    # Recovery is not defined for someone who was not a case at the start.
    assert outcome.recovery is None
    assert outcome.reliable_recovery is None
    assert outcome.summary == "reliable deterioration"


def test_deterioration_on_one_with_no_change_on_the_other():
    outcome = talking_therapies_outcome(12, 13, 9, 13)
    assert outcome.reliable_deterioration is True
    assert outcome.recovery is False
    assert outcome.as_json()["summary"] == "reliable deterioration"


def test_not_a_case_at_the_start_and_no_change():
    outcome = talking_therapies_outcome(9, 9, 7, 7)
    assert outcome.case_at_start is False
    assert outcome.recovery is None
    assert outcome.summary == "no reliable change"


@pytest.mark.parametrize("totals", [(28, 0, 0, 0), (0, -1, 0, 0), (0, 0, 22, 0)])
def test_talking_therapies_outcome_rejects_impossible_totals(totals):
    with pytest.raises(ResponseError, match="outside"):
        talking_therapies_outcome(*totals)
