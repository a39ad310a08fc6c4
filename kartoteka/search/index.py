"""The trigram indexes behind fragment search (see core/search.py for how queries use them).

PostgreSQL: pg_trgm GIN indexes on search_text. SQLite: one FTS5 external-content table per searchable table,
tokenised into trigrams and kept in sync by three triggers. SQLite's ALTER TABLE emulation (a table rebuild)
drops triggers, so `ensure_sqlite_index` is idempotent and runs after every migrate (search/apps.py): it
creates what is missing and rebuilds an index whose triggers had gone.

Table names in the SQL below come from TRIGRAM_TABLES, never from input.
"""

from __future__ import annotations

from typing import Any

from kartoteka.core.search import TRIGRAM_TABLES

__all__ = ["create_postgresql_index", "drop_postgresql_index", "drop_sqlite_index", "ensure_sqlite_index"]

# contacts/migrations/0002_search_trigram.py indexes the first two tables.
POSTGRESQL_TABLES = ("leads_lead", "deals_deal")


def _triggers(table: str) -> dict[str, str]:
    fts = f"{table}_fts"
    insert = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"  # noqa: S608
    delete = f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"  # noqa: S608
    return {
        f"{fts}_ai": f"AFTER INSERT ON {table} BEGIN {insert} END",
        f"{fts}_ad": f"AFTER DELETE ON {table} BEGIN {delete} END",
        f"{fts}_au": f"AFTER UPDATE OF search_text ON {table} BEGIN {delete} {insert} END",
    }


def ensure_sqlite_index(connection: Any) -> list[str]:
    """Create the FTS5 tables and triggers that are missing; returns the tables whose index was rebuilt."""
    rebuilt = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {row[0] for row in cursor.fetchall()}
        for table in TRIGRAM_TABLES:
            missing = [name for name in (f"{table}_fts", *_triggers(table)) if name not in existing]
            if table not in existing or not missing:
                continue
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {table}_fts USING fts5("
                           f"search_text, content='{table}', content_rowid='id', tokenize='trigram')")
            for name, body in _triggers(table).items():
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
            cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")  # noqa: S608
            rebuilt.append(table)
    return rebuilt


def drop_sqlite_index(connection: Any) -> None:
    with connection.cursor() as cursor:
        for table in TRIGRAM_TABLES:
            for name in _triggers(table):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {table}_fts")


def create_postgresql_index(schema_editor: Any) -> None:
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in POSTGRESQL_TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)")


def drop_postgresql_index(schema_editor: Any) -> None:
    for table in POSTGRESQL_TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
