"""An import process killed (SIGKILL) mid-way: the committed batches stay whole, and the resume imports the rest,
so every row of the file ends up exactly once. Real processes on a real SQLite file (the suite's own database is
in a transaction a subprocess cannot see)."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from kartoteka.core.tests.test_settings import NOT_INHERITED
from kartoteka.handover.tests.test_crash import finish, kartoteka

ROWS = 60
BATCH = 10
SEED = f"""
from kartoteka.accounts.services import create_user
from kartoteka.dataio.importing.jobs import configure_job, create_job
user = create_user(username="importer", role="manager", password="x-pass-123456", teams=["A"], check_password=False)
lines = ["Полное имя;Мобильный телефон;Рабочий email"]
lines += [f"Клиент{{i}} Иван;+7 916 100-{{i:02d}}-{{i:02d}};client{{i}}@example.ru" for i in range({ROWS})]
job = create_job(actor=user, entity="contact", filename="amo.csv", content="\\r\\n".join(lines).encode("cp1251"))
configure_job(job, actor=user, mapping=job.mapping, policy="skip", match_by=["phone", "email"])
print(job.pk)
"""


@pytest.mark.slow
@pytest.mark.skipif("postgresql" in os.environ.get("DATABASE_URL", ""),
                    reason="runs on its own SQLite file whatever the suite's database: the SQLite pass covers it")
def test_a_killed_import_resumes_and_writes_every_row_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(DJANGO_SETTINGS_MODULE="kartoteka.settings", KARTOTEKA_VAR_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{db}")
    finish(kartoteka(env, "migrate", "-v0"))
    job_id = finish(kartoteka(env, "shell", "-c", SEED)).strip().splitlines()[-1]

    def position() -> int:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute("SELECT position FROM dataio_importjob").fetchone()[0]

    running = kartoteka({**env, "KARTOTEKA_IMPORT_PAUSE": "0.4"}, "importjob", "run", job_id, "--batch", str(BATCH))
    deadline = time.monotonic() + 120
    while position() < 2 * BATCH and time.monotonic() < deadline and running.poll() is None:
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()

    done_before = position()
    with sqlite3.connect(db) as conn:
        contacts = conn.execute("SELECT COUNT(*) FROM contacts_contact").fetchone()[0]
        status = conn.execute("SELECT status FROM dataio_importjob").fetchone()[0]
    assert 0 < done_before < ROWS, "the kill must land mid-way"
    assert done_before % BATCH == 0, "a batch is all or nothing"
    assert (contacts, status) == (done_before, "running")

    out = finish(kartoteka(env, "importjob", "run", job_id, "--batch", str(BATCH)))

    assert out.startswith("done: 60/60 rows, created 60")
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT last_name FROM contacts_contact ORDER BY id")]
        records = conn.execute("SELECT COUNT(*), COUNT(DISTINCT row_number) FROM dataio_importedrecord").fetchone()
        audited = conn.execute("SELECT COUNT(*) FROM audit_objectchange WHERE action = 'create' "
                               "AND source = 'import'").fetchone()[0]
        counts = conn.execute("SELECT created_count, skipped_count, failed_count FROM dataio_importjob").fetchone()
    assert names == [f"Клиент{i}" for i in range(ROWS)]  # every row once, in file order
    assert records == (ROWS, ROWS) and audited == ROWS and counts == (ROWS, 0, 0)
