from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kartoteka.core.tables import (
    CRMTable,
    DateColumn,
    DateTimeColumn,
    TagsColumn,
    format_amount,
    inline_edit_attrs,
)
from kartoteka.deals.models import Deal

__all__ = ["DealTable", "format_amount"]


class DealTable(CRMTable):
    entity = "deal"
    title = tables.Column(linkify=True, attrs=inline_edit_attrs("deals:deal_cell", "title"))
    company = tables.Column(linkify=lambda record: record.company.get_absolute_url() if _company_shown(record) else None,
                            order_by=("company__name",))
    stage = tables.Column(order_by=("stage__position",))
    pipeline = tables.Column()
    amount = tables.Column(attrs={"td": {"class": "num"}})
    probability = tables.Column(verbose_name=_("Probability, %"), order_by=("probability",))
    expected_close_date = DateColumn(format="d.m.Y", verbose_name=_("Expected close"),
                                            attrs=inline_edit_attrs("deals:deal_cell", "expected_close_date"))
    owner = tables.Column(verbose_name=_("Responsible"), order_by=("owner__last_name", "owner__username"))
    tags = TagsColumn()
    created_at = DateTimeColumn(format="d.m.Y", verbose_name=_("Created"))
    updated_at = DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Updated"))

    default_columns = ("title", "company", "stage", "amount", "probability", "expected_close_date", "owner", "tags",
                       "updated_at")
    inline_fields = frozenset({"title", "expected_close_date"})

    def render_company(self, value: Any, record: Deal) -> str:
        return str(value) if _company_shown(record) else "—"

    def render_amount(self, value: Any, record: Deal) -> str:
        return format_amount(value, record.currency)

    def render_probability(self, record: Deal) -> int:
        return record.effective_probability

    class Meta(CRMTable.Meta):
        model = Deal
        fields = ("title", "company", "pipeline", "stage", "amount", "probability", "expected_close_date", "source",
                  "owner", "tags", "created_at", "updated_at")


def _company_shown(record: Deal) -> bool:
    return record.company_id is not None and getattr(record, "company_visible", False)
