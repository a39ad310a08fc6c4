"""The one visibility rule, applied by generic views and the API alike (NetBox's restrict())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from kartoteka.accounts.models import User


class RecordQuerySet(models.QuerySet):
    """Reads every audited record has: a 404 that names what was looked for, and fragment search."""

    def get_or_404(self, pk: Any) -> Any:
        """The record with this id in the queryset, or NotVisible (a 404 that names the model and id)."""
        from kartoteka.core.errors import NotVisible

        try:
            return self.get(pk=pk)
        except self.model.DoesNotExist:
            raise NotVisible(self.model, pk) from None

    def search(self, fragment: str) -> RecordQuerySet:
        """Records whose search text (name, identifiers, e-mails, phone digits...) contains the fragment."""
        from kartoteka.core.search import search_terms, term_filter

        qs = self
        for term in search_terms(fragment):
            qs = qs.filter(term_filter(self.model, term, using=self.db))
        return qs


class CRMQuerySet(RecordQuerySet):
    def alive(self) -> CRMQuerySet:
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> CRMQuerySet:
        return self.filter(deleted_at__isnull=False)

    def visible_to(self, user: User, *, include_deleted: bool = False) -> CRMQuerySet:
        """Records `user` may see. Deleted records are hidden unless asked for (the recycle bin)."""
        from kartoteka.accounts.permissions import visibility_filter

        qs = self if include_deleted else self.alive()
        return qs.filter(visibility_filter(user, self.model))


def in_queryset(queryset: models.QuerySet, outer: str) -> models.Expression:
    """Whether the row that `OuterRef(outer)` points to is in `queryset`, for an annotation ("may the user see this
    contact's company?"). A scalar subquery with LIMIT 1 rather than EXISTS: PostgreSQL may turn an EXISTS into a
    hashed subplan that reads the whole table to answer a list page's 50 rows."""
    flag = queryset.filter(pk=models.OuterRef(outer)).order_by().values(flag=models.Value(True))[:1]
    return Coalesce(models.Subquery(flag, output_field=models.BooleanField()), models.Value(False))
