from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.forms import CheckboxSelectMultiple, DateInput
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts.models import Team
from kartoteka.core.filters import CRMFilterSet
from kartoteka.deals.choices import DealStatus
from kartoteka.deals.models import Deal, Pipeline, Stage


class DealFilterSet(CRMFilterSet):
    """The one filter definition of the deal list, the kanban and GET /api/v1/deals."""

    entity = "deal"
    pipeline = django_filters.ModelChoiceFilter(queryset=Pipeline.objects.all(), label=_("Pipeline"))
    stage = django_filters.ModelMultipleChoiceFilter(queryset=Stage.objects.select_related("pipeline"), label=_("Stage"))
    status = django_filters.MultipleChoiceFilter(choices=DealStatus.choices, field_name="stage__kind",
                                                 widget=CheckboxSelectMultiple, label=_("Status"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
    team = django_filters.ModelChoiceFilter(field_name="owner__team", queryset=Team.objects.all(), label=_("Team"))
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("Amount from"))
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("Amount to"))
    close_after = django_filters.DateFilter(field_name="expected_close_date", lookup_expr="gte",
                                            widget=DateInput(attrs={"type": "date"}), label=_("Expected close from"))
    close_before = django_filters.DateFilter(field_name="expected_close_date", lookup_expr="lte",
                                             widget=DateInput(attrs={"type": "date"}), label=_("Expected close to"))

    class Meta:
        model = Deal
        fields = ["q", "pipeline", "stage", "status", "owner", "team", "tag", "created_after", "created_before", "amount_min", "amount_max", "close_after",
                  "close_before", "company"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value) if value else queryset
