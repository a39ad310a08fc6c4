"""`flush` that can empty the append-only audit tables on SQLite.

Django's flush empties every table with DELETE on SQLite, which the audit triggers refuse. This command lifts
them for the wipe and puts them back in the same transaction. PostgreSQL flushes with TRUNCATE, which row
triggers do not see, so there it is Django's flush unchanged. Test teardown of transactional tests uses it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from kartoteka.audit import guard


class Command(DjangoFlush):
    help = DjangoFlush.help + " The audit tables are emptied too (their triggers are lifted for the wipe only)."

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with guard.suspended(connection):
            return super().handle(**options)
