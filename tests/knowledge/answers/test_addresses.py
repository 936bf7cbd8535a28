import pytest

from kundenversteher.knowledge.answers.addresses import PostalAddress, find_addresses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lindenstraße 12, 82031 Grünwald", ("Lindenstraße 12", "82031", "Grünwald")),
        ("Bahnhofstr. 5a\n80335 München", ("Bahnhofstr. 5a", "80335", "München")),
        ("Karl-Marx-Straße 101, 12043 Berlin", ("Karl-Marx-Straße 101", "12043", "Berlin")),
        ("Frankfurter Allee 1 10247 Berlin", ("Frankfurter Allee 1", "10247", "Berlin")),
        ("Am Anger 3, 83022 Rosenheim", ("Am Anger 3", "83022", "Rosenheim")),
        ("Zur Alten Mühle 4, 84028 Landshut", ("Zur Alten Mühle 4", "84028", "Landshut")),
        ("Alte Landstraße 3, 83646 Bad Tölz", ("Alte Landstraße 3", "83646", "Bad Tölz")),
        (
            "Mainzer Landstraße 10-12, 60329 Frankfurt am Main",
            ("Mainzer Landstraße 10-12", "60329", "Frankfurt am Main"),
        ),
        (
            "Meine neue Adresse lautet Hauptstraße 5, D-80331 München. Danke!",
            ("Hauptstraße 5", "80331", "München"),
        ),
        ("Neue Adresse Rosenweg 4, 93047 Regensburg Gruß", ("Rosenweg 4", "93047", "Regensburg")),
    ],
)
def test_german_addresses_are_found(text, expected):
    assert find_addresses(text) == [PostalAddress(*expected)]


@pytest.mark.parametrize(
    "text",
    [
        "Bestellung 4711 vom 12.11.2026 über 489,00 €",
        "Adresse lautet 5, 80331 München",
        "Wir ziehen nach 80331 München",
        "Hauptstraße, 80331 München",  # no house number
        "Hauptstraße 5, 8033 München",  # four-digit postcode
    ],
)
def test_incomplete_or_no_addresses_are_not_found(text):
    assert find_addresses(text) == []


def test_comparison_ignores_spelling_of_strasse_and_case():
    address = PostalAddress("Lindenstrasse 12", "82031", "Grünwald")

    assert address.same_as(street="Lindenstraße 12", postcode="82031", city="grünwald")
    assert not address.same_as(street="Lindenstraße 14", postcode="82031", city="Grünwald")
