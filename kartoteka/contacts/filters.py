from __future__ import annotations

import django_filters
from django.forms import CheckboxSelectMultiple
from django.utils.translation import gettext_lazy as _

from kartoteka.contacts.choices import CompanyStatus, LegalForm, Source
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.filters import CRMFilterSet


class CompanyFilterSet(CRMFilterSet):
    entity = "company"
    status = django_filters.MultipleChoiceFilter(choices=CompanyStatus.choices, widget=CheckboxSelectMultiple, label=_("Status"))
    legal_form = django_filters.MultipleChoiceFilter(choices=LegalForm.choices, widget=CheckboxSelectMultiple, label=_("Legal form"))
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, widget=CheckboxSelectMultiple, label=_("Source"))
    inn = django_filters.CharFilter(lookup_expr="startswith", label=_("INN"))
    industry = django_filters.CharFilter(lookup_expr="icontains", label=_("Industry"))

    class Meta:
        model = Company
        fields = ["q", "status", "legal_form", "source", "inn", "industry", "owner", "tag"]


class ContactFilterSet(CRMFilterSet):
    entity = "contact"
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
    has_company = django_filters.BooleanFilter(field_name="company", lookup_expr="isnull", exclude=True,
                                               label=_("Has a company"))
    position = django_filters.CharFilter(lookup_expr="icontains", label=_("Position"))
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, widget=CheckboxSelectMultiple, label=_("Source"))
    birthday_month = django_filters.NumberFilter(field_name="birthday", lookup_expr="month", label=_("Birthday month"))

    class Meta:
        model = Contact
        fields = ["q", "company", "has_company", "position", "source", "owner", "tag", "birthday_month"]
