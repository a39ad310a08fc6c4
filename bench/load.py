"""Fill a freshly migrated database with a Dataset by the bulk path: COPY on PostgreSQL (indexes dropped during
the load and rebuilt after, then ANALYZE), executemany in one transaction per table on SQLite (the FTS5 trigram
tables rebuilt once at the end)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, transaction

from bench.data import BIG_TABLES, CALL_RESULTS, COLUMNS, Dataset

CHUNK = 20_000


def reference_data(ds: Dataset) -> None:
    """Pipelines with their stages, lost reasons and call results, through the ORM (a few dozen rows)."""
    from kartoteka.activities.models import CallResult
    from kartoteka.deals.demo import LOST_REASONS, PIPELINES
    from kartoteka.deals.models import LostReason, Pipeline, Stage

    ds.pipelines = []
    with transaction.atomic():
        for i, name in enumerate(LOST_REASONS, start=1):
            LostReason.objects.create(id=i, name=name, position=i * 10)
        for i, name in enumerate(CALL_RESULTS, start=1):
            CallResult.objects.create(id=i, name=name, position=i * 10, follow_up=i == 3)
        for p_pos, (name, stages) in enumerate(PIPELINES, start=1):
            pipeline = Pipeline.objects.create(name=name, position=p_pos * 10)
            entry: dict[str, Any] = {"id": pipeline.pk, "open": []}
            for s_pos, (s_name, probability, kind, required) in enumerate(stages, start=1):
                stage = Stage.objects.create(pipeline=pipeline, name=s_name, position=s_pos * 10,
                                             probability=probability, kind=kind, required_fields=required,
                                             rotting_days=14 if kind == "open" else None)
                item = {"id": stage.pk, "name": s_name}
                if kind == "open":
                    entry["open"].append(item)
                else:
                    entry[kind] = item
            ds.pipelines.append(entry)


def table_rows(ds: Dataset) -> list[tuple[str, Callable[[], Iterable[tuple]]]]:
    return [
        ("accounts_team", ds.teams),
        ("accounts_user", ds.users),
        ("accounts_team_heads", ds.team_heads),
        ("contacts_company", ds.companies),
        ("contacts_contact", ds.contacts),
        ("deals_deal", ds.deals),
        ("deals_dealcontact", ds.deal_contacts),
        ("deals_stagechange", lambda: ds.stage_changes(ds.deals())),
        ("activities_activity", ds.activities),
    ]


def load(ds: Dataset, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Load everything; returns {table: rows} and the seconds each phase took."""
    reference_data(ds)
    loader = _load_postgresql if connection.vendor == "postgresql" else _load_sqlite
    return loader(ds, log)


# -- PostgreSQL ---------------------------------------------------------------------------------------------------
def _pg_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def pg_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """COPY text format. Generated values never contain tabs, newlines or backslashes."""
    for row in rows:
        yield "\t".join(map(_pg_value, row)) + "\n"


def _pg_indexes(cursor: Any, tables: Iterable[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes on these tables that no constraint owns (those can be dropped)."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND i.schemaname = 'public' "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [list(tables)])
    return cursor.fetchall()


def copy_rows(cursor: Any, table: str, rows: Iterable[tuple], columns: tuple[str, ...] | None = None) -> int:
    """COPY rows into a table (psycopg 3 cursor.copy), in chunks of text; returns the number of rows."""
    columns = columns or COLUMNS[table]
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer: list[str] = []
        for line in pg_lines(rows):
            buffer.append(line)
            if len(buffer) >= CHUNK:
                copy.write("".join(buffer))
                n += len(buffer)
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
            n += len(buffer)
    return n


def _load_postgresql(ds: Dataset, log: Callable[[str], None]) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    connection.ensure_connection()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: .copy
        indexes = _pg_indexes(cursor, BIG_TABLES)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # Foreign keys are checked by triggers; the generator's links are consistent by construction.
        cursor.execute("SET session_replication_role = replica")
        start = time.monotonic()
        for table, rows in table_rows(ds):
            t0 = time.monotonic()
            counts[table] = copy_rows(raw, table, rows())
            log(f"  COPY {table}: {counts[table]} rows in {time.monotonic() - t0:.1f}s")
        counts["copy_seconds"] = round(time.monotonic() - start, 1)
        cursor.execute("SET session_replication_role = DEFAULT")
        t0 = time.monotonic()
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        counts["index_seconds"] = round(time.monotonic() - t0, 1)
        log(f"  {len(indexes)} indexes rebuilt in {counts['index_seconds']}s")
        for table in COLUMNS:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f"GREATEST((SELECT MAX(id) FROM {table}), 1))")
        t0 = time.monotonic()
        cursor.execute("ANALYZE")
        counts["analyze_seconds"] = round(time.monotonic() - t0, 1)
    return counts


# -- SQLite -------------------------------------------------------------------------------------------------------
def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _load_sqlite(ds: Dataset, log: Callable[[str], None]) -> dict[str, Any]:
    from kartoteka.search.index import drop_sqlite_index, ensure_sqlite_index

    counts: dict[str, Any] = {}
    drop_sqlite_index(connection)
    with connection.cursor() as cursor:
        marks = ", ".join("%s" for _ in BIG_TABLES)
        query = f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})"  # noqa: S608
        cursor.execute(query, list(BIG_TABLES))
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        if not connection.in_atomic_block:  # (a test runs the load inside its transaction)
            cursor.execute("PRAGMA synchronous = OFF")
        start = time.monotonic()
        for table, rows in table_rows(ds):
            t0 = time.monotonic()
            columns = COLUMNS[table]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
            n = 0
            with transaction.atomic():
                batch: list[tuple] = []
                for row in rows():
                    batch.append(tuple(map(_sqlite_value, row)))
                    if len(batch) >= CHUNK:
                        cursor.cursor.executemany(sql, batch)
                        n += len(batch)
                        batch.clear()
                if batch:
                    cursor.cursor.executemany(sql, batch)
                    n += len(batch)
            counts[table] = n
            log(f"  INSERT {table}: {n} rows in {time.monotonic() - t0:.1f}s")
        counts["copy_seconds"] = round(time.monotonic() - start, 1)
        t0 = time.monotonic()
        for _name, sql in indexes:
            cursor.execute(sql)
        counts["index_seconds"] = round(time.monotonic() - t0, 1)
        log(f"  {len(indexes)} indexes rebuilt in {counts['index_seconds']}s")
    t0 = time.monotonic()
    ensure_sqlite_index(connection)
    log(f"  FTS5 trigram tables built in {time.monotonic() - t0:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts["analyze_seconds"] = round(time.monotonic() - t0, 1)
    return counts
