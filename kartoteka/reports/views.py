"""Report pages: the role dashboard and one page per report, each a chart with its table beneath and a CSV
export of that table (for users with the export permission; every export is a security event)."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kartoteka.accounts.choices import Role
from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.services import record_security_event
from kartoteka.deals.models import Pipeline
from kartoteka.leads.choices import LeadSource
from kartoteka.reports import clients, dashboard, discipline, plans, sales, segments
from kartoteka.reports.digests import FREQUENCIES
from kartoteka.reports.scope import Scope


@dataclass(frozen=True)
class Table:
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None  # Chart.js config: type, labels, datasets
    extra: dict[str, Any] = field(default_factory=dict)  # what the report's page shows besides the table


def _chart(kind: str, labels: list[Any], *series: tuple[str, list[Any]], stacked: bool = False) -> dict[str, Any]:
    return {"type": kind, "labels": [str(label) for label in labels], "stacked": stacked,
            "datasets": [{"label": str(name), "data": [float(v or 0) for v in values]} for name, values in series]}


def funnel_table(scope: Scope, request: HttpRequest) -> Table:
    pipelines = list(Pipeline.objects.filter(active=True))
    chosen = next((p for p in pipelines if str(p.pk) == request.GET.get("pipeline")), pipelines[0] if pipelines else None)
    steps = sales.funnel(scope, chosen) if chosen else []
    rows = [{"stage": str(s.stage) if s.stage else _("Won"), "reached": s.reached, "amount": s.amount,
             "conversion": s.conversion, "avg_days": s.avg_days,
             "lost": ", ".join(f"{reason}: {n}" for reason, n in s.lost)} for s in steps]
    return Table(
        columns=[("stage", _("Stage")), ("reached", _("Deals reached")), ("amount", _("Amount")),
                 ("conversion", _("Conversion from the previous step, %")), ("avg_days", _("Average days in stage")),
                 ("lost", _("Lost here, by reason"))],
        rows=rows, chart=_chart("bar", [r["stage"] for r in rows], (_("Deals reached"), [r["reached"] for r in rows])),
        extra={"pipelines": (pipelines, chosen)})


def forecast_table(scope: Scope, request: HttpRequest) -> Table:
    rows = sales.forecast(scope)
    months = sorted({r["month"] for r in rows})
    by_month = {m: [r for r in rows if r["month"] == m] for m in months}
    return Table(
        columns=[("month", _("Month")), ("owner", _("Manager")), ("currency", _("Currency")), ("n", _("Open deals")),
                 ("amount", _("Amount")), ("weighted", _("Weighted by probability")), ("won", _("Won"))],
        rows=rows, chart=_chart("bar", months, (_("Weighted by probability"), [sum(r["weighted"] for r in by_month[m])
                                                                               for m in months]),
                                (_("Won"), [sum(r["won"] for r in by_month[m]) for m in months])))


SALES_GROUPS = {"owner": gettext_lazy("Manager"), "team": gettext_lazy("Team"), "source": gettext_lazy("Source"),
                "month": gettext_lazy("Month")}


def sales_table(scope: Scope, request: HttpRequest) -> Table:
    by = request.GET.get("by") if request.GET.get("by") in SALES_GROUPS else "owner"
    rows = sales.sales(scope, by)
    return Table(
        columns=[("label", str(SALES_GROUPS[by])), ("currency", _("Currency")), ("won_n", _("Won")),
                 ("won_sum", _("Won, sum")), ("avg", _("Average deal")), ("lost_n", _("Lost")),
                 ("win_rate", _("Win rate, %")), ("cycle_days", _("Sales cycle, days"))],
        rows=rows, chart=_chart("bar", [r["label"] for r in rows], (_("Won, sum"), [r["won_sum"] for r in rows])),
        extra={"by": by})


def lead_sources_table(scope: Scope, request: HttpRequest) -> Table:
    names = dict(LeadSource.choices)
    rows = [{**r, "source": names.get(r["source"], r["source"])} for r in clients.lead_sources(scope)]
    return Table(
        columns=[("source", _("Source")), ("utm_campaign", "utm_campaign"), ("n", _("Leads")),
                 ("converted", _("Converted")), ("conversion", _("Conversion, %")), ("won", _("Won")),
                 ("revenue", _("Revenue"))],
        rows=rows, chart=_chart("bar", [f"{r['source']} {r['utm_campaign']}".strip() for r in rows],
                                (_("Leads"), [r["n"] for r in rows]), (_("Converted"), [r["converted"] for r in rows])))


def abc_table(scope: Scope, request: HttpRequest) -> Table:
    result = clients.abc(scope)
    for c in result["classes"]:
        c["list_url"] = scope.segment_list_url(f"abc:{c['class']}")
    for row in result["matrix"]:
        for cell in row["cells"]:
            cell["list_url"] = scope.segment_list_url(f"abcxyz:{cell['segment']}")
    result["xyz_lists"] = [(x, scope.segment_list_url(f"xyz:{x}")) for x in segments.XYZ_CLASSES]
    (a, b), (x, y), (first, last, months) = result["abc_limits"], result["xyz_limits"], result["xyz_window"]
    result["limits_text"] = _(
        "A: up to %(a)s%% of revenue, B: up to %(b)s%%, C: the rest. XYZ by the variation of monthly revenue over "
        "%(months)s months, %(first)s – %(last)s (months without a purchase count as zero): X up to %(x)s%%, "
        "Y up to %(y)s%%, Z above.") % {"a": a, "b": b, "x": x, "y": y, "months": months,
                                       "first": date_format(first, "F Y"), "last": date_format(last, "F Y")}
    return Table(
        columns=[("name", _("Company")), ("revenue", _("Revenue")), ("class", _("Class")), ("xyz", "XYZ"),
                 ("cv", _("Variation of monthly revenue, %"))], rows=result["top"],
        chart=_chart("doughnut", [c["class"] for c in result["classes"]],
                     (_("Revenue"), [c["revenue"] for c in result["classes"]])), extra={"abc": result})


def rfm_table(scope: Scope, request: HttpRequest) -> Table:
    result = clients.rfm(scope)
    for s in result["segments"]:
        s["list_url"] = scope.segment_list_url(f"rfm:{s['segment']}")
    return Table(
        columns=[("name", _("Company")), ("orders", _("Purchases")), ("revenue", _("Revenue")), ("r", "R"),
                 ("f", "F"), ("m", "M"), ("segment", _("Segment"))], rows=result["top"],
        chart=_chart("bar", [s["label"] for s in result["segments"]],
                     (_("Companies"), [s["companies"] for s in result["segments"]])), extra={"rfm": result})


def industries_table(scope: Scope, request: HttpRequest) -> Table:
    rows = clients.industries(scope)
    return Table(
        columns=[("industry", _("Industry")), ("companies", _("Companies")), ("active", _("Active")),
                 ("revenue", _("Revenue")), ("share", _("Share of revenue, %"))], rows=rows,
        chart=_chart("doughnut", [r["industry"] for r in rows if r["revenue"]],
                     (_("Revenue"), [r["revenue"] for r in rows if r["revenue"]])))


def activity_table(scope: Scope, request: HttpRequest) -> Table:
    from kartoteka.reports.activity import manager_activity

    rows = manager_activity(scope)
    return Table(
        columns=[("label", _("Manager")), ("calls_out", _("Calls made")), ("calls_in", _("Calls received")),
                 ("answered", _("Answered")), ("call_minutes", _("Minutes on the phone")),
                 ("calls_delta", _("Calls vs the previous period")), ("meetings", _("Meetings")),
                 ("emails", _("E-mails")), ("messages", _("Messages")), ("leads_taken", _("Leads taken")),
                 ("deals_created", _("Deals created")), ("won_n", _("Won")), ("won_sum", _("Won, sum")),
                 ("won_sum_previous", _("Won, sum, previous period"))],
        rows=rows, chart=_chart("bar", [r["label"] for r in rows], (_("Calls made"), [r["calls_out"] for r in rows]),
                                (_("Calls received"), [r["calls_in"] for r in rows]),
                                (_("Meetings"), [r["meetings"] for r in rows])))


def discipline_table(scope: Scope, request: HttpRequest) -> Table:
    rows, total = discipline.with_total(scope)
    return Table(
        columns=[(key, str(heading)) for key, heading in discipline.COLUMNS], rows=rows + ([total] if total else []),
        chart=_chart("bar", [r["label"] for r in rows], (_("Done on time"), [r["on_time"] for r in rows]),
                     (_("Done late"), [r["late"] for r in rows]),
                     (_("Still overdue"), [r["overdue"] for r in rows]), stacked=True))


def unmet_demand_table(scope: Scope, request: HttpRequest) -> Table:
    from django.utils import timezone

    from kartoteka.reports.demand import unmet_demand

    def qty(value: Any) -> int | float | None:
        return None if value is None else int(value) if value == value.to_integral_value() else float(value)

    rows = [{**r, "quantity": qty(r["quantity"]), "line_quantity": qty(r["line_quantity"]), "stock": qty(r["stock"]),
             "last": timezone.localtime(r["last"]).date().isoformat() if r["last"] else None}
            for r in unmet_demand(scope)]
    shown = rows[:20]
    return Table(
        columns=[("product", _("Product")), ("sku", _("SKU")), ("stock", _("Stock on hand")),
                 ("requests", _("Requests logged")), ("quantity", _("Quantity asked")),
                 ("clients", _("Clients who asked")), ("last", _("Last asked")),
                 ("deals", _("Open deals short of stock")), ("line_quantity", _("Quantity on those lines"))],
        rows=rows, chart=_chart("bar", [r["product"] for r in shown], (_("Requests logged"),
                                                                       [r["requests"] for r in shown]),
                                (_("Open deals short of stock"), [r["deals"] for r in shown]), stacked=True))


@dataclass(frozen=True)
class Report:
    title: Any
    build: Callable[[Scope, HttpRequest], Table]
    help: Any = ""


REPORTS: dict[str, Report] = {
    "activity": Report(gettext_lazy("Manager activity"), activity_table, gettext_lazy(
        "Calls, meetings, e-mails and messages logged, leads taken, deals created and won per manager, against the "
        "previous period of the same length. A call counts as answered when it lasted.")),
    "funnel": Report(gettext_lazy("Funnel"), funnel_table, gettext_lazy(
        "Deals of the pipeline created in the period: how many reached each stage, conversion, time in stage and "
        "where lost deals dropped out.")),
    "forecast": Report(gettext_lazy("Forecast"), forecast_table, gettext_lazy(
        "Open deals expected to close in the period, weighted by probability, against what was won.")),
    "sales": Report(gettext_lazy("Sales"), sales_table, gettext_lazy(
        "Deals closed in the period: won count and sum, average deal, win rate and sales cycle.")),
    "lead_sources": Report(gettext_lazy("Lead sources"), lead_sources_table, gettext_lazy(
        "Leads received in the period by source and campaign, their conversion and the revenue they brought.")),
    "abc": Report(gettext_lazy("ABC×XYZ analysis"), abc_table, gettext_lazy(
        "Clients by revenue won in the period: A brings the first 80%, B the next 15%, C the rest; and by the "
        "regularity of their monthly revenue: X varies up to 10%, Y up to 25%, Z more.")),
    "rfm": Report(gettext_lazy("RFM segments"), rfm_table, gettext_lazy(
        "Clients who bought in the period scored 1-5 by recency, frequency and revenue, in named segments.")),
    "industries": Report(gettext_lazy("Industries"), industries_table, gettext_lazy(
        "Clients and revenue won in the period per industry.")),
    "unmet_demand": Report(gettext_lazy("Unmet demand"), unmet_demand_table, gettext_lazy(
        "Products clients asked for that we could not supply: requests logged from the cards in the period, and "
        "open deals (now) with a line for more than the stock on hand.")),
    "discipline": Report(gettext_lazy("Task discipline"), discipline_table, gettext_lazy(
        "Tasks due in the period done on time or late and still overdue, deadlines moved, and how fast new leads "
        "get a first call or message.")),
}


def export_csv(request: HttpRequest, name: str, scope: Scope, table: Table) -> HttpResponse:
    """The report's table as CSV (formula-looking cells neutralised); refused without the export permission."""
    if not request.user.can_export and not request.user.is_admin:
        raise Http404
    record_security_event(SecurityEventKind.EXPORT, request=request, detail={
        "report": name, "scope": scope.query(), "columns": [k for k, _h in table.columns], "rows": len(table.rows)})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kartoteka-{name}-{scope.start}-{scope.end}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow([heading for _k, heading in table.columns])
    for row in table.rows:
        writer.writerow([_safe_cell(row.get(key)) for key, _h in table.columns])
    return response


def _safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_GET
def report(request: HttpRequest, name: str) -> HttpResponse:
    spec = REPORTS.get(name)
    if spec is None:
        raise Http404
    scope, form = Scope.from_request(request)
    table = spec.build(scope, request)
    if request.GET.get("export") == "csv":
        return export_csv(request, name, scope, table)
    return render(request, "reports/report.html", {
        "name": name, "report": spec, "reports": REPORTS, "scope": scope, "form": form, "table": table,
        "chart": table.chart, "can_export": request.user.can_export or request.user.is_admin,
        "sales_groups": SALES_GROUPS, "pipelines": None, "by": None, "abc": None, "rfm": None, **table.extra,
    })


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The role dashboard: a manager's own figures; a head's team side by side; an administrator's per team."""
    scope, form = Scope.from_request(request)
    user = request.user
    by_team = user.is_admin and scope.team is None and scope.owner is None
    rows = dashboard.people(scope, by_team=by_team)
    stages = dashboard.pipeline_by_stage(scope)
    totals = {key: sum(r[key] for r in rows) for key in ("received", "created", "won_n", "won_sum", "pipeline",
                                                         "weighted", "open_leads", "overdue", "due_today",
                                                         "neglected")}
    planned = [r["plan"] for r in rows if r["plan"] is not None]
    totals["plan"] = sum(planned) if planned else None
    totals["percent"] = dashboard.percent_of_plan(totals["won_sum"], totals["plan"])
    # A manager's "won of plan" is their own row (records shared with them or covered are someone else's sales).
    own = next((r for r in rows if r["key"] == user.pk), None) if user.role == Role.MANAGER else None
    plan_summary = ({"won_sum": own["won_sum"] if own else 0, "plan": own["plan"] if own else None,
                     "percent": own["percent"] if own else None} if user.role == Role.MANAGER else totals)
    return render(request, "reports/dashboard.html", {
        "scope": scope, "form": form, "rows": rows, "totals": totals, "stages": stages, "by_team": by_team,
        "reports": REPORTS, "side_by_side": len(rows) > 1 or by_team,
        "people_chart": _chart("bar", [r["label"] for r in rows], (_("Won, sum"), [r["won_sum"] for r in rows]),
                               (_("Open pipeline, weighted"), [r["weighted"] for r in rows])),
        "digest_choices": FREQUENCIES.items(), "digest": (user.preferences or {}).get("report_digest", ""),
        "stage_chart": _chart("bar", [r["label"] for r in stages], (_("Open deals, sum"), [r["total"] for r in stages])),
        "discipline": discipline.with_total(scope), "discipline_columns": discipline.COLUMNS,
        "can_export": user.can_export or user.is_admin, "has_plans": plans.whole_months(scope) is not None,
        "can_set_plans": plans.can_set_plans(user), "plan_summary": plan_summary,
    })


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """GET ?month=YYYY-MM: the month's plan of each of the viewer's people, one amount per row; POST saves the
    filled amounts (an empty one leaves the plan as it is). Heads (their teams) and administrators only."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.shortcuts import redirect

    from kartoteka.reports.models import SalesPlan

    user = request.user
    if not plans.can_set_plans(user) or request.method not in ("GET", "POST"):
        raise Http404
    month = plans.parse_month(request.POST.get("month") or request.GET.get("month"), default=plans.current_month())
    people = list(plans.plannable_users(user))
    existing = dict(SalesPlan.objects.filter(month=month, user__in=[p.pk for p in people])
                    .values_list("user_id", "amount"))
    values = {p.pk: existing.get(p.pk) for p in people}
    errors: dict[int, str] = {}
    if request.method == "POST":
        entered = {p.pk: request.POST.get(f"amount_{p.pk}", "").strip() for p in people}
        try:
            with transaction.atomic():
                for person in people:
                    text = entered[person.pk]
                    if not text:
                        continue
                    try:
                        plans.set_plan(user, person, month, text)
                    except ValidationError as exc:
                        errors[person.pk] = " ".join(exc.message_dict.get("amount", exc.messages))
                if errors:
                    raise ValidationError("")
        except ValidationError:
            values.update({pk: text for pk, text in entered.items() if text})
            messages.error(request, _("Plans not saved: correct the amounts marked below."))
        else:
            messages.success(request, _("Plans saved."))
            return redirect(f"{reverse('reports:plans')}?month={month:%Y-%m}")
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=31)).replace(day=1)
    return render(request, "reports/plans.html", {
        "month": month, "previous": previous, "following": following, "currency": settings.DEFAULT_CURRENCY,
        "rows": [{"user": p, "value": values[p.pk], "error": errors.get(p.pk, "")} for p in people],
        "reports": REPORTS,
    }, status=422 if errors else 200)


@login_required
@require_POST
def digest(request: HttpRequest) -> HttpResponse:
    """POST frequency=daily|weekly|monthly|quarterly|"" — the user's scheduled e-mail of the dashboard."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    from kartoteka.reports.digests import set_frequency

    try:
        set_frequency(request.user, request.POST.get("frequency", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("reports:home")
