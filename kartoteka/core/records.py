"""Generic write path for CRMModel records: validate, check access and version, save, audit.

App services (contacts.services, ...) call these with their model's normalisers, so every entity gets the
same rules for responsible, tags, custom fields, optimistic concurrency and soft delete.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.audit.choices import Action
from kartoteka.audit.context import change_context, current
from kartoteka.audit.receivers import record_change
from kartoteka.audit.services import lock_change_log
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.core.models import CRMModel
from kartoteka.customfields.models import Tag
from kartoteka.customfields.values import clean_values

R = TypeVar("R", bound=CRMModel)
Normalizers = dict[str, Callable[[Any], Any]]


def acting_as(actor: Any) -> contextlib.AbstractContextManager[Any]:
    """Make sure audit rows name the actor, keeping the path (ui/api/cli) already set."""
    ctx = current()
    if ctx.actor is not None and getattr(ctx.actor, "pk", None) == getattr(actor, "pk", None):
        return contextlib.nullcontext()
    return change_context(actor=actor, source=ctx.source, at=ctx.at)


def _resolve_owner(actor: Any, owner: Any, current_owner_id: int | None) -> Any:
    from kartoteka.accounts.models import User

    owner_id = owner.pk if isinstance(owner, User) else owner
    try:
        owner_id = int(owner_id)
    except (TypeError, ValueError):
        raise ValidationError({"owner": _("Choose a user.")}) from None
    if owner_id == current_owner_id:
        return None
    if not permissions.can_reassign(actor) and not (current_owner_id is None and owner_id == actor.pk):
        raise ValidationError({"owner": _("Only a head or an administrator can change the responsible.")})
    user = permissions.assignable_users(actor).filter(pk=owner_id).first()
    if user is None:
        raise ValidationError({"owner": _("This user cannot be made responsible for the record.")})
    return user


def _resolve_tags(names: Iterable[Any]) -> list[Tag]:
    tags = []
    for raw in names:
        name = str(getattr(raw, "name", raw)).strip()
        if not name:
            continue
        if len(name) > 50:
            raise ValidationError({"tags": _("A tag is at most 50 characters.")})
        tags.append(Tag.objects.get_or_create(name=name)[0])
    return tags


def _apply(instance: CRMModel, data: dict[str, Any], *, actor: Any, entity: str, normalizers: Normalizers,
           partial: bool) -> tuple[list[str], list[Tag] | None]:
    """Set validated values on the instance; returns (changed field names, tags to set or None)."""
    errors: dict[str, list[str]] = {}
    changed: list[str] = []
    data = dict(data)
    for forbidden in ("created_by", "version", "deleted_at", "search_text", "id", "pk", "created_at", "updated_at"):
        if forbidden in data:
            errors.setdefault(forbidden, []).append(_("This field cannot be set."))
            data.pop(forbidden)
    tags = None
    if "tags" in data:
        try:
            tags = _resolve_tags(data.pop("tags") or [])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "custom_fields" in data:
        try:
            values = clean_values(entity, data.pop("custom_fields") or {}, existing=instance.custom_fields, partial=partial)
        except ValidationError as exc:
            errors.setdefault("custom_fields", []).extend(
                f"{key}: {msg}" for key, msgs in exc.message_dict.items() for msg in msgs
            )
        else:
            if values != instance.custom_fields:
                instance.custom_fields = values
                changed.append("custom_fields")
    elif not partial:
        try:
            clean_values(entity, instance.custom_fields or {})
        except ValidationError as exc:
            errors.setdefault("custom_fields", []).extend(
                f"{key}: {msg}" for key, msgs in exc.message_dict.items() for msg in msgs
            )
    if "owner" in data:
        owner = data.pop("owner")
        try:
            new_owner = _resolve_owner(actor, owner, instance.owner_id if instance.pk else None)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if new_owner is not None:
                instance.owner = new_owner
                changed.append("owner")
    field_names = {f.name for f in instance._meta.concrete_fields}
    for name, value in data.items():
        if name not in field_names:
            errors.setdefault(name, []).append(_("Unknown field."))
            continue
        if name in normalizers:
            try:
                value = normalizers[name](value)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
                continue
        elif isinstance(value, str):
            value = value.strip()
        field = instance._meta.get_field(name)
        if value is None and not field.null and isinstance(field, models.CharField | models.TextField):
            value = ""  # an API client's null for a text field means "empty"
        if getattr(field, "many_to_one", False):
            attname = field.attname
            raw = value.pk if hasattr(value, "pk") else value
            if getattr(instance, attname) != raw:
                setattr(instance, attname, raw)
                changed.append(name)
        elif getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    try:
        instance.full_clean(exclude=[*errors.keys(), "owner", "created_by", "custom_fields", "search_text"],
                            validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, msgs in exc.message_dict.items():
            errors.setdefault(key, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    return changed, tags


def _lock(instance: R, expected_version: int | None = None) -> R:
    """The record re-read under a row lock; ConflictError if it is no longer at `expected_version`.

    Call inside a transaction. (On SQLite the BEGIN IMMEDIATE transaction is the lock.) The audit chain's
    lock is taken first, so every writer takes the two in the same order and none deadlocks.
    """
    lock_change_log()
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(locked.version)
    return locked


def create_record(model: type[R], *, actor: Any, data: dict[str, Any], entity: str, normalizers: Normalizers) -> R:
    """Create a record owned by the actor (or by `data['owner']` where the actor may assign)."""
    if not actor.is_authenticated or not actor.is_active or actor.is_viewer:
        raise AccessDenied()
    instance = model(owner=actor, created_by=actor)
    instance.owner_id = None  # resolved below: defaults to the actor
    data = dict(data)
    data.setdefault("owner", actor.pk)
    with acting_as(actor), transaction.atomic():
        _changed, tags = _apply(instance, data, actor=actor, entity=entity, normalizers=normalizers, partial=False)
        instance.save()
        if tags:
            instance.tags.add(*tags)
    return instance


def update_record(instance: R, *, actor: Any, data: dict[str, Any], entity: str, normalizers: Normalizers,
                  expected_version: int | None = None, partial: bool = True) -> R:
    """Change fields of a record. With `expected_version`, refuse (ConflictError) if someone saved first."""
    if not permissions.can_change(actor, instance):
        raise AccessDenied()
    with acting_as(actor), transaction.atomic():
        locked = _lock(instance, expected_version)
        if locked.deleted_at is not None:
            raise ValidationError(_("The record is in the recycle bin: restore it first."))
        changed, tags = _apply(locked, data, actor=actor, entity=entity, normalizers=normalizers, partial=partial)
        # Tags are part of the record's state: changing them must bump the version (ETag) like any field.
        tags_changed = tags is not None and {t.pk for t in tags} != set(locked.tags.values_list("pk", flat=True))
        if changed or tags_changed:
            locked.version += 1
            locked.save(update_fields=[*changed, "version"])
        if tags is not None and tags_changed:
            _set_tags(locked, tags)
    return locked


def _set_tags(instance: CRMModel, tags: list[Tag]) -> None:
    manager = instance.tags
    current_ids = set(manager.values_list("pk", flat=True))
    wanted_ids = {t.pk for t in tags}
    if current_ids - wanted_ids:
        manager.remove(*(current_ids - wanted_ids))
    if wanted_ids - current_ids:
        manager.add(*(wanted_ids - current_ids))


def add_tag(instance: CRMModel, *, actor: Any, name: str) -> None:
    if not permissions.can_change(actor, instance):
        raise AccessDenied()
    with acting_as(actor), transaction.atomic():
        tags = _resolve_tags([name])
        locked = _lock(instance)
        if tags and not locked.tags.filter(pk=tags[0].pk).exists():
            locked.version += 1
            locked.save(update_fields=["version"])
            locked.tags.add(*tags)


def soft_delete(instance: R, *, actor: Any, expected_version: int | None = None) -> R:
    """Move a record to the recycle bin; its relations and history stay."""
    if not permissions.can_change(actor, instance):
        raise AccessDenied()
    with acting_as(actor), transaction.atomic():
        locked = _lock(instance, expected_version)
        if locked.deleted_at is None:
            locked.deleted_at = timezone.now()
            locked.version += 1
            locked.save(update_fields=["deleted_at", "version"])
    return locked


def restore(instance: R, *, actor: Any) -> R:
    """Bring a record back from the recycle bin (admins and the owner's head)."""
    if not permissions.can_restore(actor, instance):
        raise AccessDenied()
    with acting_as(actor), transaction.atomic():
        locked = _lock(instance)
        if locked.deleted_at is not None:
            locked.deleted_at = None
            locked.version += 1
            locked.save(update_fields=["deleted_at", "version"])
    return locked


def shared_users(record: CRMModel) -> Any:
    """Users a record is explicitly shared with (read-only access, see accounts.permissions)."""
    from kartoteka.accounts.models import User

    return User.objects.filter(
        shares__content_type=ContentType.objects.get_for_model(record), shares__object_id=record.pk
    ).order_by("last_name", "first_name", "username")


def set_share(record: CRMModel, *, actor: Any, user: Any, shared: bool) -> None:
    """Grant or take back one user's read access to one record. Audited on the record as 'shared with'."""
    from kartoteka.accounts.models import RecordShare

    if not permissions.can_change(actor, record):
        raise AccessDenied()
    if shared and (not user.is_active or user.pk == record.owner_id):
        raise ValidationError({"user": _("Choose an active user other than the responsible.")})
    content_type = ContentType.objects.get_for_model(record)
    with acting_as(actor), transaction.atomic():
        before = [str(u) for u in shared_users(record)]
        if shared:
            _share, created = RecordShare.objects.get_or_create(content_type=content_type, object_id=record.pk,
                                                                user=user, defaults={"created_by": actor})
            if created:
                from kartoteka.notifications.services import notify_record_shared

                notify_record_shared(record, actor=actor, user=user)
        else:
            RecordShare.objects.filter(content_type=content_type, object_id=record.pk, user=user).delete()
        after = [str(u) for u in shared_users(record)]
        if before != after:
            record_change(record, Action.UPDATE, {"shared_with": before}, {"shared_with": after})


def _all_changeable(objects: Iterable[CRMModel], actor: Any) -> list[CRMModel]:
    """All-or-nothing for bulk actions: refuse the whole batch if any record may not be changed."""
    items = list(objects)
    if any(not permissions.can_change(actor, obj) for obj in items):
        raise AccessDenied()
    return items


def bulk_assign(objects: Iterable[CRMModel], *, actor: Any, owner: Any) -> int:
    """Make `owner` responsible for every record, in one transaction; each change is audited."""
    items = _all_changeable(objects, actor)
    with transaction.atomic():
        for obj in items:
            # Custom field entities are named after their models ("company", "contact", "deal").
            update_record(obj, actor=actor, data={"owner": owner}, entity=obj._meta.model_name, normalizers={})
    return len(items)


def bulk_add_tag(objects: Iterable[CRMModel], *, actor: Any, tag: str) -> int:
    items = _all_changeable(objects, actor)
    with transaction.atomic():
        for obj in items:
            add_tag(obj, actor=actor, name=tag)
    return len(items)


def bulk_delete(objects: Iterable[CRMModel], *, actor: Any) -> int:
    items = _all_changeable(objects, actor)
    with transaction.atomic():
        for obj in items:
            soft_delete(obj, actor=actor)
    return len(items)
