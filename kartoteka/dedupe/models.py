"""Duplicate control settings and the merges that can be undone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kartoteka.dedupe.choices import DuplicateEntity, DuplicateMode, DuplicateSource

__all__ = ["DuplicatePolicy", "Merge"]


class DuplicatePolicy(models.Model):
    """Per entity and create path: whether creating a record that exactly matches an existing one (INN, phone,
    e-mail) only warns or is refused. Similar names always only warn. A missing row means "warn"."""

    entity = models.CharField(_("entity"), max_length=16, choices=DuplicateEntity.choices)
    source = models.CharField(_("create path"), max_length=16, choices=DuplicateSource.choices,
                              default=DuplicateSource.UI)
    mode = models.CharField(_("on an exact duplicate"), max_length=8, choices=DuplicateMode.choices,
                            default=DuplicateMode.WARN)

    class Meta:
        ordering = ["entity", "source"]
        constraints = [models.UniqueConstraint(fields=["entity", "source"], name="dedupe_policy_entity_source")]
        verbose_name = _("duplicate policy")
        verbose_name_plural = _("duplicate policies")

    def __str__(self) -> str:
        return f"{self.get_entity_display()} ({self.get_source_display()}): {self.get_mode_display()}"


class Merge(models.Model):
    """Two companies (or two contacts) merged into one; `data` holds what undoing needs: the survivor's fields
    before, and every link that was moved, removed or added."""

    entity = models.CharField(_("entity"), max_length=16, choices=DuplicateEntity.choices)
    survivor_id = models.BigIntegerField(_("survivor"))
    merged_id = models.BigIntegerField(_("merged record"))
    survivor_repr = models.CharField(max_length=255)
    merged_repr = models.CharField(max_length=255)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(_("merged"), auto_now_add=True)
    data = models.JSONField(default=dict, editable=False)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("undone by"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [models.Index(fields=["entity", "survivor_id"], name="dedupe_merge_survivor"),
                   models.Index(fields=["entity", "merged_id"], name="dedupe_merge_merged")]

    def __str__(self) -> str:
        return f"{self.merged_repr} → {self.survivor_repr}"
