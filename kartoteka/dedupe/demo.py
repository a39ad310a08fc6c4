"""Demo duplicates: a few companies and contacts entered twice by colleagues, so the duplicates report and
merge have something to show. Idempotent (marked by the description)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import User
from kartoteka.audit.choices import Source as ChangeSource
from kartoteka.audit.context import change_context
from kartoteka.contacts import services
from kartoteka.contacts.models import Company, Contact
from kartoteka.dedupe.detection import company_name_key

MARK = "Дубль, заведён повторно (демо)"
LEGAL_FORM_WORDS = {"ooo": "ООО", "ao": "АО", "pao": "ПАО", "ip": "ИП"}


def load_dedupe_demo(*, companies: int = 4, contacts: int = 3) -> int:
    """Create the twins unless present. Returns how many were created."""
    if Company.objects.filter(description=MARK).exists():
        return 0
    created = 0
    with transaction.atomic():
        originals = Company.objects.alive().exclude(inn="").exclude(phones=[]).order_by("id")[:companies]
        for index, original in enumerate(originals):
            colleague = _colleague_of(original.owner)
            # The name written the other way round; the same INN, and every other one the same phone too.
            data = {"name": f"{company_name_key(original.name).title()} {LEGAL_FORM_WORDS.get(original.legal_form, 'ООО')}",
                    "inn": original.inn, "kpp": original.kpp, "ogrn": original.ogrn, "description": MARK,
                    "owner": colleague.pk, "phones": original.phones[:1] if index % 2 else []}
            _create(services.create_company, colleague, data)
            created += 1
        for original in Contact.objects.alive().exclude(phones=[]).order_by("id")[:contacts]:
            colleague = _colleague_of(original.owner)
            _create(services.create_contact, colleague, {
                "last_name": original.last_name, "first_name": original.first_name, "phones": original.phones[:1],
                "description": MARK, "owner": colleague.pk})
            created += 1
    return created


def _create(service: Any, actor: User, data: dict[str, Any]) -> None:
    """Create through the service, as the CLI, with the record's creation time equal to its audit row's."""
    at = timezone.now()
    with change_context(actor=actor, source=ChangeSource.CLI, at=at):
        record = service(actor=actor, data=data)
    type(record).objects.filter(pk=record.pk).update(created_at=at)


def _colleague_of(user: User) -> User:
    """Another manager of the same team (the classic duplicate), else the user."""
    colleague = (User.objects.filter(team_id=user.team_id, role=Role.MANAGER, is_active=True).exclude(pk=user.pk)
                 .order_by("id").first())
    return colleague or user
