"""Small, typed labelled data sets for the intent and sentiment model tests (German)."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

_INTENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # intent: (openers, topics) — combined into varied sentences
    "order_status": (
        (
            "Wo bleibt",
            "Wie ist der Stand von",
            "Können Sie mir den Status nennen von",
            "Was ist mit",
        ),
        (
            "meiner Bestellung 4711",
            "meinem Auftrag",
            "der bestellten Ware",
            "meiner Lieferung",
            "dem Paket mit den Filtern",
        ),
    ),
    "invoice_copy": (
        (
            "Bitte schicken Sie mir",
            "Ich brauche",
            "Können Sie mir zusenden",
            "Ich benötige dringend",
        ),
        (
            "eine Kopie der Rechnung",
            "die Rechnung RE-2026-001234 noch einmal",
            "ein Rechnungsduplikat",
            "die Rechnung als PDF",
            "den Beleg für das Finanzamt",
        ),
    ),
    "password_reset": (
        ("Ich komme nicht mehr", "Wie setze ich", "Bitte helfen Sie mir mit", "Ich habe vergessen"),
        (
            "in mein Kundenkonto",
            "mein Passwort zurück",
            "dem Passwort für das Portal",
            "mein Kennwort",
            "die Anmeldedaten im Portal",
        ),
    ),
    "maintenance_appointment": (
        (
            "Ich möchte einen Termin für",
            "Wann kann ein Techniker kommen für",
            "Bitte planen Sie",
            "Wir brauchen einen Termin zur",
        ),
        (
            "die jährliche Wartung",
            "die Inspektion der Wärmepumpe",
            "den Wartungsbesuch",
            "die Wartung der Heizung",
            "den Service im Frühjahr",
        ),
    ),
}

OUT_OF_SCOPE = (
    "Wie wird das Wetter morgen in Hamburg?",
    "Erzähl mir einen Witz über Katzen.",
    "Wer hat die Fußball-WM 2014 gewonnen?",
    "Was ist ein gutes Rezept für Pfannkuchen?",
    "Spiel bitte Musik von den Beatles.",
    "Wie hoch ist der Mount Everest?",
    "Welche Filme laufen heute im Kino?",
    "Übersetze Hund ins Spanische.",
    "Wie viele Einwohner hat Berlin?",
    "Stell einen Wecker auf sieben Uhr.",
)


def make_intent_examples() -> tuple[list[str], list[str]]:
    """80 German messages, 20 per intent, deterministic order."""
    texts: list[str] = []
    labels: list[str] = []
    for intent, (openers, topics) in _INTENTS.items():
        for opener, topic in itertools.product(openers, topics):
            texts.append(f"{opener} {topic}?")
            labels.append(intent)
    return texts, labels


def make_intent_csv(path: Path, *, with_language: bool = True) -> Path:
    texts, labels = make_intent_examples()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "intent", "language"] if with_language else ["text", "intent"])
        for text, label in zip(texts, labels, strict=True):
            writer.writerow([text, label, "de"] if with_language else [text, label])
    return path


def make_sentiment_csv(path: Path) -> Path:
    rows = [
        *(
            ("negative", t)
            for t in (
                "Das ist eine Frechheit, schon wieder kaputt!",
                "Ich bin sehr enttäuscht.",
                "Niemand hilft mir, unmöglich!",
                "Die Heizung fällt dauernd aus, ich bin wütend.",
                "Miserabler Service, nie wieder.",
                "Der Techniker kam nicht, ärgerlich.",
                "Ich fühle mich abgezockt.",
                "Katastrophe, seit Tagen kein Warmwasser.",
            )
        ),
        *(
            ("neutral", t)
            for t in (
                "Wann kommt meine Lieferung?",
                "Bitte senden Sie mir die Rechnung.",
                "Meine Kundennummer ist KD-104711.",
                "Ich möchte einen Termin vereinbaren.",
                "Wie setze ich mein Passwort zurück?",
                "Die Seriennummer lautet BW2301004567.",
                "Welche Zahlungsarten gibt es?",
                "Bitte ändern Sie meine Adresse.",
            )
        ),
        *(
            ("positive", t)
            for t in (
                "Vielen Dank, alles funktioniert!",
                "Super Service, sehr zufrieden.",
                "Der Techniker war toll.",
                "Herzlichen Dank für die schnelle Hilfe.",
                "Klasse, hat prima geklappt.",
                "Ich bin begeistert.",
                "Tolle Arbeit, gerne wieder.",
                "Danke, Sie sind die Besten!",
            )
        ),
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "sentiment"])
        writer.writerows((text, label) for label, text in rows)
    return path
