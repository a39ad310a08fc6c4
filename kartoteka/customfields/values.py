"""Validation and conversion of custom field values: the same rules for forms, the API and imports."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kartoteka.customfields.choices import FieldType
from kartoteka.customfields.models import CustomField

MAX_TEXT = 2000
# Money keeps kopecks exactly within a float's 15 significant digits; integers are exact to 10^15.
MAX_MONEY = Decimal("1e13")
MAX_NUMBER = Decimal("1e15")


def fields_for(entity: str) -> list[CustomField]:
    return list(CustomField.objects.filter(entity=entity))


def clean_value(field: CustomField, value: Any) -> Any:
    """One value to its stored JSON form, or ValidationError. Empty values become None."""
    if value is None or value == "" or value == []:
        if field.required:
            raise ValidationError(_("This field is required."), code="required")
        return None
    kind = field.field_type
    if kind == FieldType.TEXT:
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValidationError(_("At most %(max)d characters."), code="max_length", params={"max": MAX_TEXT})
        return text
    if kind in (FieldType.NUMBER, FieldType.MONEY):
        if isinstance(value, bool):
            raise ValidationError(_("Enter a number."), code="invalid")
        try:
            # Any whitespace groups digits: Russian formatting (and Django's ru locale) uses a no-break space.
            number = Decimal("".join(str(value).split()).replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number."), code="invalid") from exc
        limit = MAX_MONEY if kind == FieldType.MONEY else MAX_NUMBER
        if not number.is_finite() or abs(number) >= limit:
            raise ValidationError(_("Enter a number."), code="invalid")
        if kind == FieldType.MONEY:
            number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        # Stored as a JSON number so that sorting and range filters compare numerically on every backend.
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == FieldType.DATE:
        if isinstance(value, datetime.datetime):  # a spreadsheet's date cell: keep the date, not the time
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            for fmt in ("%d.%m.%Y", "%d/%m/%Y"):
                try:
                    return datetime.datetime.strptime(str(value).strip(), fmt).date().isoformat()
                except ValueError:
                    continue
        raise ValidationError(_("Enter a date as YYYY-MM-DD or DD.MM.YYYY."), code="invalid")
    if kind == FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in {"1", "true", "yes", "on", "да"}:
            return True
        if word in {"0", "false", "no", "off", "нет"}:
            return False
        raise ValidationError(_("Enter yes or no."), code="invalid")
    if kind == FieldType.URL:
        text = str(value).strip()
        URLValidator(schemes=["http", "https"], message=_("Enter a valid http(s) link."))(text)
        return text
    if kind == FieldType.CHOICE:
        text = str(value).strip()
        if text not in field.choices:
            raise ValidationError(_("“%(value)s” is not one of the options."), code="invalid_choice", params={"value": text})
        return text
    if kind == FieldType.MULTI_CHOICE:
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        items = [str(v).strip() for v in items if str(v).strip()]
        bad = [v for v in items if v not in field.choices]
        if bad:
            raise ValidationError(_("“%(value)s” is not one of the options."), code="invalid_choice", params={"value": bad[0]})
        return items
    raise ValidationError(_("Unknown field type."), code="invalid")


def clean_values(entity: str, data: dict[str, Any], *, existing: dict[str, Any] | None = None, partial: bool = False) -> dict[str, Any]:
    """Validate a dict of custom values. Returns the merged JSON; raises ValidationError keyed by field key.

    With `partial`, keys absent from `data` keep their existing value (API PATCH).
    """
    if not isinstance(data, dict):
        raise ValidationError({"custom_fields": _("Must be an object of field keys to values.")})
    fields = {f.key: f for f in fields_for(entity)}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(fields))
    for key in unknown:
        errors[key] = [_("There is no custom field “%(key)s”.") % {"key": key}]
    result = dict(existing or {}) if partial else {}
    for key, field in fields.items():
        if partial and key not in data:
            continue
        try:
            cleaned = clean_value(field, data.get(key))
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        if cleaned is None:
            result.pop(key, None)
        else:
            result[key] = cleaned
    if errors:
        raise ValidationError(errors)
    return result


def form_field(field: CustomField) -> forms.Field:
    """The Django form field for one custom field (the value still passes through clean_value)."""
    common: dict[str, Any] = {"label": field.label, "required": field.required}
    kind = field.field_type
    if kind == FieldType.BOOLEAN:
        return forms.NullBooleanField(label=field.label, required=False)
    if kind == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind in (FieldType.NUMBER, FieldType.MONEY):
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices]], **common)
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=[(c, c) for c in field.choices], widget=forms.CheckboxSelectMultiple, **common)
    if kind == FieldType.URL:
        return forms.CharField(widget=forms.URLInput, max_length=500, **common)
    return forms.CharField(max_length=MAX_TEXT, **common)


def display_value(field: CustomField, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.field_type == FieldType.BOOLEAN:
        return _("yes") if value else _("no")
    if field.field_type == FieldType.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(value)
    if field.field_type == FieldType.DATE:
        try:
            return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
        except (TypeError, ValueError):
            return str(value)
    if field.field_type in (FieldType.NUMBER, FieldType.MONEY) and isinstance(value, int | float | str):
        return format_number(value, money=field.field_type == FieldType.MONEY)
    return str(value)


CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "CNY": "¥"}


def format_number(value: Any, *, money: bool = False) -> str:
    """Grouped digits in the active language's format; money with two decimals and the currency sign."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = 2 if money else (max(-number.as_tuple().exponent, 0) if isinstance(number.as_tuple().exponent, int) else 0)
    shown = number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
    if money:
        currency = settings.DEFAULT_CURRENCY
        return f"{shown} {CURRENCY_SIGNS.get(currency, currency)}"
    return shown
