"""Framework-free understanding of customer messages (no Django, nothing of the project).

Public surface: ``understand``, ``ModelBundle`` and the result types in ``types``.
Importing this package does no work: models are loaded explicitly.
"""
