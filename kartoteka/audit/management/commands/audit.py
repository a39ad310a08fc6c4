"""`kartoteka audit verify`: walk the audit hash chains and report the first broken row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from kartoteka.audit import chain, guard
from kartoteka.audit.models import ObjectChange, SecurityEvent

CHAINS: dict[str, type[ObjectChange] | type[SecurityEvent]] = {"changes": ObjectChange, "security": SecurityEvent}
EXIT_BROKEN = 1
EXIT_UNGUARDED = 2


class Command(BaseCommand):
    help = "Audit trail integrity."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        verify = sub.add_parser(
            "verify", help="Walk the hash chains oldest first. Exit 0 when intact, 1 when a row was changed or "
                           "deleted, 2 when the chains hold but the append-only triggers are missing.")
        verify.add_argument("--chain", choices=sorted(CHAINS), action="append",
                            help="Only this chain (repeatable); default: all.")
        verify.add_argument("--batch-size", type=int, default=5000, help="Rows read per query (default 5000).")
        verify.add_argument("--anchor", action="append", default=[], metavar="CHAIN:ID:HASH",
                            help="A head printed by an earlier run: fail unless row ID still has HASH. Catches "
                                 "rows removed from the end and a chain rewritten from scratch.")
        verify.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(options)

    def verify(self, options: dict[str, Any]) -> None:
        using = options["database"]
        anchors = self._anchors(options["anchor"])
        broken = False
        for name in options["chain"] or sorted(CHAINS):
            model = CHAINS[name]
            wanted = anchors.get(name, {})
            result = chain.walk(model, using=using, batch_size=options["batch_size"], remember=frozenset(wanted))
            table = model._meta.db_table
            if result.broken is not None:
                broken = True
                self.stdout.write(f"{name} ({table}): BROKEN at row {result.broken.row_id}: {result.broken.reason}"
                                  f" ({result.rows} rows read)")
                continue
            self.stdout.write(f"{name} ({table}): {result.rows} rows, chain intact; head "
                              f"{name}:{result.head_id or 0}:{result.head_hash or '-'}")
            for row_id, expected in wanted.items():
                found = (result.hashes or {}).get(row_id)
                if found != expected:
                    broken = True
                    why = "is missing" if found is None else "has another hash"
                    self.stdout.write(f"{name} ({table}): BROKEN at anchor row {row_id}: the row {why} "
                                      "(rows were removed from the end or the chain was rewritten)")
        unguarded = [t for t, ok in guard.installed(connections[using]).items() if not ok]
        for table in unguarded:
            self.stdout.write(f"{table}: append-only triggers MISSING (run `kartoteka migrate` to reinstall)")
        if broken:
            raise CommandError("the audit trail was tampered with (see above)", returncode=EXIT_BROKEN)
        if unguarded:
            raise CommandError("the audit tables are not guarded against changes", returncode=EXIT_UNGUARDED)

    def _anchors(self, values: list[str]) -> dict[str, dict[int, str]]:
        anchors: dict[str, dict[int, str]] = {}
        for value in values:
            try:
                name, row_id, row_hash = value.split(":")
                anchors.setdefault(name, {})[int(row_id)] = row_hash
            except ValueError:
                raise CommandError(f"--anchor {value!r}: expected CHAIN:ID:HASH") from None
            if name not in CHAINS:
                raise CommandError(f"--anchor {value!r}: unknown chain {name!r}")
        return anchors
