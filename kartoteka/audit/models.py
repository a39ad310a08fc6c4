"""The audit trail: one row per create, update, delete and restore of a client-base record."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from kartoteka.audit.choices import Action, Source

__all__ = ["ObjectChange"]


class ObjectChange(models.Model):
    """Actor, time, path and the before/after of the fields that changed (NetBox's ObjectChange)."""

    changed_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(_("record"), max_length=255)
    prechange = models.JSONField(null=True, blank=True)
    postchange = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-changed_at"], name="audit_objectchange_object_time"),
        ]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.action}"

    @property
    def changed_fields(self) -> dict[str, tuple[object, object]]:
        """{field: (before, after)} for the fields that differ."""
        before = self.prechange or {}
        after = self.postchange or {}
        keys = [k for k in after if before.get(k) != after.get(k)] if self.action != Action.DELETE else []
        return {k: (before.get(k), after.get(k)) for k in keys}
