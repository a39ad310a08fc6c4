"""The one signals module in the codebase: it turns saves of CRM records into ObjectChange rows, and logins,
logouts, failed logins and lockouts into SecurityEvent rows.

Every write path (services, the admin, bulk actions that save per record, the CLI) passes through save(),
so the audit cannot be forgotten. Each AuditedModel instance (every CRMModel, and shared reference data such
as products) carries a snapshot taken when it was loaded; the diff against it is the change. Soft delete and
restore are updates of `deleted_at` and are recorded as their own actions.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_migrate, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from kartoteka.audit import guard
from kartoteka.audit.choices import Action, SecurityEventKind
from kartoteka.audit.context import current
from kartoteka.audit.models import ObjectChange
from kartoteka.audit.services import record_security_event
from kartoteka.core.models import AuditedModel


def record_change(instance: AuditedModel, action: str, pre: dict | None, post: dict | None) -> ObjectChange:
    ctx = current()
    actor = ctx.actor if ctx.actor is not None and getattr(ctx.actor, "pk", None) else None
    return ObjectChange.objects.create(
        changed_at=ctx.at or timezone.now(),
        actor=actor,
        actor_name=(actor.get_username() if actor else "")[:150],
        source=ctx.source,
        request_id=ctx.request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=instance.pk,
        object_repr=str(instance)[:255],
        prechange=pre,
        postchange=post,
    )


@receiver(post_save, dispatch_uid="audit_crm_save")
def audit_save(sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not isinstance(instance, AuditedModel):
        return
    post = instance.audit_snapshot()
    pre = getattr(instance, "_audit_snapshot", None)
    if created:
        record_change(instance, Action.CREATE, None, post)
    else:
        pre = pre or {}
        if pre.get("deleted_at") is None and post.get("deleted_at") is not None:
            action = Action.DELETE
        elif pre.get("deleted_at") is not None and post.get("deleted_at") is None:
            action = Action.RESTORE
        else:
            action = Action.UPDATE
        changed = {k: v for k, v in post.items() if pre.get(k) != v}
        if changed or action != Action.UPDATE:
            record_change(instance, action, {k: pre.get(k) for k in changed}, changed)
    instance._audit_snapshot = post


@receiver(m2m_changed, dispatch_uid="audit_crm_tags")
def audit_tags(sender: type, instance: Any, action: str, pk_set: set | None, **kwargs: Any) -> None:
    """Tag changes are field changes of the record: 'tags' before and after, as sorted names."""
    if not isinstance(instance, AuditedModel) or action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return
    field_name = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), None
    )
    if field_name is None:
        return
    after = sorted(str(t) for t in getattr(instance, field_name).all())
    changed_names = sorted(str(t) for t in kwargs["model"].objects.filter(pk__in=pk_set or []))
    if action == "post_add":
        before = sorted(set(after) - set(changed_names))
    elif action == "post_remove":
        before = sorted(set(after) | set(changed_names))
    else:
        before = []
    record_change(instance, Action.UPDATE, {field_name: before}, {field_name: after})


# --- security events ----------------------------------------------------------------------------------------
# The receivers write the same row whether or not the username exists and never answer the client: what a
# failed login shows is the login view's business, and it does not depend on them.

@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender: type, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record_security_event(SecurityEventKind.LOGIN, request=request, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender: type, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record_security_event(SecurityEventKind.LOGOUT, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender: str, credentials: dict[str, Any], request: HttpRequest | None = None,
                       **kwargs: Any) -> None:
    tried = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or ""
    record_security_event(SecurityEventKind.LOGIN_FAILED, request=request, username=str(tried))


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def audit_locked_out(sender: str, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
    """django-axes refused a login (the attempt that reached the limit, and each one during the lockout)."""
    record_security_event(SecurityEventKind.LOCKED_OUT, request=request, username=str(username or ""))


@receiver(post_migrate, dispatch_uid="audit_guard")
def audit_guard(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Put the append-only triggers back after every migrate: on SQLite a migration that rebuilds an audit
    table (any ALTER it cannot do in place) drops them silently."""
    from django.db import connections

    if sender.label == "audit":
        guard.install(connections[using])
