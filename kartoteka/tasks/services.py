"""Every write to tasks: create, edit, complete, cancel, reopen, delete, restore; workload and assignment.

A task may link to a company, a contact and a deal the actor may see (a contact's or deal's company is filled in).
Assigning a task to someone else notifies them; a new deadline re-arms the reminder, overdue and escalation
notices. Completing may log the activity the task produced on the linked records' timeline.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.activities.choices import ActivityKind
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.core.validators import storable_datetime
from kartoteka.tasks.choices import TaskKind, TaskStatus
from kartoteka.tasks.models import Task, day_start

__all__ = [
    "bulk_add_tag", "bulk_assign", "bulk_delete", "cancel_task", "complete_task", "create_task", "daily_limit",
    "delete_task", "reopen_task", "reschedule_task", "restore_task", "set_daily_limit", "update_task", "workload",
]

ENTITY = "task"
SERVICE_ONLY = ("status", "completed_at", "activity", "reminded_at", "overdue_notified_at", "escalated_at", "result")
ACTIVITY_OF_KIND = {TaskKind.CALL: ActivityKind.CALL, TaskKind.MEETING: ActivityKind.MEETING,
                    TaskKind.EMAIL: ActivityKind.EMAIL, TaskKind.OTHER: ActivityKind.NOTE}
MAX_DAILY_LIMIT = 200

bulk_add_tag = records.bulk_add_tag
bulk_delete = records.bulk_delete


def bulk_assign(objects: Any, *, actor: Any, owner: Any) -> int:
    """Give the tasks to `owner` in one transaction, each through update_task (so the new responsible is told)."""
    items = records._all_changeable(objects, actor)
    with transaction.atomic():
        for task in items:
            update_task(task, actor=actor, data={"owner": owner})
    return len(items)


def _due(value: Any, all_day: bool) -> datetime.datetime:
    """A deadline from a datetime, a date or ISO text; an all-day task is due at the start of its day."""
    if isinstance(value, str):
        text = value.strip()
        value = parse_datetime(text) or parse_date(text)
    if isinstance(value, datetime.datetime):
        value = storable_datetime(value, "due_at")
        return day_start(timezone.localdate(value)) if all_day else value
    if isinstance(value, datetime.date):
        return storable_datetime(datetime.datetime.combine(value, datetime.time.min), "due_at")
    raise ValidationError(_("Enter a valid date and time."))


def _prepare(actor: Any, data: dict[str, Any], task: Task | None) -> dict[str, Any]:
    """Resolve links and the deadline into values the generic write path stores; field errors all at once."""
    from kartoteka.activities.services import resolve_links

    errors: dict[str, list[str]] = {}
    for name in SERVICE_ONLY:
        if name in data:
            errors[name] = [_("This field cannot be set.")]
    data = {k: v for k, v in data.items() if k not in SERVICE_ONLY}
    if any(name in data for name in ("company", "contact", "deal")):
        current = {name: getattr(task, f"{name}_id") for name in ("company", "contact", "deal")} if task else {}
        wanted = {**current, **{n: data.pop(n) for n in ("company", "contact", "deal") if n in data}}
        try:
            links = resolve_links(actor, {k: v for k, v in wanted.items() if k not in current or v != current[k]})
        except ValidationError as exc:
            errors.update(exc.message_dict)
            links = {}
        for name in ("company", "contact", "deal"):
            if name in links:
                data[name] = links[name].pk
            elif wanted.get(name) in (None, ""):
                data[name] = None
            else:
                data[name] = wanted[name]
        if data.get("company") is None and links.get("company_id"):
            data["company"] = links["company_id"]
    if "all_day" in data:
        data["all_day"] = bool(data["all_day"])
    all_day = data.get("all_day", task.all_day if task else False)
    if "due_at" in data or (task is not None and "all_day" in data):
        try:
            data["due_at"] = _due(data.get("due_at", task.due_at if task else None), all_day)
        except ValidationError as exc:
            errors["due_at"] = exc.messages
    elif task is None:
        errors["due_at"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    return data


def _after_assignment(task: Task, *, actor: Any) -> None:
    """Tell the responsible about a task someone else gave them (after the transaction commits)."""
    if task.owner_id != actor.pk:
        from kartoteka.notifications.services import notify_task_assigned

        notify_task_assigned(task, actor=actor)


def create_task(*, actor: Any, data: dict[str, Any]) -> Task:
    """Create an open task; the actor is responsible unless `owner` names someone they may assign."""
    data = _prepare(actor, dict(data), None)
    with records.acting_as(actor), transaction.atomic():
        task = records.create_record(Task, actor=actor, data=data, entity=ENTITY, normalizers={})
        _after_assignment(task, actor=actor)
    return task


def update_task(task: Task, *, actor: Any, data: dict[str, Any], expected_version: int | None = None) -> Task:
    """Change fields. A new deadline re-arms the notices; a new responsible is notified."""
    if not permissions.can_change(actor, task):
        raise AccessDenied()
    data = _prepare(actor, dict(data), task)
    with records.acting_as(actor), transaction.atomic():
        before_owner, before_due = task.owner_id, task.due_at
        task = records.update_record(task, actor=actor, data=data, entity=ENTITY, normalizers={},
                                     expected_version=expected_version)
        if task.due_at != before_due:
            Task.objects.filter(pk=task.pk).update(reminded_at=None, overdue_notified_at=None, escalated_at=None)
        if task.owner_id != before_owner:
            _after_assignment(task, actor=actor)
    return task


def _close(task: Task, *, actor: Any, status: str, result: str, expected_version: int | None) -> Task:
    if not permissions.can_change(actor, task):
        raise AccessDenied()
    result = (result or "").strip()
    if len(result) > 5000:
        raise ValidationError({"result": [_("At most %(max)d characters.") % {"max": 5000}]})
    with records.acting_as(actor), transaction.atomic():
        locked = records._lock(task, expected_version)
        if locked.deleted_at is not None:
            raise ValidationError(_("The record is in the recycle bin: restore it first."))
        if locked.status != TaskStatus.OPEN and status != TaskStatus.OPEN:
            raise ValidationError({"status": [_("The task is already closed.")]})
        locked.status = status
        locked.result = result if status != TaskStatus.OPEN else locked.result
        locked.completed_at = timezone.now() if status != TaskStatus.OPEN else None
        locked.version += 1
        locked.save(update_fields=["status", "result", "completed_at", "version"])
    return locked


def complete_task(task: Task, *, actor: Any, result: str = "", log_activity: bool = False,
                  expected_version: int | None = None) -> Task:
    """Mark done with its result. With `log_activity`, the call/meeting/e-mail/note it produced is logged on the
    linked records (a task without a linked record logs nothing)."""
    from kartoteka.activities.services import log_activity as log

    with transaction.atomic():
        task = _close(task, actor=actor, status=TaskStatus.DONE, result=result, expected_version=expected_version)
        if log_activity and (task.company_id or task.contact_id or task.deal_id):
            activity = log(actor=actor, kind=ACTIVITY_OF_KIND[TaskKind(task.kind)], data={
                "company": task.company_id, "contact": task.contact_id, "deal": task.deal_id,
                "subject": task.title if task.kind in (TaskKind.EMAIL, TaskKind.MEETING) else "",
                "body": task.result or task.title})
            Task.objects.filter(pk=task.pk).update(activity=activity)
            task.activity = activity
    return task


def cancel_task(task: Task, *, actor: Any, result: str = "", expected_version: int | None = None) -> Task:
    return _close(task, actor=actor, status=TaskStatus.CANCELLED, result=result, expected_version=expected_version)


def reopen_task(task: Task, *, actor: Any, expected_version: int | None = None) -> Task:
    return _close(task, actor=actor, status=TaskStatus.OPEN, result="", expected_version=expected_version)


def delete_task(task: Task, *, actor: Any, expected_version: int | None = None) -> Task:
    return records.soft_delete(task, actor=actor, expected_version=expected_version)


def restore_task(task: Task, *, actor: Any) -> Task:
    return records.restore(task, actor=actor)


# --- workload ------------------------------------------------------------------------------------------------


def daily_limit(user: Any) -> int:
    """How many tasks a day the user plans at most: their own limit, else TASKS_DAILY_LIMIT."""
    value = (user.preferences or {}).get("daily_task_limit")
    return int(value) if isinstance(value, int) and value > 0 else settings.TASKS_DAILY_LIMIT


def set_daily_limit(user: Any, *, actor: Any, limit: int | None) -> None:
    """A head (for their team) or an administrator sets a manager's daily limit; None restores the default."""
    if not (actor.is_admin or (actor.is_head and permissions.heads_user(actor, user.pk))):
        raise AccessDenied()
    if limit is not None and not 1 <= int(limit) <= MAX_DAILY_LIMIT:
        raise ValidationError({"limit": [_("Enter a number from 1 to %(max)d.") % {"max": MAX_DAILY_LIMIT}]})
    preferences = dict(user.preferences or {})
    if limit is None:
        preferences.pop("daily_task_limit", None)
    else:
        preferences["daily_task_limit"] = int(limit)
    user.preferences = preferences
    user.save(update_fields=["preferences"])


def workload(user: Any, day: datetime.date) -> tuple[int, int]:
    """(open tasks due on `day`, the user's daily limit)."""
    return Task.objects.alive().open().filter(owner=user).due_on(day).count(), daily_limit(user)


def over_limit_warning(task: Task) -> str:
    """A warning to show after saving `task` if its responsible now has more tasks that day than planned."""
    if task.status != TaskStatus.OPEN or task.deleted_at is not None:
        return ""
    count, limit = workload(task.owner, timezone.localdate(task.due_at))
    if count <= limit:
        return ""
    return _("%(user)s has %(count)d tasks on %(day)s, over the daily limit of %(limit)d.") % {
        "user": task.owner, "count": count, "day": timezone.localdate(task.due_at).strftime("%d.%m.%Y"),
        "limit": limit}


def reschedule_task(task: Task, *, actor: Any, day: datetime.date, expected_version: int | None = None) -> Task:
    """Move a task to another day, keeping its time of day (the calendar's drag and drop)."""
    local = timezone.localtime(task.due_at)
    due = timezone.make_aware(datetime.datetime.combine(day, local.time().replace(tzinfo=None)))
    return update_task(task, actor=actor, data={"due_at": due}, expected_version=expected_version)
