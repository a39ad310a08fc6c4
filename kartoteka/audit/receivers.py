"""The one signals module in the codebase: it turns saves of CRM records into ObjectChange rows.

Every write path (services, the admin, bulk actions that save per record, the CLI) passes through save(),
so the audit cannot be forgotten. Each CRMModel instance carries a snapshot taken when it was loaded;
the diff against it is the change. Soft delete and restore are updates of `deleted_at` and are recorded
as their own actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from kartoteka.audit.choices import Action
from kartoteka.audit.context import current
from kartoteka.audit.models import ObjectChange
from kartoteka.core.models import CRMModel


def record_change(instance: CRMModel, action: str, pre: dict | None, post: dict | None) -> ObjectChange:
    ctx = current()
    actor = ctx.actor if ctx.actor is not None and getattr(ctx.actor, "pk", None) else None
    return ObjectChange.objects.create(
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
    if raw or not isinstance(instance, CRMModel):
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
    if not isinstance(instance, CRMModel) or action not in {"post_add", "post_remove", "post_clear"}:
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
