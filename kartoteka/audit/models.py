"""The audit trail: record changes (ObjectChange) and security events (SecurityEvent).

Both tables are append-only and hash-chained (audit/chain.py): the application refuses to update or delete
their rows (save/delete/QuerySet below), database triggers refuse it too (audit/guard.py), and
`kartoteka audit verify` detects a row changed or removed behind their back.

They are two chains, not one: a login or a denied request must not wait for a long import transaction that
holds the record-change chain's lock, and each table keeps the columns its readers need.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kartoteka.audit import chain
from kartoteka.audit.choices import Action, DenialReason, SecurityEventKind, Source
from kartoteka.audit.errors import AppendOnlyError

__all__ = ["ChainedRecord", "ObjectChange", "SecurityEvent"]


class AppendOnlyQuerySet(models.QuerySet):
    """Rows can be added and read; bulk writes that would change or remove them raise AppendOnlyError."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(self.model, "update()")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.model, "delete()")

    def _raw_delete(self, using: str | None) -> int:
        raise AppendOnlyError(self.model, "delete()")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError(self.model, "bulk_update()")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        """Chained like single saves, in list order. Conflict options would skip rows and fork the chain."""
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise AppendOnlyError(self.model, "bulk_create() with conflict handling")
        objs = list(objs)
        nested = connections[self.db].in_atomic_block
        with transaction.atomic(using=self.db, savepoint=False):
            self.model.lock_chain(self.db, nested=nested)
            prev = chain.last_hash(self.model, self.db)
            for obj in objs:
                obj.seal(prev)
                prev = obj.row_hash
            return super().bulk_create(objs, *args, **kwargs)


class ChainedRecord(models.Model):
    """An append-only, hash-chained row. Subclasses name the fields their hash covers."""

    prev_hash = models.CharField(max_length=64, editable=False)
    row_hash = models.CharField(max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    hashed_fields: ClassVar[tuple[str, ...]]  # attnames, read by chain.walk() with .values()
    chain_lock_key: ClassVar[int]  # PostgreSQL advisory lock key, one per chain

    class Meta:
        abstract = True
        base_manager_name = "objects"  # Django's internal updates/deletes meet the guard too

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AppendOnlyError(type(self), "save() of an existing row")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        nested = connections[using].in_atomic_block
        # No savepoint: a failed audit insert fails the enclosing transaction, which is what should happen.
        with transaction.atomic(using=using, savepoint=False):
            self.lock_chain(using, nested=nested)
            self.seal(chain.last_hash(type(self), using))
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(type(self), "delete()")

    @classmethod
    def chain_content(cls, values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def lock_chain(cls, using: str, *, nested: bool) -> None:
        """Serialize appends to this chain; `nested`: the append is part of a larger transaction."""
        chain.lock(cls, using)

    def seal(self, prev_hash: str) -> None:
        """Link the row after `prev_hash` and hash its content."""
        self.prev_hash = prev_hash
        self.row_hash = chain.digest(self.chain_content({f: getattr(self, f) for f in self.hashed_fields}),
                                     prev_hash)


def content_type_key(content_type_id: int | None) -> str | None:
    """'app_label.model': stable across databases, unlike the content type's id."""
    if content_type_id is None:
        return None
    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


class ObjectChange(ChainedRecord):
    """Actor, time, path and the before/after of the fields that changed (NetBox's ObjectChange)."""

    changed_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    # No database constraint and no cascade: a deleted user's id stays (ids are never reused) and the row
    # is never updated, so its hash holds; actor_name keeps the name. Read `actor` with select_related()
    # (then it is None for a deleted user), but do not combine it with a filter on actor: Django then joins
    # INNER and drops the deleted user's rows. Filter on actor_id alone.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(_("record"), max_length=255)
    prechange = models.JSONField(null=True, blank=True)
    postchange = models.JSONField(null=True, blank=True)

    hashed_fields = ("changed_at", "actor_id", "actor_name", "source", "request_id", "action", "content_type_id",
                     "object_id", "object_repr", "prechange", "postchange")
    chain_lock_key = 0x4B74_0001  # "Kt" + chain 1

    class Meta(ChainedRecord.Meta):
        ordering = ["-changed_at", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-changed_at"], name="audit_objectchange_object_time"),
        ]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.action}"

    @classmethod
    def chain_content(cls, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "changed_at": chain.timestamp(values["changed_at"]),
            "actor": values["actor_id"],
            "actor_name": values["actor_name"],
            "source": values["source"],
            "request_id": values["request_id"],
            "action": values["action"],
            "content_type": content_type_key(values["content_type_id"]),
            "object_id": values["object_id"],
            "object_repr": values["object_repr"],
            "prechange": values["prechange"],
            "postchange": values["postchange"],
        }

    @property
    def changed_fields(self) -> dict[str, tuple[object, object]]:
        """{field: (before, after)} for the fields that differ."""
        before = self.prechange or {}
        after = self.postchange or {}
        keys = [k for k in after if before.get(k) != after.get(k)] if self.action != Action.DELETE else []
        return {k: (before.get(k), after.get(k)) for k in keys}


class SecurityEvent(ChainedRecord):
    """A login, logout, failed login, lockout, refused access, export, merge or permission change."""

    occurred_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    kind = models.CharField(_("event"), max_length=32, choices=SecurityEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    # The actor's username, or for a failed login the name that was tried (whether or not such a user exists).
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    request_id = models.CharField(max_length=32, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(_("record"), max_length=255, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    hashed_fields = ("occurred_at", "kind", "actor_id", "username", "ip_address", "source", "request_id",
                     "content_type_id", "object_id", "object_repr", "detail")
    chain_lock_key = 0x4B74_0002

    class Meta(ChainedRecord.Meta):
        ordering = ["-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [
            models.Index(fields=["kind", "-occurred_at"], name="audit_securityevent_kind_time"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_securityevent_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username}"

    @classmethod
    def chain_content(cls, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "occurred_at": chain.timestamp(values["occurred_at"]),
            "kind": values["kind"],
            "actor": values["actor_id"],
            "username": values["username"],
            "ip_address": values["ip_address"],
            "source": values["source"],
            "request_id": values["request_id"],
            "content_type": content_type_key(values["content_type_id"]),
            "object_id": values["object_id"],
            "object_repr": values["object_repr"],
            "detail": values["detail"],
        }

    @property
    def reason_label(self) -> str:
        """Why access was refused, in words (access_denied events)."""
        reason = (self.detail or {}).get("reason", "")
        return str(DenialReason(reason).label) if reason in DenialReason.values else str(reason)

    @classmethod
    def lock_chain(cls, using: str, *, nested: bool) -> None:
        """Inside a larger transaction, take the record-change lock first: a transaction that writes both
        kinds of rows always locks in the same order, so two of them cannot deadlock. (A login or a denied
        request is a transaction of its own and takes only this chain's lock.)"""
        if nested:
            ObjectChange.lock_chain(using, nested=nested)
        super().lock_chain(using, nested=nested)
