"""Manager activity (the seeds' KPIs): calls made and received, answered, minutes on the phone, meetings,
e-mails and messages logged, leads taken, deals created and won — per manager, for the period and the period
before it (the same length), so "this month against last month" reads in one table."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum

from kartoteka.accounts import permissions
from kartoteka.activities.choices import ActivityKind, CallDirection
from kartoteka.activities.models import Activity
from kartoteka.reports.sales import WON, owner_name
from kartoteka.reports.scope import Scope

FIGURES = ("calls_out", "calls_in", "answered", "call_minutes", "meetings", "emails", "messages", "leads_taken",
           "deals_created", "won_n", "won_sum")
CALL = Q(kind=ActivityKind.CALL)


def _people(scope: Scope) -> Any:
    people = permissions.visible_owners(scope.user)
    if scope.owner is not None:
        people = people.filter(pk=scope.owner.pk)
    if scope.team is not None:
        people = people.filter(team=scope.team)
    return people


def _figures(scope: Scope) -> dict[int, dict[str, Any]]:
    """{user id: figures} for the scope's period. An answered call is one that lasted (duration over 0)."""
    rows: dict[int, dict[str, Any]] = defaultdict(dict)
    activities = (Activity.objects.filter(author__in=_people(scope).values("pk"), occurred_at__gte=scope.since,
                                          occurred_at__lt=scope.until)
                  .order_by().values("author")
                  .annotate(calls_out=Count("id", filter=CALL & Q(direction=CallDirection.OUTGOING)),
                            calls_in=Count("id", filter=CALL & Q(direction=CallDirection.INCOMING)),
                            answered=Count("id", filter=CALL & Q(duration_seconds__gt=0)),
                            call_seconds=Sum("duration_seconds", filter=CALL),
                            meetings=Count("id", filter=Q(kind=ActivityKind.MEETING)),
                            emails=Count("id", filter=Q(kind=ActivityKind.EMAIL)),
                            messages=Count("id", filter=Q(kind=ActivityKind.MESSAGE))))
    for r in activities:
        rows[r["author"]].update(r, call_minutes=round((r["call_seconds"] or 0) / 60))
    for owner_id, n in (scope.leads().filter(assigned_at__gte=scope.since, assigned_at__lt=scope.until)
                        .order_by().values("owner").annotate(n=Count("id")).values_list("owner", "n")):
        if owner_id:
            rows[owner_id]["leads_taken"] = n
    period = Q(created_at__gte=scope.since, created_at__lt=scope.until)
    closed = Q(closed_at__gte=scope.since, closed_at__lt=scope.until)
    for r in (scope.deals().order_by().values("owner")
              .annotate(deals_created=Count("id", filter=period), won_n=Count("id", filter=WON & closed),
                        won_sum=Sum("amount", filter=WON & closed & Q(currency=settings.DEFAULT_CURRENCY)))):
        rows[r["owner"]].update(r)
    return rows


def manager_activity(scope: Scope) -> list[dict[str, Any]]:
    """Per manager: each figure for the period, and for the key ones the change against the previous period."""
    length = (scope.end - scope.start).days + 1
    previous = dataclasses.replace(scope, start=scope.start - datetime.timedelta(days=length),
                                   end=scope.start - datetime.timedelta(days=1))
    now, before = _figures(scope), _figures(previous)
    people = {u.pk: u for u in _people(scope).filter(pk__in=set(now) | set(before))}
    result = []
    for pk, user in people.items():
        row = {name: now.get(pk, {}).get(name) or 0 for name in FIGURES}
        last = {name: before.get(pk, {}).get(name) or 0 for name in FIGURES}
        row.update(label=owner_name({"owner__username": user.username, "owner__first_name": user.first_name,
                                     "owner__last_name": user.last_name}),
                   calls_delta=row["calls_out"] + row["calls_in"] - last["calls_out"] - last["calls_in"],
                   won_sum_previous=last["won_sum"], won_sum_delta=row["won_sum"] - last["won_sum"])
        result.append(row)
    return sorted(result, key=lambda r: (-(r["calls_out"] + r["calls_in"]), r["label"]))
