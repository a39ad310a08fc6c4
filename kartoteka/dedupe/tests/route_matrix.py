"""Duplicate control's rows of the access matrix (kartoteka/core/tests/test_route_matrix.py merges them in).

The merge routes work on the matrix's company (owner's) and a twin of it made by `owner` in the setup.
Who may change both records merges; who may only see them gets 404, like any refused write.
"""

from __future__ import annotations

from typing import Any

from kartoteka.contacts.models import Company
from kartoteka.contacts.services import create_company
from kartoteka.dedupe.models import DuplicatePolicy
from kartoteka.dedupe.services import merge_records


def add_twin(w: Any) -> None:
    w.twin = create_company(actor=w.users["owner"], data={"name": "Матрица-Двойник", "inn": "7707083893"})


def add_merge(w: Any) -> None:
    add_twin(w)
    w.merge = merge_records(w.company, w.twin, actor=w.users["owner"])


def twin_state(w: Any) -> Any:
    return Company.objects.filter(pk=w.twin.pk).values_list("deleted_at", "version").first()


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html = m.Route, m.Probe, m.html  # noqa: N806 - the matrix's classes
    company = lambda w: ["company"]  # noqa: E731
    return {
        "dedupe:report": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}, args=company),
        "dedupe:check": Route({"GET": Probe(html(405)), "POST": Probe(html(200), data=lambda w, role: {
            "name": "ООО Матрица", "inn": "7707083893"})}, args=company),
        "dedupe:merge": Route({
            "GET": Probe(html(200, m.CHANGERS)),
            "POST": Probe(html(302, m.CHANGERS), data=lambda w, role: {"survivor": w.company.pk}, state=twin_state,
                          changed_by=m.CHANGERS),
        }, args=lambda w: ["company", w.company.pk, w.twin.pk], setup=add_twin),
        "dedupe:merge_done": Route({"GET": Probe(html(200, m.SEERS)), "POST": Probe(html(405))},
                                   args=lambda w: [w.merge.pk], setup=add_merge),
        "dedupe:undo": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, m.CHANGERS), state=twin_state, changed_by=m.CHANGERS),
        }, args=lambda w: [w.merge.pk], setup=add_merge),
        "dedupe:policy": Route({
            "GET": Probe(html(200, m.ADMINS)),
            "POST": Probe(html(302, m.ADMINS), data=lambda w, role: {"company": "block", "contact": "warn"},
                          state=lambda w: list(DuplicatePolicy.objects.values_list("entity", "mode")),
                          changed_by=m.ADMINS),
        }),
    }


def api_operations(m: Any) -> dict[str, Any]:
    Route, Probe, api_expect = m.Route, m.Probe, m.api_expect  # noqa: N806
    return {"duplicates_check": Route({"POST": Probe(api_expect(200), data=lambda w, role: {
        "entity": "company", "inn": "7707083893", "name": "Матрица"})})}
