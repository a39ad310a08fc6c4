"""Writes to the timeline's own entries (notes now; calls, e-mails and meetings later)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied

MAX_NOTE_LENGTH = 20_000


@transaction.atomic
def add_note(record: Any, *, actor: Any, body: str) -> Activity:
    """A note on a company, contact or deal card. Anyone who may change the record may add one.

    A note on a contact or a deal also carries its company, so it shows on the company's timeline.
    """
    if not permissions.can_change(actor, record):
        raise AccessDenied()
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Write the note first.")})
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationError({"body": _("A note is at most %(max)d characters.") % {"max": MAX_NOTE_LENGTH}})
    if isinstance(record, Company):
        link: dict[str, Any] = {"company": record}
    elif isinstance(record, Contact):
        link = {"contact": record, "company_id": record.company_id}
    else:
        link = {"deal": record, "company_id": record.company_id}
    return Activity.objects.create(kind=ActivityKind.NOTE, body=text, author=actor, occurred_at=timezone.now(), **link)
