"""Who is acting and through which path: set once per request, command or job; read by the receivers."""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChangeContext:
    actor: Any = None
    source: str = "system"
    request_id: str = ""
    # The time stamped on record changes written in this context; None means now. Only the demo loader,
    # which replays a past year, sets it: audit rows are never changed afterwards, so it cannot backdate them.
    at: datetime.datetime | None = None


_DEFAULT = ChangeContext()
_current: ContextVar[ChangeContext] = ContextVar("kartoteka_change_context", default=_DEFAULT)  # noqa: B039 (frozen)


def current() -> ChangeContext:
    return _current.get()


@contextlib.contextmanager
def change_context(*, actor: Any = None, source: str, at: datetime.datetime | None = None) -> Iterator[ChangeContext]:
    """Attribute every audited change inside the block to `actor` via `source` (at time `at`, default now)."""
    ctx = ChangeContext(actor=actor, source=source, request_id=uuid.uuid4().hex, at=at)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def bind(*, actor: Any, source: str) -> None:
    """Re-attribute the rest of the current request (the API after token auth). The enclosing
    change_context() restores the previous value when the request ends."""
    _current.set(ChangeContext(actor=actor, source=source, request_id=uuid.uuid4().hex))
