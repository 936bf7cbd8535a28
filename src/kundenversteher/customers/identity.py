"""Recognising customers: normalising identities and resolving who wrote a message.

Normalised forms (what ``CustomerIdentity.value`` stores and what lookups compare):
e-mail lower-cased; phone E.164 (``phonenumbers``, default region DE); customer number
``KD-`` + 6 digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from rapidfuzz import fuzz, utils

from kundenversteher.customers.errors import InvalidIdentityError
from kundenversteher.customers.models import (
    Contract,
    Customer,
    CustomerIdentity,
    Device,
    Order,
)
from kundenversteher.customers.types import IdentityMatch, MatchMethod

DEFAULT_PHONE_REGION = "DE"
# "KD-104711", "KD 104711", "kd104711", "Kundennummer 104711", "Kd.-Nr. 104711", "104711"
_CUSTOMER_NUMBER_RE = re.compile(
    r"^(?:kd|kundennummer|kundennr|kd-?nr|customer\s*number)?[\s.:\-#]*(\d{6})$", re.IGNORECASE
)
_SERIAL_RE = re.compile(r"^BW\d{10}$")
_CONTRACT_RE = re.compile(r"^WV-?(\d{6})$", re.IGNORECASE)

# Fuzzy name matching: a score below this is not the same person (rapidfuzz 0..100).
NAME_MATCH_THRESHOLD = 85.0
# Two candidates closer than this are "equally good": we refuse to pick one.
NAME_TIE_MARGIN = 3.0

_CONFIDENCE = {
    MatchMethod.EMAIL: 0.97,
    MatchMethod.PHONE: 0.9,
    MatchMethod.CUSTOMER_NUMBER: 0.95,
    MatchMethod.CONTRACT_NUMBER: 0.85,
    MatchMethod.ORDER_NUMBER: 0.8,
    MatchMethod.DEVICE_SERIAL: 0.85,
}
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise_email(raw: str) -> str:
    value = raw.strip().lower()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise InvalidIdentityError(
            gettext("„%(value)s“ ist keine gültige E-Mail-Adresse.") % {"value": raw}
        ) from exc
    return value


def normalise_phone(raw: str, *, region: str = DEFAULT_PHONE_REGION) -> str:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentityError(
            gettext("„%(value)s“ ist keine Telefonnummer.") % {"value": raw}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentityError(
            gettext(
                "„%(value)s“ ist keine gültige Telefonnummer (erwartet z. B. 0171 1234567 "
                "oder +49 171 1234567)."
            )
            % {"value": raw}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_customer_number(raw: str) -> str:
    match = _CUSTOMER_NUMBER_RE.match(raw.strip())
    if match is None:
        raise InvalidIdentityError(
            gettext(
                "„%(value)s“ ist keine gültige Kundennummer "
                "(erwartet KD- und 6 Ziffern, z. B. KD-104711)."
            )
            % {"value": raw}
        )
    return f"KD-{match.group(1)}"


def normalise_identity(kind: str, raw: str) -> str:
    """Normalise ``raw`` for ``kind`` (a ``CustomerIdentity.Kind``); raise InvalidIdentityError."""
    if kind == CustomerIdentity.Kind.EMAIL:
        return normalise_email(raw)
    if kind == CustomerIdentity.Kind.PHONE:
        return normalise_phone(raw)
    if kind == CustomerIdentity.Kind.CUSTOMER_NUMBER:
        return normalise_customer_number(raw)
    raise InvalidIdentityError(
        gettext("Unbekannte Art der Kundenkennung: „%(kind)s“.") % {"kind": kind}
    )


def try_normalise(kind: str, raw: str) -> str | None:
    try:
        return normalise_identity(kind, raw)
    except InvalidIdentityError:
        return None


def _comparable_name(name: str) -> str:
    return utils.default_process(name.lower().translate(_UMLAUTS))


def name_score(given: str, customer: Customer) -> float:
    """How well a written name matches the customer (0..100), word order and umlauts ignored."""
    return float(
        fuzz.token_sort_ratio(
            _comparable_name(given), _comparable_name(customer.full_name), processor=None
        )
    )


def _active(customer_ids: Iterable[int]) -> list[int]:
    """Follow merges to the surviving customer; drop erased customers."""
    result: list[int] = []
    for customer_id in customer_ids:
        current = Customer.objects.only("id", "merged_into_id", "erased_at").get(id=customer_id)
        while current.merged_into_id is not None:
            current = Customer.objects.only("id", "merged_into_id", "erased_at").get(
                id=current.merged_into_id
            )
        if current.erased_at is None and current.id not in result:
            result.append(current.id)
    return result


def _by_identity(kind: str, value: str) -> int | None:
    row = (
        CustomerIdentity.objects.filter(kind=kind, value=value, customer__erased_at__isnull=True)
        .values_list("customer_id", "customer__merged_into_id")
        .first()
    )
    if row is None:
        return None
    customer_id, merged_into_id = row
    if merged_into_id is None:
        return int(customer_id)  # not merged, not erased (filtered above): no second query
    found = _active([customer_id])
    return found[0] if found else None


def _owners_of_numbers(
    numbers: Mapping[str, Sequence[str]],
) -> dict[int, list[tuple[MatchMethod, str]]]:
    """Customer id → the mentioned numbers that point at them (contracts, orders, devices).

    Each number comes with its method, because the label is translated and so cannot tell the
    kind of number any more.
    """
    owners: dict[int, list[tuple[MatchMethod, str]]] = {}

    def add(customer_id: int, method: MatchMethod, label: str) -> None:
        for survivor in _active([customer_id]):
            owners.setdefault(survivor, []).append((method, label))

    contracts = {
        f"WV-{m.group(1)}"
        for raw in numbers.get("contract_number", ())
        if (m := _CONTRACT_RE.match(raw.strip()))
    }
    for number, customer_id in Contract.objects.filter(number__in=contracts).values_list(
        "number", "customer_id"
    ):
        add(
            customer_id,
            MatchMethod.CONTRACT_NUMBER,
            gettext("Vertrag %(number)s") % {"number": number},
        )
    orders = {int(raw) for raw in numbers.get("order_number", ()) if raw.strip().isdigit()}
    for order_number, customer_id in Order.objects.filter(number__in=orders).values_list(
        "number", "customer_id"
    ):
        add(
            customer_id,
            MatchMethod.ORDER_NUMBER,
            gettext("Bestellung %(number)s") % {"number": order_number},
        )
    serials = {
        raw.strip().upper()
        for raw in numbers.get("device_serial", ())
        if _SERIAL_RE.match(raw.strip().upper())
    }
    for serial, customer_id in Device.objects.filter(serial__in=serials).values_list(
        "serial", "owner_id"
    ):
        add(
            customer_id,
            MatchMethod.DEVICE_SERIAL,
            gettext("Gerät %(serial)s") % {"serial": serial},
        )
    return owners


def _number_method(labels: Sequence[tuple[MatchMethod, str]]) -> MatchMethod:
    return labels[0][0]


def _names(customer_ids: Iterable[int]) -> dict[int, Customer]:
    return {c.id: c for c in Customer.objects.filter(id__in=list(customer_ids))}


def _describe(customers: Mapping[int, Customer], ids: Iterable[int]) -> str:
    return ", ".join(
        gettext("%(name)s (Nr. %(id)s)") % {"name": customers[i].full_name, "id": i} for i in ids
    )


def identify(
    *,
    email: str | None = None,
    phone: str | None = None,
    numbers: Mapping[str, Sequence[str]] | None = None,
    name: str | None = None,
    postcode: str | None = None,
) -> IdentityMatch | None:
    """Resolve the sender to one customer, strongest evidence first.

    Order: e-mail identity → phone identity → customer number → owner of a mentioned contract,
    order or device → fuzzy name plus postcode. ``numbers`` maps entity kinds
    (``customer_number``, ``contract_number``, ``order_number``, ``device_serial``) to the
    values found in the text. Returns ``None`` when nothing points at anyone, and a match with
    ``customer_id=None`` plus candidates when the evidence is split between customers.
    """
    numbers = numbers or {}
    if email and (value := try_normalise(CustomerIdentity.Kind.EMAIL, email)):
        customer_id = _by_identity(CustomerIdentity.Kind.EMAIL, value)
        if customer_id is not None:
            return IdentityMatch(
                customer_id,
                MatchMethod.EMAIL,
                gettext("Absenderadresse %(value)s ist beim Kunden hinterlegt.") % {"value": value},
                _CONFIDENCE[MatchMethod.EMAIL],
            )
    if phone and (value := try_normalise(CustomerIdentity.Kind.PHONE, phone)):
        customer_id = _by_identity(CustomerIdentity.Kind.PHONE, value)
        if customer_id is not None:
            return IdentityMatch(
                customer_id,
                MatchMethod.PHONE,
                gettext("Telefonnummer %(value)s ist beim Kunden hinterlegt.") % {"value": value},
                _CONFIDENCE[MatchMethod.PHONE],
            )
    customer_numbers = {
        value
        for raw in numbers.get("customer_number", ())
        if (value := try_normalise(CustomerIdentity.Kind.CUSTOMER_NUMBER, raw))
    }
    if customer_numbers:
        found: dict[int, str] = {}
        for value in sorted(customer_numbers):
            customer_id = _by_identity(CustomerIdentity.Kind.CUSTOMER_NUMBER, value)
            if customer_id is not None:
                found.setdefault(customer_id, value)
        if len(found) == 1:
            ((customer_id, value),) = found.items()
            return IdentityMatch(
                customer_id,
                MatchMethod.CUSTOMER_NUMBER,
                gettext("Kundennummer %(value)s wurde genannt.") % {"value": value},
                _CONFIDENCE[MatchMethod.CUSTOMER_NUMBER],
            )
        if len(found) > 1:
            return _ambiguous(
                MatchMethod.CUSTOMER_NUMBER,
                gettext("Mehrere genannte Kundennummern gehören zu verschiedenen Kunden"),
                list(found),
                name,
            )
    owners = _owners_of_numbers(numbers)
    if len(owners) == 1:
        ((customer_id, labels),) = owners.items()
        method = _number_method(labels)
        return IdentityMatch(
            customer_id,
            method,
            gettext("%(numbers)s gehört diesem Kunden.")
            % {"numbers": ", ".join(label for _, label in labels)},
            _CONFIDENCE[method],
        )
    if len(owners) > 1:
        return _ambiguous(
            _number_method(next(iter(owners.values()))),
            gettext("Die genannten Nummern gehören zu verschiedenen Kunden"),
            list(owners),
            name,
        )
    if name and postcode:
        return _by_name_and_postcode(name, postcode.strip())
    return None


def _ambiguous(
    method: MatchMethod, why: str, candidate_ids: list[int], name: str | None
) -> IdentityMatch:
    """Several customers fit equally; a written name may still single one out."""
    customers = _names(candidate_ids)
    if name:
        scored = sorted(((name_score(name, customers[i]), i) for i in candidate_ids), reverse=True)
        best_score, best_id = scored[0]
        runner_up = scored[1][0]
        if best_score >= NAME_MATCH_THRESHOLD and best_score - runner_up >= NAME_TIE_MARGIN:
            return IdentityMatch(
                best_id,
                method,
                gettext("%(why)s; der genannte Name „%(name)s“ passt zu %(customer)s.")
                % {"why": why, "name": name, "customer": customers[best_id].full_name},
                round(0.7 * best_score / 100, 2),
            )
    return IdentityMatch(
        None,
        method,
        gettext("%(why)s: %(candidates)s. Bitte manuell zuordnen.")
        % {"why": why, "candidates": _describe(customers, candidate_ids)},
        0.0,
        tuple(candidate_ids),
    )


def _by_name_and_postcode(name: str, postcode: str) -> IdentityMatch | None:
    # Two indexed lookups instead of one OR across a join, which would scan all customers.
    ids = set(Customer.objects.filter(postcode=postcode).values_list("id", flat=True))
    ids |= set(Device.objects.filter(postcode=postcode).values_list("owner_id", flat=True))
    candidates = Customer.objects.filter(
        id__in=ids, merged_into__isnull=True, erased_at__isnull=True
    )
    scored = sorted(
        ((name_score(name, c), c.id, c) for c in candidates),
        key=lambda row: (-row[0], row[1]),
    )
    scored = [row for row in scored if row[0] >= NAME_MATCH_THRESHOLD]
    if not scored:
        return None
    best_score, best_id, best = scored[0]
    ties = [row for row in scored if best_score - row[0] < NAME_TIE_MARGIN]
    if len(ties) > 1:
        names = {row[1]: row[2] for row in ties}
        return IdentityMatch(
            None,
            MatchMethod.NAME_POSTCODE,
            gettext(
                "Name „%(name)s“ und PLZ %(postcode)s passen gleich gut zu mehreren Kunden: "
                "%(candidates)s. Bitte manuell zuordnen."
            )
            % {"name": name, "postcode": postcode, "candidates": _describe(names, names)},
            0.0,
            tuple(names),
        )
    return IdentityMatch(
        best_id,
        MatchMethod.NAME_POSTCODE,
        gettext("Name „%(name)s“ ähnelt %(customer)s (%(score).0f %%) und PLZ %(postcode)s stimmt.")
        % {"name": name, "customer": best.full_name, "score": best_score, "postcode": postcode},
        round(0.7 * best_score / 100, 2),
    )
