"""Background job of handovers (huey; found by djhuey's autodiscovery): move one handover's records."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from kartoteka.audit.choices import Source
from kartoteka.audit.context import change_context
from kartoteka.core import jobs  # noqa: F401 - registers the failure handler in the consumer
from kartoteka.handover.models import Handover
from kartoteka.handover.services import run_handover


@db_task(retries=0)
def handover_job(handover_id: int) -> int:
    """Run (or resume) a handover. Not retried by itself: a failure marks the handover failed, and the head
    resumes it from its page once the cause is fixed."""
    handover = Handover.objects.select_related("created_by").filter(pk=handover_id).first()
    if handover is None:
        return 0
    with change_context(actor=handover.created_by, source=Source.SYSTEM):
        return run_handover(handover)
