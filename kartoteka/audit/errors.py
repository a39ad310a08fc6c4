"""Errors of the audit trail."""

from __future__ import annotations

from django.db import models

__all__ = ["AppendOnlyError"]


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit row: the audit tables are append-only."""

    def __init__(self, model: type[models.Model], operation: str) -> None:
        super().__init__(
            f"{model._meta.label} is append-only: {operation} is refused (audit rows are never changed or deleted)"
        )
