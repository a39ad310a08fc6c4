"""A trigram index for SKU and name fragment search on PostgreSQL (pg_trgm, as contacts/0002 does).

On SQLite this migration does nothing: a catalog of thousands of products is scanned fast enough.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS products_product_search_trgm ON products_product "
                          "USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS products_product_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
