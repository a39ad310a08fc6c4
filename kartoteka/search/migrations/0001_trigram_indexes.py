"""Trigram indexes for fragment search: pg_trgm GIN on PostgreSQL, FTS5 trigram tables on SQLite."""

from django.db import migrations

from kartoteka.search import index


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        index.create_postgresql_index(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        index.ensure_sqlite_index(schema_editor.connection)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        index.drop_postgresql_index(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        index.drop_sqlite_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_search_trigram"), ("leads", "0001_initial"), ("deals", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
