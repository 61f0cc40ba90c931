"""Meta-analysis statistics core: pure numpy/scipy, no Django.

Implemented from the published formulas (Viechtbauer 2005, 2007, 2010; Hedges & Olkin 1985;
Borenstein et al. 2009; Knapp & Hartung 2003; Sidik & Jonkman 2005; Paule & Mandel 1982;
Morris 1983; Hunter & Schmidt 2004; Konstantopoulos 2011; Egger et al. 1997; Duval & Tweedie
2000) and checked against metafor's documented output on its example datasets.

Where things live (consumers should import from the submodules directly, e.g.
``from alongside.evaluation.stats.rma import rma``):

- ``effect_sizes``: ``escalc``, ``EffectSizes``
- ``rma``: ``rma``, ``predict``, ``RMAResult``, ``MetaAnalysisError``, ``TAU2_METHODS``,
  ``design_matrix``, ``subgroups``, ``SubgroupResult``, ``wald_test``, ``WaldTest``
- ``multilevel``: ``rma_multilevel``
- ``diagnostics``: ``leave1out``, ``influence``, ``regtest``, ``trimfill``

Only the names from ``rma`` are imported eagerly; the others are resolved lazily on first
attribute access, so this package imports cleanly even while a sibling module is missing.
"""

from __future__ import annotations

import importlib
from typing import Any

from .rma import (
    TAU2_METHODS,
    MetaAnalysisError,
    RMAResult,
    SubgroupResult,
    WaldTest,
    design_matrix,
    predict,
    rma,
    subgroups,
    wald_test,
)

_LAZY: dict[str, str] = {
    "escalc": "effect_sizes",
    "EffectSizes": "effect_sizes",
    "rma_multilevel": "multilevel",
    "leave1out": "diagnostics",
    "influence": "diagnostics",
    "regtest": "diagnostics",
    "trimfill": "diagnostics",
}

__all__ = [
    "TAU2_METHODS",
    "EffectSizes",
    "MetaAnalysisError",
    "RMAResult",
    "SubgroupResult",
    "WaldTest",
    "design_matrix",
    "escalc",
    "influence",
    "leave1out",
    "predict",
    "regtest",
    "rma",
    "rma_multilevel",
    "subgroups",
    "trimfill",
    "wald_test",
]


def __getattr__(name: str) -> Any:
    """Resolve the names owned by sibling modules on first use (PEP 562)."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{module_name}", __name__)
    return getattr(module, name)
