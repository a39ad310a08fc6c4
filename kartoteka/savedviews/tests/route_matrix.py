"""Saved views' rows of the access matrix (kartoteka/core/tests/test_route_matrix.py merges them in).

The view under test is the matrix owner's, shared with Team A: the team may pin it, only the owner deletes it.
"""

from __future__ import annotations

from typing import Any

from kartoteka.savedviews.models import SavedView
from kartoteka.savedviews.services import save_view

TEAM_A = frozenset({"viewer", "owner", "colleague", "head_a"})


def add_view(w: Any) -> None:
    w.saved_view = save_view(actor=w.users["owner"], entity="company", list_path="/companies/", name="Команда",
                             query="status=client", columns=[], shared=True)


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html = m.Route, m.Probe, m.html  # noqa: N806 - the matrix's classes
    view_pk = lambda w: [w.saved_view.pk]  # noqa: E731
    return {
        "savedviews:save": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302), data=lambda w, role: {"list": "/companies/", "name": f"Вид {role}"},
                          state=lambda w: SavedView.objects.count(), changed_by=m.EVERYONE),
        }),
        "savedviews:pin": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, TEAM_A), data=lambda w, role: {"pinned": "1"},
                          state=lambda w: w.saved_view.pinned_by.count(), changed_by=TEAM_A),
        }, args=view_pk, setup=add_view),
        "savedviews:delete": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, {"owner"}), state=lambda w: SavedView.objects.count(),
                          changed_by=frozenset({"owner"})),
        }, args=view_pk, setup=add_view),
    }
