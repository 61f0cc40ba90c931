"""Crisis resources: national lines from a data file keyed by region, plus the deployment's own.

The deployment's own contacts (``ALONGSIDE_CRISIS_CONTACTS_FILE``, JSON: a list of resources
with ``name``, ``description`` and any of ``phone``, ``text``, ``web``, ``hours``) come first,
then the member's region, then every other region so nobody is left with nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

DATA_FILE = Path(__file__).resolve().parent / "data" / "crisis_resources.json"


@dataclass(frozen=True)
class Resource:
    name: str
    description: str = ""
    phone: str = ""
    text: str = ""
    web: str = ""
    hours: str = ""

    @property
    def phone_href(self) -> str:
        """A ``tel:`` link target with only the digits and a leading plus."""
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}" if digits else ""


@dataclass(frozen=True)
class RegionResources:
    code: str
    name: str
    emergency: str
    resources: list[Resource] = field(default_factory=list)


def _resource(raw: dict[str, Any]) -> Resource:
    allowed = {"name", "description", "phone", "text", "web", "hours"}
    return Resource(**{key: str(value) for key, value in raw.items() if key in allowed})


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def all_regions() -> list[RegionResources]:
    data = _load(str(DATA_FILE))
    return [
        RegionResources(
            code=code,
            name=region["name"],
            emergency=data["emergency"].get(code, ""),
            resources=[_resource(item) for item in region["resources"]],
        )
        for code, region in data["regions"].items()
    ]


def deployment_contacts() -> list[Resource]:
    path = settings.CRISIS_CONTACTS_FILE
    if not path:
        return []
    raw = _load(path)
    items = raw if isinstance(raw, list) else raw.get("resources", [])
    return [_resource(item) for item in items]


def regions_for(region_code: str | None) -> list[RegionResources]:
    """Every region, the member's (or else the deployment's default) first."""
    preferred = (region_code or settings.DEFAULT_REGION or "").upper()
    regions = all_regions()
    return sorted(regions, key=lambda region: region.code != preferred)


def region_choices() -> list[tuple[str, str]]:
    return [(region.code, region.name) for region in all_regions()]
