"""The peer support model a deployment works to, loaded from a JSON file when first needed.

The default (``data/peer_support_model.json``) is written in the project's own words on widely
shared peer support principles. A deployment may choose another model with
``settings.PEER_SUPPORT_MODEL`` (or the ``ALONGSIDE_PEER_SUPPORT_MODEL`` environment variable):
a path to a JSON file in the same format. The file is read lazily (never at import) and checked,
with an error that says what is wrong and where.

Format::

    {"key": "...", "version": "...", "name": "...", "description": "...",
     "principles": [{"key": "...", "name": "...", "description": "..."}],
     "prompts": [{"principle": "<principle key>", "text": "..."}],
     "scale": [{"value": 0, "label": "Not today"}, ...],
     "self_check": [{"key": "...", "principle": "<principle key>", "text": "..."}]}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "peer_support_model.json"
MIN_PROMPTS, MAX_PROMPTS = 1, 12
MIN_STATEMENTS, MAX_STATEMENTS = 1, 20


class ModelFileError(ImproperlyConfigured):
    """The peer support model file cannot be used; the message says why."""


@dataclass(frozen=True)
class Principle:
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class Prompt:
    principle: str
    text: str


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class Statement:
    key: str
    principle: str
    text: str


@dataclass(frozen=True)
class PeerSupportModel:
    key: str
    version: str
    name: str
    description: str
    principles: tuple[Principle, ...]
    prompts: tuple[Prompt, ...]
    scale: tuple[ScalePoint, ...]
    self_check: tuple[Statement, ...]

    def principle(self, key: str) -> Principle:
        return next(principle for principle in self.principles if principle.key == key)

    @property
    def scale_values(self) -> frozenset[int]:
        return frozenset(point.value for point in self.scale)

    @property
    def scale_max(self) -> int:
        return max(point.value for point in self.scale)

    def label_for(self, value: int) -> str:
        return next((point.label for point in self.scale if point.value == value), "")


def _text(data: dict[str, Any], field: str, where: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ModelFileError(f"{where}: '{field}' must be a non-empty string")
    return value.strip()


def _list(data: dict[str, Any], field: str, where: str, least: int, most: int) -> list[Any]:
    value = data.get(field)
    if not isinstance(value, list):
        raise ModelFileError(f"{where}: '{field}' must be a list")
    if not least <= len(value) <= most:
        raise ModelFileError(
            f"{where}: '{field}' needs {least} to {most} entries, has {len(value)}"
        )
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ModelFileError(f"{where}: {field}[{index}] must be an object")
    return value


def parse_model(data: Any, *, source: str = "peer support model") -> PeerSupportModel:
    """Check ``data`` (the decoded JSON) and build the model; ``ModelFileError`` if it is wrong."""
    if not isinstance(data, dict):
        raise ModelFileError(f"{source}: the file must hold a JSON object")
    principles = tuple(
        Principle(
            key=_text(item, "key", f"{source} principles[{i}]"),
            name=_text(item, "name", f"{source} principles[{i}]"),
            description=_text(item, "description", f"{source} principles[{i}]"),
        )
        for i, item in enumerate(_list(data, "principles", source, 1, 12))
    )
    keys = [principle.key for principle in principles]
    if len(set(keys)) != len(keys):
        raise ModelFileError(f"{source}: principle keys must be different from each other")
    prompts = tuple(
        Prompt(
            principle=_text(item, "principle", f"{source} prompts[{i}]"),
            text=_text(item, "text", f"{source} prompts[{i}]"),
        )
        for i, item in enumerate(_list(data, "prompts", source, MIN_PROMPTS, MAX_PROMPTS))
    )
    scale_items = _list(data, "scale", source, 2, 7)
    scale: list[ScalePoint] = []
    for i, item in enumerate(scale_items):
        value = item.get("value")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ModelFileError(f"{source} scale[{i}]: 'value' must be a whole number, 0 or more")
        scale.append(ScalePoint(value=value, label=_text(item, "label", f"{source} scale[{i}]")))
    if len({point.value for point in scale}) != len(scale):
        raise ModelFileError(f"{source}: scale values must be different from each other")
    statements = tuple(
        Statement(
            key=_text(item, "key", f"{source} self_check[{i}]"),
            principle=_text(item, "principle", f"{source} self_check[{i}]"),
            text=_text(item, "text", f"{source} self_check[{i}]"),
        )
        for i, item in enumerate(_list(data, "self_check", source, MIN_STATEMENTS, MAX_STATEMENTS))
    )
    if len({statement.key for statement in statements}) != len(statements):
        raise ModelFileError(f"{source}: self_check keys must be different from each other")
    for kind, items in (("prompts", prompts), ("self_check", statements)):
        for item in items:
            if item.principle not in keys:
                raise ModelFileError(
                    f"{source} {kind}: unknown principle '{item.principle}' "
                    f"(known: {', '.join(keys)})"
                )
    return PeerSupportModel(
        key=_text(data, "key", source),
        version=str(data.get("version", "")).strip() or "1",
        name=_text(data, "name", source),
        description=_text(data, "description", source),
        principles=principles,
        prompts=prompts,
        scale=tuple(sorted(scale, key=lambda point: point.value)),
        self_check=statements,
    )


def load_model_file(path: Path) -> PeerSupportModel:
    """Read and check one model file; ``ModelFileError`` names the file and the problem."""
    source = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ModelFileError(f"{source}: cannot read the peer support model ({error})") from error
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{source}: not valid JSON ({error})") from error
    return parse_model(data, source=source)


def configured_path() -> Path:
    """The deployment's model file, or the default."""
    chosen = getattr(settings, "PEER_SUPPORT_MODEL", None)
    if not chosen:
        chosen = os.environ.get("ALONGSIDE_PEER_SUPPORT_MODEL", "")
    return Path(chosen) if chosen else DEFAULT_PATH


@lru_cache(maxsize=4)
def _cached(path: Path) -> PeerSupportModel:
    return load_model_file(path)


def current_model() -> PeerSupportModel:
    """The model this deployment works to (read once per path, then remembered)."""
    return _cached(configured_path())


def clear_cache() -> None:
    """Forget loaded models (tests, or after changing the file)."""
    _cached.cache_clear()
