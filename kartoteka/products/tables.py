from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kartoteka.core.tables import CRMTable, DateTimeColumn, format_amount, format_quantity, inline_edit_attrs
from kartoteka.products.models import Product


def cell(field: str) -> dict[str, Any]:
    return inline_edit_attrs("products:product_cell", field)


class ProductTable(CRMTable):
    """The catalog list: no bulk actions (the catalog is edited one product at a time, by its managers)."""

    select = None
    sku = tables.Column(linkify=True, attrs=cell("sku"))
    name = tables.Column(linkify=True, attrs=cell("name"))
    unit = tables.Column()
    price = tables.Column(attrs={**cell("price"), "td": {**cell("price")["td"], "class": "editable num"}})
    vat_rate = tables.Column(verbose_name=gettext_lazy("VAT, %"), attrs={"td": {"class": "num"}}, empty_values=())
    stock = tables.Column(attrs={**cell("stock"), "td": {**cell("stock")["td"], "class": "editable num"}})
    lead_time_days = tables.Column(verbose_name=gettext_lazy("Lead time, days"), attrs={
        **cell("lead_time_days"), "td": {**cell("lead_time_days")["td"], "class": "editable num"}})
    active = tables.BooleanColumn(verbose_name=gettext_lazy("Active"))
    created_at = DateTimeColumn(format="d.m.Y", verbose_name=gettext_lazy("Created"))
    updated_at = DateTimeColumn(format="d.m.Y H:i", verbose_name=gettext_lazy("Updated"))

    default_columns = ("sku", "name", "unit", "price", "vat_rate", "stock", "lead_time_days", "active")
    inline_fields = frozenset({"sku", "name", "price", "stock", "lead_time_days"})

    class Meta(CRMTable.Meta):
        model = Product
        fields = ("sku", "name", "unit", "price", "currency", "vat_rate", "stock", "lead_time_days", "active",
                  "created_at", "updated_at")

    def render_price(self, value: Decimal, record: Product) -> str:
        return format_amount(value, record.currency)

    def render_vat_rate(self, value: int | None) -> str:
        return _("no VAT") if value is None else str(value)

    def render_stock(self, value: Decimal, record: Product) -> Any:
        text = f"{format_quantity(value)} {record.get_unit_display()}"
        return format_html('<span class="stock-out">{}</span>', text) if value <= 0 else text

    def render_lead_time_days(self, value: int | None) -> str:
        return "—" if value is None else str(value)
