"""Writing one batch of prepared rows: find duplicates set-based, create new records with bulk_create (with
their audit rows, tags and stage history in bulk too), update matched ones through the audited save, and
record what was written (ImportedRecord) and what failed (ImportFailure).

The caller runs write_batch() inside the transaction that also moves the job's position.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.audit.choices import Action
from kartoteka.audit.context import current
from kartoteka.audit.models import ObjectChange
from kartoteka.dataio.choices import DuplicatePolicy, ImportEntity, RowAction
from kartoteka.dataio.importing.rows import ImportContext, PreparedRow
from kartoteka.dataio.models import ImportedRecord, ImportFailure, ImportJob

__all__ = ["MATCH_KINDS", "KeyIndex", "model_for", "write_batch"]

MATCH_KINDS = ("external_id", "inn", "phone", "email")
LIST_FIELDS = ("phones", "emails")
NOT_UPDATED = frozenset({"pipeline", "stage"})  # a stage change goes through the deal's stage rules, not an import


def model_for(entity: str) -> Any:
    from kartoteka.contacts.models import Company, Contact
    from kartoteka.deals.models import Deal
    from kartoteka.leads.models import Lead
    from kartoteka.products.models import Product

    return {ImportEntity.COMPANY: Company, ImportEntity.CONTACT: Contact, ImportEntity.LEAD: Lead,
            ImportEntity.DEAL: Deal, ImportEntity.PRODUCT: Product}[ImportEntity(entity)]


def _row_keys(entity: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, key) pairs a record or row is matched by."""
    keys: list[tuple[str, str]] = []
    if entity == ImportEntity.PRODUCT:
        if values.get("sku"):
            keys.append(("sku", str(values["sku"]).lower()))
        return keys
    if values.get("inn"):
        keys.append(("inn", values["inn"]))
    for phone in values.get("phones") or ([values["phone"]] if values.get("phone") else []):
        keys.append(("phone", phone.split(";")[0]))
    for email in values.get("emails") or ([values["email"]] if values.get("email") else []):
        keys.append(("email", email.lower()))
    return keys


class KeyIndex:
    """Existing records by INN, phone, e-mail (SKU for products): read in one query per run and kept current
    as the import writes, so a duplicate inside the file is found like one already in the base."""

    def __init__(self, entity: str, match_by: list[str]) -> None:
        self.entity = entity
        self.kinds = {k for k in match_by if k in ("inn", "phone", "email")}
        if entity == ImportEntity.PRODUCT:
            self.kinds = {"sku"}
        self.keys: dict[tuple[str, str], Any] = {}  # key → pk, or the PreparedRow pending creation in the batch
        model = model_for(entity)
        if not self.kinds:
            return
        fields = {ImportEntity.COMPANY: ("inn", "phones", "emails"), ImportEntity.CONTACT: ("phones", "emails"),
                  ImportEntity.LEAD: ("inn", "phone", "email"), ImportEntity.PRODUCT: ("sku",)}.get(entity)
        if not fields:
            return
        queryset = model.objects.all() if entity == ImportEntity.PRODUCT else model.objects.alive()
        for row in queryset.order_by("id").values("id", *fields).iterator(chunk_size=5000):
            self.add(row["id"], row)

    def add(self, target: Any, values: dict[str, Any]) -> None:
        for kind, key in _row_keys(self.entity, values):
            if kind in self.kinds:
                self.keys.setdefault((kind, key), target)

    def settle(self, row: Any, pk: int | None) -> None:
        """The row pending creation was written (as `pk`) or dropped (None): its keys follow."""
        for kind, key in _row_keys(self.entity, row.values):
            if self.keys.get((kind, key)) is row:
                if pk is None:
                    del self.keys[(kind, key)]
                else:
                    self.keys[(kind, key)] = pk

    def find(self, values: dict[str, Any]) -> Any:
        for kind, key in _row_keys(self.entity, values):
            if kind in self.kinds and (kind, key) in self.keys:
                return self.keys[(kind, key)]
        return None


class BatchWriter:
    """Writes batches of one job; holds the run's caches (content types, tags, the key index)."""

    def __init__(self, job: ImportJob, ctx: ImportContext) -> None:
        self.job = job
        self.ctx = ctx
        self.entity = job.entity
        self.model = model_for(job.entity)
        self.content_type = ContentType.objects.get_for_model(self.model)
        self.index = KeyIndex(job.entity, job.match_by)
        self.by_external = "external_id" in job.match_by or self.entity == ImportEntity.PRODUCT
        self.tags: dict[str, Any] = {}
        self.blocked = False
        if self.entity in (ImportEntity.COMPANY, ImportEntity.CONTACT):
            from kartoteka.dedupe.choices import DuplicateMode, DuplicateSource
            from kartoteka.dedupe.services import policy_mode

            self.blocked = policy_mode(self.entity, DuplicateSource.IMPORT) == DuplicateMode.BLOCK

    # --- matching ---------------------------------------------------------------------------------------------

    def _external_matches(self, rows: list[PreparedRow]) -> dict[str, int]:
        """External id → id of the living record an earlier import wrote for it: one query per batch."""
        ids = {r.external_id for r in rows if r.external_id}
        if not self.by_external or not ids:
            return {}
        found = dict(ImportedRecord.objects.filter(content_type=self.content_type, external_id__in=ids, undone=False)
                     .order_by("id").values_list("external_id", "object_id"))
        queryset = self.model.objects.all() if self.entity == ImportEntity.PRODUCT else self.model.objects.alive()
        alive = set(queryset.filter(pk__in=found.values()).values_list("pk", flat=True))
        return {ext: pk for ext, pk in found.items() if pk in alive}

    # --- the batch ----------------------------------------------------------------------------------------------

    def write(self, rows: list[PreparedRow]) -> Counter[str]:
        counts: Counter[str] = Counter()
        failures: list[ImportFailure] = []
        records: list[ImportedRecord] = []
        external = self._external_matches(rows)
        pending_external: dict[str, PreparedRow] = {}
        to_create: list[PreparedRow] = []
        updates: dict[int, PreparedRow] = {}  # one update per record and batch, rows merged in file order
        for row in rows:
            if not row.ok:
                failures.append(self._failure(row, row.reason()))
                continue
            match = None
            if row.external_id and self.by_external:
                match = external.get(row.external_id) or pending_external.get(row.external_id)
            if match is None:
                match = self.index.find(row.values)
            if match is not None and self.job.policy == DuplicatePolicy.SKIP:
                counts["skipped"] += 1
                continue
            if match is not None and self.job.policy == DuplicatePolicy.UPDATE:
                if isinstance(match, PreparedRow) or match in updates:
                    _merge(match if isinstance(match, PreparedRow) else updates[match], row)
                    counts["updated"] += 1
                else:
                    updates[match] = row
                continue
            if match is not None and (self.blocked or self.entity == ImportEntity.PRODUCT):
                reason = (_("A product with this SKU already exists.") if self.entity == ImportEntity.PRODUCT
                          else _("Already in the base, and duplicates of this kind are blocked by the settings."))
                failures.append(self._failure(row, reason))
                continue
            to_create.append(row)
            self.index.add(row, row.values)
            if row.external_id:
                pending_external[row.external_id] = row
        if self.entity in (ImportEntity.CONTACT, ImportEntity.DEAL):
            to_create, failed, created_companies = self._companies(to_create)
            failures += failed
            records += created_companies
        created = self._create(to_create)
        records += created
        counts["created"] += len(to_create)
        for pk, row in updates.items():
            outcome = self._update(row, pk)
            if isinstance(outcome, ImportedRecord):
                records.append(outcome)
                counts["updated"] += 1
            elif outcome is None:
                counts["skipped"] += 1  # nothing to change
            else:
                failures.append(self._failure(row, outcome))
        ImportedRecord.objects.bulk_create(records, batch_size=1000)
        ImportFailure.objects.bulk_create(failures, batch_size=1000)
        counts["failed"] += len(failures)
        return counts

    def _failure(self, row: PreparedRow, reason: str) -> ImportFailure:
        return ImportFailure(job=self.job, row_number=row.number, values=row.cells, reason=reason)

    # --- companies of contacts and deals -------------------------------------------------------------------

    def _companies(self, rows: list[PreparedRow]) -> tuple[list[PreparedRow], list[ImportFailure], list[ImportedRecord]]:
        """Link each row to its company, by INN first, then by exact name, among companies the importer sees;
        missing ones are created (when the job allows) in bulk. One query for the lookup per batch."""
        from kartoteka.contacts.models import Company

        wanted = [r for r in rows if r.company_inn or r.company_name]
        if not wanted:
            return rows, [], []
        inns = {r.company_inn for r in wanted if r.company_inn}
        names = {r.company_name for r in wanted if r.company_name}
        by_inn: dict[str, int] = {}
        by_name: dict[str, int] = {}
        for pk, inn, name in (Company.objects.visible_to(self.ctx.actor).filter(Q(inn__in=inns) | Q(name__in=names))
                              .order_by("id").values_list("pk", "inn", "name")):
            if inn:
                by_inn.setdefault(inn, pk)
            by_name.setdefault(name.lower(), pk)
        kept: list[PreparedRow] = []
        failures: list[ImportFailure] = []
        new: dict[str, Any] = {}
        for row in rows:
            if not (row.company_inn or row.company_name):
                kept.append(row)
                continue
            pk = by_inn.get(row.company_inn) if row.company_inn else None
            if pk is None and row.company_name:
                pk = by_name.get(row.company_name.lower())
            if pk is not None:
                row.values["company_id"] = pk
                kept.append(row)
                continue
            if not self.job.create_companies:
                self.index.settle(row, None)
                failures.append(self._failure(row, _("company: there is no company “%(value)s”.")
                                              % {"value": row.company_name or row.company_inn}))
                continue
            key = row.company_inn or row.company_name.lower()
            if key not in new:
                new[key] = Company(name=row.company_name or row.company_inn, inn=row.company_inn,
                                   owner_id=row.owner_id or self.ctx.actor.pk, created_by=self.ctx.actor,
                                   source="import")
            row.values["company"] = new[key]
            kept.append(row)
        records: list[ImportedRecord] = []
        if new:
            companies = list(new.values())
            for company in companies:
                company.search_text = company.build_search_text()
            Company.objects.bulk_create(companies, batch_size=500)
            self._audit_created(companies, {})
            ct = ContentType.objects.get_for_model(Company)
            records = [ImportedRecord(job=self.job, content_type=ct, object_id=c.pk, row_number=0,
                                      action=RowAction.CREATED, version_after=c.version) for c in companies]
            for row in kept:
                company = row.values.pop("company", None)
                if company is not None:
                    row.values["company_id"] = company.pk
        return kept, failures, records

    # --- create ---------------------------------------------------------------------------------------------

    def _instance(self, row: PreparedRow, now: Any) -> Any:
        actor = self.ctx.actor
        values = dict(row.values)
        obj = self.model(**values)
        obj.created_by = actor
        if self.entity != ImportEntity.PRODUCT:
            obj.owner_id = row.owner_id or actor.pk
            obj.custom_fields = row.custom
            if not values.get("source"):
                obj.source = "import"
        if self.entity == ImportEntity.LEAD:
            obj.team_id = actor.team_id
            obj.assigned_at = now
        elif self.entity == ImportEntity.DEAL:
            obj.stage_entered_at = now
            obj.closed_at = now if obj.stage.kind != "open" else None
            if obj.probability is None:
                obj.probability = obj.stage.probability
        obj.search_text = obj.build_search_text()
        return obj

    def _create(self, rows: list[PreparedRow]) -> list[ImportedRecord]:
        if not rows:
            return []
        now = timezone.now()
        objects = [self._instance(row, now) for row in rows]
        self.model.objects.bulk_create(objects, batch_size=500)
        tags = self._set_tags(objects, rows)
        self._audit_created(objects, tags)
        if self.entity == ImportEntity.DEAL:
            from kartoteka.deals.models import StageChange

            StageChange.objects.bulk_create([
                StageChange(deal=obj, to_stage=obj.stage, to_stage_name=obj.stage.name, actor=self.ctx.actor, at=now)
                for obj in objects], batch_size=500)
        for row, obj in zip(rows, objects, strict=True):
            self.index.settle(row, obj.pk)
        return [ImportedRecord(job=self.job, content_type=self.content_type, object_id=obj.pk, row_number=row.number,
                               external_id=row.external_id, action=RowAction.CREATED, version_after=obj.version)
                for row, obj in zip(rows, objects, strict=True)]

    def _tag_objects(self, names: set[str]) -> dict[str, Any]:
        from kartoteka.customfields.models import Tag

        missing = names - set(self.tags)
        if missing:
            self.tags.update({t.name: t for t in Tag.objects.filter(name__in=missing)})
            absent = missing - set(self.tags)
            if absent:
                Tag.objects.bulk_create([Tag(name=n) for n in sorted(absent)], ignore_conflicts=True)
                self.tags.update({t.name: t for t in Tag.objects.filter(name__in=absent)})
        return self.tags

    def _set_tags(self, objects: list[Any], rows: list[PreparedRow]) -> dict[int, list[str]]:
        if self.entity == ImportEntity.PRODUCT:
            return {}
        names = {n for row in rows for n in row.tags}
        if not names:
            return {}
        tags = self._tag_objects(names)
        through = self.model.tags.through
        column = f"{self.model._meta.model_name}_id"
        links = [through(**{column: obj.pk, "tag_id": tags[n].pk}) for obj, row in zip(objects, rows, strict=True)
                 for n in row.tags]
        through.objects.bulk_create(links, batch_size=1000)
        return {obj.pk: sorted(row.tags) for obj, row in zip(objects, rows, strict=True) if row.tags}

    def _audit_created(self, objects: list[Any], tags: dict[int, list[str]]) -> None:
        """One CREATE change per record, appended to the audit chain in one bulk insert."""
        ctx = current()
        actor = ctx.actor if ctx.actor is not None and getattr(ctx.actor, "pk", None) else None
        at = ctx.at or timezone.now()
        content_type = ContentType.objects.get_for_model(type(objects[0]), for_concrete_model=True)
        changes = []
        for obj in objects:
            post = obj.audit_snapshot()
            if obj.pk in tags:
                post["tags"] = tags[obj.pk]
            changes.append(ObjectChange(
                changed_at=at, actor=actor, actor_name=(actor.get_username() if actor else "")[:150],
                source=ctx.source, request_id=ctx.request_id, action=Action.CREATE, content_type=content_type,
                object_id=obj.pk, object_repr=str(obj)[:255], prechange=None, postchange=post))
            obj._audit_snapshot = post
        ObjectChange.objects.bulk_create(changes, batch_size=500)

    # --- update ---------------------------------------------------------------------------------------------

    def _may_change(self, record: Any) -> bool:
        if self.entity == ImportEntity.PRODUCT:
            return permissions.can_manage_catalog(self.ctx.actor)
        return permissions.can_change(self.ctx.actor, record)

    def _update(self, row: PreparedRow, pk: int) -> ImportedRecord | str | None:
        """Change the existing record's fields to the row's non-empty values (phones and e-mails are added to
        the record's own). Returns the ImportedRecord, None when nothing changed, or the reason it failed."""
        record = self.model.objects.select_for_update().filter(pk=pk).first()
        if record is None:
            return _("The matching record has just been deleted.")
        if not self._may_change(record):
            owner = getattr(record, "owner", None)
            return _("Already in the base (responsible: %(owner)s), and you may not change it.") % {"owner": owner}
        before = record.audit_snapshot()
        changed: list[str] = []
        for key, value in row.values.items():
            if key in NOT_UPDATED or key.startswith("_") or value in (None, "", []):
                continue
            attname = "company_id" if key == "company_id" else key
            if key in LIST_FIELDS:
                value = list(dict.fromkeys([*getattr(record, key), *value]))
            if getattr(record, attname) != value:
                setattr(record, attname, value)
                changed.append(attname)
        if row.custom and self.entity != ImportEntity.PRODUCT:
            merged = {**record.custom_fields, **row.custom}
            if merged != record.custom_fields:
                record.custom_fields = merged
                changed.append("custom_fields")
        if (row.owner_id and self.entity != ImportEntity.PRODUCT and row.owner_id != record.owner_id
                and permissions.can_reassign(self.ctx.actor)):
            record.owner_id = row.owner_id
            changed.append("owner_id")
        new_tags = []
        if row.tags and self.entity != ImportEntity.PRODUCT:
            have = set(record.tags.values_list("name", flat=True))
            new_tags = [n for n in row.tags if n not in have]
        if not changed and not new_tags:
            return None
        record.version += 1
        record.save(update_fields=[*changed, "version"])  # the audit receiver records the change
        previous = {name: before.get(name) for name in
                    (record._meta.get_field(c.removesuffix("_id")).name for c in changed) if name in before}
        if new_tags:
            tags = self._tag_objects(set(new_tags))
            record.tags.add(*(tags[n] for n in new_tags))
            previous["tags_added"] = new_tags
        return ImportedRecord(job=self.job, content_type=self.content_type, object_id=record.pk, row_number=row.number,
                              external_id=row.external_id, action=RowAction.UPDATED, previous_values=previous,
                              version_after=record.version)


def _merge(target: PreparedRow, row: PreparedRow) -> None:
    """A later row of the same file for a record this batch creates: its non-empty values fill in."""
    for key, value in row.values.items():
        if value in (None, "", []):
            continue
        if key in LIST_FIELDS:
            target.values[key] = list(dict.fromkeys([*target.values.get(key, []), *value]))
        else:
            target.values[key] = value
    target.custom.update(row.custom)
    target.tags = list(dict.fromkeys([*target.tags, *row.tags]))


def write_batch(writer: BatchWriter, rows: list[PreparedRow]) -> Counter[str]:
    return writer.write(rows)
