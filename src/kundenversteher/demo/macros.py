"""The demo company's reply macros (Textbausteine), German and English.

Bodies use only the whitelisted ``{{ variables }}`` of ``cases.macros``; the order variables are
filled from the first order number the platform recognised in the customer's message (Clara's
"Bestellung 4711"). Macros are configuration without a service, so they are written directly;
``get_or_create`` keeps an admin's later edits to a demo macro when the demo is loaded again.
"""

from __future__ import annotations

from dataclasses import dataclass

from kundenversteher.cases.models import Macro


@dataclass(frozen=True, slots=True)
class MacroSpec:
    name: str
    language: str
    body: str
    set_status: str = ""


MACROS: tuple[MacroSpec, ...] = (
    MacroSpec(
        "Eingangsbestätigung",
        "de",
        "Guten Tag {{ customer.name }},\n\n"
        "vielen Dank für Ihre Nachricht. Wir haben Ihr Anliegen unter der Nummer {{ case.number }}"
        " aufgenommen und melden uns so schnell wie möglich bei Ihnen.\n\n"
        "Mit freundlichen Grüßen\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
    ),
    MacroSpec(
        "Eingangsbestätigung",
        "en",
        "Dear {{ customer.name }},\n\n"
        "thank you for your message. We have registered your request as {{ case.number }}"
        " and will get back to you as soon as possible.\n\n"
        "Kind regards\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
    ),
    MacroSpec(
        "Bestellstatus",
        "de",
        "Guten Tag {{ customer.name }},\n\n"
        "vielen Dank für Ihre Anfrage zu Ihrer Bestellung {{ order.number }}. Der aktuelle Stand:"
        " {{ order.status }}. Voraussichtlicher Liefertermin ist der {{ order.delivery_date }}.\n\n"
        "Mit freundlichen Grüßen\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
        set_status="waiting_customer",
    ),
    MacroSpec(
        "Bestellstatus",
        "en",
        "Dear {{ customer.name }},\n\n"
        "thank you for asking about your order {{ order.number }}. Its current status:"
        " {{ order.status }}. The expected delivery date is {{ order.delivery_date }}.\n\n"
        "Kind regards\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
        set_status="waiting_customer",
    ),
    MacroSpec(
        "Fehlende Angaben",
        "de",
        "Guten Tag {{ customer.name }},\n\n"
        "damit wir Ihnen schnell helfen können, benötigen wir noch Ihre Kundennummer"
        " (z. B. KD-104711) und die Seriennummer Ihres Geräts (beginnt mit BW, auf dem Typenschild"
        " an der Geräteseite). Bitte antworten Sie einfach auf diese E-Mail; die Nummer"
        " {{ case.number }} im Betreff hilft uns bei der Zuordnung.\n\n"
        "Mit freundlichen Grüßen\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
        set_status="waiting_customer",
    ),
    MacroSpec(
        "Fehlende Angaben",
        "en",
        "Dear {{ customer.name }},\n\n"
        "to help you quickly we still need your customer number (e.g. KD-104711) and the serial"
        " number of your unit (it starts with BW and is printed on the rating plate on the side"
        " of the unit). Simply reply to this e-mail; the reference {{ case.number }} in the"
        " subject helps us to file it.\n\n"
        "Kind regards\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
        set_status="waiting_customer",
    ),
    MacroSpec(
        "Wartungstermin vorschlagen",
        "de",
        "Guten Tag {{ customer.name }},\n\n"
        "gern kommt unser Servicetechniker zur Wartung zu Ihnen. Wir schlagen folgenden Termin"
        " vor: [Datum], zwischen 8 und 12 Uhr. Passt Ihnen der Termin? Falls nicht, nennen Sie"
        " uns bitte zwei Alternativen.\n\n"
        "Mit freundlichen Grüßen\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
        set_status="waiting_customer",
    ),
    MacroSpec(
        "Wartungstermin vorschlagen",
        "en",
        "Dear {{ customer.name }},\n\n"
        "our service technician will be happy to carry out the maintenance. We suggest the"
        " following appointment: [date], between 8 am and 12 noon. Does this suit you? If not,"
        " please let us know two alternatives.\n\n"
        "Kind regards\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
        set_status="waiting_customer",
    ),
    MacroSpec(
        "Abschluss",
        "de",
        "Guten Tag {{ customer.name }},\n\n"
        "wir betrachten Ihr Anliegen {{ case.number }} damit als erledigt. Sollten noch Fragen"
        " offen sein, antworten Sie einfach auf diese E-Mail.\n\n"
        "Mit freundlichen Grüßen\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
        set_status="resolved",
    ),
    MacroSpec(
        "Abschluss",
        "en",
        "Dear {{ customer.name }},\n\n"
        "we consider your request {{ case.number }} resolved. Should you have any further"
        " questions, simply reply to this e-mail.\n\n"
        "Kind regards\n{{ agent.first_name }}\nBrenner Wärmetechnik GmbH",
        set_status="resolved",
    ),
)


def ensure_macros() -> int:
    """Create the demo macros that are missing; returns how many were created."""
    created = 0
    for spec in MACROS:
        _macro, new = Macro.objects.get_or_create(
            name=spec.name,
            language=spec.language,
            defaults={"body": spec.body, "set_status": spec.set_status, "active": True},
        )
        created += int(new)
    return created
