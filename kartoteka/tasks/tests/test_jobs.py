"""The jobs through huey's real consumer: queued after commit into SQLite storage (and Redis when it can be
started here; on CI it must be), taken by a worker thread, run against the test database.

The reminder/overdue/escalation timing itself is covered with a frozen clock in test_deadlines.py; here the
minute job (task_deadlines) and the e-mail job go the whole way: storage → consumer → database → SMTP.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone
from huey.storage import RedisStorage, SqliteStorage

from kartoteka.activities.models import Activity
from kartoteka.notifications.models import Notification
from kartoteka.notifications.tests.conftest import free_port, smtp_server  # noqa: F401 - fixture
from kartoteka.tasks.models import Task
from kartoteka.tasks.tasks import task_deadlines

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def running_consumer(storage: Any) -> Iterator[Any]:
    """huey's consumer (one worker thread) on `storage`, for the duration of the block."""
    from huey.contrib.djhuey import HUEY

    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    HUEY.immediate = False
    HUEY.storage = storage
    consumer = HUEY.create_consumer(workers=1, worker_type="thread", periodic=False, check_worker_health=False,
                                    scheduler_interval=1)
    consumer.start()
    try:
        yield HUEY
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        HUEY.immediate = True


def wait_for(check: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OperationalError:  # SQLite's shared in-memory test database: the worker holds the table
            pass
        time.sleep(0.1)
    raise AssertionError("the consumer did not get there in time")


def escalation_goes_the_whole_way(owner: Any, head_a: Any, company: Any, make_task: Any, mailbox: Any) -> None:
    head_a.email, head_a.language = "head@example.com", "ru"
    head_a.save(update_fields=["email", "language"])
    task = make_task(owner, title="Отправить договор", company=company.pk,
                     due_at=timezone.now() - datetime.timedelta(days=1))

    task_deadlines()  # the minute job, queued as the scheduler queues it (huey keeps no result of periodic jobs)
    wait_for(lambda: Task.objects.get(pk=task.pk).escalated_at is not None)
    wait_for(lambda: len(mailbox.received) == 1)  # the e-mail job, queued by the escalation after its commit

    assert Task.objects.get(pk=task.pk).overdue_notified_at is not None
    assert Activity.objects.filter(company=company, kind="escalation").count() == 1
    assert Notification.objects.get(recipient=head_a).emailed_at is not None
    assert mailbox.received[0][0] == ["head@example.com"]
    assert "не выполнил(а) задачу «Отправить договор»" in mailbox.subjects()[0]


def test_sqlite_queue_through_the_real_consumer(tmp_path, owner, head_a, make_company, make_task, smtp_server):  # noqa: F811
    company = make_company(owner)

    with running_consumer(SqliteStorage(name="kartoteka-test", filename=str(tmp_path / "huey.sqlite3"))):
        escalation_goes_the_whole_way(owner, head_a, company, make_task, smtp_server)


@pytest.fixture
def redis_url(tmp_path: Any) -> Iterator[str]:
    """A throwaway redis-server; skipped where there is none, except on CI (CI=true), where it must run."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required on CI")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_redis_queue_through_the_real_consumer(redis_url, owner, head_a, make_company, make_task, smtp_server):  # noqa: F811
    company = make_company(owner)

    with running_consumer(RedisStorage(name="kartoteka-test", url=redis_url)):
        escalation_goes_the_whole_way(owner, head_a, company, make_task, smtp_server)


def test_a_failing_job_is_retried_and_then_reported_to_administrators(tmp_path, admin, settings):
    from huey.contrib.djhuey import HUEY

    attempts: list[int] = []

    @HUEY.task(retries=1, retry_delay=0, name="kartoteka.tests.always_fails")
    def always_fails() -> None:
        attempts.append(1)
        raise RuntimeError("SMTP is down")

    with running_consumer(SqliteStorage(name="kartoteka-test", filename=str(tmp_path / "huey.sqlite3"))):
        always_fails()
        wait_for(lambda: Notification.objects.filter(recipient=admin, kind="job_failed").exists())

    assert len(attempts) == 2
    notice = Notification.objects.get(recipient=admin, kind="job_failed")
    assert "always_fails" in notice.text and "SMTP is down" in notice.text
