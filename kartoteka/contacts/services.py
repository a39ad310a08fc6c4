"""Every write to companies and contacts. Views, the API, the CLI and imports call these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.contacts.models import Company, Contact
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
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


def create_company(*, actor: Any, data: dict[str, Any]) -> Company:
    """Create a company; the actor becomes responsible unless `owner` names someone they may assign."""
    return records.create_record(Company, actor=actor, data=data, entity=Entity.COMPANY, normalizers=COMPANY_NORMALIZERS)


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


def create_contact(*, actor: Any, data: dict[str, Any]) -> Contact:
    return records.create_record(
        Contact, actor=actor, data=data, entity=Entity.CONTACT, normalizers=_contact_normalizers(actor)
    )


def update_contact(contact: Contact, *, actor: Any, data: dict[str, Any], expected_version: int | None = None) -> Contact:
    return records.update_record(
        contact, actor=actor, data=data, entity=Entity.CONTACT, normalizers=_contact_normalizers(actor),
        expected_version=expected_version,
    )


def delete_contact(contact: Contact, *, actor: Any, expected_version: int | None = None) -> Contact:
    return records.soft_delete(contact, actor=actor, expected_version=expected_version)


def restore_contact(contact: Contact, *, actor: Any) -> Contact:
    return records.restore(contact, actor=actor)


def _each_changeable(objects: Iterable[Any], actor: Any) -> list[Any]:
    """All-or-nothing for bulk actions: refuse the whole batch if any record may not be changed."""
    items = list(objects)
    if any(not permissions.can_change(actor, obj) for obj in items):
        raise AccessDenied()
    return items


def bulk_assign(objects: Iterable[Company | Contact], *, actor: Any, owner: Any) -> int:
    """Make `owner` responsible for every record, in one transaction; each change is audited."""
    items = _each_changeable(objects, actor)
    with transaction.atomic():
        for obj in items:
            records.update_record(obj, actor=actor, data={"owner": owner}, entity=_entity(obj), normalizers={})
    return len(items)


def bulk_add_tag(objects: Iterable[Company | Contact], *, actor: Any, tag: str) -> int:
    items = _each_changeable(objects, actor)
    with transaction.atomic():
        for obj in items:
            records.add_tag(obj, actor=actor, name=tag)
    return len(items)


def bulk_delete(objects: Iterable[Company | Contact], *, actor: Any) -> int:
    items = _each_changeable(objects, actor)
    with transaction.atomic():
        for obj in items:
            records.soft_delete(obj, actor=actor)
    return len(items)


def _entity(obj: Company | Contact) -> str:
    return Entity.COMPANY if isinstance(obj, Company) else Entity.CONTACT
