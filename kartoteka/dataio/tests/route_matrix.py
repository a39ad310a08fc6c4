"""Export's and import's rows of the access matrix (kartoteka/core/tests/test_route_matrix.py merges them in).

Export: only users with the export permission (the matrix's admin) get a file; everyone else's attempt is refused
with 404 — and every attempt, refused or not, is a security event.
Import: everyone but viewers imports; a job is seen by its importer, their head and administrators; only the
importer configures and starts it.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.models import SecurityEvent
from kartoteka.dataio.importing.jobs import configure_job, create_job, run_import
from kartoteka.dataio.models import ImportJob

IMPORTERS = frozenset({"owner", "colleague", "head_a", "head_b", "admin"})
JOB_SEERS = frozenset({"owner", "head_a", "admin"})
CSV = "Имя;Рабочий телефон\r\nИван;+7 916 000-00-01\r\nПётр;12\r\n".encode("cp1251")


def pending(w: Any) -> None:
    w.import_job = create_job(actor=w.users["owner"], entity="contact", filename="amo.csv", content=CSV)


def finished(w: Any) -> None:
    pending(w)
    configure_job(w.import_job, actor=w.users["owner"], mapping=w.import_job.mapping, policy="skip", match_by=[])
    run_import(w.import_job)


def job_pk(w: Any) -> list[Any]:
    return [w.import_job.pk]


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html = m.Route, m.Probe, m.html  # noqa: N806 - the matrix's classes
    return {
        "dataio:export": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(200, m.ADMINS), data=lambda w, role: {"list": "/companies/", "format": "xlsx"},
                          state=lambda w: SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).count(),
                          changed_by=m.EVERYONE),
        }),
        "dataio:import_list": Route({"GET": Probe(html(200, IMPORTERS)), "POST": Probe(html(405))}),
        "dataio:import_new": Route({
            "GET": Probe(html(200, IMPORTERS)),
            "POST": Probe(html(302, IMPORTERS), data=lambda w, role: {
                "entity": "contact", "file": SimpleUploadedFile("amo.csv", CSV, content_type="text/csv")},
                state=lambda w: ImportJob.objects.count(), changed_by=IMPORTERS),
        }),
        # POST action=preview re-reads the mapping (the importer's own job only): nothing starts.
        "dataio:import_detail": Route({
            "GET": Probe(html(200, JOB_SEERS)),
            "POST": Probe(html(200, {"owner"}), data=lambda w, role: {
                "column_0": "first_name", "column_1": "phones", "policy": "skip", "action": "preview"},
                state=lambda w: ImportJob.objects.get(pk=w.import_job.pk).started_at),
        }, args=job_pk, setup=pending),
        "dataio:import_progress": Route({"GET": Probe(html(200, JOB_SEERS))}, args=job_pk, setup=finished),
        "dataio:import_failed": Route({"GET": Probe(html(200, JOB_SEERS))}, args=job_pk, setup=finished),
        "dataio:import_undo": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, JOB_SEERS), state=lambda w: ImportJob.objects.get(pk=w.import_job.pk).status,
                          changed_by=JOB_SEERS),
        }, args=job_pk, setup=finished),
    }
