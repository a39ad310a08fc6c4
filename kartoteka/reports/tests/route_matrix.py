"""Reports' rows of the access matrix beyond the dashboard and the report pages (kartoteka/core/tests/
test_route_matrix.py merges them in): the sales plans page, for heads (their teams' people) and administrators."""

from __future__ import annotations

from typing import Any

from kartoteka.reports.models import SalesPlan

PLANNERS = frozenset({"head_a", "head_b", "admin"})


def plans_state(w: Any) -> Any:
    return sorted(SalesPlan.objects.values_list("user__username", "month", "amount"))


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html = m.Route, m.Probe, m.html  # noqa: N806 - the matrix's classes
    return {
        # head_b's form has no row for the owner (Team A): the owner's amount in the body is ignored
        "reports:plans": Route({
            "GET": Probe(html(200, PLANNERS)),
            "POST": Probe(html(302, PLANNERS), data=lambda w, role: {"month": "2026-12",
                                                                     f"amount_{w.users['owner'].pk}": "150000"},
                          state=plans_state, changed_by=frozenset({"head_a", "admin"})),
        }),
    }
