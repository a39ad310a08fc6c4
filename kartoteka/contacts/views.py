"""Company and contact pages: declarative subclasses of the generic views, plus autocomplete."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kartoteka.accounts import permissions
from kartoteka.contacts import services
from kartoteka.contacts.filters import CompanyFilterSet, ContactFilterSet
from kartoteka.contacts.forms import CompanyForm, ContactForm
from kartoteka.contacts.models import Company, Contact
from kartoteka.contacts.tables import CompanyTable, ContactTable
from kartoteka.core.views import generic
from kartoteka.deals.models import Deal

AUTOCOMPLETE_LIMIT = 20
RELATED_LIMIT = 50


class CompanyMixin:
    model = Company
    service = services
    entity = "company"


class ContactMixin:
    model = Contact
    service = services
    entity = "contact"


class CompanyListView(CompanyMixin, generic.ObjectListView):
    filterset_class = CompanyFilterSet
    table_class = CompanyTable

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("owner").prefetch_related("tags")


class CompanyDetailView(CompanyMixin, generic.ObjectDetailView):
    template_name = "contacts/company_detail.html"

    def related_context(self, request: HttpRequest, obj: Company) -> dict[str, Any]:
        contacts = Contact.objects.visible_to(request.user).filter(company=obj).select_related("owner")
        deals = Deal.objects.visible_to(request.user).filter(company=obj).open_first()
        return {"contacts": contacts[:RELATED_LIMIT], "contacts_count": contacts.count(),
                "deals": deals[:RELATED_LIMIT], "deals_count": deals.count(), "deal_company": obj,
                "deal_filter": f"company={obj.pk}", "can_add_deal": not request.user.is_viewer,
                "lifetime": deals.lifetime_value()}


class CompanyEditView(CompanyMixin, generic.ObjectEditView):
    form_class = CompanyForm
    duplicate_check = True


class CompanyCellView(CompanyMixin, generic.InlineEditView):
    form_class = CompanyForm
    table_class = CompanyTable


class CompanyDeleteView(CompanyMixin, generic.ObjectDeleteView):
    pass


class CompanyRestoreView(CompanyMixin, generic.ObjectRestoreView):
    pass


class CompanyBulkView(CompanyMixin, generic.BulkActionView):
    pass


class CompanyTimelineView(CompanyMixin, generic.TimelineView):
    pass


class CompanyNoteView(CompanyMixin, generic.NoteCreateView):
    pass


class CompanyShareView(CompanyMixin, generic.ShareView):
    pass


class ContactListView(ContactMixin, generic.ObjectListView):
    filterset_class = ContactFilterSet
    table_class = ContactTable

    def get_queryset(self, request: HttpRequest) -> Any:
        return (super().get_queryset(request).select_related("owner", "company").prefetch_related("tags")
                .with_company_visibility(request.user))


class ContactDetailView(ContactMixin, generic.ObjectDetailView):
    template_name = "contacts/contact_detail.html"

    def related_context(self, request: HttpRequest, obj: Contact) -> dict[str, Any]:
        company = Company.objects.visible_to(request.user).filter(pk=obj.company_id).first() if obj.company_id else None
        deals = Deal.objects.visible_to(request.user).filter(deal_contacts__contact=obj).open_first()
        return {"company": company, "deals": deals[:RELATED_LIMIT], "deals_count": deals.count(),
                "deal_company": company, "can_add_deal": not request.user.is_viewer}


class ContactEditView(ContactMixin, generic.ObjectEditView):
    form_class = ContactForm
    duplicate_check = True

    def get_object(self, request: HttpRequest, pk: int | None) -> Any:
        obj = super().get_object(request, pk)
        if pk is None and str(request.GET.get("company", "")).isdigit():
            obj.company = Company.objects.visible_to(request.user).filter(pk=request.GET["company"]).first()
        return obj


class ContactCellView(ContactMixin, generic.InlineEditView):
    form_class = ContactForm
    table_class = ContactTable


class ContactDeleteView(ContactMixin, generic.ObjectDeleteView):
    pass


class ContactRestoreView(ContactMixin, generic.ObjectRestoreView):
    pass


class ContactBulkView(ContactMixin, generic.BulkActionView):
    pass


class ContactTimelineView(ContactMixin, generic.TimelineView):
    pass


class ContactNoteView(ContactMixin, generic.NoteCreateView):
    pass


class ContactShareView(ContactMixin, generic.ShareView):
    pass


@login_required
def company_autocomplete(request: HttpRequest) -> HttpResponse:
    """<option>s of visible companies matching ?q= (for the company picker)."""
    query = request.GET.get("q", "").strip()
    companies = Company.objects.visible_to(request.user).only("id", "name")
    companies = companies.search(query) if query else companies.none()
    return render(request, "core/partials/_options.html", {"options": companies[:AUTOCOMPLETE_LIMIT]})


# Every soft-deleted kind of record, in the order the recycle bin shows them.
RECYCLABLE = ("contacts.Company", "contacts.Contact", "deals.Deal", "leads.Lead")
RECYCLE_BIN_LIMIT = 100


@login_required
def recycle_bin(request: HttpRequest) -> HttpResponse:
    """Deleted records the user can see, newest first per kind; restore where allowed."""
    restorable = permissions.restorable_owner_ids(request.user)
    sections = []
    for label in RECYCLABLE:
        model = apps.get_model(label)
        deleted = (model.objects.visible_to(request.user, include_deleted=True).deleted().select_related("owner")
                   .order_by("-deleted_at", "-id")[:RECYCLE_BIN_LIMIT])
        sections.append({"title": model._meta.verbose_name_plural, "records": deleted,
                         "restore_url": f"{model._meta.app_label}:{model._meta.model_name}_restore"})
    return render(request, "contacts/recycle_bin.html", {
        "sections": sections, "restore_any": restorable is None, "restorable_owner_ids": restorable or set(),
    })
