"""Client reports: lead sources, ABC and RFM analysis of clients by revenue, and industries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext_lazy

from kartoteka.deals.choices import StageKind
from kartoteka.leads.choices import LeadStatus
from kartoteka.reports.scope import Scope

ABC_THRESHOLDS = (80, 95)  # cumulative revenue share (%) closing class A, then class B; the rest is C
ABC_TOP = 50


def lead_sources(scope: Scope) -> list[dict[str, Any]]:
    """Leads received in the period by source and UTM campaign: how many, converted, won, and revenue won."""
    won = Q(deal__stage__kind=StageKind.WON, deal__deleted_at__isnull=True)
    rows = (scope.leads().filter(created_at__gte=scope.since, created_at__lt=scope.until).order_by()
            .values("source", "utm_campaign")
            .annotate(n=Count("id"), converted=Count("id", filter=Q(status=LeadStatus.QUALIFIED)),
                      won=Count("id", filter=won), revenue=Sum("deal__amount", filter=won)))
    result = [{**r, "revenue": r["revenue"] or 0,
               "conversion": round(100 * r["converted"] / r["n"], 1) if r["n"] else None} for r in rows]
    return sorted(result, key=lambda r: (-r["n"], r["source"], r["utm_campaign"]))


def abc(scope: Scope) -> dict[str, Any]:
    """Companies ranked by revenue won in the period (the site's currency): class A brings the first 80% of
    revenue, B the next 15%, C the rest. Window functions over the grouped revenue; returns the per-class
    summary and the top companies."""
    revenue = (scope.deals().filter(stage__kind=StageKind.WON, closed_at__gte=scope.since, closed_at__lt=scope.until,
                                    company__isnull=False, company__deleted_at__isnull=True,
                                    currency=settings.DEFAULT_CURRENCY)
               .order_by().values("company").annotate(revenue=Sum("amount")).filter(revenue__gt=0)
               .values("company", "revenue"))
    # Django writes the inner query and its parameters; the rest is constant text, every value a parameter.
    inner, params = revenue.query.sql_with_params()
    ranked = ("SELECT g.company, g.revenue, SUM(g.revenue) OVER (ORDER BY g.revenue DESC, g.company "  # noqa: S608
              "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - g.revenue AS before, "
              "SUM(g.revenue) OVER () AS total FROM (" + inner + ") g")
    klass = "CASE WHEN r.before < r.total * %s / 100.0 THEN 'A' WHEN r.before < r.total * %s / 100.0 THEN 'B' ELSE 'C' END"
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + klass + " AS k, COUNT(*), SUM(r.revenue) FROM (" + ranked  # noqa: S608
                       + ") r GROUP BY k ORDER BY k",
                       [*ABC_THRESHOLDS, *params])
        summary = {k: {"companies": n, "revenue": Decimal(str(total or 0))} for k, n, total in cursor.fetchall()}
        cursor.execute("SELECT r.company, r.revenue, " + klass + " FROM (" + ranked + ") r "  # noqa: S608
                       "ORDER BY r.revenue DESC, r.company LIMIT %s", [*ABC_THRESHOLDS, *params, ABC_TOP])
        top = cursor.fetchall()
    from kartoteka.contacts.models import Company

    names = dict(Company.objects.filter(pk__in=[row[0] for row in top]).values_list("pk", "name"))
    total = sum((s["revenue"] for s in summary.values()), Decimal(0))
    return {
        "classes": [{"class": k, **summary.get(k, {"companies": 0, "revenue": Decimal(0)}),
                     "share": round(100 * summary[k]["revenue"] / total, 1) if total and k in summary else 0}
                    for k in "ABC"],
        "top": [{"company_id": pk, "name": names.get(pk, ""), "revenue": Decimal(str(value)), "class": k}
                for pk, value, k in top],
        "total": total, "currency": settings.DEFAULT_CURRENCY,
    }


RFM_SEGMENTS = {
    "champions": gettext_lazy("Champions"),
    "loyal": gettext_lazy("Loyal"),
    "new": gettext_lazy("New"),
    "at_risk": gettext_lazy("At risk"),
    "lost": gettext_lazy("Lost"),
    "attention": gettext_lazy("Need attention"),
}
# Scores 1-5 by quintile (NTILE): R — the more recent the last purchase, the higher; F — more purchases; M — more
# revenue. The first rule that matches names the segment.
RFM_RULES = ("CASE WHEN s.r >= 4 AND s.f >= 4 THEN 'champions' WHEN s.f >= 4 THEN 'loyal' "
             "WHEN s.r <= 2 AND s.f >= 3 THEN 'at_risk' WHEN s.r = 1 THEN 'lost' "
             "WHEN s.r >= 4 AND s.f <= 2 THEN 'new' ELSE 'attention' END")


def rfm(scope: Scope) -> dict[str, Any]:
    """Clients who bought in the period scored by recency, frequency and monetary value (quintiles), and named
    segments: how many clients and how much revenue each holds, and the top clients with their scores."""
    won = (scope.deals().filter(stage__kind=StageKind.WON, closed_at__gte=scope.since, closed_at__lt=scope.until,
                                company__isnull=False, company__deleted_at__isnull=True,
                                currency=settings.DEFAULT_CURRENCY)
           .order_by().values("company").annotate(n=Count("id"), m=Sum("amount"), last=Max("closed_at"))
           .values("company", "n", "m", "last"))
    inner, params = won.query.sql_with_params()
    scored = ("SELECT g.company, g.n, g.m, g.last, 6 - NTILE(5) OVER (ORDER BY g.last DESC, g.company) AS r, "  # noqa: S608
              "NTILE(5) OVER (ORDER BY g.n, g.company) AS f, NTILE(5) OVER (ORDER BY g.m, g.company) AS mm "
              "FROM (" + inner + ") g")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + RFM_RULES + " AS seg, COUNT(*), SUM(s.m) FROM (" + scored  # noqa: S608
                       + ") s GROUP BY seg", params)
        summary = {seg: (n, Decimal(str(total or 0))) for seg, n, total in cursor.fetchall()}
        cursor.execute("SELECT s.company, s.n, s.m, s.r, s.f, s.mm, " + RFM_RULES + " FROM (" + scored  # noqa: S608
                       + ") s ORDER BY s.m DESC, s.company LIMIT %s", [*params, ABC_TOP])
        top = cursor.fetchall()
    from kartoteka.contacts.models import Company

    names = dict(Company.objects.filter(pk__in=[row[0] for row in top]).values_list("pk", "name"))
    return {
        "segments": [{"segment": key, "label": label, "companies": summary.get(key, (0, 0))[0],
                      "revenue": summary.get(key, (0, Decimal(0)))[1]} for key, label in RFM_SEGMENTS.items()],
        "top": [{"company_id": pk, "name": names.get(pk, ""), "orders": n, "revenue": Decimal(str(m)), "r": r,
                 "f": f, "m": mm, "segment": str(RFM_SEGMENTS[seg])} for pk, n, m, r, f, mm, seg in top],
        "currency": settings.DEFAULT_CURRENCY,
    }


def industries(scope: Scope) -> list[dict[str, Any]]:
    """Clients and revenue won in the period per industry: counts of companies (and active ones), revenue, share."""
    from kartoteka.contacts.models import Company

    companies = (scope.narrow(Company.objects.visible_to(scope.user)).order_by().values("industry")
                 .annotate(n=Count("id"), active=Count("id", filter=Q(status="active"))))
    revenue = dict(scope.deals().filter(stage__kind=StageKind.WON, closed_at__gte=scope.since,
                                        closed_at__lt=scope.until, currency=settings.DEFAULT_CURRENCY)
                   .order_by().values("company__industry").annotate(total=Sum("amount"))
                   .values_list("company__industry", "total"))
    total = sum((v or 0 for v in revenue.values()), Decimal(0))
    rows = [{"industry": r["industry"] or "—", "companies": r["n"], "active": r["active"],
             "revenue": revenue.get(r["industry"]) or 0,
             "share": round(100 * (revenue.get(r["industry"]) or 0) / total, 1) if total else 0} for r in companies]
    return sorted(rows, key=lambda r: (-float(r["revenue"]), -r["companies"], r["industry"]))
