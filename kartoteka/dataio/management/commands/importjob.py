from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kartoteka.dataio.importing.jobs import BATCH, run_import
from kartoteka.dataio.models import ImportJob


class Command(BaseCommand):
    help = "Run (or resume after a crash) an import job: imports the rows after its committed position."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("job_id", type=int)
        parser.add_argument("--batch", type=int, default=BATCH)
        parser.add_argument("--pause", type=float, default=None, help="Seconds to wait between batches.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not ImportJob.objects.filter(pk=opts["job_id"]).exists():
            raise CommandError(f"No import job {opts['job_id']}.")
        job = run_import(opts["job_id"], batch=opts["batch"], pause=opts["pause"])
        self.stdout.write(f"{job.status}: {job.position}/{job.total_rows} rows, created {job.created_count}, "
                          f"updated {job.updated_count}, skipped {job.skipped_count}, failed {job.failed_count}")
