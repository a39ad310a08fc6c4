"""Who a lead already is: the contact and company a phone, e-mail or INN belongs to.

Used by conversion (link instead of creating a duplicate), by intake (attach a web-form request to the known
client) and by distribution (the existing client's responsible gets the lead).
"""

from __future__ import annotations

from dataclasses import dataclass

from kartoteka.contacts.models import Company, Contact
from kartoteka.core.search import normalise_text

CANDIDATES = 20


@dataclass(frozen=True)
class Match:
    contact: Contact | None = None
    company: Company | None = None

    @property
    def found(self) -> bool:
        return self.contact is not None or self.company is not None

    @property
    def owner_id(self) -> int | None:
        """The existing client's responsible: the company's first, else the contact's."""
        record = self.company or self.contact
        return record.owner_id if record is not None else None


def _digits(e164: str) -> str:
    return "".join(ch for ch in e164.split(";")[0] if ch.isdigit())


def _by_phone(model: type[Company] | type[Contact], phone: str) -> Company | Contact | None:
    # search_text holds every phone's digits: narrow with it (trigram-indexed on PostgreSQL), then compare exactly.
    for record in model.objects.alive().filter(search_text__contains=_digits(phone)).order_by("id")[:CANDIDATES]:
        if phone in record.phones:
            return record
    return None


def _by_email(model: type[Company] | type[Contact], email: str) -> Company | Contact | None:
    wanted = email.lower()
    for record in model.objects.alive().filter(search_text__contains=normalise_text(email)).order_by("id")[:CANDIDATES]:
        if wanted in (e.lower() for e in record.emails):
            return record
    return None


def find_client(*, phone: str = "", email: str = "", inn: str = "") -> Match:
    """The oldest living contact and company matching the normalised phone (E.164), e-mail or INN."""
    contact = (_by_phone(Contact, phone) if phone else None) or (_by_email(Contact, email) if email else None)
    company = Company.objects.alive().filter(inn=inn).order_by("id").first() if inn else None
    if company is None and contact is not None and contact.company_id:
        company = Company.objects.alive().filter(pk=contact.company_id).first()
    if company is None:
        company = (_by_phone(Company, phone) if phone else None) or (_by_email(Company, email) if email else None)
    return Match(contact=contact, company=company)
