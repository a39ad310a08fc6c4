"""Deal reports: the funnel of a pipeline, the forecast, and sales by manager, team, source or month.

Every figure is aggregated in the database (conditional aggregates, GROUP BY, window functions); Python only
shapes the few result rows. Amounts are never added across currencies: rows are per currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import Pipeline, StageChange
from kartoteka.reports.scope import Scope

WON, LOST, OPEN = Q(stage__kind=StageKind.WON), Q(stage__kind=StageKind.LOST), Q(stage__kind=StageKind.OPEN)


@dataclass
class FunnelStep:
    stage: Any
    reached: int
    amount: Decimal
    conversion: float | None  # share of the previous step that got here, %
    avg_days: float | None  # average time deals spent in this stage before moving on
    lost: list[tuple[str, int]] = field(default_factory=list)  # (lost reason, deals lost from this stage)


def funnel(scope: Scope, pipeline: Pipeline) -> list[FunnelStep]:
    """Deals of the pipeline created in the period: how many reached each open stage (entered it or a later one,
    or were won — a deal moved backwards still counts where it got to), then won; conversion step to step;
    average days in each stage; and where lost deals dropped out, with their reasons."""
    stages = list(pipeline.stages.order_by("position", "id"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    cohort = scope.deals().filter(pipeline=pipeline, created_at__gte=scope.since, created_at__lt=scope.until)
    furthest = (StageChange.objects.filter(deal=OuterRef("pk"), to_stage__pipeline=pipeline,
                                           to_stage__kind=StageKind.OPEN)
                .order_by("-to_stage__position").values("to_stage__position")[:1])
    # One row per (furthest open stage, won): the subquery runs once per deal. Conditional aggregates over it
    # made PostgreSQL inline the subquery into every FILTER clause (once per stage); the steps are sums here.
    histogram = list(cohort.annotate(furthest=Subquery(furthest), won=Case(When(WON, then=Value(1)), default=Value(0)))
                     .order_by().values("furthest", "won").annotate(n=Count("id"), amount=Sum("amount")))

    def reached(position: int | None) -> tuple[int, Decimal]:
        rows = [r for r in histogram if r["won"] or (position is not None and r["furthest"] is not None
                                                   and r["furthest"] >= position)]
        return sum(r["n"] for r in rows), sum((r["amount"] or Decimal(0) for r in rows), Decimal(0))

    row: dict[str, Any] = {}
    for stage in open_stages:
        row[f"n{stage.pk}"], row[f"a{stage.pk}"] = reached(stage.position)
    row["n_won"], row["a_won"] = reached(None)
    days = dict(StageChange.objects.filter(deal__in=cohort.values("pk"), from_stage__pipeline=pipeline)
                .order_by().values("from_stage").annotate(avg=Avg("seconds_in_previous"))
                .values_list("from_stage", "avg"))
    dropped: dict[int | None, list[tuple[str, int]]] = {}
    for stage_id, reason, n in (StageChange.objects.filter(deal__in=cohort.filter(LOST).values("pk"),
                                                           to_stage__kind=StageKind.LOST)
                                .order_by().values("from_stage", "deal__lost_reason__name")
                                .annotate(n=Count("deal", distinct=True))
                                .values_list("from_stage", "deal__lost_reason__name", "n")):
        dropped.setdefault(stage_id, []).append((reason or "—", n))
    steps, previous = [], None
    for stage in [*open_stages, None]:
        key = "won" if stage is None else stage.pk
        reached = row[f"n{key}" if stage else "n_won"] or 0
        step = FunnelStep(
            stage=stage, reached=reached, amount=row[f"a{key}" if stage else "a_won"] or Decimal(0),
            conversion=round(100 * reached / previous, 1) if previous else None,
            avg_days=round(days[stage.pk] / 86400, 1) if stage and days.get(stage.pk) is not None else None,
            lost=sorted(dropped.get(stage.pk if stage else -1, []), key=lambda r: -r[1]),
        )
        steps.append(step)
        previous = reached
    return steps


def _weighted() -> Any:
    probability = Coalesce("probability", "stage__probability")
    return ExpressionWrapper(F("amount") * probability / 100, output_field=DecimalField(max_digits=16, decimal_places=2))


OWNER_KEYS = ("owner", "owner__username", "owner__first_name", "owner__last_name")


def owner_name(row: dict[str, Any]) -> str:
    full = f"{row.get('owner__first_name') or ''} {row.get('owner__last_name') or ''}".strip()
    return full or row.get("owner__username") or "—"


def forecast(scope: Scope) -> list[dict[str, Any]]:
    """Open deals expected to close in the period, per month, manager and currency: count, amount and amount
    weighted by probability (the deal's own, else its stage's); beside it what was won in that month."""
    expected = (scope.deals().filter(OPEN, expected_close_date__gte=scope.start, expected_close_date__lte=scope.end)
                .annotate(month=TruncMonth("expected_close_date")).order_by()
                .values("month", "currency", *OWNER_KEYS)
                .annotate(n=Count("id"), total=Sum("amount"), weighted=Sum(_weighted())))
    won = (scope.deals().filter(WON, closed_at__gte=scope.since, closed_at__lt=scope.until)
           .annotate(month=TruncMonth("closed_at")).order_by()
           .values("month", "currency", "owner").annotate(won=Sum("amount"), won_n=Count("id")))
    won_by = {(_month(r["month"]), r["currency"], r["owner"]): r for r in won}
    rows = []
    for r in expected:
        key = (_month(r["month"]), r["currency"], r["owner"])
        got = won_by.pop(key, {})
        rows.append({"month": key[0], "currency": r["currency"], "owner": owner_name(r), "n": r["n"],
                     "amount": r["total"] or 0, "weighted": r["weighted"] or 0,
                     "won": got.get("won") or 0, "won_n": got.get("won_n", 0)})
    return sorted(rows, key=lambda r: (r["month"], r["currency"], r["owner"]))


def _month(value: Any) -> str:
    return value.strftime("%Y-%m") if value else ""


GROUPS = {
    "owner": OWNER_KEYS,
    "team": ("owner__team__name",),
    "source": ("source",),
    "month": ("month",),
}


def sales(scope: Scope, by: str = "owner") -> list[dict[str, Any]]:
    """Deals closed in the period grouped `by` manager, team, source or month: won count and sum, average won
    deal, win rate (won of closed), and the sales cycle (days from creation to winning)."""
    keys = GROUPS.get(by, GROUPS["owner"])
    cycle = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    closed = scope.deals().filter(closed_at__gte=scope.since, closed_at__lt=scope.until)
    if by == "month":
        closed = closed.annotate(month=TruncMonth("closed_at"))
    rows = (closed.order_by().values(*keys, "currency")
            .annotate(won_n=Count("id", filter=WON), won_sum=Sum("amount", filter=WON), lost_n=Count("id", filter=LOST),
                      cycle=Avg(cycle, filter=WON)))
    result = []
    for r in rows:
        label = (owner_name(r) if by == "owner" else _month(r["month"]) if by == "month"
                 else r.get(keys[0]) or "—")
        closed_n = r["won_n"] + r["lost_n"]
        result.append({
            "label": label, "currency": r["currency"], "won_n": r["won_n"], "won_sum": r["won_sum"] or 0,
            "lost_n": r["lost_n"], "avg": (r["won_sum"] / r["won_n"]) if r["won_n"] and r["won_sum"] else 0,
            "win_rate": round(100 * r["won_n"] / closed_n, 1) if closed_n else None,
            "cycle_days": round(_days(r["cycle"]), 1) if r["cycle"] is not None else None,
        })
    return sorted(result, key=lambda r: (-float(r["won_sum"]), r["label"]))


def _days(value: Any) -> float:
    """A duration average as days (a timedelta on PostgreSQL, microseconds on SQLite)."""
    if hasattr(value, "total_seconds"):
        return value.total_seconds() / 86400
    return float(value) / 1_000_000 / 86400
