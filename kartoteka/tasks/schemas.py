"""API shapes of tasks and My day (no `from __future__ import annotations`: ninja reads these)."""

import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kartoteka.api.schemas import BodyId, Id, Input, UserRef, user_ref
from kartoteka.tasks.choices import TaskKind, TaskPriority, TaskStatus
from kartoteka.tasks.models import Task

ORDERINGS = ["due_at", "-due_at", "created_at", "-created_at", "updated_at", "-updated_at", "title", "-title", "id",
             "-id"]
TaskOrdering = Literal[tuple(ORDERINGS)]  # type: ignore[valid-type]


class LinkRef(Schema):
    id: int
    name: str | None = Field(None, description="Null when the caller may not see the record")


class TaskOut(Schema):
    id: int
    title: str
    kind: str
    due_at: datetime.datetime
    all_day: bool
    priority: str
    status: str
    overdue: bool
    result: str
    completed_at: datetime.datetime | None
    description: str
    company: LinkRef | None
    contact: LinkRef | None
    deal: LinkRef | None
    activity: int | None = Field(None, description="The activity logged when the task was completed")
    escalated_at: datetime.datetime | None
    owner: UserRef
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool


class TaskIn(Input):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., min_length=1, max_length=255)
    kind: TaskKind = TaskKind.CALL
    due_at: datetime.datetime = Field(..., description="Deadline; for an all-day task only its date counts")
    all_day: bool = False
    priority: TaskPriority = TaskPriority.NORMAL
    company: BodyId | None = None
    contact: BodyId | None = None
    deal: BodyId | None = None
    description: str = Field("", max_length=20000)
    owner: BodyId | None = Field(None, description="Responsible user id (heads and admins may assign others)")
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class TaskPatch(TaskIn):
    title: str = Field(None, min_length=1, max_length=255)  # type: ignore[assignment]
    due_at: datetime.datetime = Field(None)  # type: ignore[assignment]


class TaskFilters(Input):
    q: str | None = Field(None, max_length=200)
    status: list[TaskStatus] | None = None
    kind: list[TaskKind] | None = None
    priority: list[TaskPriority] | None = None
    overdue: bool | None = None
    due_after: datetime.date | None = None
    due_before: datetime.date | None = None
    company: Id | None = None
    contact: Id | None = None
    deal: Id | None = None
    owner: list[Id] | None = None
    tag: list[str] | None = None
    created_after: datetime.date | None = None
    created_before: datetime.date | None = None
    ordering: TaskOrdering | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=100)


class CompleteIn(Input):
    model_config = ConfigDict(extra="forbid")

    result: str = Field("", max_length=5000)
    log_activity: bool = Field(False, description="Log the call/meeting/e-mail/note on the linked records")


class CancelIn(Input):
    model_config = ConfigDict(extra="forbid")

    result: str = Field("", max_length=5000)


class MyDayOut(Schema):
    overdue: list[TaskOut]
    today: list[TaskOut]
    tomorrow: list[TaskOut]
    daily_limit: int
    over_limit: bool


def _link(task: Task, name: str) -> dict[str, Any] | None:
    pk = getattr(task, f"{name}_id")
    if pk is None:
        return None
    return {"id": pk, "name": str(getattr(task, name)) if getattr(task, f"{name}_visible", False) else None}


def task_out(task: Task) -> dict[str, Any]:
    data = {f: getattr(task, f) for f in (
        "id", "title", "kind", "due_at", "all_day", "priority", "status", "result", "completed_at", "description",
        "escalated_at", "custom_fields", "version", "created_at", "updated_at")}
    data.update(overdue=task.is_overdue(), company=_link(task, "company"), contact=_link(task, "contact"),
                deal=_link(task, "deal"), activity=task.activity_id, owner=user_ref(task.owner),
                tags=[t.name for t in task.tags.all()], deleted=task.is_deleted)
    return data
