"""Portal state (magic-link tokens)."""
