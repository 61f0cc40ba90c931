"""A thin, failure-tolerant door to the safety classifiers.

The classifiers pull in scikit-learn and load a few megabytes of model files, so they are
imported on first use rather than when the screening package is imported. If the model files are
missing (a development checkout before training) screening carries on with rules alone and says
so in ``model_version``; it never silently returns "no risk" because a file was absent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["RULES_ONLY_VERSION", "ModelView", "model_scores", "models_version"]

logger = logging.getLogger(__name__)

RULES_ONLY_VERSION = "rules-only"


@dataclass(frozen=True)
class ModelView:
    """One model's probability and the terms that drove it."""

    probability: float
    top_terms: tuple[str, ...]


@lru_cache(maxsize=1)
def _classifiers() -> Any | None:
    try:
        from alongside.safety import classifiers

        classifiers.load_models()
    except Exception as error:
        logger.warning("safety classifiers unavailable, screening with rules only: %s", error)
        return None
    return classifiers


def models_version() -> str:
    """The loaded models' version, or ``"rules-only"`` when they could not be loaded."""
    module = _classifiers()
    if module is None:
        return RULES_ONLY_VERSION
    return str(module.model_version())


def model_scores(text: str) -> dict[str, ModelView]:
    """Each model's view of ``text``; empty when the models are unavailable."""
    module = _classifiers()
    if module is None:
        return {}
    raw = module.predict(text)
    return {
        name: ModelView(float(score.probability), tuple(score.top_terms))
        for name, score in raw.items()
    }
