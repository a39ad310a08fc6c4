"""Template tags of the working day: a card's open tasks, and the activity kinds of the card's buttons."""

from __future__ import annotations

from typing import Any

from django import template

from kartoteka.activities.choices import LOGGABLE_KINDS, ActivityKind
from kartoteka.contacts.choices import CompanyStatus
from kartoteka.contacts.models import Company
from kartoteka.deals.models import Deal
from kartoteka.tasks.models import Task

register = template.Library()
RECORD_TASKS_LIMIT = 10


@register.simple_tag
def activity_kinds(purpose: str) -> list[tuple[str, str]]:
    """"log": what the card's buttons log (notes have their own form); "filter": the timeline's kind filter."""
    if purpose == "log":
        return [(k.value, k.label) for k in LOGGABLE_KINDS if k != ActivityKind.NOTE]
    return [(k.value, k.label) for k in (*LOGGABLE_KINDS, ActivityKind.ESCALATION)]


@register.inclusion_tag("tasks/partials/_record_tasks.html", takes_context=True)
def record_tasks(context: Any, record: Any) -> dict[str, Any]:
    """The card's open tasks (one query) and the "no next step" flag of an open deal or an active client."""
    user = context["request"].user
    field = record._meta.model_name
    # The card's record is visible to the user, and so is every task linked to it (see TaskQuerySet.visible_to).
    tasks = list(Task.objects.alive().open().filter(**{field: record}).select_related("owner")
                 .order_by("due_at", "id")[:RECORD_TASKS_LIMIT])
    if isinstance(record, Deal):
        needs_step = record.status == "open"
    elif isinstance(record, Company):
        needs_step = record.status == CompanyStatus.ACTIVE
    else:
        needs_step = False
    return {"record": record, "entity": field, "tasks": tasks, "no_next_step": needs_step and not tasks,
            "can_add": not user.is_viewer and not record.is_deleted, "request": context["request"]}
