"""Named list views: a list's filters, sort and columns, saved by a user, pinned, shared with the team."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["SavedView"]


class SavedView(models.Model):
    """One saved list view. `query` is the list's query string (search, filters, sort); `columns` its columns.
    Shared views are visible (read-only) to the members of `team`, the owner's team when it was shared."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="saved_views")
    entity = models.CharField(_("list"), max_length=32)
    list_path = models.CharField(max_length=200)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    team = models.ForeignKey("accounts.Team", verbose_name=_("shared with team"), on_delete=models.SET_NULL,
                             null=True, blank=True, related_name="saved_views")
    pinned_by = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("pinned by"), blank=True,
                                       related_name="pinned_views")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(fields=["owner", "entity", "name"],
                                               name="savedviews_savedview_unique_name")]
        indexes = [models.Index(fields=["entity", "team"], name="savedviews_entity_team")]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        """The list with the view's filters and sort, and its columns (applied as the user's column choice)."""
        from urllib.parse import urlencode

        parts = [self.query] if self.query else []
        if self.columns:
            parts.append(urlencode([("columns", c) for c in self.columns] + [("save_columns", "1")]))
        return self.list_path + ("?" + "&".join(parts) if parts else "")
