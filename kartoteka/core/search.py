"""Fragment search over CRMModel.search_text.

Both sides are normalised in Python (lower case, ё = е, digits of phones), so matching is a plain substring
test that is case-insensitive for Cyrillic on every database. The index behind it:
- PostgreSQL: a pg_trgm GIN index on search_text serves `LIKE '%term%'` (contacts/migrations/0002,
  search/migrations/0001).
- SQLite: LIKE cannot use an index, so each searchable table has an FTS5 trigram shadow table
  (`<table>_fts`, kept in sync by triggers, search/migrations/0001); a term of 3+ characters is looked up
  there as a phrase, which the trigram tokenizer matches as an exact substring.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

_NON_DIGITS = re.compile(r"\D+")
_PHONE_LIKE = re.compile(r"[\d()+\-.\s]+")
MAX_TERMS = 6
# Tables with a trigram index on search_text (FTS5 shadow tables on SQLite are named `<table>_fts`).
TRIGRAM_TABLES = ("contacts_company", "contacts_contact", "leads_lead", "deals_deal")
TRIGRAM_MIN = 3  # a trigram index cannot answer a shorter term: those are matched by a scan


def normalise_text(value: str) -> str:
    return " ".join(value.lower().replace("ё", "е").split())


def phone_digits(e164: str) -> str:
    """'+79161234567;ext=12' -> '79161234567 89161234567': the international and the Russian trunk form."""
    digits = _NON_DIGITS.sub("", e164.split(";")[0])
    variants = [digits]
    if digits.startswith("7") and len(digits) == 11:
        variants.append("8" + digits[1:])
    return " ".join(variants)


def search_terms(fragment: str) -> list[str]:
    """Terms that must all occur. A query that looks like a phone number becomes its digits."""
    text = normalise_text(fragment)
    digits = _NON_DIGITS.sub("", text)
    if text and _PHONE_LIKE.fullmatch(text) and len(digits) >= 4:
        return [digits]
    return text.split()[:MAX_TERMS]


def term_filter(model: Any, term: str, *, using: str = "default") -> Q:
    """The condition "search_text contains `term`", written so that the database's trigram index answers it."""
    table = model._meta.db_table
    if connections[using].vendor == "sqlite" and table in TRIGRAM_TABLES and len(term) >= TRIGRAM_MIN:
        phrase = '"' + term.replace('"', '""') + '"'
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s", (phrase,)))  # noqa: S608,S611 - table names are ours
    return Q(search_text__contains=term)
