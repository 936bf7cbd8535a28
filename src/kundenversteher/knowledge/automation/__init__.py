"""The automatic-answer decision: ``decide()``, switches, shadow mode, stored decisions, metrics.

``decide`` is pure policy (``policy.py``); the rest of the app is imported by path
(``services``, ``queries``, ``tasks``), so importing this package loads no models.
"""

from kundenversteher.knowledge.automation.policy import decide

__all__ = ["decide"]
