"""Errors raised by services and translated to HTTP in one place (views: core/views, API: api/errors.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """The record changed since the caller read it (optimistic concurrency)."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(str(_("This record was changed by someone else since you opened it.")))


class AccessDenied(Exception):
    """The actor may see the record but not do this to it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(_("You do not have permission to do this.")))
