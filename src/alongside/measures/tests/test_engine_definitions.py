"""Loading definitions: the organisation's folder, conversion tables, and clear errors on bad files.

The measure in fixtures/extra (BWS-5) is invented, with an invented conversion table: no
licensed wording or values belong in this repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alongside.measures.engine import (
    DefinitionError,
    ResponseError,
    UnknownMeasure,
    available_measures,
    clear_cache,
    get_definition,
    reliable_change,
    score,
)
from alongside.measures.engine.loader import SHIPPED_DIR

EXTRA = Path(__file__).parent / "fixtures" / "extra"


@pytest.fixture(autouse=True)
def _fresh_definitions(settings):
    settings.MEASURES_EXTRA_DIR = ""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def extra(settings):
    settings.MEASURES_EXTRA_DIR = str(EXTRA)
    return EXTRA


def bws5_data() -> dict:
    return json.loads((EXTRA / "bws5.json").read_text(encoding="utf-8"))


def folder_with(tmp_path: Path, data: dict | str, name: str = "bws5.json") -> Path:
    text = data if isinstance(data, str) else json.dumps(data)
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


# --- the organisation's folder -----------------------------------------------------------------


def test_extra_measures_are_not_loaded_without_the_setting():
    with pytest.raises(UnknownMeasure):
        get_definition("bws5")


def test_extra_measures_load_after_the_shipped_ones(extra):
    keys = [definition.key for definition in available_measures()]
    assert keys[:7] == ["phq9", "phq8", "phq2", "gad7", "gad2", "ucla3", "qpr15"]
    assert keys[7:] == ["bws5"]
    definition = get_definition("bws5")
    assert definition.origin == str(extra)
    assert get_definition("phq9").origin == "shipped"
    assert definition.version == "2.1"
    assert definition.higher_is_worse is False
    # Without score_min/score_max the range is the conversion table's.
    assert (definition.raw_min, definition.raw_max) == (5, 25)
    assert (definition.score_min, definition.score_max) == (5.0, 29.5)


@pytest.mark.parametrize(
    ("answers", "raw", "reported", "band"),
    [
        ([1, 1, 1, 1, 1], 5, 5, "low"),
        ([3, 3, 3, 2, 2], 13, 13.67, "average"),
        ([4, 4, 4, 4, 4], 20, 20.59, "average"),
        ([5, 4, 4, 4, 4], 21, 21.9, "high"),
        ([5, 5, 5, 5, 5], 25, 29.5, "high"),
    ],
)
def test_conversion_table_gives_the_reported_score(extra, answers, raw, reported, band):
    result = score(get_definition("bws5"), answers)
    assert result.raw_total == raw
    assert result.score == reported
    assert result.band == band


def test_caseness_on_a_higher_is_better_measure_is_at_or_below(extra):
    definition = get_definition("bws5")
    at = score(definition, [3, 2, 2, 2, 3])  # raw 12 -> 12.81, the cut-off
    above = score(definition, [3, 3, 2, 2, 3])  # raw 13 -> 13.67
    assert (at.score, at.caseness, at.flags) == (12.81, True, ["caseness"])
    assert (above.caseness, above.flags) == (False, [])


def test_prorated_raw_total_is_rounded_before_conversion(extra):
    # Four answers adding to 10: 10 / 4 * 5 = 12.5, rounded up to 13, reported as 13.67.
    result = score(get_definition("bws5"), [3, 3, 2, 2, None])
    assert (result.prorated, result.raw_total, result.score) == (True, 13, 13.67)
    assert result.flags == ["prorated"]


def test_reliable_change_on_a_higher_is_better_measure(extra):
    definition = get_definition("bws5")
    assert reliable_change(definition, 10.0, 13.5) == "improved"
    assert reliable_change(definition, 10.0, 13.4) == "no_reliable_change"
    assert reliable_change(definition, 13.5, 10.0) == "deteriorated"


def test_extra_measure_answers_are_checked_against_its_own_options(extra):
    with pytest.raises(ResponseError, match=r"BWS-5 item 3 \(bws5_3\): 0 is out of range"):
        score(get_definition("bws5"), [1, 1, 0, 1, 1])


def test_an_extra_file_may_not_reuse_a_shipped_key(settings, tmp_path):
    data = json.loads((SHIPPED_DIR / "phq9.json").read_text(encoding="utf-8"))
    settings.MEASURES_EXTRA_DIR = str(folder_with(tmp_path, data, "phq9.json"))
    with pytest.raises(DefinitionError, match=r"^phq9\.json: key: 'phq9' is already a shipped"):
        get_definition("gad7")


def test_a_missing_folder_is_a_clear_error(settings, tmp_path):
    settings.MEASURES_EXTRA_DIR = str(tmp_path / "nowhere")
    with pytest.raises(DefinitionError, match=r"ALONGSIDE_MEASURES_DIR: .*nowhere is not a folder"):
        available_measures()


def test_files_other_than_json_are_ignored(settings, tmp_path):
    (tmp_path / "README.txt").write_text("our licences", encoding="utf-8")
    settings.MEASURES_EXTRA_DIR = str(tmp_path)
    assert len(available_measures()) == 7


def test_definitions_are_cached_per_folder(settings, tmp_path):
    first = get_definition("phq9")
    assert get_definition("phq9") is first
    settings.MEASURES_EXTRA_DIR = str(EXTRA)
    assert get_definition("bws5").key == "bws5"
    settings.MEASURES_EXTRA_DIR = ""
    with pytest.raises(UnknownMeasure):
        get_definition("bws5")
    clear_cache()
    assert get_definition("phq9") is not first
    assert get_definition("phq9") == first


def test_a_changed_file_is_read_again_after_clear_cache(settings, tmp_path):
    data = bws5_data()
    settings.MEASURES_EXTRA_DIR = str(folder_with(tmp_path, data))
    assert get_definition("bws5").version == "2.1"
    data["version"] = "2.2"
    folder_with(tmp_path, data)
    assert get_definition("bws5").version == "2.1"
    clear_cache()
    assert get_definition("bws5").version == "2.2"


# --- malformed files ---------------------------------------------------------------------------


def _drop(name):
    def change(data):
        del data[name]

    return change


def _set(path, value):
    def change(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _drop_table_entry(data):
    del data["conversion"]["table"]["12"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_drop("items"), "bws5.json: items: is required"),
        (_drop("licence"), "bws5.json: licence: is required"),
        (_set(["itmes"], []), "bws5.json: itmes: is not a field the engine knows"),
        (_set(["key"], "bws6"), "bws5.json: key: 'bws6' must match the file name (bws5.json)"),
        (_set(["key"], "BWS-5"), "bws5.json: key: use lower-case letters"),
        (_set(["version"], ""), "bws5.json: version: must not be empty"),
        (_set(["items"], []), "bws5.json: items: must not be empty"),
        (_set(["items", 2, "text"], 7), "bws5.json: items[2].text: expected text"),
        (_set(["items", 1, "key"], "bws5_1"), "bws5.json: items[1].key: 'bws5_1' is used twice"),
        (
            _set(["options", 1, "value"], "2"),
            "bws5.json: options[1].value: expected a whole number",
        ),
        (_set(["options", 1, "value"], 1), "bws5.json: options[1].value: 1 is offered twice"),
        (_set(["scoring"], "mean"), "bws5.json: scoring: only 'sum'"),
        (_set(["higher_is_worse"], "no"), "bws5.json: higher_is_worse: expected true or false"),
        (
            _set(["missing", "max_missing"], 5),
            "bws5.json: missing.max_missing: must be from 0 to 4",
        ),
        (_set(["missing", "prorate"], False), "bws5.json: missing.prorate: must be true"),
        (_set(["missing", "rounding"], "bankers"), "bws5.json: missing.rounding: must be one of"),
        (_drop_table_entry, "bws5.json: conversion.table: no value for raw total 12"),
        (_set(["conversion", "table", "30"], 31), "bws5.json: conversion.table.30: raw totals run"),
        (_set(["conversion", "table", "x"], 1), "bws5.json: conversion.table.x: each key must be"),
        (
            _set(["conversion", "table", "9"], "ten"),
            "bws5.json: conversion.table.9: expected a number",
        ),
        (_set(["bands", 1, "lower"], 12), "bws5.json: bands[1]: bands must be in ascending order"),
        (_set(["bands", 0, "upper"], 4), "bws5.json: bands[0]: lower is above upper"),
        (_set(["bands", 2, "upper"], 40), "bws5.json: bands[2]: must lie within the scores"),
        (_set(["bands", 0, "label"], ""), "bws5.json: bands[0].label: must not be empty"),
        (_set(["caseness", "cutoff"], 50), "bws5.json: caseness.cutoff: must lie within"),
        (_set(["reliable_change", "threshold"], 0), "bws5.json: reliable_change.threshold: must"),
        (
            _set(["safety_items"], [{"item_key": "bws5_9", "min_response": 1, "pathway": "x"}]),
            "bws5.json: safety_items[0].item_key: no item has the key 'bws5_9'",
        ),
        (
            _set(["safety_items"], [{"item_key": "bws5_1", "min_response": 9, "pathway": "x"}]),
            "bws5.json: safety_items[0].min_response: 9 is not an answer to bws5_1",
        ),
        (
            _set(["safety_items"], [{"item_key": "bws5_1"}]),
            "bws5.json: safety_items[0].min_response: is required",
        ),
    ],
)
def test_malformed_definitions_name_the_file_and_field(settings, tmp_path, change, message):
    data = bws5_data()
    change(data)
    settings.MEASURES_EXTRA_DIR = str(folder_with(tmp_path, data))
    with pytest.raises(DefinitionError) as caught:
        available_measures()
    assert str(caught.value).startswith(message), str(caught.value)


def test_item_without_options_and_no_shared_options(settings, tmp_path):
    data = bws5_data()
    del data["options"]
    settings.MEASURES_EXTRA_DIR = str(folder_with(tmp_path, data))
    with pytest.raises(DefinitionError, match=r"bws5\.json: items\[0\]\.options: is required"):
        available_measures()


def test_items_may_carry_their_own_options(settings, tmp_path):
    data = bws5_data()
    data["items"][4]["options"] = [{"value": 5, "label": "Never"}, {"value": 1, "label": "Always"}]
    # Item 5 is reverse-worded: its options carry the reversed values; raw range is unchanged.
    settings.MEASURES_EXTRA_DIR = str(folder_with(tmp_path, data))
    definition = get_definition("bws5")
    assert definition.items[4].values == (5, 1)
    assert definition.items[4].label_for(1) == "Always"
    assert score(definition, [1, 1, 1, 1, 5]).raw_total == 9


def test_invalid_json_names_the_line(settings, tmp_path):
    settings.MEASURES_EXTRA_DIR = str(folder_with(tmp_path, '{\n  "key": "bws5",\n  oops\n}'))
    with pytest.raises(DefinitionError, match=r"^bws5\.json: line 3: invalid JSON"):
        available_measures()


def test_a_top_level_list_is_rejected(settings, tmp_path):
    settings.MEASURES_EXTRA_DIR = str(folder_with(tmp_path, "[]"))
    with pytest.raises(DefinitionError, match=r"bws5\.json: \(top level\): expected an object"):
        available_measures()


def test_every_shipped_file_is_checked_by_the_same_rules():
    # The shipped files pass the checks an organisation's files must pass.
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        from alongside.measures.engine import load_file

        assert load_file(path).key == path.stem


@pytest.mark.slow
def test_engine_reads_the_environment_without_django_settings():
    """Settings are read lazily; outside Django the environment variable is used."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["ALONGSIDE_MEASURES_DIR"] = str(EXTRA)
    code = (
        "import alongside.measures.engine as e, django.conf as c;"
        "assert not c.settings.configured;"
        "print(e.get_definition('bws5').short_name)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "BWS-5"
