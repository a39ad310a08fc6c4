"""CSV import figure: our import path against COPY of the same rows.

HOOK: the product's CSV importer is being built separately (kartoteka.dataio, issue "import"). When a module
`kartoteka.dataio.importer` with `import_contacts_csv(path, user) -> int` exists, the benchmark measures it.
Until then it measures BASELINE_LABEL: the bulk path the importer is expected to take — parse the CSV, validate
and normalise each row with the app's validators, reject duplicates (against the base and within the file, by
phone and e-mail), compute the search column and bulk_create in big transactions. The figure is marked so.
"""

from __future__ import annotations

import csv
import importlib
import io
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from bench.data import Dataset

BASELINE_LABEL = "bulk-path baseline (no importer in kartoteka.dataio yet)"
CSV_COLUMNS = ("last_name", "first_name", "middle_name", "position", "phone", "email")
BATCH = 5_000


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


def product_importer() -> Any:
    try:
        module = importlib.import_module("kartoteka.dataio.importer")
    except ImportError:
        return None
    return getattr(module, "import_contacts_csv", None)


def baseline_import(text: str, owner_id: int) -> dict[str, int]:
    """Validate, de-duplicate and insert contacts from CSV text by the bulk path. Returns created/rejected."""
    from kartoteka.contacts.models import Contact
    from kartoteka.core.validators import normalize_email, normalize_phone

    known_phones: set[str] = set()
    known_emails: set[str] = set()
    for phones, emails in Contact.objects.filter(deleted_at__isnull=True).values_list("phones", "emails").iterator(
            chunk_size=20_000):
        known_phones.update(p.split(";")[0] for p in phones or ())
        known_emails.update(emails or ())
    created = rejected = 0
    batch: list[Contact] = []

    def flush() -> None:
        nonlocal created
        with transaction.atomic():
            Contact.objects.bulk_create(batch, batch_size=1000)
        created += len(batch)
        batch.clear()

    for row in csv.DictReader(io.StringIO(text)):
        try:
            if not row.get("first_name", "").strip():
                raise ValidationError("first_name")
            phone = normalize_phone(row["phone"]) if row.get("phone") else ""
            email = normalize_email(row["email"]) if row.get("email") else ""
        except ValidationError:
            rejected += 1
            continue
        if (phone and phone in known_phones) or (email and email in known_emails):
            rejected += 1
            continue
        known_phones.add(phone)
        known_emails.add(email)
        contact = Contact(last_name=row["last_name"].strip(), first_name=row["first_name"].strip(),
                          middle_name=row.get("middle_name", "").strip(), position=row.get("position", "").strip(),
                          phones=[phone] if phone else [], emails=[email] if email else [], owner_id=owner_id,
                          created_by_id=owner_id, source="import")
        contact.search_text = contact.build_search_text()
        batch.append(contact)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return {"created": created, "rejected": rejected}


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
