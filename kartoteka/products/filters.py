from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kartoteka.core.filters import CRMFilterSet
from kartoteka.products.choices import StockStatus, Unit
from kartoteka.products.models import Product


class ProductFilterSet(CRMFilterSet):
    """The one filter definition of the catalog list and GET /api/v1/products.

    `q` matches a fragment of the SKU or the name. Products have no responsible and no tags: those filters go.
    """

    owner = None
    tag = None
    active = django_filters.BooleanFilter(label=_("Active"))
    stock = django_filters.ChoiceFilter(choices=StockStatus.choices, method="filter_stock", label=_("Stock"))
    unit = django_filters.MultipleChoiceFilter(choices=Unit.choices, label=_("Unit"))
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte", label=_("Price from"))
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte", label=_("Price to"))

    class Meta:
        model = Product
        fields = ["q", "active", "stock", "unit", "price_min", "price_max", "created_after", "created_before"]

    def filter_stock(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == StockStatus.IN_STOCK:
            return queryset.filter(stock__gt=0)
        if value == StockStatus.OUT_OF_STOCK:
            return queryset.filter(stock__lte=0)
        return queryset


__all__ = ["ProductFilterSet"]
