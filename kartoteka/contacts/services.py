"""Every write to companies and contacts. Views, the API, the CLI and imports call these."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kartoteka.contacts.models import Company, Contact
from kartoteka.core import records
from kartoteka.core.validators import (
    normalize_emails,
    normalize_phones,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)
from kartoteka.customfields.choices import Entity

__all__ = [
    "bulk_add_tag", "bulk_assign", "bulk_delete", "create_company", "create_contact", "delete_company",
    "delete_contact", "restore_company", "restore_contact", "update_company", "update_contact",
]

COMPANY_NORMALIZERS: records.Normalizers = {
    "inn": validate_inn,
    "kpp": validate_kpp,
    "ogrn": validate_ogrn,
    "phones": normalize_phones,
    "emails": normalize_emails,
}


def _contact_normalizers(actor: Any) -> records.Normalizers:
    def visible_company(value: Any) -> int | None:
        company_id = getattr(value, "pk", value)
        if company_id in (None, ""):
            return None
        if not Company.objects.visible_to(actor).filter(pk=company_id).exists():
            raise ValidationError(_("There is no such company."), code="invalid")
        return int(company_id)

    def telegram(value: Any) -> str:
        handle = str(value or "").strip()
        handle = handle.removeprefix("https://t.me/").removeprefix("t.me/").lstrip("@")
        if handle and not (5 <= len(handle) <= 32 and handle.replace("_", "").isalnum() and handle.isascii()):
            raise ValidationError(_("A Telegram username is 5-32 Latin letters, digits or underscores."), code="invalid")
        return handle

    def whatsapp(value: Any) -> str:
        return normalize_phones([value])[0] if str(value or "").strip() else ""

    return {
        "phones": normalize_phones,
        "emails": normalize_emails,
        "company": visible_company,
        "telegram": telegram,
        "whatsapp": whatsapp,
    }


def _refuse_blocked_duplicate(record: Company | Contact) -> None:
    # Duplicate control sits above this app (it reads deals and leads too): imported where it is used.
    from kartoteka.dedupe.services import check_new_record

    check_new_record(record)


@transaction.atomic
def create_company(*, actor: Any, data: dict[str, Any]) -> Company:
    """Create a company; the actor becomes responsible unless `owner` names someone they may assign.
    Under the "block" duplicate policy an exact duplicate is refused (ValidationError per field)."""
    company = records.create_record(Company, actor=actor, data=data, entity=Entity.COMPANY,
                                    normalizers=COMPANY_NORMALIZERS)
    _refuse_blocked_duplicate(company)
    return company


def update_company(company: Company, *, actor: Any, data: dict[str, Any], expected_version: int | None = None) -> Company:
    return records.update_record(
        company, actor=actor, data=data, entity=Entity.COMPANY, normalizers=COMPANY_NORMALIZERS,
        expected_version=expected_version,
    )


def delete_company(company: Company, *, actor: Any, expected_version: int | None = None) -> Company:
    """Soft delete: the company goes to the recycle bin; its contacts stay linked to it."""
    return records.soft_delete(company, actor=actor, expected_version=expected_version)


def restore_company(company: Company, *, actor: Any) -> Company:
    return records.restore(company, actor=actor)


@transaction.atomic
def create_contact(*, actor: Any, data: dict[str, Any]) -> Contact:
    contact = records.create_record(
        Contact, actor=actor, data=data, entity=Entity.CONTACT, normalizers=_contact_normalizers(actor)
    )
    _refuse_blocked_duplicate(contact)
    return contact


def update_contact(contact: Contact, *, actor: Any, data: dict[str, Any], expected_version: int | None = None) -> Contact:
    return records.update_record(
        contact, actor=actor, data=data, entity=Entity.CONTACT, normalizers=_contact_normalizers(actor),
        expected_version=expected_version,
    )


def delete_contact(contact: Contact, *, actor: Any, expected_version: int | None = None) -> Contact:
    return records.soft_delete(contact, actor=actor, expected_version=expected_version)


def restore_contact(contact: Contact, *, actor: Any) -> Contact:
    return records.restore(contact, actor=actor)


# Bulk actions are the generic ones: all-or-nothing, one audited change per record.
bulk_assign = records.bulk_assign
bulk_add_tag = records.bulk_add_tag
bulk_delete = records.bulk_delete


