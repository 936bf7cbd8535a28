"""The customers app's part of data-subject export and erasure (registered by ``wiring.py``).

What erasure does here, and why:

* Name, salutation, role and postal address of the customer are blanked, the customer is marked
  ``erased_at``; all identities (e-mail, phone, customer number) are deleted, so the person can
  no longer be recognised or looked up.
* The portal login is deactivated and stripped of name and e-mail (the row stays because other
  tables may point at the user; it can no longer log in).
* Orders, order lines, invoices and contracts are **kept**: German commercial and tax law requires
  keeping trading and booking records for six to ten years (§ 257 HGB, § 147 AO). They stay
  attached to the anonymised customer row, which no longer carries personal data, so they are
  detached from the person (Art. 17 (3) b DSGVO).
* Devices are kept for product safety (recalls, warranty), but their installation address,
  which is the person's home address in B2C, is blanked.

Duplicates merged into the customer are the same person and are erased with them, including
the events recorded under their old ids (the privacy service only knows the survivor's id).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils import timezone

from kundenversteher.customers.models import (
    Contract,
    Customer,
    CustomerIdentity,
    Device,
    Invoice,
    Order,
    OrderLine,
)
from kundenversteher.events.models import Event
from kundenversteher.events.services import erase_customer_events

_PERSONAL_FIELDS = ("salutation", "first_name", "company_role", "street", "postcode", "city")
ERASED_NAME = "[gelöscht]"


def _customer_ids(customer_id: int) -> list[int]:
    """The customer and every duplicate merged into it (transitively)."""
    ids = [customer_id]
    frontier = [customer_id]
    while frontier:
        frontier = list(
            Customer.objects.filter(merged_into_id__in=frontier).values_list("id", flat=True)
        )
        ids += [i for i in frontier if i not in ids]
    return ids


class CustomersPrivacyProvider:
    def export(self, customer_id: int) -> dict[str, Any]:
        ids = _customer_ids(customer_id)
        customers = list(Customer.objects.select_related("organisation").filter(id__in=ids))
        orders = list(Order.objects.filter(customer_id__in=ids).prefetch_related("lines__product"))
        return {
            "customers": [
                {
                    **model_to_dict(c, exclude=["user"]),
                    "organisation_name": c.organisation.name if c.organisation else "",
                    "created_at": c.created_at,
                    "has_portal_login": c.user_id is not None,
                }
                for c in customers
            ],
            "identities": list(
                CustomerIdentity.objects.filter(customer_id__in=ids).values(
                    "kind", "value", "verified", "created_at"
                )
            ),
            "contracts": [model_to_dict(c) for c in Contract.objects.filter(customer_id__in=ids)],
            "invoices": [
                {**model_to_dict(i), "order_number": i.order.number}
                for i in Invoice.objects.filter(customer_id__in=ids).select_related("order")
            ],
            "orders": [
                {
                    **model_to_dict(o),
                    "ordered_at": o.ordered_at,
                    "shipped_at": o.shipped_at,
                    "lines": [
                        {
                            "sku": line.product.sku,
                            "product": line.product.name_de,
                            "quantity": line.quantity,
                            "unit_price": line.unit_price,
                        }
                        for line in o.lines.all()
                    ],
                }
                for o in orders
            ],
            "devices": [
                {**model_to_dict(d), "model": d.product.sku}
                for d in Device.objects.filter(owner_id__in=ids).select_related("product")
            ],
            # The privacy service exports the events of ``customer_id``; these are the rest.
            "events_of_merged_duplicates": [
                {
                    "customer_id": e.customer_id,
                    "occurred_at": e.occurred_at,
                    "kind": e.kind,
                    "channel": e.channel,
                    "case_id": e.case_id,
                    "payload": e.payload,
                }
                for e in Event.objects.filter(customer_id__in=ids[1:])
            ],
        }

    def erase(self, customer_id: int) -> int:
        """Anonymise the customer (see module docstring). Returns rows changed; 0 when done."""
        ids = _customer_ids(customer_id)
        changed = 0
        now = timezone.now()
        for customer in Customer.objects.select_for_update().filter(
            id__in=ids, erased_at__isnull=True
        ):
            for field in _PERSONAL_FIELDS:
                setattr(customer, field, "")
            customer.last_name = ERASED_NAME
            customer.erased_at = now
            customer.save()
            changed += 1
        deleted, _ = CustomerIdentity.objects.filter(customer_id__in=ids).delete()
        changed += deleted
        changed += (
            Device.objects.filter(owner_id__in=ids)
            .filter(~Q(street="") | ~Q(postcode="") | ~Q(city="") | ~Q(location=""))
            .update(street="", postcode="", city="", location="")
        )
        for duplicate_id in ids[1:]:
            erase_customer_events(customer_id=duplicate_id)
        user_ids = Customer.objects.filter(id__in=ids, user__isnull=False).values_list(
            "user_id", flat=True
        )
        for user in get_user_model().objects.filter(id__in=list(user_ids)):
            if not user.is_active and not user.email and user.username.startswith("geloescht-"):
                continue
            user.username = f"geloescht-{user.pk}"
            user.first_name = ""
            user.last_name = ""
            user.email = ""
            user.is_active = False
            user.set_unusable_password()
            user.save()
            changed += 1
        return changed


# Order lines carry no personal data; named here so the retention decision is explicit.
RETAINED_FOR_RECORD_KEEPING = (Order, OrderLine, Invoice, Contract)
