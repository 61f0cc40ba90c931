"""Reading measure definitions from JSON: the shipped ones and the organisation's own folder.

Each file is checked on load, and a problem is reported with the file and the field
(``swemwbs.json: conversion.table: no value for raw total 12``), because the person fixing an
organisation's file is rarely a programmer. Definitions are cached per folder; tests that
change the folder call ``clear_cache()``.

Settings are read only when a definition is asked for, never at import, so the engine works
in the ``alongside score`` command without the rest of Django.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from pathlib import Path
from typing import Any

from alongside.measures.engine.definitions import (
    Band,
    Conversion,
    DefinitionError,
    Item,
    MeasureDefinition,
    MissingRule,
    ResponseOption,
    SafetyItem,
    UnknownMeasure,
)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "definitions"
# The order measures are listed in: depression, anxiety, their short screens, then the rest.
SHIPPED_ORDER = ("phq9", "phq8", "phq2", "gad7", "gad2", "ucla3", "qpr15")

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ROUNDING = ("half_up", "none")
REQUIRED = (
    "key",
    "name",
    "short_name",
    "version",
    "licence",
    "source",
    "instructions",
    "items",
    "scoring",
    "higher_is_worse",
    "missing",
)
OPTIONAL = (
    "options",
    "bands",
    "score_min",
    "score_max",
    "caseness",
    "reliable_change",
    "conversion",
    "safety_items",
    "notes",
)


class _File:
    """Checks one definition file, raising DefinitionError that names the file and field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> DefinitionError:
        return DefinitionError(f"{self.path.name}: {where}: {problem}")

    def obj(self, value: Any, where: str, *, required: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected an object ({...})")
        for name in required:
            if name not in value:
                top_level = where in ("", "(top level)")
                raise self.fail(name if top_level else f"{where}.{name}", "is required")
        return value

    def text(self, value: Any, where: str, *, max_length: int = 2000, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(where, "expected text")
        if not empty and not value.strip():
            raise self.fail(where, "must not be empty")
        if len(value) > max_length:
            raise self.fail(where, f"is longer than {max_length} characters")
        return value

    def integer(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"expected a whole number, not {value!r}")
        return value

    def number(self, value: Any, where: str) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(where, f"expected a number, not {value!r}")
        return value

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, not {value!r}")
        return value

    def array(self, value: Any, where: str, *, empty: bool = False) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "expected a list ([...])")
        if not empty and not value:
            raise self.fail(where, "must not be empty")
        return value

    def options(self, value: Any, where: str) -> tuple[ResponseOption, ...]:
        options = []
        seen: set[int] = set()
        for index, raw in enumerate(self.array(value, where)):
            spot = f"{where}[{index}]"
            entry = self.obj(raw, spot, required=("value", "label"))
            number = self.integer(entry["value"], f"{spot}.value")
            if number in seen:
                raise self.fail(f"{spot}.value", f"{number} is offered twice")
            seen.add(number)
            options.append(ResponseOption(number, self.text(entry["label"], f"{spot}.label")))
        return tuple(options)


def parse_definition(data: Any, path: Path, *, origin: str = "shipped") -> MeasureDefinition:
    """Build a MeasureDefinition from parsed JSON, checking every field."""
    f = _File(path)
    top = f.obj(data, "(top level)", required=REQUIRED)
    for name in top:
        if name not in REQUIRED and name not in OPTIONAL:
            raise f.fail(name, "is not a field the engine knows (check the spelling)")

    key = f.text(top["key"], "key", max_length=40)
    if not KEY_PATTERN.match(key):
        raise f.fail("key", "use lower-case letters, digits and _ only, starting with a letter")
    if key != path.stem:
        raise f.fail("key", f"{key!r} must match the file name ({path.stem}.json)")
    short_name = f.text(top["short_name"], "short_name", max_length=40)
    version = f.text(top["version"], "version", max_length=20)
    if f.text(top["scoring"], "scoring") != "sum":
        raise f.fail("scoring", "only 'sum' (the total of the item values) is supported")

    shared = f.options(top["options"], "options") if "options" in top else None
    items: list[Item] = []
    item_keys: set[str] = set()
    for index, raw in enumerate(f.array(top["items"], "items")):
        spot = f"items[{index}]"
        entry = f.obj(raw, spot, required=("text",))
        item_key = f.text(entry.get("key", f"{key}_{index + 1}"), f"{spot}.key", max_length=60)
        if item_key in item_keys:
            raise f.fail(f"{spot}.key", f"{item_key!r} is used twice")
        item_keys.add(item_key)
        if "options" in entry:
            options = f.options(entry["options"], f"{spot}.options")
        elif shared is not None:
            options = shared
        else:
            raise f.fail(f"{spot}.options", "is required when there are no shared 'options'")
        unknown = set(entry) - {"key", "text", "options"}
        if unknown:
            raise f.fail(f"{spot}.{sorted(unknown)[0]}", "is not a field the engine knows")
        items.append(Item(item_key, index + 1, f.text(entry["text"], f"{spot}.text"), options))
    raw_min = sum(min(item.values) for item in items)
    raw_max = sum(max(item.values) for item in items)

    missing_entry = f.obj(top["missing"], "missing", required=("max_missing", "prorate"))
    missing = MissingRule(
        max_missing=f.integer(missing_entry["max_missing"], "missing.max_missing"),
        prorate=f.boolean(missing_entry["prorate"], "missing.prorate"),
        rounding=f.text(missing_entry.get("rounding", "half_up"), "missing.rounding"),
        source=f.text(missing_entry.get("source", ""), "missing.source", empty=True),
    )
    if not 0 <= missing.max_missing < len(items):
        raise f.fail("missing.max_missing", f"must be from 0 to {len(items) - 1}")
    if missing.max_missing > 0 and not missing.prorate:
        raise f.fail(
            "missing.prorate",
            "must be true when max_missing is above 0 (a partial sum is not a score)",
        )
    if missing.rounding not in ROUNDING:
        raise f.fail("missing.rounding", f"must be one of {', '.join(ROUNDING)}")

    conversion = None
    if top.get("conversion") is not None:
        entry = f.obj(top["conversion"], "conversion", required=("table",))
        table_entry = f.obj(entry["table"], "conversion.table")
        pairs: dict[int, float] = {}
        for raw_key, value in table_entry.items():
            try:
                raw_total = int(raw_key)
            except ValueError:
                raise f.fail(
                    f"conversion.table.{raw_key}", "each key must be a whole raw total"
                ) from None
            if not raw_min <= raw_total <= raw_max:
                raise f.fail(
                    f"conversion.table.{raw_key}", f"raw totals run from {raw_min} to {raw_max}"
                )
            pairs[raw_total] = f.number(value, f"conversion.table.{raw_key}")
        for raw_total in range(raw_min, raw_max + 1):
            if raw_total not in pairs:
                raise f.fail("conversion.table", f"no value for raw total {raw_total}")
        if missing.prorate and missing.rounding != "half_up":
            raise f.fail("missing.rounding", "must be half_up when there is a conversion table")
        conversion = Conversion(
            table=tuple(sorted(pairs.items())),
            source=f.text(entry.get("source", ""), "conversion.source", empty=True),
        )

    if conversion is not None:
        natural_min = min(value for _, value in conversion.table)
        natural_max = max(value for _, value in conversion.table)
    else:
        natural_min, natural_max = raw_min, raw_max
    score_min = f.number(top.get("score_min", natural_min), "score_min")
    score_max = f.number(top.get("score_max", natural_max), "score_max")
    if score_min > natural_min or score_max < natural_max:
        raise f.fail(
            "score_min" if score_min > natural_min else "score_max",
            f"scores can run from {natural_min} to {natural_max}",
        )

    bands: list[Band] = []
    for index, raw in enumerate(f.array(top.get("bands", []), "bands", empty=True)):
        spot = f"bands[{index}]"
        entry = f.obj(raw, spot, required=("lower", "upper", "label"))
        band = Band(
            f.number(entry["lower"], f"{spot}.lower"),
            f.number(entry["upper"], f"{spot}.upper"),
            f.text(entry["label"], f"{spot}.label", max_length=40),
        )
        if band.lower > band.upper:
            raise f.fail(spot, "lower is above upper")
        if band.lower < score_min or band.upper > score_max:
            raise f.fail(spot, f"must lie within the scores {score_min} to {score_max}")
        if bands and band.lower <= bands[-1].upper:
            raise f.fail(spot, "bands must be in ascending order and must not overlap")
        bands.append(band)

    caseness = caseness_source = None
    if top.get("caseness") is not None:
        entry = f.obj(top["caseness"], "caseness", required=("cutoff",))
        caseness = f.number(entry["cutoff"], "caseness.cutoff")
        if not score_min <= caseness <= score_max:
            raise f.fail("caseness.cutoff", f"must lie within {score_min} to {score_max}")
        caseness_source = f.text(entry.get("source", ""), "caseness.source", empty=True)

    threshold = threshold_source = None
    if top.get("reliable_change") is not None:
        entry = f.obj(top["reliable_change"], "reliable_change", required=("threshold",))
        threshold = f.number(entry["threshold"], "reliable_change.threshold")
        if threshold <= 0:
            raise f.fail("reliable_change.threshold", "must be above 0")
        threshold_source = f.text(entry.get("source", ""), "reliable_change.source", empty=True)

    by_key = {item.key: item for item in items}
    safety: list[SafetyItem] = []
    for index, raw in enumerate(f.array(top.get("safety_items", []), "safety_items", empty=True)):
        spot = f"safety_items[{index}]"
        entry = f.obj(raw, spot, required=("item_key", "min_response", "pathway"))
        item_key = f.text(entry["item_key"], f"{spot}.item_key")
        if item_key not in by_key:
            raise f.fail(f"{spot}.item_key", f"no item has the key {item_key!r}")
        min_response = f.integer(entry["min_response"], f"{spot}.min_response")
        if min_response not in by_key[item_key].values:
            raise f.fail(f"{spot}.min_response", f"{min_response} is not an answer to {item_key}")
        pathway = f.text(entry["pathway"], f"{spot}.pathway", max_length=40)
        safety.append(SafetyItem(item_key, min_response, pathway))

    return MeasureDefinition(
        key=key,
        name=f.text(top["name"], "name", max_length=200),
        short_name=short_name,
        version=version,
        licence=f.text(top["licence"], "licence"),
        source=f.text(top["source"], "source"),
        instructions=f.text(top["instructions"], "instructions"),
        items=tuple(items),
        bands=tuple(bands),
        score_min=score_min,
        score_max=score_max,
        higher_is_worse=f.boolean(top["higher_is_worse"], "higher_is_worse"),
        caseness=caseness,
        reliable_change_threshold=threshold,
        safety_items=tuple(safety),
        missing=missing,
        conversion=conversion,
        caseness_source=caseness_source or "",
        reliable_change_source=threshold_source or "",
        origin=origin,
        extra=(("notes", f.text(top["notes"], "notes")),) if "notes" in top else (),
    )


def load_file(path: Path, *, origin: str = "shipped") -> MeasureDefinition:
    """Read and check one definition file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionError(f"{path.name}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise DefinitionError(f"{path.name}: is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DefinitionError(
            f"{path.name}: line {error.lineno}: invalid JSON ({error.msg})"
        ) from None
    return parse_definition(data, path, origin=origin)


def _load_folder(folder: Path, origin: str) -> dict[str, MeasureDefinition]:
    return {path.stem: load_file(path, origin=origin) for path in sorted(folder.glob("*.json"))}


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, MeasureDefinition]:
    return _load_folder(SHIPPED_DIR, "shipped")


@functools.lru_cache(maxsize=8)
def load_definitions(extra_dir: str) -> dict[str, MeasureDefinition]:
    """Every definition, shipped first, then the organisation's folder (``""`` for none)."""
    shipped = _shipped()
    ordered = {key: shipped[key] for key in SHIPPED_ORDER if key in shipped}
    ordered.update({key: value for key, value in shipped.items() if key not in ordered})
    if not extra_dir:
        return ordered
    folder = Path(extra_dir).expanduser()
    if not folder.is_dir():
        raise DefinitionError(
            f"ALONGSIDE_MEASURES_DIR: {extra_dir} is not a folder (it should hold the "
            "organisation's measure definitions, one .json file each)"
        )
    for key, definition in _load_folder(folder, str(folder)).items():
        if key in ordered:
            raise DefinitionError(
                f"{key}.json: key: {key!r} is already a shipped measure; an organisation's "
                "file must use a key of its own"
            )
        ordered[key] = definition
    return ordered


def clear_cache() -> None:
    """Forget every loaded definition (tests that change the folder or files call this)."""
    _shipped.cache_clear()
    load_definitions.cache_clear()


def extra_dir() -> str:
    """The organisation's folder of definitions, read from settings when asked, "" for none."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        value = getattr(settings, "MEASURES_EXTRA_DIR", "")
    except ImproperlyConfigured:
        # Outside a configured Django (a bare script): the same environment variable.
        value = os.environ.get("ALONGSIDE_MEASURES_DIR", "")
    return str(value or "")


def normalise_key(key: str) -> str:
    """ "PHQ-9", "phq9" and " Phq-9 " all name the same measure."""
    return key.strip().lower().replace("-", "")


def available_measures() -> list[MeasureDefinition]:
    """Every measure this deployment can ask: the shipped ones, then the organisation's."""
    return list(load_definitions(extra_dir()).values())


def get_definition(key: str) -> MeasureDefinition:
    """The definition with this key; UnknownMeasure when there is none."""
    definitions = load_definitions(extra_dir())
    try:
        return definitions[normalise_key(key)]
    except KeyError:
        known = ", ".join(definitions)
        raise UnknownMeasure(f"no measure called {key!r}; the measures are: {known}") from None
