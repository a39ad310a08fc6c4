"""Import throughput: a 20k-row contacts CSV (cp1251, amoCRM headers) with validation and duplicate checks by
phone and e-mail against a base that already holds 2,000 of them. Off by default (it takes a while):
KARTOTEKA_IMPORT_BENCH=1 pytest -s kartoteka/dataio/tests/test_import_speed.py prints rows per second."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from kartoteka.contacts.models import Contact
from kartoteka.dataio.importing.jobs import configure_job, create_job, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.slow,
              pytest.mark.skipif(not os.environ.get("KARTOTEKA_IMPORT_BENCH"), reason="set KARTOTEKA_IMPORT_BENCH=1")]


def contacts_csv(count: int, start: int = 0) -> bytes:
    lines = ["ID;Полное имя;Компания;Мобильный телефон;Рабочий email;Должность;Теги"]
    for i in range(start, start + count):
        lines.append(f"amo-{i};Фамилия{i} Имя{i} Отчество;ООО Клиент {i % 500};+7 916 {i // 10000:03d}-{i % 10000 // 100:02d}-"
                     f"{i % 100:02d};person{i}@example.ru;Менеджер;{'VIP' if i % 7 == 0 else ''}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def timed_import(actor: Any, content: bytes) -> tuple[Any, float]:
    job = create_job(actor=actor, entity="contact", filename="bench.csv", content=content)
    configure_job(job, actor=actor, mapping=job.mapping, policy="skip", match_by=["external_id", "phone", "email"])
    started = time.perf_counter()
    job = run_import(job)
    return job, time.perf_counter() - started


def test_twenty_thousand_contacts(admin: Any) -> None:
    rows = int(os.environ.get("KARTOTEKA_IMPORT_BENCH_ROWS", "20000"))
    timed_import(admin, contacts_csv(2000, start=rows - 2000))  # already in the base: the last 2,000 rows

    job, seconds = timed_import(admin, contacts_csv(rows))

    engine = os.environ.get("DATABASE_URL", "sqlite").split(":")[0]
    print(f"\n[{engine}] {rows} rows in {seconds:.1f} s = {rows / seconds:.0f} rows/s "
          f"(created {job.created_count}, skipped {job.skipped_count}, failed {job.failed_count})")
    assert (job.created_count, job.skipped_count) == (rows - 2000, 2000)
    assert Contact.objects.count() == rows
