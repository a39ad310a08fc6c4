from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.forms import CheckboxSelectMultiple, DateInput
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts.models import Team
from kartoteka.core.filters import CRMFilterSet
from kartoteka.leads.choices import LeadSource, LeadStatus
from kartoteka.leads.models import Lead, WebForm


class LeadFilterSet(CRMFilterSet):
    """The one filter definition of the lead list, the inbox and GET /api/v1/leads."""

    entity = "lead"
    status = django_filters.MultipleChoiceFilter(choices=LeadStatus.choices, widget=CheckboxSelectMultiple,
                                                 label=_("Status"))
    source = django_filters.MultipleChoiceFilter(choices=LeadSource.choices, widget=CheckboxSelectMultiple,
                                                 label=_("Source"))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"))
    web_form = django_filters.ModelChoiceFilter(queryset=WebForm.objects.all(), label=_("Web form"))
    unassigned = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull", label=_("Without responsible"))
    utm_source = django_filters.CharFilter(label="utm_source")
    utm_campaign = django_filters.CharFilter(label="utm_campaign")
    received_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                               widget=DateInput(attrs={"type": "date"}), label=_("Received from"))
    received_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                                widget=DateInput(attrs={"type": "date"}), label=_("Received to"))

    class Meta:
        model = Lead
        fields = ["q", "status", "source", "owner", "team", "unassigned", "web_form", "utm_source", "utm_campaign",
                  "tag", "received_after", "received_before"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value) if value else queryset
