from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kartoteka.core.tables import CRMTable, DateTimeColumn, TagsColumn, inline_edit_attrs
from kartoteka.core.validators import format_phone
from kartoteka.leads.models import Lead


class LeadTable(CRMTable):
    entity = "lead"
    name = tables.Column(linkify=True, verbose_name=_("Lead"), order_by=("name", "id"),
                         attrs=inline_edit_attrs("leads:lead_cell", "name"))
    company_name = tables.Column(attrs=inline_edit_attrs("leads:lead_cell", "company_name"))
    phone = tables.Column()
    email = tables.EmailColumn()
    status = tables.Column()
    source = tables.Column()
    utm_campaign = tables.Column()
    team = tables.Column(order_by=("team__name",))
    owner = tables.Column(verbose_name=_("Responsible"), order_by=("owner__last_name", "owner__username"),
                          default="—")
    tags = TagsColumn()
    created_at = DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Received"))
    updated_at = DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Updated"))

    default_columns = ("name", "company_name", "phone", "email", "status", "source", "owner", "created_at")
    inline_fields = frozenset({"name", "company_name"})

    def render_name(self, record: Lead) -> str:
        return str(record)

    def render_phone(self, value: str) -> Any:
        return format_html('<a href="tel:{}">{}</a>', value.split(";")[0], format_phone(value))

    def render_status(self, record: Lead) -> Any:
        return format_html('<span class="badge lead-{}">{}</span>', record.status, record.get_status_display())

    class Meta(CRMTable.Meta):
        model = Lead
        fields = ("name", "company_name", "phone", "email", "status", "source", "utm_campaign", "team", "owner",
                  "tags", "created_at", "updated_at")
