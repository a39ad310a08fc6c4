"""The thin layer over the job queue (huey; never threading.Thread).

Jobs are queued after the surrounding transaction commits, so a worker never reads data that is not there yet.
Storage: SQLite (var/huey.sqlite3) by default, Redis when HUEY_REDIS_URL is set; `kartoteka worker` consumes.
A job that fails is retried as its decorator says; when the retries are used up, administrators are notified.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_ERROR

logger = logging.getLogger("kartoteka.jobs")


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task(*args, **kwargs)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(task, *args, **kwargs))


@HUEY.signal(SIGNAL_ERROR)
def _job_failed(signal: str, task: Any, exc: BaseException | None = None) -> None:
    logger.error("job %s failed (%s retries left): %r", task.name, task.retries, exc)
    if task.retries:
        return  # it will run again
    from kartoteka.notifications.services import notify_job_failed

    try:
        notify_job_failed(task.name, repr(exc))
    except Exception:  # noqa: BLE001 - the report of a failure must not fail the consumer
        logger.exception("could not notify administrators of the failed job %s", task.name)
