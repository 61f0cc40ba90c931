"""The questionnaire engine: measures as data, scored exactly as their manuals say.

Import from here only (``from alongside.measures.engine import get_definition, score``). The
engine is pure Python: no models, no database, and settings read only when a definition is
first asked for, so the site, the ``alongside score`` command and the tests share one scorer.
See docs/measures.md for the measures, their licences, the scoring rules and the file format.
"""

from alongside.measures.engine.definitions import (
    Band,
    Conversion,
    DefinitionError,
    Item,
    MeasureDefinition,
    MissingRule,
    ResponseError,
    ResponseOption,
    SafetyItem,
    UnknownMeasure,
)
from alongside.measures.engine.loader import (
    SHIPPED_ORDER,
    available_measures,
    clear_cache,
    get_definition,
    load_file,
)
from alongside.measures.engine.scoring import (
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    ScoreResult,
    TalkingTherapiesOutcome,
    reliable_change,
    score,
    talking_therapies_outcome,
)

__all__ = [
    "DETERIORATED",
    "IMPROVED",
    "NO_RELIABLE_CHANGE",
    "SHIPPED_ORDER",
    "Band",
    "Conversion",
    "DefinitionError",
    "Item",
    "MeasureDefinition",
    "MissingRule",
    "ResponseError",
    "ResponseOption",
    "SafetyItem",
    "ScoreResult",
    "TalkingTherapiesOutcome",
    "UnknownMeasure",
    "available_measures",
    "clear_cache",
    "get_definition",
    "load_file",
    "reliable_change",
    "score",
    "talking_therapies_outcome",
]
