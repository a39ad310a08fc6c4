"""The hash chain that makes the audit tables tamper-evident.

Each row stores `prev_hash` (the `row_hash` of the row appended before it, "" for the first row) and
`row_hash` = SHA-256 of a canonical JSON of its content plus `prev_hash`. Changing, deleting or reordering a
row breaks the chain at that row or the next one; `kartoteka audit verify` walks it.

Appends to one chain are serialized so it never forks: on PostgreSQL a transaction-level advisory lock is
taken before the last hash is read and held until commit; on SQLite every transaction is BEGIN IMMEDIATE
(core/env.py), which holds the database's write lock from its start, so two appends cannot interleave.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

if TYPE_CHECKING:
    from kartoteka.audit.models import ChainedRecord

__all__ = ["GENESIS", "Break", "canonical", "digest", "last_hash", "lock", "timestamp", "walk"]

GENESIS = ""  # prev_hash of a chain's first row


def timestamp(value: datetime.datetime) -> str:
    """A time as it enters the hash: UTC, always with microseconds (what both databases store)."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _normalize(value: Any) -> Any:
    """The value as it reads back from a JSON column: string keys, lists, and integral floats as ints
    (PostgreSQL's jsonb gives back 1e16 as 10000000000000000)."""
    if isinstance(value, dict):
        return {str(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalize(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical(content: dict[str, Any]) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same content always gives the same bytes."""
    return json.dumps(_normalize(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def digest(content: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical({**content, "prev_hash": prev_hash})).hexdigest()


def lock(model: type[ChainedRecord], using: str) -> None:
    """Serialize appends to `model`'s chain until the current transaction ends. Call inside atomic()."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [model.chain_lock_key])
    elif connection.vendor == "sqlite":
        if getattr(connection, "transaction_mode", None) != "IMMEDIATE":
            raise ImproperlyConfigured("The audit chain needs SQLite transactions in IMMEDIATE mode (core/env.py).")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise ImproperlyConfigured(f"The audit chain does not support {connection.vendor}.")


def last_hash(model: type[ChainedRecord], using: str) -> str:
    """The newest row's hash: one read by primary key, whatever the table's size. (Plain SQL: it runs on
    every append, and the ORM would cost twenty times the query itself.)"""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('row_hash')} FROM {quote(model._meta.db_table)} "  # noqa: S608 - no input
                       f"ORDER BY {quote('id')} DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else GENESIS


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold."""

    row_id: int
    reason: str


@dataclass
class Walk:
    rows: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS
    broken: Break | None = None
    hashes: dict[int, str] | None = None  # row id -> hash, for the ids asked for (anchors)


def walk(model: type[ChainedRecord], *, using: str = "default", batch_size: int = 5000,
         remember: frozenset[int] = frozenset()) -> Walk:
    """Check the chain oldest first, in keyset batches (constant memory, no long-lived cursor).

    Stops at the first broken row. `remember` collects the hashes of those row ids (anchors).
    """
    result = Walk(hashes={})
    fields = ["id", "prev_hash", "row_hash", *model.hashed_fields]
    expected_prev = GENESIS
    for row in _rows(model, fields, using, batch_size):
        result.rows += 1
        if row["id"] in remember:
            result.hashes[row["id"]] = row["row_hash"]  # type: ignore[index]
        if digest(model.chain_content(row), row["prev_hash"]) != row["row_hash"]:
            result.broken = Break(row["id"], "content changed: the row's hash does not match its content")
            return result
        if row["prev_hash"] != expected_prev:
            reason = (f"link broken: it does not follow row {result.head_id}, the row read before it (a row "
                      f"after row {result.head_id} was deleted, or one of the two was changed)"
                      if result.head_id is not None else "the chain does not start here: earlier rows were deleted")
            result.broken = Break(row["id"], reason)
            return result
        expected_prev = row["row_hash"]
        result.head_id, result.head_hash = row["id"], row["row_hash"]
    return result


def _rows(model: type[ChainedRecord], fields: list[str], using: str, batch_size: int) -> Iterator[dict[str, Any]]:
    manager = model._default_manager.using(using)
    after = 0
    while True:
        batch = list(manager.filter(id__gt=after).order_by("id").values(*fields)[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        after = batch[-1]["id"]
