"""Message corpus generator for the demo company (pure Python, deterministic from a seed)."""

from kundenversteher.demo.texts.generator import (
    INTENTS,
    LANGUAGES,
    PRODUCTS,
    CustomerMail,
    MessageFacts,
    TextGenerator,
    template_counts,
)

__all__ = [
    "INTENTS",
    "LANGUAGES",
    "PRODUCTS",
    "CustomerMail",
    "MessageFacts",
    "TextGenerator",
    "template_counts",
]
