"""Every write to the product catalog: create, edit, deactivate. Views, the API and the demo call these.

The catalog is shared reference data: who may write is `permissions.can_manage_catalog` (administrators, and heads
unless PRODUCTS_EDITABLE_BY_HEADS is off), not the record's owner. Each save is audited automatically (Product is
an AuditedModel) and bumps the version the ETag and the edit form's conflict check read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.core.validators import normalize_currency, parse_decimal, parse_whole
from kartoteka.products.models import Product

__all__ = ["create_product", "set_product_active", "update_product"]

# What a form or an API body may set; everything else (version, creator, search text) is the service's.
FIELDS = frozenset({"sku", "name", "description", "unit", "price", "currency", "vat_rate", "stock",
                    "lead_time_days", "active"})


def normalize_sku(value: Any) -> str:
    """Trimmed, inner blanks collapsed, upper case: "tv-16 " and "TV-16" are the same article."""
    sku = " ".join(str(value or "").split()).upper()
    if not sku:
        raise ValidationError(_("Enter the SKU."), code="required")
    return sku


def _not_negative(message: str, places: int) -> Any:
    def normalize(value: Any) -> Decimal | None:
        number = parse_decimal(value, places=places)
        if number is not None and number < 0:
            raise ValidationError(message, code="min_value")
        return number

    return normalize


def _price(value: Any) -> Decimal:
    number = _not_negative(_("The price cannot be negative."), 2)(value)
    if number is None:
        raise ValidationError(_("Enter the price."), code="required")
    return number


def _stock(value: Any) -> Decimal:
    number = _not_negative(_("The stock cannot be negative."), 3)(value)
    return Decimal(0) if number is None else number


def _whole_not_negative(value: Any) -> int | None:
    number = parse_whole(value)
    if number is not None and number < 0:
        raise ValidationError(_("Enter a number that is not negative."), code="min_value")
    return number


NORMALIZERS: records.Normalizers = {
    "sku": normalize_sku,
    "price": _price,
    "currency": normalize_currency,
    "stock": _stock,
    "vat_rate": _whole_not_negative,
    "lead_time_days": _whole_not_negative,
}


def _require_catalog_manager(actor: Any) -> None:
    if not permissions.can_manage_catalog(actor):
        raise AccessDenied()


def _apply(product: Product, data: dict[str, Any], *, actor: Any) -> list[str]:
    """Validate and set the fields; ValidationError names each bad field. Returns the changed field names."""
    data = {k: v for k, v in data.items() if not (k == "currency" and v in (None, ""))}  # empty: the default
    unknown = sorted(set(data) - FIELDS)
    errors: dict[str, list[str]] = {name: [_("This field cannot be set.")] for name in unknown}
    try:
        changed, _tags = records._apply(product, {k: v for k, v in data.items() if k in FIELDS}, actor=actor,
                                        entity="product", normalizers=NORMALIZERS, partial=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        changed = []
    if "sku" not in errors and product.sku and Product.objects.filter(sku=product.sku).exclude(pk=product.pk).exists():
        errors["sku"] = [_("A product with this SKU already exists.")]
    if errors:
        raise ValidationError(errors)
    return changed


def _saved(write: Any) -> Any:
    """Run the write; a concurrent insert of the same SKU (the unique constraint) becomes the field's error."""
    try:
        return write()
    except IntegrityError:
        raise ValidationError({"sku": [_("A product with this SKU already exists.")]}) from None


def create_product(*, actor: Any, data: dict[str, Any]) -> Product:
    """Add a product to the catalog. Unit, currency, VAT rate and stock default when left out."""
    _require_catalog_manager(actor)

    def write() -> Product:
        product = Product(created_by=actor)
        with records.acting_as(actor), transaction.atomic():
            _apply(product, {"sku": "", "price": None, **data}, actor=actor)  # required: their own messages
            product.save()
        return product

    return _saved(write)


def update_product(product: Product, *, actor: Any, data: dict[str, Any],
                   expected_version: int | None = None) -> Product:
    """Change fields of a product; ConflictError if `expected_version` is stale. Deal lines keep their own price."""
    _require_catalog_manager(actor)

    def write() -> Product:
        with records.acting_as(actor), transaction.atomic():
            locked = records._lock(product, expected_version)
            changed = _apply(locked, data, actor=actor)
            if changed:
                locked.version += 1
                locked.save(update_fields=[*changed, "version"])
        return locked

    return _saved(write)


def set_product_active(product: Product, *, actor: Any, active: bool,
                       expected_version: int | None = None) -> Product:
    """Deactivate (or bring back) a product. An inactive product stays on the lines that have it, but new lines
    cannot take it."""
    return update_product(product, actor=actor, data={"active": active}, expected_version=expected_version)
