"""Abstract bases shared by every domain app. No concrete models live here (NetBox's utilities rule)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kartoteka.core.querysets import CRMQuerySet

__all__ = ["AuditedModel", "CRMModel", "TimeStampedModel"]


class TimeStampedModel(models.Model):
    """Adds created/updated timestamps."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditedModel(TimeStampedModel):
    """A record with its creator, an optimistic version, a fragment-search column and an automatic audit trail.

    The audit (audit/receivers.py) snapshots every AuditedModel on load and diffs it on save. CRMModel adds the
    responsible, soft delete and custom fields; shared reference data (products) subclasses this directly.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Lower-cased name, identifiers, e-mails and phone digits: one column for fragment search
    # (trigram-indexed on PostgreSQL).
    search_text = models.TextField(editable=False, default="")

    # Fields left out of the audit diff (derived or bookkeeping).
    audit_exclude: tuple[str, ...] = ("created_at", "updated_at", "search_text", "version")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "updated_at"}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> AuditedModel:
        instance = super().from_db(db, field_names, values)
        instance._audit_snapshot = instance.audit_snapshot()  # type: ignore[attr-defined]
        return instance

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'

    def build_search_text(self) -> str:
        """Subclasses return the text their fragment search matches against."""
        return ""

    def audit_snapshot(self) -> dict[str, Any]:
        """The record's fields as JSON-ready values, the unit of the audit diff."""
        data: dict[str, Any] = {}
        for field in self._meta.concrete_fields:
            if field.name in self.audit_exclude or field.primary_key:
                continue
            if field.name not in self.__dict__ and field.attname not in self.__dict__:
                continue  # deferred
            value = getattr(self, field.attname)
            data[field.name] = _jsonable(value)
        return data


class CRMModel(AuditedModel):
    """A client-base record: responsible user, optimistic version, soft delete, custom fields, audit.

    Visibility is decided by `CRMQuerySet.visible_to(user)`; writes go through the owning app's services.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = CRMQuerySet.as_manager()

    # Fields that only a head or an admin may change, and that no form or API body may set directly.
    protected_fields: tuple[str, ...] = ("owner", "created_by", "version", "deleted_at", "search_text")

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
