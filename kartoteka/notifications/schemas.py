"""API shapes of notifications (no `from __future__ import annotations`: ninja reads these)."""

import datetime
from typing import Any

from ninja import Field, Schema

from kartoteka.api.schemas import Input
from kartoteka.notifications.models import Notification


class NotificationOut(Schema):
    id: int
    kind: str
    text: str = Field(..., description="In the caller's language")
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationFilters(Input):
    unread: bool | None = None
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=100)


class ReadAllOut(Schema):
    marked: int


def notification_out(n: Notification) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "text": n.text, "url": n.url, "created_at": n.created_at, "read_at": n.read_at}
