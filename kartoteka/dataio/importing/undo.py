"""Undo of an import, and the failed-rows file.

Undo decision (docs/import.md): records the import created go to the recycle bin (soft delete, audited, can be
restored like any deleted record) — products, which have no recycle bin, are deactivated; records it updated get
their previous values back. A record changed by anyone since the import (its version moved on) is kept as it is
and counted, so undo never overwrites later work.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.audit.choices import Action, SecurityEventKind, Source
from kartoteka.audit.context import change_context, current
from kartoteka.audit.models import ObjectChange
from kartoteka.audit.services import lock_change_log, record_security_event
from kartoteka.core.errors import AccessDenied
from kartoteka.dataio.choices import ImportStatus, RowAction
from kartoteka.dataio.export import neutralise
from kartoteka.dataio.models import ImportedRecord, ImportJob

__all__ = ["failed_rows_csv", "undo_import"]

CHUNK = 1000


def failed_rows_csv(job: ImportJob) -> bytes:
    """The rows that were not imported, as the file had them, with the row number and the reason: fix and
    import this file again. Semicolons and a BOM, like exports; formula-like cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*job.headers, _("Row"), _("Reason")])
    for failure in job.failures.order_by("row_number", "id").iterator(chunk_size=2000):
        cells = list(failure.values) + [""] * (len(job.headers) - len(failure.values))
        writer.writerow([neutralise(c) for c in cells[:len(job.headers)]] + [failure.row_number,
                                                                             neutralise(failure.reason)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _audit(objects: list[Any], action: str, pre: dict[int, dict[str, Any]], post: dict[int, dict[str, Any]]) -> None:
    if not objects:
        return
    ctx = current()
    actor = ctx.actor if ctx.actor is not None and getattr(ctx.actor, "pk", None) else None
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(type(objects[0]), for_concrete_model=True)
    ObjectChange.objects.bulk_create([ObjectChange(
        changed_at=ctx.at or timezone.now(), actor=actor, actor_name=(actor.get_username() if actor else "")[:150],
        source=ctx.source, request_id=ctx.request_id, action=action, content_type=ct, object_id=o.pk,
        object_repr=str(o)[:255], prechange=pre[o.pk], postchange=post[o.pk]) for o in objects], batch_size=500)


def _undo_created(items: list[ImportedRecord], actor: Any, counts: Counter[str]) -> list[int]:
    """Soft-delete (products: deactivate) the created records nobody changed since; returns the done item ids."""
    model = items[0].content_type.model_class()
    done: list[int] = []
    now = timezone.now()
    for start in range(0, len(items), CHUNK):
        chunk = items[start:start + CHUNK]
        objects = model.objects.select_for_update().in_bulk([i.object_id for i in chunk])
        gone: list[Any] = []
        is_product = not hasattr(model, "deleted_at")
        for item in chunk:
            obj = objects.get(item.object_id)
            if obj is None:
                done.append(item.pk)
                continue
            if obj.version != item.version_after or (not is_product and not permissions.can_change(actor, obj)):
                counts["kept"] += 1
                continue
            if is_product:
                obj.active = False
            else:
                obj.deleted_at = now
            obj.version += 1
            gone.append(obj)
            done.append(item.pk)
        field = "active" if is_product else "deleted_at"
        model.objects.bulk_update(gone, [field, "version"], batch_size=500)
        before = {o.pk: {field: True if is_product else None} for o in gone}
        after = {o.pk: {field: False if is_product else now.isoformat()} for o in gone}
        _audit(gone, Action.UPDATE if is_product else Action.DELETE, before, after)
        counts["removed"] += len(gone)
    return done


def _undo_updated(items: list[ImportedRecord], actor: Any, counts: Counter[str]) -> bool:
    """Revert one record the import updated (once per batch that touched it, `items` oldest first): if nobody
    changed it since the last of them, each field gets the value it had before the first."""
    item = items[-1]
    model = item.content_type.model_class()
    obj = model.objects.select_for_update().filter(pk=item.object_id).first()
    if obj is None:
        return True
    may = permissions.can_manage_catalog(actor) if not hasattr(obj, "owner_id") else permissions.can_change(actor, obj)
    if obj.version != item.version_after or not may:
        counts["kept"] += 1
        return False
    previous: dict[str, Any] = {}
    added: list[str] = []
    for each in reversed(items):  # the earliest value of a field wins
        values = dict(each.previous_values or {})
        added += values.pop("tags_added", [])
        previous.update(values)
    changed = []
    for name, value in previous.items():
        field = obj._meta.get_field(name)
        setattr(obj, field.attname, value)
        changed.append(field.attname)
    obj.version += 1
    obj.save(update_fields=[*changed, "version"])
    if added:
        obj.tags.remove(*obj.tags.filter(name__in=added))
    counts["reverted"] += 1
    return True


def undo_import(job: ImportJob, *, actor: Any, request: Any = None) -> Counter[str]:
    """Remove what the import created and revert what it updated (see the module's docstring). Returns counts:
    removed, reverted, kept (changed since, left alone)."""
    from kartoteka.dataio.importing.jobs import may_see

    if not may_see(actor, job) or actor.is_viewer:
        raise AccessDenied()
    counts: Counter[str] = Counter()
    with change_context(actor=actor, source=Source.IMPORT), transaction.atomic():
        lock_change_log()
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (ImportStatus.DONE, ImportStatus.FAILED):
            raise ValidationError(_("Only a finished import can be undone."))
        items = list(job.records.filter(undone=False).select_related("content_type").order_by("-id"))
        done: list[int] = []
        updated: dict[tuple[int, int], list[ImportedRecord]] = {}
        for item in sorted((i for i in items if i.action == RowAction.UPDATED), key=lambda i: i.pk):
            updated.setdefault((item.content_type_id, item.object_id), []).append(item)
        for group in updated.values():
            if _undo_updated(group, actor, counts):
                done += [i.pk for i in group]
        created = [i for i in items if i.action == RowAction.CREATED]
        for ct_id in dict.fromkeys(i.content_type_id for i in created):  # contacts before the companies made for them
            done += _undo_created([i for i in created if i.content_type_id == ct_id], actor, counts)
        for start in range(0, len(done), CHUNK):
            ImportedRecord.objects.filter(pk__in=done[start:start + CHUNK]).update(undone=True)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.UNDONE, undone_at=timezone.now())
        record_security_event(SecurityEventKind.IMPORT, request=request, actor=actor, target=job, detail={
            "import": job.pk, "undo": True, **{k: counts[k] for k in ("removed", "reverted", "kept")}})
    return counts
