from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kartoteka.audit.choices import Source
from kartoteka.audit.context import change_context
from kartoteka.handover.models import Handover
from kartoteka.handover.services import run_handover


class Command(BaseCommand):
    help = "Run (or resume after a crash) a planned handover: moves the records not moved yet, batch by batch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("handover_id", type=int)
        parser.add_argument("--batch", type=int, default=200)
        parser.add_argument("--pause", type=float, default=0.0, help="Seconds to wait between batches.")

    def handle(self, *args: Any, **opts: Any) -> None:
        handover = Handover.objects.filter(pk=opts["handover_id"]).first()
        if handover is None:
            raise CommandError(f"No handover {opts['handover_id']}.")
        with change_context(actor=handover.created_by, source=Source.CLI):
            moved = run_handover(handover, batch=opts["batch"], pause=opts["pause"])
        self.stdout.write(f"moved {moved} records")
