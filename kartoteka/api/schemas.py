"""Schemas shared by every entity's API."""

import datetime
from typing import Any

from ninja import Schema


class UserRef(Schema):
    id: int
    username: str
    name: str


class ChangeOut(Schema):
    id: int
    action: str
    changed_at: datetime.datetime
    actor: UserRef | None
    source: str
    changes: dict[str, dict[str, Any]]


def user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": str(user)}


def change_out(change: Any) -> dict[str, Any]:
    return {
        "id": change.pk,
        "action": change.action,
        "changed_at": change.changed_at,
        "actor": user_ref(change.actor),
        "source": change.source,
        "changes": {k: {"before": b, "after": a} for k, (b, a) in change.changed_fields.items()}
        if change.action != "create" else {k: {"before": None, "after": v} for k, v in (change.postchange or {}).items()},
    }
