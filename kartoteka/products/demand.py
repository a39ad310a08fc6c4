"""Unmet demand: what clients asked for that could not be supplied, logged by a manager from a card.

`record_demand` is the one write: the manager must be able to change the card's record (not a viewer, not a mere
share-holder of it), the product is a catalog product (by id, or an SKU or name typed exactly) or else the free
text as asked; the entry is audited automatically (UnmetDemand is an AuditedModel).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.core.validators import parse_decimal
from kartoteka.products.models import Product, UnmetDemand

__all__ = ["RECENT", "demand_for", "record_demand"]

RECENT = 10  # entries shown on a card
MAX_QUANTITY = Decimal(10) ** 9
CANDIDATES = 20


def _product(data: dict[str, Any]) -> tuple[Product | None, str]:
    raw_id, text = data.get("product"), " ".join(str(data.get("product_name") or "").split())
    if raw_id not in (None, ""):
        try:
            product = Product.objects.filter(pk=int(raw_id)).first()
        except (TypeError, ValueError):
            product = None
        if product is None:
            raise ValidationError({"product": _("Choose a product from the catalog.")})
        return product, ""
    if not text:
        raise ValidationError({"product_name": _("Name the product the client asked for.")})
    if len(text) > 255:
        raise ValidationError({"product_name": _("A product name is at most 255 characters.")})
    # The catalog's fragment search (case-folded for Cyrillic on SQLite too), then an exact SKU or name among hits.
    folded = text.casefold()
    product = next((p for p in Product.objects.search(text).order_by("-active", "pk")[:CANDIDATES]
                    if p.sku.casefold() == folded or " ".join(p.name.split()).casefold() == folded), None)
    return (product, "") if product is not None else (None, text)


def _quantity(value: Any) -> Decimal:
    try:
        number = parse_decimal(value, places=3)
    except ValidationError as exc:
        raise ValidationError({"quantity": exc.messages}) from None
    if number is None:
        return Decimal(1)
    if number <= 0 or number >= MAX_QUANTITY:
        raise ValidationError({"quantity": _("Enter a quantity above zero.")})
    return number


@transaction.atomic
def record_demand(record: Any, *, actor: Any, data: dict[str, Any]) -> UnmetDemand:
    """Log that the client of `record` (a company, contact or deal) asked for a product that was unavailable."""
    from kartoteka.contacts.models import Company, Contact
    from kartoteka.deals.models import Deal

    if not isinstance(record, Company | Contact | Deal):
        raise TypeError(record)
    if not permissions.can_change(actor, record) or getattr(record, "is_deleted", False):
        raise AccessDenied()
    product, name = _product(data)
    note = str(data.get("note") or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("A note is at most 500 characters.")})
    entry = UnmetDemand(owner=actor, created_by=actor, product=product, product_name=name,
                        quantity=_quantity(data.get("quantity")), note=note)
    if isinstance(record, Deal):
        entry.deal, entry.company_id = record, record.company_id
    elif isinstance(record, Contact):
        entry.contact, entry.company_id = record, record.company_id
    else:
        entry.company = record
    with records.acting_as(actor):
        entry.save()
    return entry


def demand_for(record: Any, user: Any) -> list[UnmetDemand]:
    """The latest entries logged on a card (a company's include those of its contacts and deals)."""
    from kartoteka.contacts.models import Company, Contact

    field = "company" if isinstance(record, Company) else "contact" if isinstance(record, Contact) else "deal"
    return list(UnmetDemand.objects.visible_to(user).filter(**{field: record}).select_related("product", "owner")
                [:RECENT])
