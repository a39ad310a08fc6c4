"""Background jobs of tasks (huey; this module is found by djhuey's autodiscovery): the minute clock."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kartoteka.core import jobs  # noqa: F401 - registers the failure handler in the consumer
from kartoteka.tasks.deadlines import run_deadlines


@db_periodic_task(crontab(minute="*"), retries=2, retry_delay=10)
def task_deadlines() -> dict[str, int]:
    """Every minute: reminders of tasks due soon, notices of overdue tasks, escalations to heads."""
    return run_deadlines()
