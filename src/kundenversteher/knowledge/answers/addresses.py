"""Recognise a German postal address (street and house number, 5-digit postcode and town).

Tight on purpose: an address is only taken when the street name looks like one (a typical
ending such as "-straße", "-weg", "Allee", or a typical start such as "Am", "Zur") and is
followed directly by a house number, a postcode and a town. Anything looser would turn
"Adresse lautet 5" into a street; a missed address only means a human handles the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UPPER = "A-ZÄÖÜ"
_LOWER = "a-zäöüß"
_SUFFIXES = (
    "straße|strasse|str\\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|stieg|"
    "markt|berg|hof|kamp|wall|graben|garten|anger|zeile|höhe|grund|winkel|feld|siedlung|park"
)
_SUFFIX_WORDS = (
    "Straße|Strasse|Str\\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee|Pfad|Steig|Markt|Berg"
)
_PREPOSITIONS = (
    "Am|Im|An der|An den|Auf der|Auf dem|Auf den|In der|In den|Zum|Zur|Unter den|"
    "Hinter der|Hinter dem|Vor dem|Bei der|Beim"
)
_ADJECTIVES = (
    "Alte|Alter|Neue|Neuer|Große|Großer|Kleine|Kleiner|Lange|Langer|Obere|Untere|Hohe|Hoher"
)
_PREFIXES = f"{_PREPOSITIONS}|{_ADJECTIVES}"
_WORD = f"[{_UPPER}][{_LOWER}]+"
_STREET = (
    "(?:"
    # Lindenstraße, Karl-Marx-Straße, Bahnhofstr., Alte Landstraße
    f"(?:(?:{_PREFIXES}) )?(?:{_WORD}-)*[{_UPPER}][{_LOWER}]*?(?:{_SUFFIXES})"
    # Karl-Marx-Straße
    f"|(?:{_WORD}-)+(?:{_SUFFIX_WORDS})"
    # Frankfurter Allee, Berliner Straße, Mainzer Landstraße (place adjectives end in -er)
    f"|[{_UPPER}][{_LOWER}]+er (?:(?:{_SUFFIX_WORDS})|[{_UPPER}][{_LOWER}]*?(?:{_SUFFIXES}))"
    # Am Anger, Zur Alten Mühle, In der Au
    f"|(?:{_PREPOSITIONS}) {_WORD}(?:[ -]{_WORD})?"
    ")"
)
_HOUSE_NUMBER = r"\d{1,4}(?: ?[a-zA-Z])?(?: ?[-/] ?\d{1,4}(?: ?[a-zA-Z])?)?"
_CITY_PREFIX = "Bad|Sankt|St\\.|Markt|Neu|Alt|Groß|Klein|Hohen|Ober|Unter"
_CITY = (
    f"(?:(?:{_CITY_PREFIX}) )?{_WORD}(?:-{_WORD})*"
    f"(?: (?:am|an der|im|in der|ob der|bei|vor der) {_WORD}| \\({_WORD}\\)| a\\. ?d\\. ?{_WORD})?"
)
ADDRESS = re.compile(
    rf"(?<![{_UPPER}{_LOWER}\w])(?P<street>{_STREET})\s+(?P<number>{_HOUSE_NUMBER})"
    rf"(?![\d{_LOWER}])\s*(?:,\s*|\n\s*|\s+)(?:D-\s?)?(?P<postcode>\d{{5}})(?!\d)"
    rf"[ \t]+(?P<city>{_CITY})(?![{_LOWER}\w])"
)


@dataclass(frozen=True, slots=True)
class PostalAddress:
    street: str  # street and house number, as written ("Lindenstraße 12a")
    postcode: str
    city: str

    def same_as(self, *, street: str, postcode: str, city: str) -> bool:
        def norm(value: str) -> str:
            return re.sub(r"\s+", "", value.lower().replace("strasse", "straße"))

        return (norm(self.street), self.postcode, norm(self.city)) == (
            norm(street),
            postcode.strip(),
            norm(city),
        )


def find_addresses(text: str) -> list[PostalAddress]:
    """Every distinct address in ``text``, in order of appearance."""
    found: list[PostalAddress] = []
    for match in ADDRESS.finditer(text):
        number = re.sub(r"\s+", "", match.group("number"))
        address = PostalAddress(
            street=f"{match.group('street')} {number}",
            postcode=match.group("postcode"),
            city=match.group("city"),
        )
        if address not in found:
            found.append(address)
    return found
