"""Trigram indexes for fragment search on PostgreSQL (pg_trgm; a trusted extension since PostgreSQL 13).

On SQLite this migration does nothing: the embedded default scans, which is fine at demo scale.
"""

from django.db import migrations

INDEXES = [
    ("contacts_company", "contacts_company_search_trgm"),
    ("contacts_contact", "contacts_contact_search_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
