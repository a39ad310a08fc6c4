from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.forms import CheckboxSelectMultiple, DateInput, HiddenInput
from django.utils.translation import gettext_lazy as _

from kartoteka.contacts.choices import CompanyStatus, LegalForm, Source
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.filters import CRMFilterSet


def _segment_choices() -> list[tuple[str, Any]]:
    from kartoteka.reports.segments import segment_choices

    return segment_choices()


def _period_choices() -> list[tuple[str, Any]]:
    from kartoteka.reports.scope import PERIODS

    return PERIODS


class CompanyFilterSet(CRMFilterSet):
    entity = "company"
    status = django_filters.MultipleChoiceFilter(choices=CompanyStatus.choices, widget=CheckboxSelectMultiple, label=_("Status"))
    legal_form = django_filters.MultipleChoiceFilter(choices=LegalForm.choices, widget=CheckboxSelectMultiple, label=_("Legal form"))
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, widget=CheckboxSelectMultiple, label=_("Source"))
    inn = django_filters.CharFilter(lookup_expr="startswith", label=_("INN"))
    industry = django_filters.CharFilter(lookup_expr="icontains", label=_("Industry"))
    # A client segment of the reports (ABC, XYZ, ABC×XYZ, RFM) over a period: the companies list of a report's
    # cell, which can be saved as a view and acted on in bulk. Team and manager narrow the deals counted.
    segment = django_filters.ChoiceFilter(choices=_segment_choices, method="filter_segment", label=_("Segment"))
    segment_period = django_filters.ChoiceFilter(choices=_period_choices, method="keep", label=_("Segment period"))
    segment_start = django_filters.DateFilter(method="keep", label=_("Segment period from"),
                                              widget=DateInput(attrs={"type": "date"}))
    segment_end = django_filters.DateFilter(method="keep", label=_("Segment period to"),
                                            widget=DateInput(attrs={"type": "date"}))
    segment_team = django_filters.NumberFilter(method="keep", widget=HiddenInput)
    segment_owner = django_filters.NumberFilter(method="keep", widget=HiddenInput)

    class Meta:
        model = Company
        fields = ["q", "status", "legal_form", "source", "inn", "industry", "owner", "tag", "segment"]

    def keep(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        """The segment's period and narrowing are read by `filter_segment`; alone they filter nothing."""
        return queryset

    def filter_segment(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Companies of the segment: a subquery over the deals the user may see (the list is already limited to
        the companies the user may see)."""
        from django.utils import timezone

        from kartoteka.reports.scope import Scope, period_bounds
        from kartoteka.reports.segments import segment_company_ids

        if not value:
            return queryset
        data = self.form.cleaned_data
        kind = data.get("segment_period") or "year"
        start, end = period_bounds(kind, timezone.localdate(), data.get("segment_start"), data.get("segment_end"))
        scope = Scope(user=getattr(self.request, "user", None), start=start, end=end, period=kind,
                      team=data.get("segment_team"), owner=data.get("segment_owner"))
        ids = segment_company_ids(scope, value)
        return queryset.none() if ids is None else queryset.filter(pk__in=ids)


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
