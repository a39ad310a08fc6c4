"""The search's rows of the access matrix (kartoteka/core/tests/test_route_matrix.py merges them in).

Search and caller ID read only: every signed-in role may ask; what each is shown is filtered by visibility
(test_queries.py and the matrix's list-leak test hold that).
"""

from __future__ import annotations

from typing import Any


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html = m.Route, m.Probe, m.html  # noqa: N806 - the matrix's classes
    return {"search:search": Route({"GET": Probe(html(200)), "POST": Probe(html(405))})}


def api_operations(m: Any) -> dict[str, Any]:
    Route, Probe, api_expect = m.Route, m.Probe, m.api_expect  # noqa: N806
    return {"lookup_phone": Route({"GET": Probe(api_expect(200))}, path="/api/v1/lookup/phone?number=89161234567")}
