"""Products' rows of the access matrix beyond the catalog (kartoteka/core/tests/test_route_matrix.py merges them
in): logging unmet demand from the world's company card, by who may change the company."""

from __future__ import annotations

from typing import Any

from kartoteka.products.models import UnmetDemand


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html = m.Route, m.Probe, m.html  # noqa: N806 - the matrix's classes
    return {
        "products:demand_add": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, m.CHANGERS), data=lambda w, role: {"company": w.company.pk,
                                                                       "product_name": f"Тиски {role}"},
                          state=lambda w: UnmetDemand.objects.count(), changed_by=m.CHANGERS),
        }),
    }
