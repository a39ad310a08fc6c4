"""Database triggers that refuse UPDATE and DELETE of audit rows, whoever sends them.

The application refuses those writes itself (AppendOnlyQuerySet, ChainedRecord); the triggers also stop raw
SQL, a shell, another program. Both backends raise an integrity error (django.db.IntegrityError).

Limits: the table's owner can drop or disable a trigger, and PostgreSQL's TRUNCATE fires no row trigger (so
`flush` and Django's test teardown still work there). For a hard guarantee run the application as a role that
does not own the tables and has only SELECT and INSERT on them (docs/audit.md); the hash chain shows any
change made around the triggers.

SQLite's `flush` deletes rows with DELETE, so the `flush` command (audit/management/commands/flush.py) lifts
the triggers for its wipe, in the same transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import transaction

__all__ = ["TABLES", "install", "installed", "remove", "suspended"]

TABLES = ("audit_objectchange", "audit_securityevent")
MESSAGE = "audit rows are append-only"
PG_FUNCTION = "audit_refuse_change"


def _trigger_names(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"{table}_append_only"]
    return [f"{table}_no_update", f"{table}_no_delete"]


def _existing_tables(connection: Any, tables: tuple[str, ...]) -> list[str]:
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    return [t for t in tables if t in present]


def install(connection: Any, tables: tuple[str, ...] = TABLES) -> None:
    """Create the missing (or disabled) triggers on the audit tables that exist; a no-op when all are there."""
    missing = [table for table, ok in installed(connection, tables).items() if not ok]
    if not missing:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME "
                "USING ERRCODE = 'restrict_violation'; END $$"
            )
            for table in missing:
                name = _trigger_names(table, "postgresql")[0]
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
                               f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()")
        elif connection.vendor == "sqlite":
            for table in missing:
                no_update, no_delete = _trigger_names(table, "sqlite")
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {no_update} BEFORE UPDATE ON {table} "
                               f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE on {table} refused'); END")
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {no_delete} BEFORE DELETE ON {table} "
                               f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE on {table} refused'); END")


def remove(connection: Any, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for table in _existing_tables(connection, tables):
            for name in _trigger_names(table, connection.vendor):
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if connection.vendor == "postgresql" and set(tables) >= set(TABLES):
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")


def installed(connection: Any, tables: tuple[str, ...] = TABLES) -> dict[str, bool]:
    """{table: every trigger present and enabled} for the audit tables that exist."""
    result = {}
    with connection.cursor() as cursor:
        for table in _existing_tables(connection, tables):
            names = _trigger_names(table, connection.vendor)
            if connection.vendor == "postgresql":
                cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgenabled <> 'D'",
                               [table])
            else:
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            present = {row[0] for row in cursor.fetchall()}
            result[table] = set(names) <= present
    return result


@contextlib.contextmanager
def suspended(connection: Any) -> Iterator[None]:
    """Lift the triggers for the block and put them back, all in one transaction (DDL is transactional on
    both backends): if the block fails, the triggers were never gone. Used by `flush` and by tamper tests."""
    with transaction.atomic(using=connection.alias):
        remove(connection)
        yield
        install(connection)
