"""Every write of duplicate control: the policy, the check on create, merge and undo of a merge."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.accounts.models import RecordShare
from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.audit import context as audit_context
from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.services import record_security_event
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied
from kartoteka.core.records import _lock, acting_as
from kartoteka.deals.models import Deal, DealContact
from kartoteka.dedupe.choices import EXACT_REASONS, DuplicateEntity, DuplicateMode, DuplicateSource, Reason
from kartoteka.dedupe.detection import find_duplicates
from kartoteka.dedupe.models import DuplicatePolicy, Merge
from kartoteka.leads.models import Lead

__all__ = ["MERGE_FIELDS", "check_new_record", "merge_records", "policy_mode", "set_policy", "undo_merge"]

# Fields whose value the user picks from either record when merging (lists may also be joined).
MERGE_FIELDS = {
    DuplicateEntity.COMPANY: ["name", "legal_form", "inn", "kpp", "ogrn", "industry", "website", "legal_address",
                              "postal_address", "phones", "emails", "status", "source", "description"],
    DuplicateEntity.CONTACT: ["last_name", "first_name", "middle_name", "position", "company", "phones", "emails",
                              "telegram", "whatsapp", "birthday", "source", "description"],
}
LIST_FIELDS = frozenset({"phones", "emails"})
# Related rows that follow the merged record to the survivor: (model, FK field) per entity.
MOVED = {
    DuplicateEntity.COMPANY: [(Contact, "company"), (Deal, "company"), (Lead, "company"), (Activity, "company")],
    DuplicateEntity.CONTACT: [(Lead, "contact"), (Activity, "contact")],
}
FIELD_OF_REASON = {Reason.INN: "inn", Reason.PHONE: "phones", Reason.EMAIL: "emails", Reason.NAME: "name"}


def entity_of(record: Any) -> str:
    return DuplicateEntity.COMPANY if isinstance(record, Company) else DuplicateEntity.CONTACT


def current_source() -> str:
    """The create path of the change being made (from the audit context): API and import have their own
    policy; forms, the admin site, commands and the system follow the web interface's."""
    source = audit_context.current().source
    return source if source in (DuplicateSource.API, DuplicateSource.IMPORT) else DuplicateSource.UI


def policy_mode(entity: str, source: str | None = None) -> str:
    policy = DuplicatePolicy.objects.filter(entity=entity, source=source or current_source()).first()
    return policy.mode if policy else DuplicateMode.WARN


def set_policy(entity: str, mode: str, *, actor: Any, source: str = DuplicateSource.UI) -> DuplicatePolicy:
    if not actor.is_admin:
        raise AccessDenied()
    if mode not in DuplicateMode.values or entity not in DuplicateEntity.values or source not in DuplicateSource.values:
        raise ValidationError({"mode": _("Choose warn or block.")})
    policy, _created = DuplicatePolicy.objects.update_or_create(entity=entity, source=source,
                                                                defaults={"mode": mode})
    return policy


def check_new_record(record: Any) -> None:
    """Called by the create services inside their transaction: under the "block" policy of the current create
    path, an exact duplicate (same INN, phone or e-mail as a living record) is refused field by field, and the
    creation rolls back."""
    entity = entity_of(record)
    if policy_mode(entity) != DuplicateMode.BLOCK:
        return
    data = {name: getattr(record, name) for name in ("inn", "name", "phones", "emails") if hasattr(record, name)}
    errors: dict[str, list[str]] = {}
    for candidate in find_duplicates(entity, data, exclude_pk=record.pk):
        for reason in candidate.reasons:
            if reason in EXACT_REASONS:
                errors.setdefault(FIELD_OF_REASON[reason], []).append(
                    _("Already in the base (responsible: %(owner)s). Ask them, or merge instead of creating a copy.")
                    % {"owner": candidate.record.owner})
    if errors:
        raise ValidationError(errors)


def _snapshot(record: Any, names: list[str]) -> dict[str, Any]:
    return {name: getattr(record, record._meta.get_field(name).attname) for name in names}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def _winning_values(entity: str, survivor: Any, merged: Any, winners: dict[str, str]) -> dict[str, Any]:
    values = {}
    for name in MERGE_FIELDS[entity]:
        choice = winners.get(name, "both" if name in LIST_FIELDS else "survivor")
        if choice not in ("survivor", "merged", "both") or (choice == "both" and name not in LIST_FIELDS):
            raise ValidationError({name: _("Choose which record's value to keep.")})
        attname = survivor._meta.get_field(name).attname
        mine, theirs = getattr(survivor, attname), getattr(merged, attname)
        if choice == "merged" or (choice == "survivor" and mine in ("", None, []) and name not in LIST_FIELDS
                                  and winners.get(name) is None):
            values[attname] = theirs  # an empty survivor field takes the other's value unless told otherwise
        elif choice == "both":
            values[attname] = [*mine, *(v for v in theirs if v not in mine)]
    return values


@transaction.atomic
def merge_records(survivor: Any, merged: Any, *, actor: Any, winners: dict[str, str] | None = None,
                  request: Any = None) -> Merge:
    """Merge `merged` into `survivor` (two companies or two contacts). Per field, `winners[name]` says whose
    value stays: "survivor" (default; an empty survivor field takes the other's), "merged", or "both" for
    phones and e-mails (the default there). Contacts, deals, leads, activities, shares and tags move to the
    survivor; the merged record goes to the recycle bin. Everything undo needs is kept in the Merge row."""
    entity = entity_of(survivor)
    if type(survivor) is not type(merged) or survivor.pk == merged.pk:
        raise ValidationError(_("Choose two different records of the same kind."))
    if not (permissions.can_change(actor, survivor) and permissions.can_change(actor, merged)):
        raise AccessDenied()
    with acting_as(actor):
        first, second = sorted([survivor, merged], key=lambda r: r.pk)  # one lock order for every merger
        locked = {r.pk: _lock(r) for r in (first, second)}
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        if survivor.deleted_at or merged.deleted_at:
            raise ValidationError(_("A record in the recycle bin cannot be merged: restore it first."))
        changes = _winning_values(entity, survivor, merged, winners or {})
        before = _snapshot(survivor, [survivor._meta.get_field(n).name for n in MERGE_FIELDS[entity]])
        data: dict[str, Any] = {"survivor_before": _jsonable(before), "moved": {}, "tags_added": [],
                                "shares_moved": [], "shares_dropped": [], "deal_links_moved": [],
                                "deal_links_dropped": []}
        for model, fk in MOVED[entity]:
            qs = model.objects.filter(**{fk: merged.pk})
            data["moved"][f"{model._meta.label_lower}.{fk}"] = list(qs.values_list("pk", flat=True))
            qs.update(**{fk: survivor.pk})
        if entity == DuplicateEntity.CONTACT:
            _move_deal_links(survivor, merged, data)
        _move_shares(survivor, merged, data)
        survivor_tags = set(survivor.tags.values_list("pk", flat=True))
        data["tags_added"] = [pk for pk in merged.tags.values_list("pk", flat=True) if pk not in survivor_tags]
        survivor.tags.add(*data["tags_added"])
        for attname, value in changes.items():
            setattr(survivor, attname, value)
        survivor.version += 1
        survivor.save(update_fields=[*changes, "version"])
        merged.deleted_at = timezone.now()
        merged.version += 1
        merged.save(update_fields=["deleted_at", "version"])
        data["survivor_version"] = survivor.version
        merge = Merge.objects.create(entity=entity, survivor_id=survivor.pk, merged_id=merged.pk, actor=actor,
                                     survivor_repr=str(survivor)[:255], merged_repr=str(merged)[:255], data=data)
        _timeline(survivor, actor, _("Merged “%(name)s” (#%(id)s) into this record.") % {"name": merged, "id": merged.pk})
        record_security_event(SecurityEventKind.MERGE, request=request, actor=actor, target=survivor,
                              detail={"entity": entity, "survivor": survivor.pk, "merged": merged.pk,
                                      "merge": merge.pk, "moved": {k: len(v) for k, v in data["moved"].items()}})
    return merge


def _move_deal_links(survivor: Contact, merged: Contact, data: dict[str, Any]) -> None:
    """A deal linked to both contacts keeps the survivor's link; the merged one's is removed (and remembered)."""
    on_both = set(DealContact.objects.filter(contact=survivor).values_list("deal_id", flat=True))
    for link in DealContact.objects.filter(contact=merged):
        if link.deal_id in on_both:
            data["deal_links_dropped"].append({"deal": link.deal_id, "role": link.role})
            link.delete()
        else:
            data["deal_links_moved"].append(link.pk)
    DealContact.objects.filter(pk__in=data["deal_links_moved"]).update(contact=survivor)


def _move_shares(survivor: Any, merged: Any, data: dict[str, Any]) -> None:
    content_type = ContentType.objects.get_for_model(survivor)
    shared = set(RecordShare.objects.filter(content_type=content_type, object_id=survivor.pk)
                 .values_list("user_id", flat=True))
    for share in RecordShare.objects.filter(content_type=content_type, object_id=merged.pk):
        if share.user_id in shared or share.user_id == survivor.owner_id:
            data["shares_dropped"].append({"user": share.user_id, "created_by": share.created_by_id})
            share.delete()
        else:
            data["shares_moved"].append(share.pk)
    RecordShare.objects.filter(pk__in=data["shares_moved"]).update(object_id=survivor.pk)


def _timeline(record: Any, actor: Any, body: str) -> None:
    link = {"company": record} if isinstance(record, Company) else {"contact": record, "company_id": record.company_id}
    Activity.objects.create(kind=ActivityKind.MERGE, body=body, author=actor, occurred_at=timezone.now(), **link)


def can_undo(user: Any, merge: Merge, survivor: Any) -> bool:
    return merge.undone_at is None and permissions.can_change(user, survivor) and (
        merge.actor_id == user.pk or permissions.can_reassign(user))


@transaction.atomic
def undo_merge(merge: Merge, *, actor: Any, request: Any = None) -> Any:
    """Put both records back as they were before the merge: the survivor's fields and tags, every moved link,
    the removed shares and deal links, and the merged record out of the recycle bin. Refused once the
    survivor has been changed since (its version moved on): undoing would silently drop that change."""
    model = Company if merge.entity == DuplicateEntity.COMPANY else Contact
    survivor = model.objects.get(pk=merge.survivor_id)
    if not can_undo(actor, merge, survivor):
        raise AccessDenied()
    data = merge.data
    with acting_as(actor):
        merge = Merge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise ValidationError(_("This merge has already been undone."))
        merged = _lock(model.objects.get(pk=merge.merged_id))
        survivor = _lock(survivor)
        if survivor.version != data["survivor_version"]:
            raise ValidationError(_("The record has been changed since the merge, so it cannot be undone."))
        for key, ids in data["moved"].items():
            label, fk = key.rsplit(".", 1)
            moved_model = {m._meta.label_lower: m for m, _fk in MOVED[merge.entity]}[label]
            moved_model.objects.filter(pk__in=ids, **{fk: survivor.pk}).update(**{fk: merged.pk})
        DealContact.objects.filter(pk__in=data["deal_links_moved"]).update(contact=merged.pk)
        DealContact.objects.bulk_create([DealContact(deal_id=d["deal"], contact_id=merged.pk, role=d["role"])
                                         for d in data["deal_links_dropped"]], ignore_conflicts=True)
        content_type = ContentType.objects.get_for_model(model)
        RecordShare.objects.filter(pk__in=data["shares_moved"]).update(object_id=merged.pk)
        RecordShare.objects.bulk_create([
            RecordShare(content_type=content_type, object_id=merged.pk, user_id=s["user"], created_by_id=s["created_by"])
            for s in data["shares_dropped"]], ignore_conflicts=True)
        survivor.tags.remove(*data["tags_added"])
        for name, value in data["survivor_before"].items():
            setattr(survivor, survivor._meta.get_field(name).attname, value)
        survivor.version += 1
        survivor.save(update_fields=[*data["survivor_before"], "version"])
        merged.deleted_at = None
        merged.version += 1
        merged.save(update_fields=["deleted_at", "version"])
        merge.undone_at, merge.undone_by = timezone.now(), actor
        merge.save(update_fields=["undone_at", "undone_by"])
        _timeline(survivor, actor, _("Merge undone: “%(name)s” (#%(id)s) is a separate record again.")
                  % {"name": merged, "id": merged.pk})
        record_security_event(SecurityEventKind.MERGE, request=request, actor=actor, target=survivor,
                              detail={"entity": merge.entity, "undo": merge.pk, "survivor": survivor.pk,
                                      "merged": merged.pk})
    return merged
