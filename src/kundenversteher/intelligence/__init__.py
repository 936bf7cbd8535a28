"""Framework-free understanding of customer messages (no Django, nothing of the project).

Public surface: ``understand``, ``understand_many``, ``ModelBundle`` and the result types in
``types``. Importing this package does no work: regular expressions are compiled, the language
model is loaded and heavy libraries (numpy via py3langid, phonenumbers, stdnum) are imported on
first use; trained models are loaded explicitly by the caller and passed in a ``ModelBundle``.
"""

# Imported eagerly on purpose: the submodule ``understand`` has the function's name, and the import
# system binds a submodule to its package attribute when it is first loaded. Importing it here,
# once, lets the function name win for good.
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
