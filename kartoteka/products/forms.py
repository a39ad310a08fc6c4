from __future__ import annotations

from django import forms

from kartoteka.core.forms import ServiceModelForm
from kartoteka.products.models import Product


class ProductForm(ServiceModelForm):
    """The catalog form: the service validates (SKU unique, price and stock not negative, VAT 0-100 %)."""

    tags = None  # products carry no tags

    class Meta:
        model = Product
        fields = ["sku", "name", "unit", "price", "currency", "vat_rate", "stock", "lead_time_days", "active",
                  "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
