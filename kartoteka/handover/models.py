"""A handover moves everything one user is responsible for to one or several colleagues, item by item, so it
can resume after a crash and be reverted; a cover lets a colleague work an absent user's records for a while."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kartoteka.handover.choices import HandoverStatus, SplitRule

__all__ = ["Cover", "Handover", "HandoverItem"]


class Handover(models.Model):
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from"), on_delete=models.PROTECT,
                                  related_name="handovers_out")
    receivers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("receivers"), related_name="+")
    rule = models.CharField(_("split"), max_length=16, choices=SplitRule.choices, default=SplitRule.EVEN)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=HandoverStatus.choices,
                              default=HandoverStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.from_user} ({self.created_at:%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("handover:detail", args=[self.pk])


class HandoverItem(models.Model):
    """One record to move. `moved_at` set = done (exactly once: the resume skips it); `skipped` = the record had
    already changed hands; `version_after` lets a revert tell whether anyone touched the record since."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(null=True, blank=True)
    skipped = models.BooleanField(default=False)
    version_after = models.PositiveIntegerField(null=True, blank=True)
    reverted = models.BooleanField(default=False)

    class Meta:
        ordering = ["handover", "id"]
        constraints = [models.UniqueConstraint(fields=["handover", "content_type", "object_id"],
                                               name="handover_handoveritem_once")]
        indexes = [models.Index(fields=["handover", "moved_at"], name="handover_item_progress")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} → {self.to_user_id}"


class CoverQuerySet(models.QuerySet):
    def active(self, day: object = None) -> CoverQuerySet:
        from django.utils import timezone

        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Cover(models.Model):
    """While `user` is away, `substitute` sees and works their records and gets their new leads; ownership does
    not change, and the cover ends by itself after `ends_on`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("absent user"), on_delete=models.CASCADE,
                             related_name="covers")
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("substitute"), on_delete=models.CASCADE,
                                   related_name="covering")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = CoverQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("cover")
        verbose_name_plural = _("covers")
        indexes = [models.Index(fields=["substitute", "ends_on"], name="handover_cover_substitute")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="handover_cover_ends_after_start"),
            models.CheckConstraint(condition=~Q(user=F("substitute")), name="handover_cover_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.substitute} → {self.user}: {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"
