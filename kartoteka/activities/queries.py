"""Reads about activity over time: neglected clients (no activity for N days, by status)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kartoteka.activities.models import Activity
from kartoteka.contacts.choices import CompanyStatus
from kartoteka.contacts.models import Company, Contact
from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import Deal

ORDERINGS = {"value": ("-open_value",), "quiet": ("last_activity_at",), "name": ()}
# Per kind: the activity link, the status that sets the threshold, the company whose open deals are the value.
KINDS: dict[str, tuple[Any, str, str, str]] = {
    "company": (Company, "company", "status", "pk"),
    "contact": (Contact, "contact", "company__status", "company_id"),
}


def neglected(kind: str, user: Any, *, now: datetime.datetime | None = None, ordering: str = "value") -> Any:
    """Companies (or contacts) the user may see with no activity for NEGLECTED_DAYS[status] days — a contact goes
    by its company's status, potential without one; a new record counts from its creation — annotated with
    `last_activity_at` and `open_value` (the open deals of the company) for sorting."""
    model, link, status_field, company_ref = KINDS[kind]
    now = now or timezone.now()
    last = Activity.objects.filter(**{link: OuterRef("pk")}).order_by("-occurred_at").values("occurred_at")[:1]
    value = (Deal.objects.alive().filter(company=OuterRef(company_ref), stage__kind=StageKind.OPEN).order_by()
             .values("company").annotate(total=Sum("amount")).values("total"))
    quiet = Q(pk__in=[])
    for status, days in settings.NEGLECTED_DAYS.items():
        since = now - datetime.timedelta(days=days)
        of_status = Q(**{status_field: status})
        if kind == "contact" and status == CompanyStatus.POTENTIAL:
            of_status |= Q(company__isnull=True)
        quiet |= of_status & (Q(last_activity_at__lt=since) | Q(last_activity_at__isnull=True, created_at__lt=since))
    qs = (model.objects.visible_to(user).select_related("owner")
          .annotate(last_activity_at=Subquery(last),
                    open_value=Coalesce(Subquery(value, output_field=DecimalField()), Value(0),
                                        output_field=DecimalField()))
          .filter(quiet))
    return qs.order_by(*ORDERINGS.get(ordering, ORDERINGS["value"]), *model._meta.ordering)


def neglected_companies(user: Any, **kwargs: Any) -> Any:
    return neglected("company", user, **kwargs)
