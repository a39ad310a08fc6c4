"""Table base for the Excel-like lists: chosen columns, custom field columns, inline-editable cells."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _

from kartoteka.core.validators import format_phone
from kartoteka.customfields.values import display_value, fields_for

CF_PREFIX = "cf_"


def format_amount(amount: Any, currency: str) -> str:
    """12500.00 → "12 500 RUB", 99.5 → "99.50 RUB"; "—" for no amount."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    whole = int(amount) if amount == amount.to_integral_value() else amount
    return f"{intcomma(whole, use_l10n=False).replace(',', ' ')} {currency}"


def format_quantity(value: Decimal) -> str:
    """1.500 → "1,5", 12.000 → "12": no trailing zeros, and the decimal comma of Russian price lists."""
    return f"{Decimal(value).normalize():f}".replace(".", ",")


class CustomFieldColumn(tables.Column):
    def __init__(self, custom_field: Any, **kwargs: Any) -> None:
        self.custom_field = custom_field
        super().__init__(
            accessor=f"custom_fields__{custom_field.key}", verbose_name=custom_field.label, default="",
            order_by=(f"custom_fields__{custom_field.key}",), **kwargs,
        )

    def render(self, value: Any) -> str:
        return display_value(self.custom_field, value)


class DateTimeColumn(tables.Column):
    """A date and time in the current time zone, in a Django date `format` ("d.m.Y H:i"): what `{{ value|date }}`
    shows. django-tables2's DateTimeColumn compiles a template for every cell (a fifth of a list page's time)."""

    def __init__(self, format: str, **kwargs: Any) -> None:
        self.format = format
        super().__init__(**kwargs)

    def render(self, value: Any) -> str:
        return date_format(template_localtime(value), self.format)


DateColumn = DateTimeColumn  # a date has no time zone to convert: template_localtime leaves it as it is


class PhonesColumn(tables.Column):
    def render(self, value: list[str]) -> str:
        return format_html_join(", ", '<a href="tel:{}">{}</a>', ((v.split(";")[0], format_phone(v)) for v in value))


class EmailsColumn(tables.Column):
    def render(self, value: list[str]) -> str:
        return format_html_join(", ", '<a href="mailto:{}">{}</a>', ((v, v) for v in value))


class TagsColumn(tables.Column):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(accessor="tags", orderable=False, verbose_name=_("Tags"), **kwargs)

    def render(self, record: Any) -> str:
        return format_html_join(" ", '<span class="tag">{}</span>', ((t.name,) for t in record.tags.all()))


def inline_edit_attrs(url_name: str, field: str) -> dict[str, Any]:
    """<td> attributes that turn a cell into an in-place editor on double click (HTMX)."""
    return {"td": {
        "hx-get": lambda record: reverse(url_name, args=[record.pk, field]),
        "hx-trigger": "dblclick",
        "hx-target": "this",
        "hx-swap": "innerHTML",
        "class": "editable",
        "data-field": field,
        "title": _("Double-click to edit"),
    }}


class CRMTable(tables.Table):
    """Subclasses declare columns plus `default_columns` and `inline_fields`; `entity` adds custom fields."""

    select = tables.CheckBoxColumn(accessor="pk", orderable=False, attrs={
        "th__input": {"data-select-all": "1", "aria-label": _("Select all")},
        "td__input": {"name": "pk", "form": "bulk-form"},
    })

    entity: ClassVar[str] = ""
    default_columns: ClassVar[tuple[str, ...]] = ()
    inline_fields: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        attrs = {"class": "table"}
        order_by = ()
        empty_text = _("Nothing found.")

    def __init__(self, *args: Any, columns: list[str] | None = None, **kwargs: Any) -> None:
        if columns is not None:
            keep = {"select", *columns}
            kwargs["exclude"] = [name for name in self.base_columns if name not in keep]
            head = ["select"] if "select" in self.base_columns else []  # a table without bulk actions drops it
            kwargs["sequence"] = [*head, *[c for c in columns if c in self.base_columns], "..."]
        super().__init__(*args, **kwargs)

    @classmethod
    def for_entity(cls, custom_fields: list[Any] | None = None) -> type[CRMTable]:
        """This table with a column for each custom field the admin defined (read at request time, unless the
        caller passes them)."""
        if not cls.entity:  # an entity without custom fields
            return cls
        if custom_fields is None:
            custom_fields = fields_for(cls.entity)
        extra = {CF_PREFIX + cf.key: CustomFieldColumn(cf) for cf in custom_fields}
        if not extra:
            return cls
        return type(cls.__name__, (cls,), {**extra, "Meta": cls.Meta, "__module__": cls.__module__})

    @classmethod
    def available_columns(cls) -> list[str]:
        return [name for name in cls.base_columns if name != "select"]

    @classmethod
    def column_label(cls, name: str) -> str:
        column = cls.base_columns[name]
        if column.verbose_name:
            return str(column.verbose_name)
        model = cls._meta.model
        try:
            return capfirst(str(model._meta.get_field(name).verbose_name))
        except Exception:  # noqa: BLE001 - a computed column without a model field
            return name
