"""Framework-free understanding of customer messages (no Django, nothing of the project).

Public surface: ``understand``, ``understand_many``, ``ModelBundle`` and the result types in
``types``. Importing this package does no work: the submodules (and their third-party libraries)
load on first attribute access, and models are loaded explicitly by the caller.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kundenversteher.intelligence.bundle import IntelligenceConfig, ModelBundle, NumberPattern
    from kundenversteher.intelligence.types import Understanding
    from kundenversteher.intelligence.understand import understand, understand_many

__all__ = [
    "IntelligenceConfig",
    "ModelBundle",
    "NumberPattern",
    "Understanding",
    "understand",
    "understand_many",
]

_LAZY = {
    "IntelligenceConfig": "kundenversteher.intelligence.bundle",
    "ModelBundle": "kundenversteher.intelligence.bundle",
    "NumberPattern": "kundenversteher.intelligence.bundle",
    "Understanding": "kundenversteher.intelligence.types",
    "understand": "kundenversteher.intelligence.understand",
    "understand_many": "kundenversteher.intelligence.understand",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    # Importing the submodule ``understand`` binds the *module* to this package's attribute of the
    # same name; bind the function over it so later lookups find the function.
    globals()[name] = value
    return value
