"""Retrieval quality of knowledge.retrieval.search: Recall@k and MRR per mode.

A pair is (query, expected translation_key); a hit is right when its translation_key matches, so
a German query answered by the English version of the right article counts (and vice versa).
``DEMO_QUERIES`` is a hand-written set over the demo articles (demo/articles/): customer-style
wording that mostly avoids the titles' words, half German, half English, a few with typos.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from kundenversteher.knowledge.retrieval import search

MODES = ("lexical", "semantic", "hybrid")

DEMO_QUERIES: tuple[tuple[str, str], ...] = (
    ("Wie entlüfte ich meine Heizung?", "heizung-entlueften"),
    ("Heizkörper gluckert und wird oben nicht warm", "heizung-entlueften"),
    ("how do I bleed a radiator", "heizung-entlueften"),
    ("Wärmepumpe zeigt E101 an", "waermepumpe-fehlercodes"),
    ("Display meldet Hochdruckstörung", "waermepumpe-fehlercodes"),
    ("heat pump displays error E305", "waermepumpe-fehlercodes"),
    ("Wann wird meine Bestellung geliefert?", "lieferzeiten-versand"),
    ("wie hoch sind die Versandkosten", "lieferzeiten-versand"),
    ("how long does shipping take", "lieferzeiten-versand"),
    ("Wo ist mein Paket? Sendungsnummer", "bestellung-verfolgen"),
    ("where is my parcel, tracking", "bestellung-verfolgen"),
    ("Ich möchte meine Bestellung stornieren", "bestellung-stornieren"),
    ("cancel my order before it ships", "bestellung-stornieren"),
    ("Ich brauche eine Kopie meiner Rechnung fürs Finanzamt", "rechnungskopie"),
    ("lost my invoice, need a duplicate", "rechnungskopie"),
    ("Kann ich mit PayPal bezahlen?", "zahlungsarten"),
    ("Lastschrift wurde doppelt abgebucht", "zahlungsarten"),
    ("which payment options do you accept", "zahlungsarten"),
    ("Passwort vergessen, ich komme nicht ins Portal", "passwort-zuruecksetzen"),
    ("login link never arrived", "passwort-zuruecksetzen"),
    ("Wir sind umgezogen, neue Anschrift", "adresse-aendern"),
    ("update my address after moving house", "adresse-aendern"),
    ("Wartungsvertrag kündigen Frist", "wartungsvertrag"),
    ("what is the notice period for the maintenance contract", "wartungsvertrag"),
    ("Was ist im Wartungsvertrag enthalten?", "wartungsvertrag"),
    ("Termin für die jährliche Wartung verschieben", "wartungstermin"),
    ("reschedule the technician visit for servicing", "wartungstermin"),
    ("Wie lange dauert die Reparatur meines Geräts?", "reparaturstatus"),
    ("status of the repair I sent in", "reparaturstatus"),
    ("Ersatzteil zurückschicken, Geld zurück", "ruecksendung-widerruf"),
    ("14 day return policy refund", "ruecksendung-widerruf"),
    ("Wie lange habe ich Garantie auf die Wärmepumpe?", "garantie"),
    ("compressor warranty how many years", "garantie"),
    ("Wärmepume geht nicht, Fehlrcode", "waermepumpe-fehlercodes"),
    ("Heizung entlüfen Anleitung", "heizung-entlueften"),
    # Paraphrases without the articles' key words.
    ("Es ist kalt im Haus, die Wärmepumpe ist ausgefallen", "waermepumpe-fehlercodes"),
    ("radiators make bubbling noises", "heizung-entlueften"),
    ("the parcel hasn't moved for days", "bestellung-verfolgen"),
    ("Wie lange ist die Mindestlaufzeit?", "wartungsvertrag"),
    ("Do you ship to Switzerland?", "lieferzeiten-versand"),
    ("Kann ich auf Rechnung kaufen?", "zahlungsarten"),
    ("Gerät ist in der Werkstatt, wann bekomme ich es zurück", "reparaturstatus"),
    ("outdoor unit is covered in ice", "waermepumpe-fehlercodes"),
    ("Arbeitskosten für die Steuer getrennt ausweisen", "rechnungskopie"),
    ("Ich habe keine E-Mail zum Einloggen bekommen", "passwort-zuruecksetzen"),
    # Internal articles exist in German only: English questions must cross the language.
    ("Kulanz Grenze Versandkosten bei Verspätung", "intern-kulanz"),
    ("goodwill limits for taking back spare parts from installers", "intern-kulanz"),
    ("customer reports the high pressure fault again and again", "intern-eskalation-e101"),
    ("Kunde will den Vertrag kündigen, dürfen wir Rabatt anbieten?", "intern-kuendigung"),
    ("retention discount when a customer cancels", "intern-kuendigung"),
)


def evaluate_retrieval(
    pairs: Sequence[tuple[str, str]],
    *,
    k: int = 5,
    audience: str = "internal",
    language: str | None = None,
    modes: Sequence[str] = MODES,
) -> dict[str, dict[str, float]]:
    """Per mode: ``recall_at_k`` (share of queries with the expected article in the top k),
    ``mrr`` (mean reciprocal rank within the top k, 0 when missing), ``n`` and
    ``ms_per_query`` (wall time, including embedding the query)."""
    results: dict[str, dict[str, float]] = {}
    for mode in modes:
        found = 0
        reciprocal = 0.0
        started = time.perf_counter()
        for query, expected in pairs:
            hits = search(query, language=language, audience=audience, k=k, mode=mode)
            keys = [hit.translation_key for hit in hits]
            if expected in keys:
                found += 1
                reciprocal += 1.0 / (keys.index(expected) + 1)
        elapsed = time.perf_counter() - started
        n = len(pairs)
        results[mode] = {
            "n": float(n),
            "recall_at_k": round(found / n, 4) if n else 0.0,
            "mrr": round(reciprocal / n, 4) if n else 0.0,
            "ms_per_query": round(1000 * elapsed / n, 1) if n else 0.0,
        }
    return results
