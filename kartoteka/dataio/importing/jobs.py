"""An import job's life: upload (read the header, guess the mapping) → configure (mapping, duplicate policy) →
preview → start (queued as a background job) → run in batches → done; later, undo.

`run_import(job)` is the whole write path and needs no request: the worker, `kartoteka importjob run <id>` and
the benchmark call it. Each batch is one transaction that writes its records, audit rows, ImportedRecord and
ImportFailure rows AND moves `job.position`; a process killed mid-batch loses that batch's transaction only, and
the next run starts from the position, so every row ends up written exactly once.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.audit.choices import SecurityEventKind, Source
from kartoteka.audit.context import change_context
from kartoteka.audit.services import lock_change_log, record_security_event
from kartoteka.core.errors import AccessDenied
from kartoteka.dataio.choices import DuplicatePolicy, ImportEntity, ImportStatus
from kartoteka.dataio.importing.fields import entity_fields
from kartoteka.dataio.importing.mapping import (
    apply_saved,
    check_mapping,
    guess_mapping,
    matching_saved_mapping,
    saved_columns,
)
from kartoteka.dataio.importing.readers import Table, detect_format, read_table
from kartoteka.dataio.importing.rows import ImportContext, PreparedRow, prepare_row
from kartoteka.dataio.importing.writer import MATCH_KINDS, BatchWriter
from kartoteka.dataio.models import ImportJob, ImportMapping

__all__ = ["BATCH", "PREVIEW_ROWS", "configure_job", "create_job", "may_import", "preview", "run_import",
           "start_job", "table_of"]

logger = logging.getLogger("kartoteka.import")
BATCH = 500
STALLED_MINUTES = 10
PREVIEW_ROWS = 20
MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 50 * 1024 * 1024)


def may_import(user: Any, entity: str | None = None) -> bool:
    """Admins, heads and managers import (managers' records stay their own); viewers do not. Products are the
    shared catalog: only those who manage it."""
    if not user.is_authenticated or not user.is_active or user.is_viewer:
        return False
    if entity == ImportEntity.PRODUCT:
        return permissions.can_manage_catalog(user)
    return True


def _require(user: Any, entity: str) -> None:
    if not may_import(user, entity):
        raise AccessDenied()


def may_see(user: Any, job: ImportJob) -> bool:
    """The importer, their head and administrators follow and undo an import."""
    if not user.is_authenticated or not user.is_active:
        return False
    return job.owner_id == user.pk or user.is_admin or (user.role == "head" and permissions.heads_user(user, job.owner_id))


def table_of(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        return read_table(handle.read(), job.original_name)


def create_job(*, actor: Any, entity: str, filename: str, content: bytes) -> ImportJob:
    """Store the upload and read its header; the mapping starts as a saved mapping matching the header, or the
    guess from the header names. ValidationError on "file" for an unreadable or too large file."""
    if entity not in ImportEntity.values:
        raise ValidationError({"entity": _("Choose what to import.")})
    _require(actor, entity)
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 1024 // 1024}})
    fmt = detect_format(filename)
    table = read_table(content, filename)
    fields = entity_fields(entity)
    saved = matching_saved_mapping(actor, entity, table.headers)
    mapping = apply_saved(table.headers, saved.columns, fields) if saved else guess_mapping(table.headers, fields)
    job = ImportJob(owner=actor, entity=entity, original_name=os.path.basename(filename)[:255], file_format=fmt,
                    encoding=table.encoding, delimiter=table.delimiter, headers=table.headers, mapping=mapping,
                    match_by=_default_match(entity))
    job.file.save(f"import-{timezone.now():%Y%m%d%H%M%S}.{fmt}", ContentFile(content), save=False)
    job.save()
    return job


def _default_match(entity: str) -> list[str]:
    return {ImportEntity.COMPANY: ["external_id", "inn", "phone", "email"],
            ImportEntity.CONTACT: ["external_id", "phone", "email"],
            ImportEntity.LEAD: ["external_id", "phone", "email"],
            ImportEntity.DEAL: ["external_id"], ImportEntity.PRODUCT: ["external_id"]}[ImportEntity(entity)]


def configure_job(job: ImportJob, *, actor: Any, mapping: list[str], policy: str, match_by: list[str],
                  create_companies: bool = True, save_as: str = "") -> ImportJob:
    """Set the mapping and duplicate handling of a job not started yet; optionally save the mapping by name."""
    if job.owner_id != actor.pk:
        raise AccessDenied()
    if job.status != ImportStatus.PENDING or job.started_at is not None:
        raise ValidationError(_("The import has already started."))
    fields = entity_fields(job.entity)
    mapping = [str(m or "") for m in mapping][:len(job.headers)]
    mapping += [""] * (len(job.headers) - len(mapping))
    check_mapping(mapping, fields)
    if policy not in DuplicatePolicy.values:
        raise ValidationError({"policy": _("Choose what to do with duplicates.")})
    job.mapping = mapping
    job.policy = policy
    job.match_by = [m for m in MATCH_KINDS if m in match_by]
    job.create_companies = bool(create_companies)
    job.save(update_fields=["mapping", "policy", "match_by", "create_companies"])
    if save_as.strip():
        ImportMapping.objects.create(name=save_as.strip()[:100], entity=job.entity, owner=actor,
                                     columns=saved_columns(job.headers, mapping))
    return job


def preview(job: ImportJob, *, limit: int = PREVIEW_ROWS) -> list[PreparedRow]:
    """The first rows as they would be read, each with its validation errors."""
    ctx = ImportContext(entity=job.entity, actor=job.owner, mapping=job.mapping)
    return [prepare_row(n, cells, ctx) for n, cells in islice(_numbered(table_of(job)), limit)]


def start_job(job: ImportJob, *, actor: Any, request: Any = None) -> ImportJob:
    """Queue the job for the worker (after this transaction commits). Recorded as a security event."""
    from kartoteka.core.jobs import enqueue_on_commit
    from kartoteka.dataio.tasks import run_import_job

    if job.owner_id != actor.pk:
        raise AccessDenied()
    _require(actor, job.entity)
    check_mapping(job.mapping, entity_fields(job.entity))
    if job.started_at is not None or job.status != ImportStatus.PENDING:
        raise ValidationError(_("The import has already started."))
    job.total_rows = sum(1 for _row in table_of(job).rows())
    job.started_at = timezone.now()
    job.save(update_fields=["total_rows", "started_at"])
    record_security_event(SecurityEventKind.IMPORT, request=request, actor=actor, target=job, detail={
        "import": job.pk, "entity": job.entity, "file": job.original_name, "rows": job.total_rows,
        "policy": job.policy, "match_by": job.match_by})
    enqueue_on_commit(run_import_job, job.pk)
    return job


def _numbered(table: Table) -> Iterator[tuple[int, list[str]]]:
    return ((n, cells) for n, cells in enumerate(table.rows(), start=1))


def stalled_jobs(*, minutes: int = STALLED_MINUTES) -> Any:
    """Running jobs that have committed nothing for `minutes`: their worker died (a deploy, an OOM kill)."""
    limit = timezone.now() - datetime.timedelta(minutes=minutes)
    return ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=limit).order_by("id")


def _pause() -> float:
    try:
        return float(os.environ.get("KARTOTEKA_IMPORT_PAUSE", "0") or 0)
    except ValueError:
        return 0.0


def run_import(job: ImportJob | int, *, batch: int = BATCH, pause: float | None = None) -> ImportJob:
    """Import the job's remaining rows, a batch per transaction; safe to call again after a crash (it resumes at
    `position`) and a no-op for a finished job. `pause` (or KARTOTEKA_IMPORT_PAUSE) waits between batches: it
    lets a test kill the process mid-way."""
    job = ImportJob.objects.get(pk=job if isinstance(job, int) else job.pk)
    if job.status in (ImportStatus.DONE, ImportStatus.UNDONE):
        return job  # a FAILED job runs again from its position (after the cause is fixed)
    pause = _pause() if pause is None else pause
    actor = job.owner
    with change_context(actor=actor, source=Source.IMPORT):
        try:
            _run(job, actor=actor, batch=batch, pause=pause)
        except Exception as exc:
            logger.exception("import %s failed", job.pk)
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error=repr(exc)[:2000],
                                                       finished_at=timezone.now())
            raise
    job.refresh_from_db()
    return job


def _run(job: ImportJob, *, actor: Any, batch: int, pause: float) -> None:
    table = table_of(job)
    if not job.total_rows:
        job.total_rows = sum(1 for _row in table.rows())
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, total_rows=job.total_rows,
                                               started_at=job.started_at or timezone.now(),
                                               heartbeat_at=timezone.now())
    ctx = ImportContext(entity=job.entity, actor=actor, mapping=job.mapping)
    writer = BatchWriter(job, ctx)
    rows = islice(_numbered(table), job.position, None)
    start = job.position
    while True:
        chunk = list(islice(rows, batch))
        if not chunk:
            break
        prepared = [prepare_row(n, cells, ctx) for n, cells in chunk]
        with transaction.atomic():
            lock_change_log()
            current = ImportJob.objects.select_for_update().only("position", "status").get(pk=job.pk)
            if current.position != start or current.status != ImportStatus.RUNNING:
                return  # another worker got there first, or the job was stopped: never write a row twice
            counts = writer.write(prepared)
            start += len(chunk)
            ImportJob.objects.filter(pk=job.pk).update(
                position=start, created_count=F("created_count") + counts["created"],
                updated_count=F("updated_count") + counts["updated"],
                skipped_count=F("skipped_count") + counts["skipped"],
                failed_count=F("failed_count") + counts["failed"], heartbeat_at=timezone.now())
        if pause:
            time.sleep(pause)
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), total_rows=max(start, job.total_rows))
