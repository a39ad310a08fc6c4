from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kartoteka.contacts.models import Company, Contact
from kartoteka.core.tables import (
    CRMTable,
    DateTimeColumn,
    EmailsColumn,
    PhonesColumn,
    TagsColumn,
    inline_edit_attrs,
)


class CompanyTable(CRMTable):
    entity = "company"
    name = tables.Column(linkify=True, attrs=inline_edit_attrs("contacts:company_cell", "name"))
    inn = tables.Column(attrs=inline_edit_attrs("contacts:company_cell", "inn"))
    status = tables.Column(attrs=inline_edit_attrs("contacts:company_cell", "status"))
    industry = tables.Column(attrs=inline_edit_attrs("contacts:company_cell", "industry"))
    phones = PhonesColumn(orderable=False)
    emails = EmailsColumn(orderable=False)
    owner = tables.Column(verbose_name=_("Responsible"), order_by=("owner__last_name", "owner__username"))
    tags = TagsColumn()
    created_at = DateTimeColumn(format="d.m.Y", verbose_name=_("Created"))
    updated_at = DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Updated"))

    default_columns = ("name", "inn", "status", "phones", "owner", "tags", "updated_at")
    inline_fields = frozenset({"name", "inn", "status", "industry"})

    class Meta(CRMTable.Meta):
        model = Company
        fields = ("name", "legal_form", "inn", "kpp", "status", "industry", "website", "source", "phones", "emails",
                  "owner", "tags", "created_at", "updated_at")


class ContactTable(CRMTable):
    entity = "contact"
    full_name = tables.Column(
        linkify=True, verbose_name=pgettext_lazy("person", "Name"), accessor="full_name", order_by=("last_name", "first_name"),
    )
    position = tables.Column(attrs=inline_edit_attrs("contacts:contact_cell", "position"))
    company = tables.Column(linkify=lambda record: record.company.get_absolute_url() if _company_shown(record) else None)
    phones = PhonesColumn(orderable=False)
    emails = EmailsColumn(orderable=False)
    telegram = tables.Column(attrs=inline_edit_attrs("contacts:contact_cell", "telegram"))
    owner = tables.Column(verbose_name=_("Responsible"), order_by=("owner__last_name", "owner__username"))
    tags = TagsColumn()
    created_at = DateTimeColumn(format="d.m.Y", verbose_name=_("Created"))
    updated_at = DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Updated"))

    default_columns = ("full_name", "position", "company", "phones", "emails", "owner", "updated_at")
    inline_fields = frozenset({"position", "telegram"})

    def render_company(self, value: Company, record: Contact) -> str:
        return str(value) if _company_shown(record) else "—"

    class Meta(CRMTable.Meta):
        model = Contact
        fields = ("full_name", "position", "company", "phones", "emails", "telegram", "whatsapp", "birthday",
                  "source", "owner", "tags", "created_at", "updated_at")


def _company_shown(record: Contact) -> bool:
    """The company only when the viewer may see it (annotated by ContactQuerySet.with_company_visibility)."""
    return record.company_id is not None and getattr(record, "company_visible", False)
