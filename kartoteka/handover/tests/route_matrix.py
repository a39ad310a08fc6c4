"""The team pages' rows of the access matrix (merged by kartoteka/core/tests/test_route_matrix.py).

The person under test is `owner` (Team A): only head_a and admin manage them.
"""

from __future__ import annotations

import datetime
from typing import Any

from kartoteka.accounts.models import User
from kartoteka.handover import services
from kartoteka.handover.models import Cover, Handover

MANAGERS_OF_OWNER = frozenset({"head_a", "admin"})
HEADS = frozenset({"head_a", "head_b", "admin"})


def owner_pk(w: Any) -> list[Any]:
    return [w.users["owner"].pk]


def planned(w: Any) -> None:
    w.handover = services.create_handover(actor=w.users["head_a"], from_user=w.users["owner"],
                                          receivers=[w.users["colleague"]])


def finished(w: Any) -> None:
    planned(w)
    services.run_handover(w.handover)


def failed(w: Any) -> None:
    planned(w)
    Handover.objects.filter(pk=w.handover.pk).update(status="failed", error="RuntimeError('test')")


def covered(w: Any) -> None:
    today = datetime.date.today()
    w.cover = services.set_cover(actor=w.users["head_a"], user=w.users["owner"], substitute=w.users["colleague"],
                                 starts_on=today, ends_on=today + datetime.timedelta(days=5))


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html = m.Route, m.Probe, m.html  # noqa: N806 - the matrix's classes
    return {
        "handover:people": Route({"GET": Probe(html(200, HEADS)), "POST": Probe(html(405))}),
        # POST without action=apply only previews: nothing changes.
        "handover:person": Route({
            "GET": Probe(html(200, MANAGERS_OF_OWNER)),
            "POST": Probe(html(200, MANAGERS_OF_OWNER), data=lambda w, role: {
                "receivers": w.users["colleague"].pk, "rule": "even", "action": "preview"},
                state=lambda w: Handover.objects.count()),
        }, args=owner_pk),
        "handover:cover_set": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, MANAGERS_OF_OWNER), data=lambda w, role: {
                "substitute": w.users["colleague"].pk, "starts_on": "2026-03-01", "ends_on": "2026-03-05"},
                state=lambda w: Cover.objects.count(), changed_by=MANAGERS_OF_OWNER),
        }, args=owner_pk),
        "handover:cover_end": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, MANAGERS_OF_OWNER), state=lambda w: str(Cover.objects.get(pk=w.cover.pk)),
                          changed_by=MANAGERS_OF_OWNER),
        }, args=lambda w: [w.cover.pk], setup=covered),
        "handover:deactivate": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, MANAGERS_OF_OWNER), data=lambda w, role: {"d-receivers": w.users["colleague"].pk,
                                                                              "d-rule": "even"},
                          state=lambda w: User.objects.get(pk=w.users["owner"].pk).is_active,
                          changed_by=MANAGERS_OF_OWNER),
        }, args=owner_pk),
        "handover:detail": Route({"GET": Probe(html(200, MANAGERS_OF_OWNER)), "POST": Probe(html(405))},
                                 args=lambda w: [w.handover.pk], setup=planned),
        "handover:resume": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, MANAGERS_OF_OWNER), state=lambda w: Handover.objects.get(pk=w.handover.pk).status,
                          changed_by=MANAGERS_OF_OWNER),
        }, args=lambda w: [w.handover.pk], setup=failed),
        "handover:revert": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, MANAGERS_OF_OWNER), state=lambda w: Handover.objects.get(pk=w.handover.pk).status,
                          changed_by=MANAGERS_OF_OWNER),
        }, args=lambda w: [w.handover.pk], setup=finished),
    }
