"""FilterSet base: one definition serves the HTML list and the API (NetBox filtersets)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from kartoteka.accounts import permissions
from kartoteka.customfields.choices import FieldType
from kartoteka.customfields.models import CustomField, Tag
from kartoteka.customfields.values import fields_for

CF_PREFIX = "cf_"


class CRMFilterSet(django_filters.FilterSet):
    """Fragment search `q`, responsible, tags, dates, and one filter per custom field."""

    entity: str = ""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    owner = django_filters.ModelMultipleChoiceFilter(queryset=None, label=_("Responsible"))
    tag = django_filters.ModelMultipleChoiceFilter(
        field_name="tags__name", to_field_name="name", queryset=Tag.objects.all(), label=_("Tags"),
    )
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("Created from"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("Created to"))

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, request: Any = None,
                 custom_fields: list[Any] | None = None, **kwargs: Any) -> None:
        """`custom_fields`: the entity's fields when the caller has read them already (one query per page)."""
        super().__init__(data, queryset=queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        if "owner" in self.filters:  # shared reference data (products) has no responsible to filter by
            self.filters["owner"].queryset = permissions.visible_owners(user) if user is not None else None
        if custom_fields is None:
            custom_fields = fields_for(self.entity) if self.entity else []
        for cf in custom_fields:
            self.filters[CF_PREFIX + cf.key] = custom_field_filter(cf)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value) if value else queryset

    @property
    def qs(self) -> QuerySet:
        qs = super().qs
        # A tag filter joins the tag table: keep each record once.
        return qs.distinct() if self.data.get("tag") else qs


def custom_field_filter(cf: CustomField) -> django_filters.Filter:
    name = f"custom_fields__{cf.key}"
    label = cf.label
    if cf.field_type == FieldType.TEXT or cf.field_type == FieldType.URL:
        return django_filters.CharFilter(field_name=name, lookup_expr="icontains", label=label)
    if cf.field_type == FieldType.BOOLEAN:
        return django_filters.BooleanFilter(field_name=name, label=label)
    if cf.field_type == FieldType.CHOICE:
        return django_filters.ChoiceFilter(field_name=name, choices=[(c, c) for c in cf.choices], label=label)
    if cf.field_type == FieldType.MULTI_CHOICE:
        return django_filters.ChoiceFilter(
            field_name=name, choices=[(c, c) for c in cf.choices], label=label, method=_multi_choice_contains,
        )
    if cf.field_type == FieldType.DATE:
        return django_filters.DateFromToRangeFilter(field_name=name, label=label, method=_json_range,
                                                    widget=DateRangeWidget(attrs={"type": "date"}))
    return django_filters.RangeFilter(field_name=name, label=label, method=_json_range)


def _json_range(queryset: QuerySet, name: str, value: slice | None) -> QuerySet:
    """From/to on a JSON key. Numbers are stored as JSON numbers and dates as ISO text, so both compare in order."""
    if not value:
        return queryset
    start, stop = value.start, value.stop
    if start is not None:
        queryset = queryset.filter(**{f"{name}__gte": _json_scalar(start)})
    if stop is not None:
        queryset = queryset.filter(**{f"{name}__lte": _json_scalar(stop)})
    return queryset


def _json_scalar(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _multi_choice_contains(queryset: QuerySet, name: str, value: str) -> QuerySet:
    # JSON arrays are stored as text on SQLite; a quoted item match works on both backends.
    return queryset.filter(**{f"{name}__icontains": f'"{value}"'}) if value else queryset
