"""Client segments computed in the database: ABC by revenue, XYZ by regularity, their matrix, RFM — and the same
segments as a subquery of company ids, so the companies list can be filtered to one (`?segment=abc:A`).

Each builder returns SQL text and its parameters: Django writes the inner grouped query (visibility, scope, alive
records, the site's currency), the window functions and CASE rules around it are constant text, every value is a
parameter. They run unchanged on PostgreSQL and SQLite (SQLite has no STDDEV or SQRT, so the variance is
avg(x²) − avg(x)² and the XYZ limit is compared squared: cv ≤ t  ⇔  variance ≤ t² · mean²).
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Max, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy

from kartoteka.deals.choices import StageKind
from kartoteka.reports.scope import Scope, day_start

SQL = tuple[str, list[Any]]

ABC_CLASSES = ("A", "B", "C")
XYZ_CLASSES = ("X", "Y", "Z")
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


def abc_limits() -> tuple[Decimal, Decimal]:
    """Cumulative revenue shares (%) closing class A and class B (settings REPORTS_ABC_A, REPORTS_ABC_B)."""
    a = Decimal(settings.REPORTS_ABC_A)
    return a, a + Decimal(settings.REPORTS_ABC_B)


def xyz_limits() -> tuple[Decimal, Decimal]:
    """Coefficient-of-variation limits (%) of classes X and Y (settings REPORTS_XYZ_X, REPORTS_XYZ_Y)."""
    return Decimal(settings.REPORTS_XYZ_X), Decimal(settings.REPORTS_XYZ_Y)


def _won(scope: Scope, since: datetime.datetime, until: datetime.datetime) -> Any:
    return scope.deals().filter(stage__kind=StageKind.WON, closed_at__gte=since, closed_at__lt=until,
                                company__isnull=False, company__deleted_at__isnull=True,
                                currency=settings.DEFAULT_CURRENCY).order_by()


def abc_sql(scope: Scope) -> SQL:
    """(company, revenue, abc): companies ranked by revenue won in the period; the running share of revenue
    before a company decides its class."""
    revenue = (_won(scope, scope.since, scope.until).values("company").annotate(revenue=Sum("amount"))
               .filter(revenue__gt=0).values("company", "revenue"))
    inner, params = revenue.query.sql_with_params()
    a, b = abc_limits()
    ranked = ("SELECT g.company, g.revenue, SUM(g.revenue) OVER (ORDER BY g.revenue DESC, g.company "  # noqa: S608
              "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - g.revenue AS before, "
              "SUM(g.revenue) OVER () AS total FROM (" + inner + ") g")
    return ("SELECT r.company, r.revenue, CASE WHEN r.before < r.total * %s / 100.0 THEN 'A' "  # noqa: S608
            "WHEN r.before < r.total * %s / 100.0 THEN 'B' ELSE 'C' END AS abc FROM (" + ranked + ") r",
            [a, b, *params])


def xyz_window(scope: Scope) -> tuple[datetime.date, datetime.date, int]:
    """The calendar months XYZ looks at: REPORTS_XYZ_MONTHS months ending with the month of the period's end, or
    all the period's months when it is longer. Returns (first day, last day, number of months)."""
    end = scope.end
    span = (end.year - scope.start.year) * 12 + end.month - scope.start.month + 1
    months = max(span, settings.REPORTS_XYZ_MONTHS, 1)
    index = end.year * 12 + end.month - 1 - (months - 1)
    first = datetime.date(index // 12, index % 12 + 1, 1)
    last = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return first, last, months


def xyz_sql(scope: Scope) -> SQL:
    """(company, mean, variance, xyz): monthly revenue of each company that bought in the XYZ window, months
    without a purchase counting as zero; X when the coefficient of variation is within the X limit, Y within
    the Y limit, else Z."""
    first, last, months = xyz_window(scope)
    monthly = (_won(scope, day_start(first), day_start(last + datetime.timedelta(days=1)))
               .annotate(month=TruncMonth("closed_at")).values("company", "month").annotate(v=Sum("amount"))
               .values("company", "v"))
    inner, params = monthly.query.sql_with_params()
    x, y = xyz_limits()
    n = Decimal(months)
    stats = ("SELECT m.company, SUM(m.v) * 1.0 / %s AS mean, "  # noqa: S608
             "SUM(m.v * m.v) * 1.0 / %s - (SUM(m.v) * 1.0 / %s) * (SUM(m.v) * 1.0 / %s) AS variance "
             "FROM (" + inner + ") m GROUP BY m.company HAVING SUM(m.v) > 0")
    return ("SELECT t.company, t.mean, t.variance, CASE WHEN t.variance <= %s * t.mean * t.mean THEN 'X' "  # noqa: S608
            "WHEN t.variance <= %s * t.mean * t.mean THEN 'Y' ELSE 'Z' END AS xyz FROM (" + stats + ") t",
            [(x / 100) ** 2, (y / 100) ** 2, n, n, n, n, *params])


def abc_xyz_sql(scope: Scope) -> SQL:
    """(company, revenue, abc, mean, variance, xyz): the ABC companies with their XYZ class (every company that
    bought in the period bought in the XYZ window, which contains the period's last month)."""
    abc, abc_params = abc_sql(scope)
    xyz, xyz_params = xyz_sql(scope)
    return ("SELECT a.company, a.revenue, a.abc, x.mean, x.variance, x.xyz FROM (" + abc + ") a "  # noqa: S608
            "LEFT JOIN (" + xyz + ") x ON x.company = a.company", [*abc_params, *xyz_params])


def rfm_sql(scope: Scope) -> SQL:
    """(company, n, m, last, r, f, mm, segment): clients who bought in the period, scored 1-5 by quintile."""
    won = (_won(scope, scope.since, scope.until).values("company")
           .annotate(n=Count("id"), m=Sum("amount"), last=Max("closed_at")).values("company", "n", "m", "last"))
    inner, params = won.query.sql_with_params()
    scored = ("SELECT g.company, g.n, g.m, g.last, 6 - NTILE(5) OVER (ORDER BY g.last DESC, g.company) AS r, "  # noqa: S608
              "NTILE(5) OVER (ORDER BY g.n, g.company) AS f, NTILE(5) OVER (ORDER BY g.m, g.company) AS mm "
              "FROM (" + inner + ") g")
    return ("SELECT s.company, s.n, s.m, s.last, s.r, s.f, s.mm, " + RFM_RULES  # noqa: S608
            + " AS segment FROM (" + scored + ") s", params)


def segment_choices() -> list[tuple[str, Any]]:
    """Every segment a list can be filtered to: `abc:A`, `xyz:X`, `abcxyz:AX`, `rfm:champions`."""
    return ([(f"abc:{k}", f"ABC: {k}") for k in ABC_CLASSES] + [(f"xyz:{k}", f"XYZ: {k}") for k in XYZ_CLASSES]
            + [(f"abcxyz:{a}{x}", f"ABC×XYZ: {a}{x}") for a in ABC_CLASSES for x in XYZ_CLASSES]
            + [(f"rfm:{k}", gettext_lazy("RFM: %(segment)s") % {"segment": v}) for k, v in RFM_SEGMENTS.items()])


def segment_company_ids(scope: Scope, segment: str) -> RawSQL | None:
    """A subquery of the ids of the companies in the segment (None for an unknown one), over the deals the
    scope's user may see: `Company.objects.filter(pk__in=segment_company_ids(...))`."""
    kind, _sep, value = segment.partition(":")
    try:
        if kind == "abc" and value in ABC_CLASSES:
            (sql, params), where, values = abc_sql(scope), "q.abc = %s", [value]
        elif kind == "xyz" and value in XYZ_CLASSES:
            (sql, params), where, values = xyz_sql(scope), "q.xyz = %s", [value]
        elif kind == "abcxyz" and len(value) == 2 and value[0] in ABC_CLASSES and value[1] in XYZ_CLASSES:
            (sql, params), where, values = abc_xyz_sql(scope), "q.abc = %s AND q.xyz = %s", [value[0], value[1]]
        elif kind == "rfm" and value in RFM_SEGMENTS:
            (sql, params), where, values = rfm_sql(scope), "q.segment = %s", [value]
        else:
            return None
    except EmptyResultSet:  # the user sees no deals at all: no company is in any segment
        return RawSQL("SELECT 0 WHERE 1 = 0", [])  # noqa: S611
    # Constant text around SQL that Django and this module wrote; the segment is a parameter.
    return RawSQL("SELECT q.company FROM (" + sql + ") q WHERE " + where, [*params, *values])  # noqa: S608, S611
