"""The answer templates shipped with the product (installed by migration 0002).

Pure data. Short, friendly, and every sentence is backed by a slot: a template states nothing
the data does not say (no promises of callbacks or notifications the system does not send).
The "written automatically" footer is appended by ``compose``, not written here.
"""

from __future__ import annotations

from typing import NamedTuple


class DefaultTemplate(NamedTuple):
    intent: str
    variant: str
    language: str
    subject: str
    body: str


_SIGN_DE = "\n\nMit freundlichen Grüßen\nIhr Kundenservice der {{ company.name }}"
_SIGN_EN = "\n\nKind regards\nYour customer service team at {{ company.name }}"


def _de(intent: str, variant: str, subject: str, text: str) -> DefaultTemplate:
    return DefaultTemplate(
        intent, variant, "de", subject, "{{ customer.greeting }},\n\n" + text + _SIGN_DE
    )


def _en(intent: str, variant: str, subject: str, text: str) -> DefaultTemplate:
    return DefaultTemplate(
        intent, variant, "en", subject, "{{ customer.greeting }},\n\n" + text + _SIGN_EN
    )


DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    # --- order_status
    _de(
        "order_status",
        "shipped",
        "Ihre Bestellung {{ order.number }}",
        "vielen Dank für Ihre Nachricht. Ihre Bestellung {{ order.number }} vom "
        "{{ order.ordered_on }} hat den Status „{{ order.status }}“. Sie wurde am "
        "{{ order.shipping_date }} mit {{ order.carrier }} versandt; die Sendungsnummer lautet "
        "{{ order.tracking_number }}. Damit können Sie die Sendung bei {{ order.carrier }} "
        "verfolgen.",
    ),
    _en(
        "order_status",
        "shipped",
        "Your order {{ order.number }}",
        "Thank you for your message. Your order {{ order.number }} of {{ order.ordered_on }} "
        "has the status “{{ order.status }}”. It was shipped on {{ order.shipping_date }} with "
        "{{ order.carrier }}; the tracking number is {{ order.tracking_number }}, which you "
        "can use to follow the parcel on the {{ order.carrier }} website.",
    ),
    _de(
        "order_status",
        "in_progress",
        "Ihre Bestellung {{ order.number }}",
        "vielen Dank für Ihre Nachricht. Ihre Bestellung {{ order.number }} vom "
        "{{ order.ordered_on }} ({{ order.items }}) hat den Status „{{ order.status }}“ und ist "
        "noch nicht versandt. Nach unserem aktuellen Lagerbestand und den angekündigten "
        "Wareneingängen rechnen wir mit der Lieferung am {{ order.expected_date }}.",
    ),
    _en(
        "order_status",
        "in_progress",
        "Your order {{ order.number }}",
        "Thank you for your message. Your order {{ order.number }} of {{ order.ordered_on }} "
        "({{ order.items }}) has the status “{{ order.status }}” and has not been shipped yet. "
        "Based on our current stock and announced deliveries we expect to deliver it on "
        "{{ order.expected_date }}.",
    ),
    # --- delivery_date
    _de(
        "delivery_date",
        "shipped",
        "Liefertermin Ihrer Bestellung {{ order.number }}",
        "vielen Dank für Ihre Nachricht. Ihre Bestellung {{ order.number }} hat den Status "
        "„{{ order.status }}“: Sie wurde am {{ order.shipping_date }} mit {{ order.carrier }} "
        "versandt (Sendungsnummer {{ order.tracking_number }}). Den Zustelltermin nennt Ihnen "
        "die Sendungsverfolgung von {{ order.carrier }}.",
    ),
    _en(
        "delivery_date",
        "shipped",
        "Delivery of your order {{ order.number }}",
        "Thank you for your message. Your order {{ order.number }} has the status "
        "“{{ order.status }}”: it was shipped on {{ order.shipping_date }} with "
        "{{ order.carrier }} (tracking number {{ order.tracking_number }}). The "
        "{{ order.carrier }} parcel tracking shows the delivery date.",
    ),
    _de(
        "delivery_date",
        "in_progress",
        "Liefertermin Ihrer Bestellung {{ order.number }}",
        "vielen Dank für Ihre Nachricht. Ihre Bestellung {{ order.number }} "
        "({{ order.items }}) ist noch nicht versandt (Status „{{ order.status }}“). Nach "
        "unserem aktuellen Lagerbestand und den angekündigten Wareneingängen rechnen wir mit "
        "der Lieferung am {{ order.expected_date }}.",
    ),
    _en(
        "delivery_date",
        "in_progress",
        "Delivery of your order {{ order.number }}",
        "Thank you for your message. Your order {{ order.number }} ({{ order.items }}) has not "
        "been shipped yet (status “{{ order.status }}”). Based on our current stock and "
        "announced deliveries we expect to deliver it on {{ order.expected_date }}.",
    ),
    # --- invoice_copy
    _de(
        "invoice_copy",
        "",
        "Rechnungskopie {{ invoice.number }}",
        "wie gewünscht erhalten Sie anbei eine Kopie der Rechnung {{ invoice.number }} vom "
        "{{ invoice.issued_on }} zu Ihrer Bestellung {{ invoice.order_number }} über "
        "{{ invoice.total }} (Status: {{ invoice.status }}) als PDF-Datei.",
    ),
    _en(
        "invoice_copy",
        "",
        "Copy of invoice {{ invoice.number }}",
        "As requested, please find attached a copy of invoice {{ invoice.number }} of "
        "{{ invoice.issued_on }} for your order {{ invoice.order_number }} over "
        "{{ invoice.total }} (status: {{ invoice.status }}) as a PDF file.",
    ),
    # --- password_reset (the portal signs in with e-mailed links, there is no password)
    _de(
        "password_reset",
        "",
        "Anmeldung im Kundenportal",
        "für unser Kundenportal brauchen Sie kein Passwort. Öffnen Sie {{ portal.login_url }} "
        "und geben Sie Ihre E-Mail-Adresse {{ customer.email }} ein: Sie erhalten dann einen "
        "Anmeldelink per E-Mail, der {{ portal.link_minutes }} Minuten gültig ist.",
    ),
    _en(
        "password_reset",
        "",
        "Signing in to the customer portal",
        "Our customer portal does not use a password. Open {{ portal.login_url }} and enter "
        "your e-mail address {{ customer.email }}: you will receive a sign-in link by e-mail "
        "that is valid for {{ portal.link_minutes }} minutes.",
    ),
    # --- address_change
    _de(
        "address_change",
        "",
        "Ihre neue Anschrift",
        "vielen Dank für Ihre Mitteilung. Wir haben Ihre neue Anschrift so aufgenommen:\n\n"
        "{{ address.street }}\n{{ address.postcode }} {{ address.city }}\n\n"
        "Wir übernehmen sie in Ihr Kundenkonto. Sollte etwas nicht stimmen, antworten Sie "
        "bitte kurz auf diese Nachricht.",
    ),
    _en(
        "address_change",
        "",
        "Your new address",
        "Thank you for letting us know. We have recorded your new address as follows:\n\n"
        "{{ address.street }}\n{{ address.postcode }} {{ address.city }}\n\n"
        "We are updating your customer account accordingly. If anything is not right, please "
        "simply reply to this message.",
    ),
    # --- contract_info
    _de(
        "contract_info",
        "open_ended",
        "Ihr Vertrag {{ contract.number }}",
        "Ihr Vertrag {{ contract.number }} ({{ contract.type }}) läuft seit dem "
        "{{ contract.start }} unbefristet. Die Kündigungsfrist beträgt "
        "{{ contract.notice_period_days }} Tage: Erreicht uns Ihre Kündigung heute, endet der "
        "Vertrag frühestens am {{ contract.earliest_end }}.",
    ),
    _en(
        "contract_info",
        "open_ended",
        "Your contract {{ contract.number }}",
        "Your contract {{ contract.number }} ({{ contract.type }}) has been running since "
        "{{ contract.start }} with no fixed end date. The notice period is "
        "{{ contract.notice_period_days }} days: if your notice reaches us today, the contract "
        "ends on {{ contract.earliest_end }} at the earliest.",
    ),
    _de(
        "contract_info",
        "fixed_term",
        "Ihr Vertrag {{ contract.number }}",
        "Ihr Vertrag {{ contract.number }} ({{ contract.type }}) läuft bis zum "
        "{{ contract.end }} und verlängert sich danach automatisch, wenn er nicht gekündigt "
        "wird. Die Kündigungsfrist beträgt {{ contract.notice_period_days }} Tage: Damit der "
        "Vertrag zum {{ contract.end }} endet, muss Ihre Kündigung spätestens am "
        "{{ contract.notice_deadline }} bei uns eingehen.",
    ),
    _en(
        "contract_info",
        "fixed_term",
        "Your contract {{ contract.number }}",
        "Your contract {{ contract.number }} ({{ contract.type }}) runs until "
        "{{ contract.end }} and renews automatically unless it is cancelled. The notice period "
        "is {{ contract.notice_period_days }} days: for the contract to end on "
        "{{ contract.end }}, your notice must reach us by {{ contract.notice_deadline }}.",
    ),
    _de(
        "contract_info",
        "expiring",
        "Ihr Vertrag {{ contract.number }}",
        "Ihr Vertrag {{ contract.number }} ({{ contract.type }}) läuft bis zum "
        "{{ contract.end }} und endet dann von selbst; eine Kündigung ist dafür nicht nötig.",
    ),
    _en(
        "contract_info",
        "expiring",
        "Your contract {{ contract.number }}",
        "Your contract {{ contract.number }} ({{ contract.type }}) runs until "
        "{{ contract.end }} and then ends by itself; you do not need to cancel it.",
    ),
    _de(
        "contract_info",
        "notice_given",
        "Ihr Vertrag {{ contract.number }}",
        "Ihr Vertrag {{ contract.number }} ({{ contract.type }}) ist bereits gekündigt und "
        "endet am {{ contract.end }}.",
    ),
    _en(
        "contract_info",
        "notice_given",
        "Your contract {{ contract.number }}",
        "Your contract {{ contract.number }} ({{ contract.type }}) has already been cancelled "
        "and ends on {{ contract.end }}.",
    ),
    # --- repair_status
    _de(
        "repair_status",
        "device",
        "Ihr Gerät {{ device.serial }}",
        "vielen Dank für Ihre Nachricht. Ihr Gerät {{ device.model }} mit der Seriennummer "
        "{{ device.serial }} hat bei uns derzeit den Status „{{ device.status }}“.",
    ),
    _en(
        "repair_status",
        "device",
        "Your device {{ device.serial }}",
        "Thank you for your message. Your device {{ device.model }} with serial number "
        "{{ device.serial }} currently has the status “{{ device.status }}” with us.",
    ),
    _de(
        "repair_status",
        "case",
        "Ihr Anliegen {{ open_case.number }}",
        "vielen Dank für Ihre Nachricht. Ihr Anliegen {{ open_case.number }} vom "
        "{{ open_case.received_on }} hat derzeit den Stand: {{ open_case.status }}.",
    ),
    _en(
        "repair_status",
        "case",
        "Your request {{ open_case.number }}",
        "Thank you for your message. Your request {{ open_case.number }} of "
        "{{ open_case.received_on }} currently stands at: {{ open_case.status }}.",
    ),
)
