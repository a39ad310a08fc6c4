from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.forms import CheckboxSelectMultiple, DateInput
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kartoteka.core.filters import CRMFilterSet
from kartoteka.tasks.choices import TaskKind, TaskPriority, TaskStatus
from kartoteka.tasks.models import Task


class TaskFilterSet(CRMFilterSet):
    """The one filter definition of the task list, the calendar and GET /api/v1/tasks."""

    entity = "task"
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices, widget=CheckboxSelectMultiple,
                                                 label=_("Status"))
    kind = django_filters.MultipleChoiceFilter(choices=TaskKind.choices, widget=CheckboxSelectMultiple,
                                               label=_("Kind"))
    priority = django_filters.MultipleChoiceFilter(choices=TaskPriority.choices, widget=CheckboxSelectMultiple,
                                                   label=_("Priority"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    due_after = django_filters.DateFilter(field_name="due_at", lookup_expr="date__gte",
                                          widget=DateInput(attrs={"type": "date"}), label=_("Due from"))
    due_before = django_filters.DateFilter(field_name="due_at", lookup_expr="date__lte",
                                           widget=DateInput(attrs={"type": "date"}), label=_("Due to"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
    contact = django_filters.NumberFilter(field_name="contact_id", label=_("Contact"))
    deal = django_filters.NumberFilter(field_name="deal_id", label=_("Deal"))

    class Meta:
        model = Task
        fields = ["q", "status", "kind", "priority", "owner", "overdue", "due_after", "due_before", "tag", "company",
                  "contact", "deal"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Task.objects.overdue(timezone.now()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
