"""Unmet demand by product: requests logged as unavailable in the period, and lines of open deals asking for more
than is on hand now. Two grouped queries; Python only merges the rows of the same product."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Sum

from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import DealLine
from kartoteka.products.models import UnmetDemand
from kartoteka.reports.scope import Scope


def unmet_demand(scope: Scope) -> list[dict[str, Any]]:
    """Per product (or free-text name asked for): requests logged in the period, quantity asked, distinct clients
    who asked, last asked; and open deals (now, whatever the period) with a line of the product for more than the
    stock on hand, and the quantity those lines want."""
    logged = (scope.narrow(UnmetDemand.objects.visible_to(scope.user))
              .filter(created_at__gte=scope.since, created_at__lt=scope.until).order_by()
              .values("product", "product__name", "product__sku", "product__stock", "product_name")
              .annotate(requests=Count("id"), quantity=Sum("quantity"), clients=Count("company", distinct=True),
                        last=Max("created_at")))
    short = (DealLine.objects.filter(deal__in=scope.deals().filter(stage__kind=StageKind.OPEN).values("pk"),
                                     quantity__gt=F("product__stock")).order_by()
             .values("product", "product__name", "product__sku", "product__stock")
             .annotate(deals=Count("deal", distinct=True), line_quantity=Sum("quantity")))
    rows: dict[Any, dict[str, Any]] = {}

    def row(r: dict[str, Any]) -> dict[str, Any]:
        key = r["product"] or (r.get("product_name") or "").lower()
        return rows.setdefault(key, {
            "product_id": r["product"], "product": r["product__name"] or r.get("product_name") or "—",
            "sku": r["product__sku"] or "", "stock": r["product__stock"], "requests": 0, "quantity": Decimal(0),
            "clients": 0, "last": None, "deals": 0, "line_quantity": Decimal(0)})

    for r in logged:
        target = row(r)
        target["requests"] += r["requests"]
        target["quantity"] += r["quantity"] or 0
        target["clients"] += r["clients"]
        target["last"] = max(filter(None, (target["last"], r["last"])), default=None)
    for r in short:
        target = row(r)
        target.update(deals=r["deals"], line_quantity=r["line_quantity"] or Decimal(0))
    return sorted(rows.values(), key=lambda r: (-(r["requests"] + r["deals"]), -r["quantity"], str(r["product"])))
