from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kartoteka.dataio.demo import load_import_demo, sample_csv
from kartoteka.dataio.models import ImportJob

pytestmark = pytest.mark.django_db


def test_demo_import_finishes_once_with_a_duplicate_and_failed_rows(owner: Any) -> None:
    created = load_import_demo()

    job = ImportJob.objects.get()
    assert (created, job.status, job.skipped_count, job.failed_count) == (8, "done", 1, 2)
    assert load_import_demo() == 0 and ImportJob.objects.count() == 1


def test_the_committed_sample_is_the_demo_file() -> None:
    sample = Path(__file__).resolve().parents[3] / "docs" / "samples" / "amocrm-contacts-cp1251.csv"

    assert sample.read_bytes() == sample_csv()
