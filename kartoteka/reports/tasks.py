"""Background jobs of reports (found by djhuey's autodiscovery): the digests, checked hourly."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kartoteka.core import jobs  # noqa: F401 - registers the failure handler in the consumer
from kartoteka.reports.digests import send_report_digests


@db_periodic_task(crontab(minute="7"), retries=2, retry_delay=60)
def report_digests() -> int:
    """Every hour (from DIGEST_HOUR on, once per period): the scheduled report digests."""
    return send_report_digests()
