"""A handover process killed (SIGKILL) between batches: every record keeps exactly one responsible, and the
resume moves each remaining record exactly once. Real processes on a real SQLite file (the suite's own
database is in a transaction and not visible to a subprocess)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kartoteka.core.tests.test_settings import NOT_INHERITED, PROJECT_DIR

SEED = """
from kartoteka.accounts.services import create_user
from kartoteka.contacts.services import create_company
from kartoteka.handover.services import create_handover
head = create_user(username="head", role="head", password="x-pass-123456", teams=["A"], check_password=False)
owner = create_user(username="owner", role="manager", password="x-pass-123456", teams=["A"], check_password=False)
r1 = create_user(username="r1", role="manager", password="x-pass-123456", teams=["A"], check_password=False)
r2 = create_user(username="r2", role="manager", password="x-pass-123456", teams=["A"], check_password=False)
for i in range(30):
    create_company(actor=owner, data={"name": f"Client {i}"})
print(create_handover(actor=head, from_user=owner, receivers=[r1, r2]).pk)
"""


def kartoteka(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kartoteka", *args], env=env, cwd=PROJECT_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, out + err
    return out


@pytest.mark.slow
@pytest.mark.skipif("postgresql" in os.environ.get("DATABASE_URL", ""),
                    reason="runs on its own SQLite file whatever the suite's database: the SQLite pass covers it")
def test_a_killed_handover_resumes_and_moves_every_record_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(DJANGO_SETTINGS_MODULE="kartoteka.settings", KARTOTEKA_VAR_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{db}")
    finish(kartoteka(env, "migrate", "-v0"))
    handover_id = finish(kartoteka(env, "shell", "-c", SEED)).strip().splitlines()[-1]

    def moved() -> int:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute("SELECT COUNT(*) FROM handover_handoveritem WHERE moved_at IS NOT NULL").fetchone()[0]

    running = kartoteka(env, "handover", "run", handover_id, "--batch", "4", "--pause", "0.5")
    deadline = time.monotonic() + 120
    while moved() < 8 and time.monotonic() < deadline and running.poll() is None:
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()
    done_before = moved()

    with sqlite3.connect(db) as conn:
        owners = dict(conn.execute("SELECT u.username, COUNT(*) FROM contacts_company c JOIN accounts_user u "
                                   "ON u.id = c.owner_id GROUP BY u.username").fetchall())
    assert 0 < done_before < 30, "the kill must land mid-way"
    assert done_before % 4 == 0, "a batch is all or nothing"
    assert owners.get("r1", 0) + owners.get("r2", 0) == done_before and owners["owner"] == 30 - done_before

    finish(kartoteka(env, "handover", "run", handover_id))

    with sqlite3.connect(db) as conn:
        owners = dict(conn.execute("SELECT u.username, COUNT(*) FROM contacts_company c JOIN accounts_user u "
                                   "ON u.id = c.owner_id GROUP BY u.username").fetchall())
        entries = conn.execute("SELECT company_id, COUNT(*) FROM activities_activity WHERE kind = 'assignment' "
                               "GROUP BY company_id").fetchall()
        status = conn.execute("SELECT status FROM handover_handover").fetchone()[0]
    assert owners == {"r1": 15, "r2": 15}
    assert len(entries) == 30 and {n for _c, n in entries} == {1}  # each record moved (and logged) exactly once
    assert status == "done"
