"""Every write to a deal's lines (the products on a deal): add, change, remove. Views and the API call these.

Lines are part of the deal, so:
- only who may change the deal may change its lines (AccessDenied otherwise; an invisible deal is the caller's 404);
- each write locks the deal, refuses a stale `expected_version` (ConflictError) and bumps the deal's version;
- each write is audited on the deal as the field "lines" (the line before and after), so it shows on the deal's
  timeline and in its API history;
- when the deal's amount follows its lines (`Deal.amount_from_lines`), the amount becomes the lines' total.
All of it in one transaction: a refused write leaves nothing behind.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.audit.choices import Action
from kartoteka.audit.receivers import record_change
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied, NotVisible
from kartoteka.core.tables import format_amount, format_quantity
from kartoteka.core.validators import parse_decimal
from kartoteka.deals.models import Deal, DealLine
from kartoteka.products.models import Product

__all__ = ["MAX_LINES", "add_line", "delete_line", "line_total", "lines_total", "update_line"]

MAX_LINES = 200
LINE_FIELDS = frozenset({"product", "quantity", "price", "discount"})
CENT = Decimal("0.01")
MAX_QUANTITY = Decimal(10) ** 9  # DealLine.quantity: 12 digits, 3 after the point
MAX_MONEY = Decimal(10) ** 12  # prices, line totals and the deal amount: 14 digits, 2 after the point
MAX_ID = 2**63 - 1  # a larger id would overflow the query, not just find nothing


def line_total(quantity: Decimal, price: Decimal, discount: Decimal) -> Decimal:
    """Quantity × price less the discount, rounded half up to the kopeck."""
    return (quantity * price * (100 - discount) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def lines_total(deal: Deal) -> Decimal | None:
    """The sum of the deal's line totals; None for a deal without lines (so "amount required" still applies)."""
    if deal.pk is None:
        return None
    return deal.lines.aggregate(total=Sum("total"))["total"]


def summary(line: DealLine) -> str:
    """The line as the audit trail keeps it: readable without the catalog (which may change later)."""
    product = line.product
    text = (f"{product.sku} {product.name}: {format_quantity(line.quantity)} {product.get_unit_display()} × "
            f"{format_amount(line.price, line.deal.currency)}")
    if line.discount:
        text += f" − {format_quantity(line.discount)}%"
    return f"{text} = {format_amount(line.total, line.deal.currency)}"


def _decimal(data: dict[str, Any], name: str, errors: dict[str, list[str]], *, places: int) -> Decimal | None:
    """The field's number (None when empty), or None with the error noted."""
    try:
        return parse_decimal(data.get(name), places=places)
    except ValidationError as exc:
        errors[name] = exc.messages
        return None


def _product(value: Any, line: DealLine, errors: dict[str, list[str]]) -> Product | None:
    product_id = getattr(value, "pk", value)
    if product_id in (None, ""):
        errors["product"] = [_("Choose a product.")]
        return None
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        pk = 0
    product = Product.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if product is None:
        errors["product"] = [_("There is no such product.")]
    elif not product.active and product.pk != line.product_id:
        errors["product"] = [_("The product “%(name)s” is no longer sold: choose an active one.") % {
            "name": product.name}]
    else:
        return product
    return None


def _apply(line: DealLine, deal: Deal, data: dict[str, Any]) -> bool:
    """Validate `data` and set it on the line (a new line when it has no pk). True if anything changed.

    ValidationError names every bad field. A price left out of a new line, or sent empty, is the catalog's,
    which must then be in the deal's currency.
    """
    errors: dict[str, list[str]] = {name: [_("Unknown field.")] for name in sorted(set(data) - LINE_FIELDS)}
    creating = line.pk is None
    if creating:
        data = {"quantity": 1, "discount": 0, **data}
    product = _product(data.get("product"), line, errors) if creating or "product" in data else line.product
    quantity, discount, price = line.quantity, line.discount, line.price
    if "quantity" in data:
        quantity = _decimal(data, "quantity", errors, places=3)
        if "quantity" not in errors and (quantity is None or quantity <= 0):
            errors["quantity"] = [_("The quantity must be greater than zero.")]
        elif "quantity" not in errors and quantity >= MAX_QUANTITY:  # type: ignore[operator]
            errors["quantity"] = [_("The quantity is too large.")]
    if "discount" in data:
        discount = _decimal(data, "discount", errors, places=2) or Decimal(0)  # empty: no discount
        if "discount" not in errors and not 0 <= discount <= 100:
            errors["discount"] = [_("A discount is a percentage from 0 to 100.")]
    if "price" in data or creating or (product is not None and product.pk != line.product_id):
        price = _decimal(data, "price", errors, places=2)
        if price is not None and price < 0:
            errors["price"] = [_("The price cannot be negative.")]
        elif price is not None and price >= MAX_MONEY:
            errors["price"] = [_("The price is too large.")]
        elif price is None and "price" not in errors and product is not None:
            if product.currency != deal.currency:
                errors["price"] = [_("The catalog price is in %(catalog)s: enter the price in %(deal)s.") % {
                    "catalog": product.currency, "deal": deal.currency}]
            price = product.price
    if errors:
        raise ValidationError(errors)
    total = line_total(quantity, price, discount)  # type: ignore[arg-type]
    if total >= MAX_MONEY:
        raise ValidationError({"quantity": [_("The line total is too large.")]})
    if not creating and (product.pk, quantity, price, discount) == (  # type: ignore[union-attr]
            line.product_id, line.quantity, line.price, line.discount):
        return False
    line.product, line.quantity, line.price, line.discount, line.total = product, quantity, price, discount, total
    return True


def _locked_deal(deal: Deal, actor: Any, expected_version: int | None) -> Deal:
    """The deal under its row lock, after the access check; call inside a transaction."""
    if not permissions.can_change(actor, deal):
        raise AccessDenied()
    locked = records._lock(deal, expected_version)
    if locked.deleted_at is not None:
        raise ValidationError(_("The record is in the recycle bin: restore it first."))
    return locked


def _lines_changed(deal: Deal, before: list[str], after: list[str]) -> None:
    """Audit the line's change on the deal, bump its version and, when it follows its lines, its amount."""
    record_change(deal, Action.UPDATE, {"lines": before}, {"lines": after})
    deal.version += 1
    fields = ["version"]
    if deal.amount_from_lines:
        total = lines_total(deal)
        if total is not None and total >= MAX_MONEY:
            raise ValidationError({"quantity": [_("The deal's amount would be too large.")]})
        if total != deal.amount:
            deal.amount = total
            fields.append("amount")
    deal.save(update_fields=fields)


def add_line(deal: Deal, *, actor: Any, data: dict[str, Any], expected_version: int | None = None) -> DealLine:
    """Put a product on the deal, last. `data`: product (required), quantity (1), price (the catalog's), discount (0)."""
    with records.acting_as(actor), transaction.atomic():
        locked = _locked_deal(deal, actor, expected_version)
        if locked.lines.count() >= MAX_LINES:
            raise ValidationError(_("A deal has at most %(max)d lines.") % {"max": MAX_LINES})
        last = locked.lines.aggregate(last=Max("position"))["last"]
        line = DealLine(deal=locked, position=(last or 0) + 1)
        _apply(line, locked, data)
        line.save()
        _lines_changed(locked, [], [summary(line)])
    return line


def _locked_line(line: DealLine, deal: Deal) -> DealLine:
    fresh = DealLine.objects.select_related("product").filter(pk=line.pk, deal=deal).first()
    if fresh is None:  # removed meanwhile
        raise NotVisible(DealLine, line.pk)
    fresh.deal = deal
    return fresh


def update_line(line: DealLine, *, actor: Any, data: dict[str, Any], expected_version: int | None = None) -> DealLine:
    """Change a line's product, quantity, price or discount (only the fields sent). A price sent empty goes back
    to the catalog's. A line may keep a product deactivated since it was added, but not switch to one."""
    with records.acting_as(actor), transaction.atomic():
        deal = _locked_deal(line.deal, actor, expected_version)
        fresh = _locked_line(line, deal)
        before = summary(fresh)
        if _apply(fresh, deal, data):
            fresh.save(update_fields=["product", "quantity", "price", "discount", "total"])
            _lines_changed(deal, [before], [summary(fresh)])
    return fresh


def delete_line(line: DealLine, *, actor: Any, expected_version: int | None = None) -> Deal:
    """Take a line off the deal; returns the deal as it is now (new version, amount)."""
    with records.acting_as(actor), transaction.atomic():
        deal = _locked_deal(line.deal, actor, expected_version)
        fresh = _locked_line(line, deal)
        before = summary(fresh)
        fresh.delete()
        _lines_changed(deal, [before], [])
    return deal
