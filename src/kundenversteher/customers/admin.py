"""Admin for the CRM core. Workflow fields (order status, merges, erasure) are read-only here:
they change through services so that events are recorded."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kundenversteher.customers import services
from kundenversteher.customers.errors import CustomerError, InvalidIdentityError
from kundenversteher.customers.identity import normalise_identity
from kundenversteher.customers.models import (
    Contract,
    Customer,
    CustomerIdentity,
    Device,
    Invoice,
    Order,
    OrderLine,
    Organisation,
    Product,
    StockItem,
)
from kundenversteher.privacy.audit import AuditedModelAdmin


class CustomerIdentityForm(forms.ModelForm[CustomerIdentity]):
    """Stores values normalised, exactly as ``services.add_identity`` would."""

    class Meta:
        model = CustomerIdentity
        fields = ("kind", "value", "verified")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), data.get("value")
        if kind and value:
            try:
                data["value"] = normalise_identity(kind, value)
            except InvalidIdentityError as exc:
                raise forms.ValidationError({"value": str(exc)}) from exc
            self.instance.value = data["value"]
        return data


class CustomerIdentityInline(admin.TabularInline[CustomerIdentity, Customer]):
    model = CustomerIdentity
    form = CustomerIdentityForm
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "vat_id", "city", "tier")
    list_filter = ("tier",)
    search_fields = ("name", "vat_id", "city")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ("last_name", "first_name", "kind", "organisation", "postcode", "city", "tier")
    list_filter = ("kind", "tier", "preferred_language")
    search_fields = (
        "last_name",
        "first_name",
        "organisation__name",
        "identities__value",
        "postcode",
    )
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation", "user")
    readonly_fields = ("merged_into", "erased_at", "created_at", "updated_at")
    inlines = (CustomerIdentityInline,)
    fieldsets = (
        (None, {"fields": ("kind", "organisation", "company_role", "tier", "preferred_language")}),
        (_("Person"), {"fields": ("salutation", "first_name", "last_name")}),
        (_("Anschrift"), {"fields": ("street", "postcode", "city", "country")}),
        (_("Portal"), {"fields": ("user",)}),
        (_("Verlauf"), {"fields": ("merged_into", "erased_at", "created_at", "updated_at")}),
    )


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    autocomplete_fields = ("product",)


@admin.action(description=_("Status: bestätigt"))
def mark_confirmed(modeladmin: OrderAdmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
    _set_status(request, queryset, Order.Status.CONFIRMED)


@admin.action(description=_("Status: versandt"))
def mark_shipped(modeladmin: OrderAdmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
    _set_status(request, queryset, Order.Status.SHIPPED)


@admin.action(description=_("Status: zugestellt"))
def mark_delivered(modeladmin: OrderAdmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
    _set_status(request, queryset, Order.Status.DELIVERED)


def _set_status(request: HttpRequest, queryset: QuerySet[Order], status: str) -> None:
    for order in queryset:
        try:
            services.update_order_status(order_id=order.id, status=status, by=request.user)
        except CustomerError as exc:
            messages.error(request, str(exc))


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ("number", "customer", "status", "ordered_at", "promised_date", "total")
    list_filter = ("status", "carrier")
    search_fields = ("number", "customer__last_name", "tracking_number")
    list_select_related = ("customer", "customer__organisation")
    autocomplete_fields = ("customer",)
    date_hierarchy = "ordered_at"
    inlines = (OrderLineInline,)
    actions = (mark_confirmed, mark_shipped, mark_delivered)

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> Any:
        # The status moves through services (events, allowed transitions), not by editing.
        return ("status", "shipped_at") if obj is not None else ()


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin[Contract]):
    list_display = ("number", "customer", "type", "status", "start", "end", "monthly_fee")
    list_filter = ("type", "status", "auto_renew")
    search_fields = ("number", "customer__last_name")
    list_select_related = ("customer", "customer__organisation")
    autocomplete_fields = ("customer",)


class StockItemInline(admin.TabularInline[StockItem, Product]):
    model = StockItem
    extra = 0


@admin.register(Product)
class ProductAdmin(AuditedModelAdmin[Product]):
    list_display = ("sku", "name_de", "category", "price")
    list_filter = ("category",)
    search_fields = ("sku", "name_de", "name_en")
    inlines = (StockItemInline,)


@admin.register(StockItem)
class StockItemAdmin(AuditedModelAdmin[StockItem]):
    list_display = ("product", "warehouse", "quantity", "restock_date", "restock_quantity")
    list_filter = ("warehouse",)
    search_fields = ("product__sku", "product__name_de")
    list_select_related = ("product",)
    autocomplete_fields = ("product",)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ("serial", "product", "owner", "status", "installed_on", "warranty_until")
    list_filter = ("status", "product__category")
    search_fields = ("serial", "owner__last_name", "postcode", "city")
    list_select_related = ("product", "owner", "owner__organisation")
    autocomplete_fields = ("product", "owner")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin[Invoice]):
    """Invoices are written by ``services.create_invoice`` (amounts from the order) and are
    legal documents: the admin shows them but does not edit them."""

    list_display = ("number", "customer", "order", "issued_on", "gross", "status")
    list_filter = ("status",)
    search_fields = ("number", "customer__last_name", "order__number")
    list_select_related = ("customer", "customer__organisation", "order")
    date_hierarchy = "issued_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False
