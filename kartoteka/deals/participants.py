"""The people of a deal: its contacts (added and removed one at a time from the card) and its responsible."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kartoteka.accounts import permissions
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.deals.models import Deal
from kartoteka.deals.services import _parse_contacts, _set_contacts


def _change(deal: Deal, actor: Any, wanted: list[tuple[int, str]]) -> Deal:
    with records.acting_as(actor), transaction.atomic():
        locked = records._lock(deal)
        if _set_contacts(locked, wanted):  # audited as the deal's "contacts" field
            locked.version += 1
            locked.save(update_fields=["version"])
    return locked


def add_participant(deal: Deal, *, actor: Any, contact: Any, role: str) -> Deal:
    """Add a contact the actor may see to the deal with a role (or change the role of one already there)."""
    if not permissions.can_change(actor, deal):
        raise AccessDenied()
    current = dict(deal.deal_contacts.values_list("contact_id", "role"))
    parsed = _parse_contacts(actor, [{"contact": getattr(contact, "pk", contact), "role": role}])
    return _change(deal, actor, [*((c, r) for c, r in current.items() if c != parsed[0][0]), *parsed])


def remove_participant(deal: Deal, *, actor: Any, contact_id: int) -> Deal:
    if not permissions.can_change(actor, deal):
        raise AccessDenied()
    current = dict(deal.deal_contacts.values_list("contact_id", "role"))
    return _change(deal, actor, [(c, r) for c, r in current.items() if c != contact_id])


def reassign_deal(deal: Deal, *, actor: Any, owner: Any, reason: str = "") -> Deal:
    """A head or an admin gives the deal to another responsible; the timeline says who, when and why."""
    from kartoteka.activities.services import record_reassignment

    if not permissions.can_reassign(actor) or not permissions.can_change(actor, deal):
        raise AccessDenied()
    previous = deal.owner
    with records.acting_as(actor), transaction.atomic():
        updated = records.update_record(deal, actor=actor, data={"owner": owner}, entity="deal", normalizers={})
        if updated.owner_id != previous.pk:
            record_reassignment(updated, actor=actor, previous=previous, reason=str(reason or "").strip()[:255])
    return updated
