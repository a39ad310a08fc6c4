"""Writes to the timeline's own entries: calls, e-mails, meetings, messages and notes, and call results.

Every activity links to any of a company, a contact and a deal the actor may see, and the actor must be allowed
to change at least one of them (as for a note). A call may bring its follow-up task along, in one transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.activities.choices import LOGGABLE_KINDS, ActivityKind, CallDirection, MessageChannel
from kartoteka.activities.models import Activity, CallResult
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied
from kartoteka.core.validators import normalize_phone, storable_datetime

__all__ = ["add_note", "create_call_result", "link_of", "log_activity", "record_reassignment",
           "record_system_activity", "resolve_links", "update_call_result"]

MAX_NOTE_LENGTH = 20_000
MAX_CALL_SECONDS = 24 * 3600
LINKS = ("company", "contact", "deal")
# The fields each kind uses besides the links, the time and the text.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ActivityKind.CALL: ("direction", "phone", "duration_seconds", "result", "recording_url"),
    ActivityKind.EMAIL: ("subject", "email_from", "email_to"),
    ActivityKind.MEETING: ("subject", "place", "participants"),
    ActivityKind.MESSAGE: ("channel",),
    ActivityKind.NOTE: (),
}
ALL_FIELDS = frozenset(f for fields in KIND_FIELDS.values() for f in fields)


def link_of(record: Any) -> dict[str, Any]:
    """The links of an entry about one record: a contact's or a deal's also carry its company."""
    if isinstance(record, Company):
        return {"company": record}
    if isinstance(record, Contact):
        return {"contact": record, "company_id": record.company_id}
    if record._meta.model_name == "lead":
        return {"lead": record, "contact_id": record.contact_id, "company_id": record.company_id}
    return {"deal": record, "company_id": record.company_id}


def _models() -> dict[str, Any]:
    from kartoteka.deals.models import Deal

    return {"company": Company, "contact": Contact, "deal": Deal}


def resolve_links(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """company/contact/deal from instances or ids, each one the actor may see; a contact's or a deal's company
    fills in the company when none is given. ValidationError names the field of a record that is not there."""
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, model in _models().items():
        value = data.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, model):
            found[name] = value
            continue
        try:
            pk = int(getattr(value, "pk", value))
        except (TypeError, ValueError):
            pk = 0
        obj = model.objects.visible_to(actor).filter(pk=pk).first() if pk > 0 else None
        if obj is None:
            errors[name] = [_("There is no such record.")]
        else:
            found[name] = obj
    if errors:
        raise ValidationError(errors)
    if "company" not in found:
        parent = found.get("contact") or found.get("deal")
        if parent is not None and parent.company_id:
            found["company_id"] = parent.company_id
    return found


def _time(value: Any) -> datetime.datetime:
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, str):
        value = parse_datetime(value.strip())
    if not isinstance(value, datetime.datetime):
        raise ValidationError({"occurred_at": [_("Enter a valid date and time.")]})
    return storable_datetime(value, "occurred_at")


def _clean_kind_field(name: str, value: Any) -> Any:
    """One kind-specific field to its stored form, or ValidationError with the message alone."""
    if name == "direction":
        if value not in CallDirection.values:
            raise ValidationError(_("Choose incoming or outgoing."))
        return value
    if name == "channel":
        if value not in MessageChannel.values:
            raise ValidationError(_("Choose a channel."))
        return value
    if name == "phone":
        return normalize_phone(str(value))
    if name == "duration_seconds":
        try:
            seconds = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Enter a whole number of seconds.")) from None
        if not 0 <= seconds <= MAX_CALL_SECONDS:
            raise ValidationError(_("A call lasts from 0 seconds to 24 hours."))
        return seconds
    if name == "result":
        result = CallResult.objects.filter(pk=getattr(value, "pk", value), active=True).first() \
            if str(getattr(value, "pk", value)).isdigit() else None
        if result is None:
            raise ValidationError(_("Choose a result from the list."))
        return result
    if name == "recording_url":
        URLValidator(schemes=["http", "https"], message=_("Enter a link starting with http:// or https://."))(value)
        return str(value)
    if name in ("email_from", "email_to"):
        addresses = [a.strip() for a in str(value).replace(";", ",").split(",") if a.strip()]
        for address in addresses:
            validate_email(address)
        return ", ".join(addresses)
    text = str(value).strip()
    if name in ("subject", "place") and len(text) > 255:
        raise ValidationError(_("At most %(max)d characters.") % {"max": 255})
    return text


def _clean(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The stored values of an activity of `kind`; every invalid field is reported at once."""
    if kind not in LOGGABLE_KINDS:
        raise ValidationError({"kind": [_("Choose a call, an e-mail, a meeting, a message or a note.")]})
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    wanted = KIND_FIELDS[kind]
    for name in ALL_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            continue
        if name not in wanted:
            errors[name] = [_("Not used for this kind of activity.")]
            continue
        try:
            values[name] = _clean_kind_field(name, value)
        except ValidationError as exc:
            errors[name] = exc.messages
    body = str(data.get("body") or "").strip()
    if len(body) > MAX_NOTE_LENGTH:
        errors["body"] = [_("A note is at most %(max)d characters.") % {"max": MAX_NOTE_LENGTH}]
    elif not body and kind in (ActivityKind.NOTE, ActivityKind.MESSAGE):
        errors["body"] = [_("Write the text first.") if kind == ActivityKind.MESSAGE else _("Write the note first.")]
    if kind == ActivityKind.MESSAGE and "channel" not in values and "channel" not in errors:
        errors["channel"] = [_("Choose a channel.")]
    if kind == ActivityKind.CALL:
        values.setdefault("direction", CallDirection.OUTGOING)
    try:
        values["occurred_at"] = _time(data.get("occurred_at"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {**values, "body": body}


@transaction.atomic
def log_activity(*, actor: Any, kind: str, data: dict[str, Any], follow_up: dict[str, Any] | None = None) -> Activity:
    """Log a call, e-mail, meeting, message or note linked to the records in `data` (company/contact/deal).

    With `follow_up` ({"title", "due_at", "all_day"}), the follow-up task linked to the same records is created
    in the same transaction; it is on the returned activity as `follow_up_task`. Its field errors come back
    prefixed with `follow_up_`.
    """
    links = resolve_links(actor, data)
    records = [links[name] for name in LINKS if name in links]
    if not records:
        raise ValidationError({"__all__": [_("Link the activity to a company, a contact or a deal.")]})
    if not any(permissions.can_change(actor, record) for record in records):
        raise AccessDenied()
    values = _clean(kind, data)
    activity = Activity.objects.create(kind=kind, author=actor, **links, **values)
    activity.follow_up_task = None  # type: ignore[attr-defined]
    if follow_up is not None:
        from kartoteka.tasks import services as task_services

        task_links = {name: (links[name].pk if name in links else None) for name in LINKS}
        try:
            activity.follow_up_task = task_services.create_task(actor=actor, data={  # type: ignore[attr-defined]
                "kind": "call", "owner": actor.pk, **task_links, **follow_up})
        except ValidationError as exc:
            raise ValidationError({f"follow_up_{k}": v for k, v in exc.message_dict.items()}) from None
    return activity


def add_note(record: Any, *, actor: Any, body: str) -> Activity:
    """A note on a company, contact or deal card. Anyone who may change the record may add one."""
    if not permissions.can_change(actor, record):
        raise AccessDenied()
    if record._meta.model_name == "lead":  # a lead is not among the links a person picks (LINKS)
        values = _clean(ActivityKind.NOTE, {"body": body})
        return Activity.objects.create(kind=ActivityKind.NOTE, author=actor, **link_of(record), **values)
    return log_activity(actor=actor, kind=ActivityKind.NOTE, data={**link_of(record), "body": body})


def record_system_activity(record: Any, *, kind: str, body: str, author: Any = None) -> Activity:
    """A timeline entry written by the system (an escalation), about one record and its company."""
    return Activity.objects.create(kind=kind, body=body, author=author, occurred_at=timezone.now(), **link_of(record))


def _require_admin(actor: Any) -> None:
    if not permissions.can_manage_settings(actor):
        raise AccessDenied()


def _save_result(result: CallResult, data: dict[str, Any]) -> CallResult:
    for name in ("name", "position", "active", "follow_up"):
        if name in data:
            setattr(result, name, data[name].strip() if isinstance(data[name], str) else data[name])
    result.full_clean()
    result.save()
    return result


def create_call_result(*, actor: Any, data: dict[str, Any]) -> CallResult:
    """Add a call result to the managed list (administrators)."""
    _require_admin(actor)
    return _save_result(CallResult(), data)


def update_call_result(result: CallResult, *, actor: Any, data: dict[str, Any]) -> CallResult:
    """Rename, reorder, retire (active=False) a call result, or change whether it offers a follow-up."""
    _require_admin(actor)
    return _save_result(result, data)


def record_reassignment(record: Any, *, actor: Any, previous: Any, reason: str = "") -> Activity:
    """'Responsible: A → B (reason)' on the record's timeline: who, when and why a record changed hands."""
    body = _("Responsible: %(before)s → %(after)s") % {"before": previous or "—", "after": record.owner or "—"}
    if reason:
        body += f" ({reason})"
    return record_system_activity(record, kind=ActivityKind.ASSIGNMENT, body=body, author=actor)
