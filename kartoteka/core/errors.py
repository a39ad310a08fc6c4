"""Errors raised by services and translated to HTTP in one place (views: core/views, API: api/errors.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import Http404
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


class NotVisible(Http404):
    """No such record among those the user may see (it may not exist at all): answered 404 like any Http404.

    Carries the model and id so the place that answers it can audit a denial (audit.services.record_denial).
    """

    def __init__(self, model: type[Model], pk: Any) -> None:
        self.model = model
        self.pk = pk
        super().__init__(f"No {model._meta.object_name} matches the given query.")
