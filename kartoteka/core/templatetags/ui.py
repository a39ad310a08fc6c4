"""Display helpers for cards and the timeline."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from kartoteka.core.tables import format_amount, format_quantity
from kartoteka.core.validators import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    return format_phone(value) if value else ""


@register.filter
def money(value: Any, currency: str) -> str:
    """12500 with "RUB" → "12 500 RUB"; "—" for no amount."""
    return format_amount(value, currency)


@register.filter
def quantity(value: Any) -> str:
    """1.500 → "1,5": a quantity without trailing zeros."""
    return "" if value is None else format_quantity(value)


@register.filter
def tel_href(value: str) -> str:
    return "tel:" + value.split(";")[0] if value else ""


@register.filter
def minutes(value: Any) -> int:
    """A timedelta as whole minutes (for messages such as the login lockout)."""
    return round(value.total_seconds() / 60) if value else 0


@register.simple_tag
def field_label(obj: Any, name: str) -> str:
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    # A reverse relation audited as a field of the record (a deal's "lines") is named by its model.
    return str(getattr(field, "verbose_name", None) or field.related_model._meta.verbose_name_plural)


@register.simple_tag(takes_context=True)
def audit_value(context: template.Context, obj: Any, name: str, value: Any) -> str:
    """A stored audit value as a person reads it: labels for choices, names for users, national phones."""
    if value in (None, "", [], {}):
        return "—"
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return _join(value)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if name == "phones":
        return ", ".join(format_phone(v) for v in value)
    if getattr(field, "many_to_one", False):
        return _related_name(context, field, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "custom_fields" and isinstance(value, dict):
        return _custom_values(context, obj, value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_join(v)}" for k, v in value.items())
    return _join(value)


def _join(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _related_name(context: template.Context, field: Any, pk: Any) -> str:
    """Name of the related record if the viewer may see it (users are always shown), else its number."""
    cache = context.render_context.setdefault("audit_related", {})
    key = (field.related_model, pk)
    if key not in cache:
        model = field.related_model
        request = context.get("request")
        qs = model.objects.all()
        if hasattr(qs, "visible_to") and request is not None:
            qs = qs.visible_to(request.user, include_deleted=True)
        obj = qs.filter(pk=pk).first()
        cache[key] = str(obj) if obj is not None else f"#{pk}"
    return cache[key]


def _custom_values(context: template.Context, obj: Any, values: dict[str, Any]) -> str:
    """Custom field values under their labels, formatted as on the card (a removed field shows its key)."""
    from kartoteka.customfields.values import display_value, fields_for

    cache = context.render_context.setdefault("audit_custom_fields", {})
    entity = obj._meta.model_name
    if entity not in cache:
        cache[entity] = {cf.key: cf for cf in fields_for(entity)}
    fields = cache[entity]
    shown = []
    for key, value in values.items():
        field = fields.get(key)
        shown.append(f"{field.label}: {display_value(field, value)}" if field else f"{key}: {_join(value)}")
    return "; ".join(shown)


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`row|get_item:key`: a dict value by a variable key (report tables)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def report_cell(value: Any) -> str:
    """Numbers with thin-space thousands (no decimals for money-sized values); text as is."""
    from decimal import Decimal

    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    number = int(round(value))
    return f"{number:,}".replace(",", "\u00a0")
