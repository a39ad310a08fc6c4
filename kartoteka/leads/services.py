"""Every write to leads: enter, take, assign, disqualify, convert, delete, restore; and web-form intake.

A lead's life: NEW (in the inbox) → IN_WORK (taken by its responsible) → QUALIFIED (converted into a contact,
a company and a deal) or DISQUALIFIED (with a reason). Converting never creates a second record for a client
the base already has: a phone, e-mail or INN that belongs to a contact or company links to it instead.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.accounts.models import Team
from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.activities.services import record_reassignment
from kartoteka.audit.choices import Source as ChangeSource
from kartoteka.audit.context import change_context, current
from kartoteka.contacts import services as contact_services
from kartoteka.contacts.models import Company, Contact
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.core.validators import normalize_email, normalize_phone, validate_inn
from kartoteka.customfields.choices import Entity
from kartoteka.deals import services as deal_services
from kartoteka.leads.choices import CLIENT_SOURCE, LeadSource, LeadStatus
from kartoteka.leads.distribution import choose_responsible
from kartoteka.leads.errors import LeadErrorCode
from kartoteka.leads.matching import find_client
from kartoteka.leads.models import Lead, WebForm
from kartoteka.notifications.services import notify_lead_assigned

__all__ = [
    "assign_lead", "bulk_add_tag", "bulk_assign", "bulk_delete", "convert_lead", "create_lead", "delete_lead",
    "disqualify_lead", "intake_lead", "restore_lead", "take_lead", "update_lead",
]

MAX_MESSAGE = 5_000


def _optional(normalize: Any) -> Any:
    def clean(value: Any) -> str:
        text = str(value or "").strip()
        return normalize(text) if text else ""
    return clean


def _team(value: Any) -> int | None:
    team_id = getattr(value, "pk", value)
    if team_id in (None, ""):
        return None
    if not str(team_id).isdigit() or not Team.objects.filter(pk=team_id).exists():
        raise ValidationError(_("There is no such team."), code="invalid")
    return int(team_id)


def _message(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_MESSAGE:
        raise ValidationError(_("At most %(max)d characters.") % {"max": MAX_MESSAGE}, code="max_length")
    return text


NORMALIZERS: records.Normalizers = {
    "phone": _optional(normalize_phone),
    "email": _optional(normalize_email),
    "inn": _optional(validate_inn),
    "team": _team,
    "message": _message,
}


def _require_a_way_to_reach(lead: Lead) -> None:
    if not (lead.phone or lead.email or lead.name or lead.company_name):
        raise ValidationError({"phone": ValidationError(_("Give at least a name, a phone or an e-mail."),
                                                        code=LeadErrorCode.NOTHING_TO_REACH.value)})


def _log(lead: Lead, kind: str, body: str, *, actor: Any, **links: Any) -> Activity:
    """A timeline entry on the lead and on whichever client records it is linked to."""
    return Activity.objects.create(
        kind=kind, body=body, author=actor if getattr(actor, "pk", None) else None, occurred_at=timezone.now(),
        lead=lead, contact_id=links.get("contact_id", lead.contact_id), company_id=links.get("company_id", lead.company_id),
        deal_id=links.get("deal_id", lead.deal_id),
    )


def _request_text(lead: Lead) -> str:
    parts = [lead.get_source_display()]
    if lead.web_form_id:
        parts.append(f"«{lead.web_form}»")
    head = " ".join(parts)
    return f"{head}: {lead.message}" if lead.message else head


def create_lead(*, actor: Any, data: dict[str, Any]) -> Lead:
    """A lead entered by hand (or through the API). Without `owner` the actor becomes responsible; `team`
    defaults to the actor's team."""
    data = dict(data)
    data.setdefault("source", LeadSource.MANUAL)
    data.setdefault("team", actor.team_id)
    for name in ("status", "payload", "assigned_at", "converted_at", "contact", "company", "deal", "web_form"):
        if name in data:
            raise ValidationError({name: _("This field cannot be set.")})
    with records.acting_as(actor), transaction.atomic():
        lead = records.create_record(Lead, actor=actor, data=data, entity=Entity.LEAD, normalizers=NORMALIZERS)
        _require_a_way_to_reach(lead)
        lead.assigned_at = timezone.now()
        lead.save(update_fields=["assigned_at"])
        _log(lead, ActivityKind.REQUEST, _request_text(lead), actor=actor)
    return lead


def update_lead(lead: Lead, *, actor: Any, data: dict[str, Any], expected_version: int | None = None) -> Lead:
    for name in ("status", "payload", "assigned_at", "converted_at", "contact", "company", "deal", "web_form"):
        if name in data:
            raise ValidationError({name: _("This field cannot be set.")})
    data = dict(data)
    owner = data.pop("owner", None)
    with records.acting_as(actor), transaction.atomic():
        lead = records.update_record(lead, actor=actor, data=data, entity=Entity.LEAD, normalizers=NORMALIZERS,
                                     expected_version=expected_version)
        _require_a_way_to_reach(lead)
        if owner not in (None, "") and getattr(owner, "pk", owner) != lead.owner_id:
            lead = assign_lead(lead, actor=actor, owner=owner)
    return lead


def delete_lead(lead: Lead, *, actor: Any, expected_version: int | None = None) -> Lead:
    return records.soft_delete(lead, actor=actor, expected_version=expected_version)


def restore_lead(lead: Lead, *, actor: Any) -> Lead:
    return records.restore(lead, actor=actor)


def _open_locked(lead: Lead, expected_version: int | None) -> Lead:
    locked = records._lock(lead, expected_version)
    if locked.deleted_at is not None:
        raise ValidationError(_("The record is in the recycle bin: restore it first."))
    if not locked.is_open:
        raise ValidationError(ValidationError(_("The lead is already closed: %(status)s.")
                                              % {"status": locked.get_status_display()},
                                              code=LeadErrorCode.CLOSED.value))
    return locked


def take_lead(lead: Lead, *, actor: Any, expected_version: int | None = None) -> Lead:
    """The actor takes the lead into work: from the team's inbox (becoming responsible) or their own NEW lead.

    Two managers clicking "Take" at once: the row lock lets one win; the other is told who has it.
    """
    teammate = actor.team_id is not None and lead.team_id == actor.team_id  # saw it in the team's inbox
    if actor.is_viewer or not (teammate or Lead.objects.visible_to(actor).filter(pk=lead.pk).exists()):
        raise AccessDenied()
    with records.acting_as(actor), transaction.atomic():
        locked = _open_locked(lead, expected_version)
        if locked.owner_id not in (None, actor.pk) and not permissions.can_change(actor, locked):
            raise ValidationError(ValidationError(_("%(user)s has already taken this lead.") % {"user": locked.owner},
                                                  code=LeadErrorCode.TAKEN.value))
        fields = ["status", "version"]
        if locked.owner_id is None:
            locked.owner, locked.assigned_at = actor, timezone.now()
            fields += ["owner", "assigned_at"]
        locked.status = LeadStatus.IN_WORK
        locked.version += 1
        locked.save(update_fields=fields)
    return locked


def assign_lead(lead: Lead, *, actor: Any, owner: Any, reason: str = "", expected_version: int | None = None) -> Lead:
    """A head (of the lead's team or responsible) or an admin gives the lead to a user they may assign."""
    if not permissions.can_reassign(actor) or not permissions.can_change(actor, lead):
        raise AccessDenied()
    owner_id = getattr(owner, "pk", owner)
    new_owner = permissions.assignable_users(actor).filter(pk=owner_id if str(owner_id).isdigit() else 0).first()
    if new_owner is None:
        raise ValidationError({"owner": _("This user cannot be made responsible for the record.")})
    with records.acting_as(actor), transaction.atomic():
        locked = records._lock(lead, expected_version)
        if locked.owner_id == new_owner.pk:
            return locked
        previous = locked.owner
        locked.owner, locked.assigned_at = new_owner, timezone.now()
        locked.version += 1
        locked.save(update_fields=["owner", "assigned_at", "version"])
        record_reassignment(locked, actor=actor, previous=previous, reason=str(reason or "").strip()[:255])
        if new_owner.pk != actor.pk:
            notify_lead_assigned(locked, actor=actor)
    return locked


def disqualify_lead(lead: Lead, *, actor: Any, reason: str, expected_version: int | None = None) -> Lead:
    """Close the lead as not a sale (spam, wrong number, no budget, ...): the reason is required."""
    if not permissions.can_change(actor, lead) and not _may_take(actor, lead):
        raise AccessDenied()
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"disqualify_reason": ValidationError(
            _("Say why the lead is disqualified."), code=LeadErrorCode.REASON_REQUIRED.value)})
    with records.acting_as(actor), transaction.atomic():
        locked = _open_locked(lead, expected_version)
        fields = ["status", "disqualify_reason", "version"]
        if locked.owner_id is None:
            locked.owner, locked.assigned_at = actor, timezone.now()
            fields += ["owner", "assigned_at"]
        locked.status, locked.disqualify_reason = LeadStatus.DISQUALIFIED, reason[:255]
        locked.version += 1
        locked.save(update_fields=fields)
    return locked


def _may_take(actor: Any, lead: Lead) -> bool:
    """A manager of the team may act on an unassigned lead in its inbox (taking it on the way)."""
    return (lead.owner_id is None and not actor.is_viewer
            and Lead.objects.visible_to(actor).filter(pk=lead.pk).exists())


def _client_of_another(record: Any, actor: Any) -> ValidationError:
    return ValidationError(ValidationError(
        _("%(record)s is already a client of %(owner)s: hand the lead to them or ask them to share the client.")
        % {"record": record._meta.verbose_name.capitalize(), "owner": record.owner},
        code=LeadErrorCode.CLIENT_OF_ANOTHER.value))


def _visible_or_refuse(model: Any, record: Any, actor: Any) -> Any:
    if record is None:
        return None
    if not model.objects.visible_to(actor).filter(pk=record.pk).exists():
        raise _client_of_another(record, actor)
    return record


def convert_lead(lead: Lead, *, actor: Any, deal: dict[str, Any] | None = None, create_deal: bool = True,
                 expected_version: int | None = None) -> Lead:
    """Qualify the lead: in one transaction a contact, a company (when named) and a deal are created — or the
    existing contact and company with the same phone, e-mail or INN are linked. The lead's timeline entries
    move onto the client's records. `deal` overrides the new deal's fields (title, amount, pipeline, ...).
    """
    if not permissions.can_change(actor, lead) and not _may_take(actor, lead):
        raise AccessDenied()
    with records.acting_as(actor), transaction.atomic():
        locked = _open_locked(lead, expected_version)
        owner = locked.owner or actor
        match = find_client(phone=locked.phone, email=locked.email, inn=locked.inn)
        contact = _visible_or_refuse(Contact, locked.contact or match.contact, actor)
        company = _visible_or_refuse(Company, locked.company or match.company, actor)
        source = CLIENT_SOURCE.get(locked.source, "other")
        if company is None and locked.company_name:
            company = contact_services.create_company(actor=actor, data={
                "name": locked.company_name, "inn": locked.inn, "source": source, "owner": owner.pk,
                "phones": [locked.phone] if locked.phone and not (locked.name or contact) else [],
                "emails": [locked.email] if locked.email and not (locked.name or contact) else [],
            })
        if contact is None and (locked.name or not company):
            contact = contact_services.create_contact(actor=actor, data={
                "first_name": locked.name or locked.phone or locked.email, "source": source, "owner": owner.pk,
                "company": company.pk if company else None,
                "phones": [locked.phone] if locked.phone else [], "emails": [locked.email] if locked.email else [],
            })
        elif contact is not None and company is not None and contact.company_id is None \
                and permissions.can_change(actor, contact):
            contact = contact_services.update_contact(contact, actor=actor, data={"company": company.pk})
        new_deal = None
        if create_deal:
            values = {"title": locked.company_name or locked.name or str(locked), "source": source, "owner": owner.pk,
                      "company": company.pk if company else None,
                      "contacts": [{"contact": contact.pk, "role": "decision_maker"}] if contact else []}
            if locked.web_form_id and locked.web_form.pipeline_id:
                values["pipeline"] = locked.web_form.pipeline_id
            values.update({k: v for k, v in (deal or {}).items() if v not in (None, "")})
            new_deal = deal_services.create_deal(actor=actor, data=values)
        _move_history(locked, contact=contact, company=company, deal=new_deal)
        locked.status, locked.converted_at = LeadStatus.QUALIFIED, timezone.now()
        locked.contact, locked.company, locked.deal = contact, company, new_deal
        fields = ["status", "converted_at", "contact", "company", "deal", "version"]
        if locked.owner_id is None:
            locked.owner, locked.assigned_at = actor, timezone.now()
            fields += ["owner", "assigned_at"]
        locked.version += 1
        locked.save(update_fields=fields)
        _log(locked, ActivityKind.CONVERSION, _("Lead converted: %(lead)s") % {"lead": locked}, actor=actor)
    return locked


def _move_history(lead: Lead, *, contact: Contact | None, company: Company | None, deal: Any) -> None:
    """The lead's timeline entries show on the client's records from now on (nothing already linked is changed)."""
    entries = Activity.objects.filter(lead=lead)
    for field, record in (("contact", contact), ("company", company), ("deal", deal)):
        if record is not None:
            entries.filter(**{f"{field}__isnull": True}).update(**{field: record})


# --- Intake: web forms and other channels with no user behind them ----------------------------------------------

def intake_lead(*, values: dict[str, Any], source: str = LeadSource.WEB_FORM, web_form: WebForm | None = None,
                team: Team | None = None, channel: dict[str, str] | None = None,
                payload: dict[str, Any] | None = None) -> Lead:
    """A request from outside (a web form; later telephony, mail, messengers): validate, recognise a known
    client, pick the responsible (see distribution), record the request on the timelines.

    ValidationError names each bad field. A known phone or e-mail attaches the lead to the existing contact
    and company (and their responsible) instead of creating anything new.
    """
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in ("name", "company_name", "phone", "email", "inn", "message"):
        raw = values.get(name, "")
        try:
            clean[name] = NORMALIZERS[name](raw) if name in NORMALIZERS else str(raw or "").strip()[:255]
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    if not (clean["phone"] or clean["email"]):
        raise ValidationError({"phone": ValidationError(_("Give a phone or an e-mail so that we can reply."),
                                                        code=LeadErrorCode.NOTHING_TO_REACH.value)})
    team = team or (web_form.team if web_form else None)
    # No user behind it; a replay (the demo) keeps the time it set.
    with change_context(actor=None, source=ChangeSource.WEB_FORM, at=current().at), transaction.atomic():
        match = find_client(phone=clean["phone"], email=clean["email"], inn=clean["inn"])
        owner = (web_form.responsible if web_form and web_form.responsible_id and web_form.responsible.is_active
                 else choose_responsible(team, match))
        lead = Lead(
            **clean, source=source, web_form=web_form, team=team, owner=owner,
            assigned_at=timezone.now() if owner else None, contact=match.contact, company=match.company,
            custom_fields=values.get("custom_fields") or {}, payload=payload or {},
            **{k: str(v)[:255 if k.startswith("utm") else 1000] for k, v in (channel or {}).items()},
        )
        lead.save()
        _log(lead, ActivityKind.REQUEST, _request_text(lead), actor=None)
        if owner is not None:  # "<the web form> assigned you the lead ...": no person did
            notify_lead_assigned(lead, actor=web_form or _("Lead distribution"))
    return lead


# Bulk actions are the generic ones: all-or-nothing, one audited change per record.
bulk_assign = records.bulk_assign
bulk_add_tag = records.bulk_add_tag
bulk_delete = records.bulk_delete
