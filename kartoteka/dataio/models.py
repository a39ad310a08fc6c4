"""Import jobs, saved column mappings, and what each import wrote (for undo, external ids and the failed-rows
file). Exports keep no table of their own: the security log is their ledger (dataio/export.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kartoteka.dataio.choices import DuplicatePolicy, ImportEntity, ImportStatus, RowAction

__all__ = ["ImportFailure", "ImportJob", "ImportMapping", "ImportedRecord"]


class ImportMapping(models.Model):
    """A named column → field map, offered again when a file with the same headers is imported."""

    name = models.CharField(_("name"), max_length=100)
    entity = models.CharField(_("entity"), max_length=16, choices=ImportEntity.choices)
    # {normalised header: field key}
    columns = models.JSONField(_("columns"), default=dict)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="import_mappings")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["entity", "name", "id"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One uploaded file being imported into one entity. `position` is the number of data rows already
    committed: it moves in the same transaction as the batch it counts, so a resume starts exactly there."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT,
                              related_name="import_jobs")
    entity = models.CharField(_("entity"), max_length=16, choices=ImportEntity.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    headers = models.JSONField(_("columns of the file"), default=list)
    # One field key (or "") per column of the file, in order.
    mapping = models.JSONField(_("mapping"), default=list)
    policy = models.CharField(_("duplicates"), max_length=8, choices=DuplicatePolicy.choices,
                              default=DuplicatePolicy.SKIP)
    match_by = models.JSONField(_("match duplicates by"), default=list)
    create_companies = models.BooleanField(_("create missing companies"), default=True)
    status = models.CharField(_("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    position = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Set by every committed batch: a running job whose heartbeat is old has lost its worker (resumed by
    # dataio.tasks.resume_stalled_imports).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["owner", "-created_at"], name="dataio_importjob_owner_time")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_entity_display()})"

    def get_absolute_url(self) -> str:
        return reverse("dataio:import_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        return int(100 * self.position / self.total_rows) if self.total_rows else (100 if self.is_finished else 0)

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.UNDONE)


class ImportedRecord(models.Model):
    """A record an import created or updated: what undo removes or reverts (`previous_values`: the fields it
    changed, as they were), and the file's external id that a later import matches on."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    row_number = models.PositiveIntegerField()
    external_id = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=8, choices=RowAction.choices)
    previous_values = models.JSONField(null=True, blank=True)
    version_after = models.PositiveIntegerField(null=True, blank=True)
    undone = models.BooleanField(default=False)

    class Meta:
        ordering = ["job", "id"]
        indexes = [
            models.Index(fields=["content_type", "external_id"], name="dataio_imported_external"),
            models.Index(fields=["job", "action"], name="dataio_imported_job_action"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.action} {self.content_type_id}:{self.object_id}"


class ImportFailure(models.Model):
    """A row that was not imported, with the file's cells and the reason (the failed-rows file)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="failures")
    row_number = models.PositiveIntegerField()
    values = models.JSONField(default=list)
    reason = models.TextField()

    class Meta:
        ordering = ["job", "row_number", "id"]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.reason}"
