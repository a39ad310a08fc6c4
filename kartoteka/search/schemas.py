"""Caller-ID lookup answer. No `from __future__ import annotations`: ninja reads the annotations."""

from typing import Any

from ninja import Schema

from kartoteka.api.schemas import UserRef, user_ref
from kartoteka.core.validators import format_phone
from kartoteka.search.queries import CallerMatch


class CompanyRef(Schema):
    id: int
    name: str


class CallerContactOut(Schema):
    id: int
    name: str
    position: str
    company: CompanyRef | None
    owner: UserRef
    url: str


class CallerCompanyOut(Schema):
    id: int
    name: str
    inn: str
    owner: UserRef
    url: str


class CallerLeadOut(Schema):
    id: int
    name: str
    status: str
    owner: UserRef
    url: str


class CallerDealOut(Schema):
    id: int
    title: str
    stage: str
    amount: str | None
    currency: str
    owner: UserRef
    url: str


class PhoneLookupOut(Schema):
    number: str
    display: str
    contacts: list[CallerContactOut]
    companies: list[CallerCompanyOut]
    leads: list[CallerLeadOut]
    open_deals: list[CallerDealOut]


def phone_lookup_out(match: CallerMatch) -> dict[str, Any]:
    def base(record: Any) -> dict[str, Any]:
        return {"id": record.pk, "owner": user_ref(record.owner), "url": record.get_absolute_url()}

    return {
        "number": match.number,
        "display": format_phone(match.number) if match.number else "",
        "contacts": [{**base(c), "name": c.full_name, "position": c.position,
                      "company": {"id": c.company.pk, "name": c.company.name}
                      if c.company_id and c.company_visible else None} for c in match.contacts],
        "companies": [{**base(c), "name": c.name, "inn": c.inn} for c in match.companies],
        "leads": [{**base(lead), "name": lead.name or lead.company_name, "status": lead.status}
                  for lead in match.leads],
        "open_deals": [{**base(d), "title": d.title, "stage": d.stage.name, "currency": d.currency,
                        "amount": None if d.amount is None else str(d.amount)} for d in match.open_deals],
    }
