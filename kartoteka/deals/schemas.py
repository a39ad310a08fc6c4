"""API shapes of deals and pipelines (no `from __future__ import annotations`: ninja reads these)."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kartoteka.api.schemas import BodyDate, BodyId, Id, Input, UserRef, user_ref
from kartoteka.contacts.choices import Source
from kartoteka.deals.choices import ContactRole, DealStatus
from kartoteka.deals.models import Deal, Pipeline

ORDERINGS = ["created_at", "-created_at", "updated_at", "-updated_at", "amount", "-amount", "expected_close_date",
             "-expected_close_date", "title", "-title", "id", "-id"]
DealOrdering = Literal[tuple(ORDERINGS)]  # type: ignore[valid-type]


class Ref(Schema):
    id: int
    name: str


class DealContactOut(Schema):
    contact: int
    name: str
    role: str


class DealContactIn(Input):
    model_config = ConfigDict(extra="forbid")

    contact: BodyId
    role: ContactRole = ContactRole.OTHER


class DealOut(Schema):
    id: int
    title: str
    pipeline: Ref
    stage: Ref
    status: str
    company: Ref | None
    contacts: list[DealContactOut]
    amount: Decimal | None
    amount_from_lines: bool
    currency: str
    expected_close_date: datetime.date | None
    probability: int | None
    effective_probability: int
    source: str
    lost_reason: Ref | None
    closed_at: datetime.datetime | None
    stage_entered_at: datetime.datetime | None
    description: str
    owner: UserRef
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool


class DealIn(Input):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., min_length=1, max_length=255)
    pipeline: BodyId | None = Field(None, description="Pipeline id; without a stage the deal enters its first open stage")
    stage: BodyId | None = Field(None, description="Stage id; its rules apply (required fields, lost reason)")
    company: BodyId | None = None
    contacts: list[DealContactIn] = Field(default_factory=list, max_length=50)
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    amount_from_lines: bool = Field(False, description="The amount is the total of the deal's lines (then send no "
                                                       "other amount)")
    currency: str | None = Field(None, min_length=3, max_length=3, description="Default: the site's currency")
    expected_close_date: BodyDate | None = None
    probability: int | None = Field(None, ge=0, le=100)
    source: Source | None = None
    lost_reason: BodyId | None = None
    description: str = Field("", max_length=20000)
    owner: BodyId | None = Field(None, description="Responsible user id (heads and admins only)")
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class DealPatch(DealIn):
    title: str = Field(None, min_length=1, max_length=255)  # type: ignore[assignment]
    contacts: list[DealContactIn] = Field(None, max_length=50)  # type: ignore[assignment]
    amount_from_lines: bool = Field(None, description="The amount is the total of the deal's lines")  # type: ignore[assignment]


class DealFilters(Input):
    q: str | None = Field(None, max_length=200, description="Fragment of the title")
    pipeline: Id | None = None
    stage: list[Id] | None = None
    status: list[DealStatus] | None = None
    company: Id | None = None
    owner: list[Id] | None = None
    team: Id | None = Field(None, description="Deals whose responsible is in this team")
    tag: list[str] | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    close_after: datetime.date | None = None
    close_before: datetime.date | None = None
    created_after: datetime.date | None = None
    created_before: datetime.date | None = None
    ordering: DealOrdering | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=100)


class MoveIn(Input):
    model_config = ConfigDict(extra="forbid")

    stage: BodyId
    lost_reason: BodyId | None = None


class LoseIn(Input):
    model_config = ConfigDict(extra="forbid")

    lost_reason: BodyId


class ProductRef(Schema):
    id: int
    sku: str
    name: str
    unit: str
    stock: Decimal
    lead_time_days: int | None


class LineOut(Schema):
    id: int
    position: int
    product: ProductRef
    quantity: Decimal
    price: Decimal
    discount: Decimal
    total: Decimal
    in_stock: bool = Field(..., description="Whether the stock on hand covers the quantity (see product.lead_time_days)")


class DealLinesOut(Schema):
    deal: int
    currency: str
    amount: Decimal | None
    amount_from_lines: bool
    lines_total: Decimal | None
    version: int
    items: list[LineOut]


class LineIn(Input):
    model_config = ConfigDict(extra="forbid")

    product: BodyId = Field(..., description="An active product")
    quantity: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=3)
    price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2,
                                  description="Per unit in the deal's currency; null or left out: the catalog's")
    discount: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2, description="Per cent")


class LinePatch(LineIn):
    product: BodyId = Field(None, description="An active product (or the line's own)")  # type: ignore[assignment]
    quantity: Decimal = Field(None, gt=0, max_digits=12, decimal_places=3)  # type: ignore[assignment]
    discount: Decimal = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)  # type: ignore[assignment]


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: int
    kind: str
    rotting_days: int | None
    required_fields: list[str]
    checklist: str


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    stages: list[StageOut]


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def deal_out(deal: Deal) -> dict[str, Any]:
    data = {f: getattr(deal, f) for f in (
        "id", "title", "amount", "amount_from_lines", "currency", "expected_close_date", "probability", "effective_probability", "source",
        "closed_at", "stage_entered_at", "description", "custom_fields", "version", "created_at", "updated_at",
    )}
    company = deal.company
    data.update(
        pipeline=_ref(deal.pipeline), stage=_ref(deal.stage), status=deal.stage.kind, lost_reason=_ref(deal.lost_reason),
        owner=user_ref(deal.owner), tags=[t.name for t in deal.tags.all()], deleted=deal.is_deleted,
        company=_ref(company) if company and getattr(deal, "company_visible", False) else None,
        # Prefetched with only the contacts the caller may see (api.annotate).
        contacts=[{"contact": link.contact_id, "name": link.contact.full_name, "role": link.role}
                  for link in deal.deal_contacts.all()],
    )
    return data


def pipeline_out(pipeline: Pipeline) -> dict[str, Any]:
    return {"id": pipeline.pk, "name": pipeline.name, "position": pipeline.position, "active": pipeline.active,
            "stages": [{f: getattr(s, f) for f in ("id", "name", "position", "probability", "kind", "rotting_days",
                                                   "required_fields", "checklist")} for s in pipeline.stages.all()]}


def line_out(line: Any) -> dict[str, Any]:
    product = line.product
    return {
        **{f: getattr(line, f) for f in ("id", "position", "quantity", "price", "discount", "total")},
        "product": {"id": product.pk, "sku": product.sku, "name": product.name, "unit": product.unit,
                    "stock": product.stock, "lead_time_days": product.lead_time_days},
        "in_stock": line.in_stock,
    }


def deal_lines_out(deal: Deal, lines: list[Any]) -> dict[str, Any]:
    return {"deal": deal.pk, "currency": deal.currency, "amount": deal.amount,
            "amount_from_lines": deal.amount_from_lines, "version": deal.version,
            "lines_total": sum(line.total for line in lines) if lines else None,
            "items": [line_out(line) for line in lines]}
