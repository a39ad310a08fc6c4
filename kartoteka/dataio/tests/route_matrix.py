"""Export's row of the access matrix (kartoteka/core/tests/test_route_matrix.py merges it in).

Only users with the export permission (the matrix's admin) get a file; everyone else's attempt is refused
with 404 — and every attempt, refused or not, is a security event.
"""

from __future__ import annotations

from typing import Any

from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.models import SecurityEvent


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html = m.Route, m.Probe, m.html  # noqa: N806 - the matrix's classes
    return {"dataio:export": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(200, m.ADMINS), data=lambda w, role: {"list": "/companies/", "format": "xlsx"},
                      state=lambda w: SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).count(),
                      changed_by=m.EVERYONE),
    })}
