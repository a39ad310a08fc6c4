"""CSV import figure: the product's importer (kartoteka.dataio.importing) against COPY of the same rows.

The file goes through the same pipeline as an upload: encoding and delimiter detection, the guessed mapping,
validation of every row, duplicate checks by phone and e-mail (against the base and within the file), batches
of 500 rows per transaction with their audit rows and bookkeeping — only without HTTP and the worker queue.
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from django.db import connection, transaction

from bench.data import Dataset

LABEL = "kartoteka.dataio import (validation, duplicate checks, audit)"
CSV_COLUMNS = ("last_name", "first_name", "middle_name", "position", "phone", "email")


def import_rows(ds: Dataset, count: int, first_id: int) -> list[tuple]:
    """Rows to import: fresh people (no company), as the generator makes them."""
    return list(ds.contacts(first_id=first_id, count=count, seed_offset=99))


def as_csv(rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for i, r in enumerate(rows):
        # Every 50th row repeats the phone of the row before: the duplicate check has something to catch.
        phone = rows[i - 1][10][2:-2] if i % 50 == 49 else r[10][2:-2]
        writer.writerow((r[6], r[7], r[8], r[9], phone, r[11][2:-2]))
    return out.getvalue()


def run_product_import(text: str, owner: Any) -> dict[str, int]:
    """Import the CSV as `owner` through the product's pipeline; skip duplicates by phone and e-mail."""
    from kartoteka.dataio.importing import jobs

    content = text.encode("utf-8")
    jobs.MAX_BYTES = max(jobs.MAX_BYTES, len(content) + 1)  # the upload limit guards the web form, not this
    job = jobs.create_job(actor=owner, entity="contact", filename="bench.csv", content=content)
    jobs.configure_job(job, actor=owner, mapping=job.mapping, policy="skip", match_by=["phone", "email"])
    job = jobs.run_import(job, pause=0)
    return {"created": job.created_count, "skipped": job.skipped_count, "failed": job.failed_count,
            "status": job.status}


def floor_copy(rows: list[tuple]) -> float:
    """Seconds to put the same rows into contacts_contact by the database's bulk path (COPY / executemany)."""
    from bench.data import COLUMNS
    from bench.load import _sqlite_value, copy_rows

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_rows(cursor.cursor, "contacts_contact", rows)
        else:
            columns = COLUMNS["contacts_contact"]
            sql = (f"INSERT INTO contacts_contact ({', '.join(columns)}) "  # noqa: S608
                   f"VALUES ({', '.join('?' * len(columns))})")
            cursor.cursor.executemany(sql, [tuple(map(_sqlite_value, r)) for r in rows])
    return time.perf_counter() - start
