"""The import pages: upload → mapping with preview → start → progress and result → failed rows → undo."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kartoteka.conftest import client_for
from kartoteka.contacts.models import Contact
from kartoteka.dataio.models import ImportJob, ImportMapping
from kartoteka.dataio.tests.conftest import AMOCRM_HEADER, csv_bytes
from kartoteka.dataio.tests.test_import_jobs import ROWS

pytestmark = pytest.mark.django_db


def upload(client: Any, content: bytes, name: str = "amo.csv", entity: str = "contact") -> Any:
    return client.post(reverse("dataio:import_new"), {
        "entity": entity, "file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_upload_guesses_the_mapping_and_previews_errors(owner: Any) -> None:
    client = client_for(owner)

    response = upload(client, csv_bytes(ROWS))

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert job.mapping == ["external_id", "full_name", "company", "phones", "phones", "emails", "position", "owner",
                           "tags"]
    assert 'value="full_name" selected' in page and "cp1251" in page
    assert "“12345” is not a valid phone number." in page


def test_start_runs_and_the_page_shows_the_result_and_failed_rows_link(owner: Any,
                                                                       django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(owner)
    upload(client, csv_bytes(ROWS))
    job = ImportJob.objects.get()
    form = {f"column_{i}": key for i, key in enumerate(job.mapping)}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job.get_absolute_url(), {**form, "policy": "skip", "match_by": ["phone", "email"],
                                                        "create_companies": "on", "action": "start",
                                                        "save_as": "amoCRM"})

    assert response.status_code == 302
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="import-rows">3 / 3<' in page and 'data-testid="created">2<' in page
    assert reverse("dataio:import_failed", args=[job.pk]) in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
    assert Contact.objects.count() == 2 and ImportMapping.objects.get().name == "amoCRM"
    failed = client.get(reverse("dataio:import_failed", args=[job.pk]))
    assert failed["Content-Type"].startswith("text/csv") and "12345" in failed.content.decode("utf-8-sig")


def test_a_running_job_page_polls_its_progress(owner: Any) -> None:
    client = client_for(owner)
    upload(client, csv_bytes(ROWS))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=3, position=1,
                                               started_at="2026-01-01T00:00:00Z")

    fragment = client.get(reverse("dataio:import_progress", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in fragment and 'data-testid="import-rows">1 / 3<' in fragment


def test_a_mapping_without_a_required_field_is_refused_naming_it(owner: Any) -> None:
    client = client_for(owner)
    upload(client, csv_bytes([AMOCRM_HEADER, ROWS[1]]))
    job = ImportJob.objects.get()

    response = client.post(job.get_absolute_url(), {"column_0": "position", "policy": "skip", "action": "start"})

    assert response.status_code == 400
    assert "Choose a column for the required field “first name”." in response.content.decode()
    assert ImportJob.objects.get().started_at is None


def test_an_unreadable_upload_is_refused_with_the_reason(owner: Any) -> None:
    response = upload(client_for(owner), b"%PDF-1.4", name="scan.pdf")

    assert response.status_code == 400 and "Upload a CSV, XLSX or vCard (.vcf) file." in response.content.decode()


def test_list_pages_offer_import_to_importers_only(owner: Any, viewer: Any) -> None:
    assert 'data-testid="import"' in client_for(owner).get(reverse("contacts:company_list")).content.decode()
    assert 'data-testid="import"' not in client_for(viewer).get(reverse("contacts:company_list")).content.decode()
