"""API shapes of companies and contacts (no `from __future__ import annotations`: ninja reads these)."""

import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kartoteka.api.schemas import BodyDate, BodyId, Id, Input, UserRef, user_ref
from kartoteka.contacts.choices import CompanyStatus, LegalForm, Source
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.validators import format_phone

ORDERINGS = ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at", "inn", "-inn", "id", "-id"]
CONTACT_ORDERINGS = ["last_name", "-last_name", "created_at", "-created_at", "updated_at", "-updated_at", "id", "-id"]
# Enumerated in the schema, so a client (and the fuzzer) knows the values instead of reading a description.
CompanyOrdering = Literal[tuple(ORDERINGS)]  # type: ignore[valid-type]
ContactOrdering = Literal[tuple(CONTACT_ORDERINGS)]  # type: ignore[valid-type]


class PhoneOut(Schema):
    e164: str
    display: str


class CompanyRef(Schema):
    id: int
    name: str


class CompanyOut(Schema):
    id: int
    name: str
    legal_form: str
    inn: str
    kpp: str
    ogrn: str
    industry: str
    website: str
    legal_address: str
    postal_address: str
    phones: list[PhoneOut]
    emails: list[str]
    status: str
    source: str
    description: str
    owner: UserRef
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool


class CompanyIn(Input):
    # An unknown key (a typo, or "created_by"/"version") is a 422, not a silently ignored field.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=255)
    legal_form: LegalForm | None = None
    inn: str = Field("", max_length=20)
    kpp: str = Field("", max_length=20)
    ogrn: str = Field("", max_length=20)
    industry: str = Field("", max_length=100)
    website: str = Field("", max_length=255)
    legal_address: str = Field("", max_length=500)
    postal_address: str = Field("", max_length=500)
    phones: list[str] = Field(default_factory=list, max_length=10)
    emails: list[str] = Field(default_factory=list, max_length=10)
    status: CompanyStatus = CompanyStatus.POTENTIAL
    source: Source | None = None
    description: str = Field("", max_length=20000)
    owner: BodyId | None = Field(None, description="Responsible user id (heads and admins only)")
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class CompanyPatch(CompanyIn):
    name: str = Field(None, max_length=255)  # type: ignore[assignment]


class CompanyFilters(Input):
    q: str | None = Field(None, max_length=200, description="Fragment of the name, INN, e-mail or phone")
    status: list[CompanyStatus] | None = None
    legal_form: list[LegalForm] | None = None
    source: list[Source] | None = None
    inn: str | None = Field(None, max_length=12)
    industry: str | None = Field(None, max_length=100)
    owner: list[Id] | None = None
    tag: list[str] | None = None
    created_after: datetime.date | None = None
    created_before: datetime.date | None = None
    ordering: CompanyOrdering | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=100)


class ContactOut(Schema):
    id: int
    last_name: str
    first_name: str
    middle_name: str
    full_name: str
    position: str
    company: CompanyRef | None
    phones: list[PhoneOut]
    emails: list[str]
    telegram: str
    whatsapp: str
    birthday: datetime.date | None
    source: str
    description: str
    owner: UserRef
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool


class ContactIn(Input):
    # An unknown key (a typo, or "created_by"/"version") is a 422, not a silently ignored field.
    model_config = ConfigDict(extra="forbid")

    first_name: str = Field(..., max_length=100)
    last_name: str = Field("", max_length=100)
    middle_name: str = Field("", max_length=100)
    position: str = Field("", max_length=150)
    company: BodyId | None = Field(None, description="Company id")
    phones: list[str] = Field(default_factory=list, max_length=10)
    emails: list[str] = Field(default_factory=list, max_length=10)
    telegram: str = Field("", max_length=64)
    whatsapp: str = Field("", max_length=32)
    birthday: BodyDate | None = None
    source: Source | None = None
    description: str = Field("", max_length=20000)
    owner: BodyId | None = Field(None, description="Responsible user id (heads and admins only)")
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class ContactPatch(ContactIn):
    first_name: str = Field(None, max_length=100)  # type: ignore[assignment]


class ContactFilters(Input):
    q: str | None = Field(None, max_length=200, description="Fragment of the name, e-mail, phone or Telegram")
    company: Id | None = None
    has_company: bool | None = None
    position: str | None = Field(None, max_length=150)
    source: list[Source] | None = None
    owner: list[Id] | None = None
    tag: list[str] | None = None
    birthday_month: int | None = Field(None, ge=1, le=12)
    created_after: datetime.date | None = None
    created_before: datetime.date | None = None
    ordering: ContactOrdering | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=100)


def _phones(values: list[str]) -> list[dict[str, str]]:
    return [{"e164": v, "display": format_phone(v)} for v in values]


def company_out(company: Company) -> dict[str, Any]:
    data = {f: getattr(company, f) for f in (
        "id", "name", "legal_form", "inn", "kpp", "ogrn", "industry", "website", "legal_address", "postal_address",
        "emails", "status", "source", "description", "custom_fields", "version", "created_at", "updated_at",
    )}
    data.update(phones=_phones(company.phones), owner=user_ref(company.owner), tags=[t.name for t in company.tags.all()],
                deleted=company.is_deleted)
    return data


def contact_out(contact: Contact) -> dict[str, Any]:
    data = {f: getattr(contact, f) for f in (
        "id", "last_name", "first_name", "middle_name", "full_name", "position", "emails", "telegram", "whatsapp",
        "birthday", "source", "description", "custom_fields", "version", "created_at", "updated_at",
    )}
    company = contact.company
    data.update(
        phones=_phones(contact.phones), owner=user_ref(contact.owner), tags=[t.name for t in contact.tags.all()],
        # Only a company the caller may see (see ContactQuerySet.with_company_visibility).
        company={"id": company.pk, "name": company.name} if company and getattr(contact, "company_visible", False) else None,
        deleted=contact.is_deleted,
    )
    return data
