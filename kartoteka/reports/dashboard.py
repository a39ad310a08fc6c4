"""The start dashboard's figures: per manager (or per team for administrators) side by side, and the viewer's
own pipeline by stage. A handful of grouped queries whatever the number of records."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from kartoteka.deals.choices import StageKind
from kartoteka.leads.choices import OPEN_STATUSES
from kartoteka.reports.plans import plans_of
from kartoteka.reports.sales import OPEN, WON, _weighted, owner_name
from kartoteka.reports.scope import Scope


def people(scope: Scope, *, by_team: bool = False) -> list[dict[str, Any]]:
    """Per manager (or team): leads received and taken, deals created, won (count and sum) in the period, and
    the open pipeline now (sum and weighted); the sales plan of the period's whole months beside the won sum
    (`plan` None when the period holds no whole month or nobody set one). Sums are in the site's currency:
    deals in other currencies are counted but not added."""
    from django.conf import settings

    keys = ("owner__team", "owner__team__name") if by_team else ("owner", "owner__username", "owner__first_name",
                                                                "owner__last_name")
    period = Q(created_at__gte=scope.since, created_at__lt=scope.until)
    closed = Q(closed_at__gte=scope.since, closed_at__lt=scope.until)
    same_currency = Q(currency=settings.DEFAULT_CURRENCY)
    rows: dict[Any, dict[str, Any]] = defaultdict(dict)
    deals = (scope.deals().order_by().values(*keys)
             .annotate(created=Count("id", filter=period), won_n=Count("id", filter=WON & closed),
                       won_sum=Sum("amount", filter=WON & closed & same_currency),
                       pipeline=Sum("amount", filter=OPEN & same_currency),
                       weighted=Sum(_weighted(), filter=OPEN & same_currency)))
    for r in deals:
        rows[r[keys[0]]].update(r)
    leads = (scope.leads().filter(owner__isnull=False).order_by().values(*keys)
             .annotate(received=Count("id", filter=period), open_leads=Count("id", filter=Q(status__in=OPEN_STATUSES))))
    for r in leads:
        rows[r[keys[0]]].update(r)
    for r in (*_work(scope, keys), *_neglected(scope, keys)):
        rows[r[keys[0]]].update(r)
    plans = plans_of(scope, by_team=by_team)
    for key, r in (plans or {}).items():
        rows[key].update(r)
    result = []
    for key, r in rows.items():
        label = (r.get("owner__team__name") or "—") if by_team else owner_name(r)
        result.append({"key": key, "label": label, "received": r.get("received", 0), "open_leads": r.get("open_leads", 0),
                       "created": r.get("created", 0), "won_n": r.get("won_n", 0), "won_sum": r.get("won_sum") or 0,
                       "pipeline": r.get("pipeline") or 0, "weighted": r.get("weighted") or 0,
                       "overdue": r.get("overdue", 0), "due_today": r.get("due_today", 0),
                       "neglected": r.get("neglected", 0), "plan": r.get("plan"),
                       "percent": percent_of_plan(r.get("won_sum") or 0, r.get("plan"))})
    return sorted(result, key=lambda r: (-float(r["won_sum"]), r["label"]))


def percent_of_plan(won: Any, plan: Any) -> int | None:
    """Won as a whole percent of the plan; None without a plan (or a zero one)."""
    if not plan:
        return None
    return int(round(Decimal(won or 0) * 100 / Decimal(plan)))


def _work(scope: Scope, keys: tuple[str, ...]) -> Any:
    """Per manager (or team): open tasks overdue now and due today. One grouped query."""
    import datetime

    from django.utils import timezone

    from kartoteka.tasks.models import Task, day_start

    now = timezone.now()
    today = day_start(timezone.localdate(now))
    overdue = Q(all_day=False, due_at__lt=now) | Q(all_day=True, due_at__lt=today)
    # The tasks of the people whose figures the viewer sees (not every task linked to a visible record: that
    # visibility rule ORs subqueries over all deals, seconds at a million deals).
    from kartoteka.accounts.permissions import visible_owners

    tasks = Task.objects.alive().filter(owner__in=visible_owners(scope.user).values("pk"))
    rows = (scope.narrow(tasks).open()
            .filter(due_at__lt=today + datetime.timedelta(days=1)).order_by().values(*keys)
            .annotate(overdue=Count("id", filter=overdue), due_today=Count("id", filter=~overdue)))
    return rows


def _neglected(scope: Scope, keys: tuple[str, ...]) -> Any:
    """Per manager (or team): companies with no activity for longer than NEGLECTED_DAYS of their status. One
    grouped query (see activities.queries.neglected)."""
    from kartoteka.activities.queries import neglected_companies

    return (scope.narrow(neglected_companies(scope.user)).order_by().values(*keys)
            .annotate(neglected=Count("id")))


def pipeline_by_stage(scope: Scope) -> list[dict[str, Any]]:
    """Open deals now, by pipeline and stage: count, sum and weighted sum (the site's currency)."""
    from django.conf import settings

    rows = (scope.deals().filter(stage__kind=StageKind.OPEN, currency=settings.DEFAULT_CURRENCY).order_by()
            .values("pipeline__name", "pipeline__position", "stage__name", "stage__position")
            .annotate(n=Count("id"), total=Sum("amount"), weighted=Sum(_weighted()))
            .order_by("pipeline__position", "pipeline__name", "stage__position"))
    return [{"label": f"{r['pipeline__name']} · {r['stage__name']}", "n": r["n"], "total": r["total"] or 0,
             "weighted": r["weighted"] or 0} for r in rows]
