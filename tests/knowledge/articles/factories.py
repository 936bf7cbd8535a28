"""Typed builders for the knowledge-base tests."""

from __future__ import annotations

from typing import Any

from kundenversteher.knowledge import retrieval
from kundenversteher.knowledge.models import Article
from kundenversteher.knowledge.services import save_article
from kundenversteher.knowledge.tasks import reindex_article

BLEEDING_DE = (
    "Gluckert es in den Heizkörpern, ist Luft im System.\n\n"
    "## So geht's\n\n"
    "1. Umwälzpumpe ausschalten.\n"
    "2. Entlüftungsventil mit dem Entlüftungsschlüssel öffnen, bis Wasser austritt.\n"
    "3. Ventil schließen und den Anlagendruck prüfen (1,5 bis 2 bar).\n"
)
INVOICE_DE = (
    "Sie brauchen eine Rechnungskopie? Nennen Sie uns die Rechnungsnummer (RE-2026-001234), "
    "wir schicken die Kopie als PDF per E-Mail.\n"
)
DELIVERY_DE = (
    "Ersatzteile verlassen unser Lager innerhalb von 1–2 Werktagen. Ab 150 € liefern wir "
    "versandkostenfrei.\n"
)


def make_article(
    key: str = "heizung-entlueften",
    *,
    language: str = "de",
    title: str = "Heizung entlüften",
    body: str = BLEEDING_DE,
    category: str = "",
    visibility: str = "public",
    status: str | None = None,
    by: Any = None,
) -> Article:
    return save_article(
        key=key,
        language=language,
        title=title,
        body_markdown=body,
        category=category,
        visibility=visibility,
        status=status,
        by=by,
    )


def make_small_knowledge_base() -> dict[str, Article]:
    """Three public German articles, one public English translation, one internal one."""
    return {
        "bleeding": make_article(),
        "bleeding_en": make_article(
            language="en",
            title="Bleeding your radiators",
            body="If radiators gurgle, there is air in the system. Open the bleed valve.\n",
        ),
        "invoice": make_article(
            "rechnungskopie", title="Rechnungskopie anfordern", body=INVOICE_DE
        ),
        "delivery": make_article(
            "lieferzeiten", title="Lieferzeiten und Versand", body=DELIVERY_DE
        ),
        "internal": make_article(
            "intern-kulanz",
            title="Kulanzregeln bei Lieferverzug (intern)",
            body="Bei Lieferverzug über 5 Werktage erstatten wir Versandkosten bis 15 €.\n",
            visibility="internal",
        ),
    }


def index_all() -> int:
    """Run the reindex task for every article, as the worker would after the commits."""
    total = sum(
        int(reindex_article.call(pk)) for pk in Article.objects.values_list("pk", flat=True)
    )
    retrieval.matrix_cache.clear()
    return total
