"""API shapes of leads and web forms (no `from __future__ import annotations`: ninja reads these)."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kartoteka.api.schemas import BodyId, Id, Input, UserRef, user_ref
from kartoteka.leads.choices import LeadSource, LeadStatus
from kartoteka.leads.models import Lead, WebForm

ORDERINGS = ["-created_at", "created_at", "updated_at", "-updated_at", "name", "-name", "id", "-id"]
LeadOrdering = Literal[tuple(ORDERINGS)]  # type: ignore[valid-type]


class Ref(Schema):
    id: int
    name: str


class LeadOut(Schema):
    id: int
    name: str
    company_name: str
    phone: str
    email: str
    inn: str
    message: str
    source: str
    status: str
    disqualify_reason: str
    team: Ref | None
    web_form: Ref | None
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    utm_term: str
    referrer: str
    landing_page: str
    contact: int | None = Field(description="The contact the lead is linked to (known client or converted)")
    company: int | None
    deal: int | None
    owner: UserRef | None
    tags: list[str]
    custom_fields: dict[str, Any]
    assigned_at: datetime.datetime | None
    converted_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool


class LeadIn(Input):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=255)
    company_name: str = Field("", max_length=255)
    phone: str = Field("", max_length=64)
    email: str = Field("", max_length=254)
    inn: str = Field("", max_length=12)
    message: str = Field("", max_length=5000)
    source: LeadSource = LeadSource.MANUAL
    team: BodyId | None = None
    utm_source: str = Field("", max_length=255)
    utm_medium: str = Field("", max_length=255)
    utm_campaign: str = Field("", max_length=255)
    utm_content: str = Field("", max_length=255)
    utm_term: str = Field("", max_length=255)
    referrer: str = Field("", max_length=1000)
    landing_page: str = Field("", max_length=1000)
    owner: BodyId | None = Field(None, description="Responsible user id (heads and admins only)")
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class LeadPatch(LeadIn):
    source: LeadSource = Field(None)  # type: ignore[assignment]


class LeadFilters(Input):
    q: str | None = Field(None, max_length=200, description="Fragment of the name, company, phone, e-mail or INN")
    status: list[LeadStatus] | None = None
    source: list[LeadSource] | None = None
    owner: list[Id] | None = None
    team: Id | None = None
    unassigned: bool | None = None
    web_form: Id | None = None
    utm_source: str | None = Field(None, max_length=255)
    utm_campaign: str | None = Field(None, max_length=255)
    tag: list[str] | None = None
    received_after: datetime.date | None = None
    received_before: datetime.date | None = None
    ordering: LeadOrdering | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=100)


class AssignIn(Input):
    model_config = ConfigDict(extra="forbid")

    owner: BodyId
    reason: str = Field("", max_length=255)


class DisqualifyIn(Input):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., min_length=1, max_length=255)


class ConvertIn(Input):
    model_config = ConfigDict(extra="forbid")

    create_deal: bool = True
    title: str | None = Field(None, max_length=255)
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    pipeline: BodyId | None = None
    stage: BodyId | None = None


class WebFormFieldOut(Schema):
    name: str
    label: str
    target: str
    required: bool


class WebFormOut(Schema):
    id: int
    name: str
    key: str
    active: bool
    endpoint: str
    fields: list[WebFormFieldOut]
    team: int | None
    responsible: int | None
    pipeline: int | None
    success_message: str


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def lead_out(lead: Lead) -> dict[str, Any]:
    data = {f: getattr(lead, f) for f in (
        "id", "name", "company_name", "phone", "email", "inn", "message", "source", "status", "disqualify_reason",
        "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "referrer", "landing_page",
        "custom_fields", "assigned_at", "converted_at", "version", "created_at", "updated_at",
    )}
    data.update(
        team=_ref(lead.team), web_form=_ref(lead.web_form), owner=user_ref(lead.owner),
        tags=[t.name for t in lead.tags.all()], deleted=lead.is_deleted,
        # Links to client records the caller may not see are left out (annotated by the API).
        contact=lead.contact_id if getattr(lead, "contact_visible", False) else None,
        company=lead.company_id if getattr(lead, "company_visible", False) else None,
        deal=lead.deal_id if getattr(lead, "deal_visible", False) else None,
    )
    return data


def web_form_out(form: WebForm, endpoint: str) -> dict[str, Any]:
    return {"id": form.pk, "name": form.name, "key": form.key, "active": form.active, "endpoint": endpoint,
            "fields": [{"label": f.get("label") or f["name"], "required": bool(f.get("required")),
                        "name": f["name"], "target": f["target"]} for f in form.fields],
            "team": form.team_id, "responsible": form.responsible_id, "pipeline": form.pipeline_id,
            "success_message": form.success_message}
