"""Background jobs of data import: run (or resume) one import; resume imports whose worker died."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger("kartoteka.import")


@db_task(retries=0)
def run_import_job(job_id: int) -> int:
    """Import the job's rows; `kartoteka importjob run <id>` resumes one whose worker died."""
    from kartoteka.dataio.importing.jobs import run_import

    return run_import(job_id).position


@db_periodic_task(crontab(minute="*/5"))
def resume_stalled_imports() -> int:
    """Resume running imports that have committed nothing for a while (the worker was killed). Safe if the old
    worker is in fact alive: a batch is written only by the run that finds the position it expects."""
    from kartoteka.dataio.importing.jobs import run_import, stalled_jobs

    resumed = 0
    for job_id in list(stalled_jobs().values_list("pk", flat=True)[:5]):
        logger.warning("resuming stalled import %s", job_id)
        try:
            run_import(job_id)
        except Exception:  # noqa: BLE001 - recorded on the job; the next stalled one still runs
            logger.exception("resuming import %s failed", job_id)
        resumed += 1
    return resumed
