"""API shapes of the product catalog (no `from __future__ import annotations`: ninja reads these)."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kartoteka.api.schemas import Input, UserRef, user_ref
from kartoteka.products.choices import StockStatus, Unit
from kartoteka.products.models import MAX_LEAD_TIME_DAYS, Product

ORDERINGS = ["name", "-name", "sku", "-sku", "price", "-price", "stock", "-stock", "created_at", "-created_at",
             "updated_at", "-updated_at", "id", "-id"]
ProductOrdering = Literal[tuple(ORDERINGS)]  # type: ignore[valid-type]

Price = Field(..., ge=0, max_digits=14, decimal_places=2, description="Per unit, VAT included")
Stock = Field(Decimal(0), ge=0, max_digits=12, decimal_places=3)
VatRate = Field(None, ge=0, le=100, description="Per cent; null: not subject to VAT (default: the site's rate)")
LeadTime = Field(None, ge=0, le=MAX_LEAD_TIME_DAYS, description="Days to get the product when it is out of stock")


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    unit: Unit
    price: Decimal
    currency: str
    vat_rate: int | None
    stock: Decimal
    in_stock: bool
    lead_time_days: int | None
    active: bool
    created_by: UserRef | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ProductIn(Input):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(..., min_length=1, max_length=64, description="Unique; stored upper-cased")
    name: str = Field(..., min_length=1, max_length=255)
    description: str = Field("", max_length=20000)
    unit: Unit = Unit.PIECE
    price: Decimal = Price
    currency: str | None = Field(None, min_length=3, max_length=3, description="Default: the site's currency")
    vat_rate: int | None = VatRate
    stock: Decimal = Stock
    lead_time_days: int | None = LeadTime
    active: bool = True


class ProductPatch(ProductIn):
    sku: str = Field(None, min_length=1, max_length=64)  # type: ignore[assignment]
    name: str = Field(None, min_length=1, max_length=255)  # type: ignore[assignment]
    price: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]


class ProductFilters(Input):
    q: str | None = Field(None, max_length=200, description="Fragment of the SKU or the name")
    active: bool | None = None
    stock: StockStatus | None = None
    unit: list[Unit] | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    created_after: datetime.date | None = None
    created_before: datetime.date | None = None
    ordering: ProductOrdering | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=100)


def product_out(product: Product) -> dict[str, Any]:
    data = {f: getattr(product, f) for f in (
        "id", "sku", "name", "description", "unit", "price", "currency", "vat_rate", "stock", "lead_time_days",
        "active", "version", "created_at", "updated_at",
    )}
    data.update(in_stock=product.stock > 0, created_by=user_ref(product.created_by))
    return data
