"""Schemas shared by every entity's API."""

import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictInt, field_validator

# A record or user id: bounded by the databases' bigint, so a larger number is a 422, not an overflow (500).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _json_date(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError("Input should be a date as YYYY-MM-DD")
    return value


# In JSON bodies a value must have the type the schema gives it: pydantic's lax mode would take `true` for
# the id 1 and the number 0 for the date 1970-01-01. (Query and path values are text and stay lax.)
BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
BodyDate = Annotated[datetime.date, BeforeValidator(_json_date)]


def storable(value: Any) -> Any:
    """Text a database can keep, at any depth: PostgreSQL refuses NUL in text and in jsonb, and no database
    driver encodes an unpaired surrogate (JSON's "\\ud800" alone); either would be a 500."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Text cannot contain the NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("Text cannot contain an unpaired surrogate") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key)
            storable(item)
    elif isinstance(value, list | tuple):
        for item in value:
            storable(item)
    return value


class Input(Schema):
    """Base of request bodies and query filters."""

    @field_validator("*")
    @classmethod
    def storable_text(cls, value: Any) -> Any:
        return storable(value)


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
