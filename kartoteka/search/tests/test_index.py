"""The indexes behind fragment search: used by the queries, and kept in sync with the tables.

SQLite: FTS5 trigram tables maintained by triggers. PostgreSQL: pg_trgm GIN indexes (the planner is told not to
scan the whole table or a whole unrelated index, because on a test-sized table that is cheaper and it would
rightly choose it).
"""

from __future__ import annotations

import pytest
from django.db import connection

from kartoteka.contacts.models import Company, Contact
from kartoteka.contacts.services import update_company
from kartoteka.core.search import TRIGRAM_TABLES
from kartoteka.deals.models import Deal
from kartoteka.leads.models import Lead
from kartoteka.search.index import ensure_sqlite_index

MODELS = [Company, Contact, Lead, Deal]
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pg_trgm index")


def plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # A test-sized table makes a sequential or plain index scan (filtering every row) the cheapest plan;
        # turning both off leaves the planner only the indexes that can answer the search condition.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@sqlite_only
@pytest.mark.parametrize("model", MODELS)
def test_sqlite_search_reads_the_fts_index_not_the_table(model, owner):
    text = plan(model.objects.visible_to(owner).search("ромашка 916"))

    table = model._meta.db_table
    assert f"{table}_fts VIRTUAL TABLE INDEX" in text
    assert f"SCAN {table}\n" not in text + "\n" and f"SCAN {table} " not in text


@postgresql_only
@pytest.mark.parametrize("model", MODELS)
def test_postgresql_search_uses_the_trigram_index(model, owner):
    text = plan(model.objects.visible_to(owner).search("ромашка"))

    assert f"Bitmap Index Scan on {model._meta.db_table}_search_trgm" in text
    assert f"Seq Scan on {model._meta.db_table}" not in text


def fts_rows(table: str, term: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s ORDER BY rowid", [f'"{term}"'])
        return [row[0] for row in cursor.fetchall()]


@sqlite_only
def test_sqlite_index_follows_insert_update_and_delete(owner, make_company):
    company = make_company(owner, name="Ромашка")
    assert fts_rows("contacts_company", "ромашка") == [company.pk]

    update_company(company, actor=owner, data={"name": "Василёк"})
    assert fts_rows("contacts_company", "ромашка") == []
    assert fts_rows("contacts_company", "василек") == [company.pk]

    Company.objects.filter(pk=company.pk).delete()
    assert fts_rows("contacts_company", "василек") == []


@sqlite_only
def test_lost_triggers_are_recreated_and_the_index_rebuilt(owner, make_company):
    company = make_company(owner, name="Ромашка")
    with connection.cursor() as cursor:  # what SQLite's table rebuild in a later migration does to triggers
        cursor.execute("DROP TRIGGER contacts_company_fts_au")
        cursor.execute("DROP TABLE contacts_contact_fts")

    rebuilt = ensure_sqlite_index(connection)
    update_company(company, actor=owner, data={"name": "Василёк"})

    assert sorted(rebuilt) == ["contacts_company", "contacts_contact"]
    assert fts_rows("contacts_company", "василек") == [company.pk]
    assert ensure_sqlite_index(connection) == []
    assert set(TRIGRAM_TABLES) == {m._meta.db_table for m in MODELS}
