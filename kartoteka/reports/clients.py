"""Client reports: lead sources, ABC×XYZ and RFM analysis of clients by revenue (SQL in segments.py), industries."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, Sum

from kartoteka.deals.choices import StageKind
from kartoteka.leads.choices import LeadStatus
from kartoteka.reports import segments
from kartoteka.reports.scope import Scope

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
    revenue, B the next 15%, C the rest (settings); XYZ by the regularity of their monthly revenue. Two queries:
    the ABC×XYZ matrix (companies and revenue per cell) and the top companies with both classes."""
    from kartoteka.contacts.models import Company

    try:
        sql, params = segments.abc_xyz_sql(scope)
    except EmptyResultSet:  # the viewer sees no deals at all
        sql, params = "", []
    cells, top = {}, []
    with connection.cursor() as cursor:
        if sql:
            cursor.execute("SELECT c.abc, c.xyz, COUNT(*), SUM(c.revenue) FROM (" + sql + ") c "  # noqa: S608
                           "GROUP BY c.abc, c.xyz", params)
            cells = {(a, x): (n, Decimal(str(total or 0))) for a, x, n, total in cursor.fetchall()}
            cursor.execute("SELECT c.company, co.name, c.revenue, c.abc, c.mean, c.variance, c.xyz FROM ("  # noqa: S608
                           + sql + ") c JOIN " + connection.ops.quote_name(Company._meta.db_table)
                           + " co ON co.id = c.company ORDER BY c.revenue DESC, c.company LIMIT %s",
                           [*params, ABC_TOP])
            top = cursor.fetchall()
    total = sum((revenue for _n, revenue in cells.values()), Decimal(0))
    classes = []
    for k in segments.ABC_CLASSES:
        n = sum(cells.get((k, x), (0, 0))[0] for x in (*segments.XYZ_CLASSES, None))
        revenue = sum((cells.get((k, x), (0, Decimal(0)))[1] for x in (*segments.XYZ_CLASSES, None)), Decimal(0))
        classes.append({"class": k, "companies": n, "revenue": revenue,
                        "share": round(100 * revenue / total, 1) if total else 0})
    matrix = [{"abc": a, "cells": [{"xyz": x, "segment": f"{a}{x}", "companies": cells.get((a, x), (0, 0))[0],
                                    "revenue": cells.get((a, x), (0, Decimal(0)))[1]} for x in segments.XYZ_CLASSES]}
              for a in segments.ABC_CLASSES]
    first, last, months = segments.xyz_window(scope)
    return {
        "classes": classes, "matrix": matrix, "total": total, "currency": settings.DEFAULT_CURRENCY,
        "top": [{"company_id": pk, "name": name, "revenue": Decimal(str(value)), "class": k, "xyz": x or "",
                 "cv": _cv(mean, variance)} for pk, name, value, k, mean, variance, x in top],
        "xyz_window": (first, last, months), "abc_limits": segments.abc_limits(), "xyz_limits": segments.xyz_limits(),
    }


def _cv(mean: Any, variance: Any) -> float | None:
    """The coefficient of variation, %, from the database's mean and variance (one row: shaping, not aggregating)."""
    if mean is None or variance is None or float(mean) <= 0:
        return None
    return round(100 * math.sqrt(max(float(variance), 0.0)) / float(mean), 1)


RFM_SEGMENTS = segments.RFM_SEGMENTS


def rfm(scope: Scope) -> dict[str, Any]:
    """Clients who bought in the period scored by recency, frequency and monetary value (quintiles), and named
    segments: how many clients and how much revenue each holds, and the top clients with their scores."""
    from kartoteka.contacts.models import Company

    try:
        sql, params = segments.rfm_sql(scope)
    except EmptyResultSet:  # the viewer sees no deals at all
        sql, params = "", []
    summary, top = {}, []
    with connection.cursor() as cursor:
        if sql:
            cursor.execute("SELECT s.segment, COUNT(*), SUM(s.m) FROM (" + sql + ") s "  # noqa: S608
                           "GROUP BY s.segment", params)
            summary = {seg: (n, Decimal(str(total or 0))) for seg, n, total in cursor.fetchall()}
            cursor.execute("SELECT s.company, co.name, s.n, s.m, s.r, s.f, s.mm, s.segment FROM (" + sql  # noqa: S608
                           + ") s JOIN " + connection.ops.quote_name(Company._meta.db_table)
                           + " co ON co.id = s.company ORDER BY s.m DESC, s.company LIMIT %s", [*params, ABC_TOP])
            top = cursor.fetchall()
    return {
        "segments": [{"segment": key, "label": label, "companies": summary.get(key, (0, 0))[0],
                      "revenue": summary.get(key, (0, Decimal(0)))[1]} for key, label in RFM_SEGMENTS.items()],
        "top": [{"company_id": pk, "name": name, "orders": n, "revenue": Decimal(str(m)), "r": r, "f": f, "m": mm,
                 "segment": str(RFM_SEGMENTS[seg]), "segment_key": seg} for pk, name, n, m, r, f, mm, seg in top],
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
