"""Writes to the audit trail that are not record changes: security events, and the chain lock for services.

Record changes are written by audit/receivers.py. Security events come from there too (login, logout, failed
login, lockout) and from the two places that turn refusals into HTTP answers (core/views/generic.py and
api/errors.py). Features that export or merge call record_security_event() themselves.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, router
from django.http import HttpRequest

from kartoteka.audit.choices import DenialReason, SecurityEventKind
from kartoteka.audit.context import current
from kartoteka.audit.models import ObjectChange, SecurityEvent

__all__ = ["client_ip", "lock_change_log", "record_denial", "record_security_event"]

Target = models.Model | tuple[type[models.Model], Any] | None


def lock_change_log(using: str | None = None) -> None:
    """Take the record-change chain's lock now (inside a transaction) rather than at the first audited save.

    Services call this before they lock record rows: every transaction then takes the chain lock before any
    row lock, so a bulk change and a single edit of one of its records wait for each other instead of
    deadlocking (PostgreSQL). A no-op cost on SQLite, whose transactions are serialized anyway.
    """
    ObjectChange.lock_chain(using or router.db_for_write(ObjectChange), nested=True)


def client_ip(request: HttpRequest | None) -> str:
    """The client's address as the lockout (django-axes) sees it, so proxy settings apply; "" if unknown."""
    if request is None:
        return ""
    from axes.helpers import get_client_ip_address

    raw = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    try:
        return ipaddress.ip_address(str(raw)).compressed if raw else ""
    except ValueError:
        return ""


def _target(target: Target) -> tuple[ContentType | None, Any, str]:
    if target is None:
        return None, None, ""
    if isinstance(target, models.Model):
        return ContentType.objects.get_for_model(target, for_concrete_model=True), target.pk, str(target)[:255]
    model, pk = target
    return ContentType.objects.get_for_model(model, for_concrete_model=True), pk, ""


def record_security_event(kind: SecurityEventKind | str, *, request: HttpRequest | None = None, actor: Any = None,
                          username: str | None = None, target: Target = None,
                          detail: dict[str, Any] | None = None) -> SecurityEvent:
    """Append one security event.

    `actor` defaults to the request's user, then to the audit context's; `username` to the actor's (pass the
    name that was tried for a failed login). `target` is the record concerned, as an instance or (model, pk).
    `detail` is JSON: what an investigator needs (an export's filter, fields, row count, file hash; a merge's
    records). The request adds IP address, method, path and user agent.
    """
    ctx = current()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if actor is None:
        actor = ctx.actor
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    if username is None:
        username = actor.get_username() if actor is not None else ""
    detail = dict(detail or {})
    if request is not None:
        detail.setdefault("method", request.method)
        detail.setdefault("path", request.path[:500])
        user_agent = request.META.get("HTTP_USER_AGENT", "")
        if user_agent:
            detail.setdefault("user_agent", user_agent[:255])
    content_type, object_id, object_repr = _target(target)
    return SecurityEvent.objects.create(
        kind=kind, actor=actor, username=str(username)[:150], ip_address=client_ip(request), source=ctx.source,
        request_id=ctx.request_id, content_type=content_type, object_id=object_id, object_repr=object_repr,
        detail=detail,
    )


def record_denial(request: HttpRequest, model: type[models.Model] | None, pk: Any, *,
                  reason: DenialReason | str, detail: dict[str, Any] | None = None) -> SecurityEvent | None:
    """A refused request for a record, answered 404 (or 403 by the API).

    NOT_ALLOWED (the user may see the record but not do this) is always recorded. NOT_VISIBLE is recorded only
    when the record exists and the user may not see it even in the recycle bin: a mistyped id or a record in
    the bin asked for at the wrong address is not a denial.
    """
    record = None
    if model is not None and pk is not None:
        try:
            record = model._base_manager.filter(pk=pk).first()
        except (TypeError, ValueError):
            record = None
        if reason == DenialReason.NOT_VISIBLE:
            if record is None:
                return None
            manager: Any = model._default_manager
            if hasattr(manager, "visible_to") and manager.visible_to(request.user, include_deleted=True).filter(
                    pk=record.pk).exists():
                return None
    detail = {"reason": str(reason), **(detail or {})}
    if record is None:  # the model is not known (the API's 403) or the record is gone: keep what was asked for
        if model is not None:
            detail.setdefault("model", model._meta.label_lower)
        if pk is not None:
            detail.setdefault("object_id", str(pk))
    return record_security_event(SecurityEventKind.ACCESS_DENIED, request=request, target=record, detail=detail)
