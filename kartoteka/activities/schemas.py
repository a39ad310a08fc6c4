"""API shapes of activities and call results (no `from __future__ import annotations`: ninja reads these)."""

import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kartoteka.activities.choices import ActivityKind, CallDirection, MessageChannel
from kartoteka.activities.models import Activity
from kartoteka.api.schemas import BodyId, Id, Input, UserRef, user_ref

LOGGABLE = ActivityKind  # the service refuses the system kinds with a 422 naming `kind`


class ActivityOut(Schema):
    id: int
    kind: str
    occurred_at: datetime.datetime
    author: UserRef | None
    company: int | None
    contact: int | None
    deal: int | None
    body: str
    subject: str
    direction: str
    phone: str
    duration_seconds: int | None
    result: str | None
    recording_url: str
    email_from: str
    email_to: str
    place: str
    participants: str
    channel: str
    follow_up_task: int | None = Field(None, description="The follow-up task created with the activity")


class FollowUpIn(Input):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., min_length=1, max_length=255)
    due_at: datetime.datetime
    all_day: bool = False


class ActivityIn(Input):
    model_config = ConfigDict(extra="forbid")

    kind: ActivityKind
    company: BodyId | None = None
    contact: BodyId | None = None
    deal: BodyId | None = None
    occurred_at: datetime.datetime | None = Field(None, description="Default: now")
    body: str = Field("", max_length=20000, description="The comment; the text of a message or a note")
    subject: str = Field("", max_length=255)
    direction: CallDirection | None = None
    phone: str = Field("", max_length=40)
    duration_seconds: int | None = Field(None, ge=0, le=86400)
    result: BodyId | None = Field(None, description="Call result id (GET /call-results)")
    recording_url: str = Field("", max_length=500)
    email_from: str = Field("", max_length=254)
    email_to: str = Field("", max_length=1000)
    place: str = Field("", max_length=255)
    participants: str = Field("", max_length=5000)
    channel: MessageChannel | None = None
    follow_up: FollowUpIn | None = Field(None, description="Create the follow-up task in the same step")


class ActivityFilters(Input):
    company: Id | None = None
    contact: Id | None = None
    deal: Id | None = None
    kind: list[ActivityKind] | None = None
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=100)


class CallResultOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    follow_up: bool


def activity_out(activity: Activity) -> dict[str, Any]:
    data = {f: getattr(activity, f) for f in (
        "id", "kind", "occurred_at", "body", "subject", "direction", "phone", "duration_seconds", "recording_url",
        "email_from", "email_to", "place", "participants", "channel")}
    data.update(author=user_ref(activity.author) if activity.author_id else None, company=activity.company_id,
                contact=activity.contact_id, deal=activity.deal_id,
                result=str(activity.result) if activity.result_id else None,
                follow_up_task=getattr(getattr(activity, "follow_up_task", None), "pk", None))
    return data
