"""Background jobs of data import: run (or resume) one import."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task(retries=0)
def run_import_job(job_id: int) -> int:
    """Import the job's rows; `kartoteka importjob run <id>` resumes one whose worker died."""
    from kartoteka.dataio.importing.jobs import run_import

    return run_import(job_id).position
