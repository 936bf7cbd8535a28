"""The automatic-answer decision: ``decide()``, switches, shadow mode, stored decisions, metrics."""
