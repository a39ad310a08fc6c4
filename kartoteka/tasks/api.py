"""Tasks under /api/v1: the generic CRUD router plus complete/cancel/reopen, and My day.

No `from __future__ import annotations` here: ninja reads the endpoint annotations.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from kartoteka.api.crud import BODY_ERRORS, WRITE_ERRORS, crud_router, expected_version, with_etag
from kartoteka.api.errors import ErrorOut
from kartoteka.api.schemas import Id
from kartoteka.tasks import queries, schemas, services
from kartoteka.tasks.filters import TaskFilterSet
from kartoteka.tasks.models import Task


def _for_user(qs: Any, user: Any) -> Any:
    return qs.with_link_visibility(user)


tasks_router = crud_router(
    model=Task, entity="task", service=services, out_schema=schemas.TaskOut, in_schema=schemas.TaskIn,
    patch_schema=schemas.TaskPatch, filter_schema=schemas.TaskFilters, filterset_class=TaskFilterSet,
    orderings=schemas.ORDERINGS, to_out=schemas.task_out, annotate=_for_user,
)


def _visible(request: HttpRequest, pk: int) -> Task:
    qs = Task.objects.visible_to(request.user).select_related("owner").prefetch_related("tags")
    return _for_user(qs, request.user).get_or_404(pk)


def _respond(request: HttpRequest, response: HttpResponse, task: Task) -> dict[str, Any]:
    fresh = _visible(request, task.pk)
    response["ETag"] = fresh.etag
    return schemas.task_out(fresh)


@tasks_router.post("/{pk}/complete", response={200: schemas.TaskOut, 412: ErrorOut, **BODY_ERRORS},
                   operation_id="task_complete", summary="Mark a task done, with its result",
                   openapi_extra=with_etag(200))
def complete(request: HttpRequest, response: HttpResponse, pk: Id, payload: schemas.CompleteIn,
             if_match: str | None = Header(None, alias="If-Match")) -> Any:
    """With `log_activity`, the activity the task produced is logged on its linked records."""
    task = _visible(request, pk)
    task = services.complete_task(task, actor=request.user, result=payload.result, log_activity=payload.log_activity,
                                  expected_version=expected_version(if_match, task))
    return _respond(request, response, task)


@tasks_router.post("/{pk}/cancel", response={200: schemas.TaskOut, 412: ErrorOut, **BODY_ERRORS},
                   operation_id="task_cancel", summary="Cancel a task", openapi_extra=with_etag(200))
def cancel(request: HttpRequest, response: HttpResponse, pk: Id, payload: schemas.CancelIn,
           if_match: str | None = Header(None, alias="If-Match")) -> Any:
    task = _visible(request, pk)
    task = services.cancel_task(task, actor=request.user, result=payload.result,
                                expected_version=expected_version(if_match, task))
    return _respond(request, response, task)


@tasks_router.post("/{pk}/reopen", response={200: schemas.TaskOut, 412: ErrorOut, **WRITE_ERRORS},
                   operation_id="task_reopen", summary="Reopen a done or cancelled task", openapi_extra=with_etag(200))
def reopen(request: HttpRequest, response: HttpResponse, pk: Id,
           if_match: str | None = Header(None, alias="If-Match")) -> Any:
    task = _visible(request, pk)
    task = services.reopen_task(task, actor=request.user, expected_version=expected_version(if_match, task))
    return _respond(request, response, task)


my_day_router = Router(tags=["Tasks"])


@my_day_router.get("", response={200: schemas.MyDayOut, 401: ErrorOut}, operation_id="my_day",
                   summary="My day: my overdue, today's and tomorrow's open tasks")
def my_day(request: HttpRequest) -> Any:
    day = queries.my_day(request.user)
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=[t.pk for t in day.overdue + day.today + day.tomorrow])
             .with_link_visibility(request.user).select_related("owner").prefetch_related("tags")}
    return {"overdue": [schemas.task_out(tasks[t.pk]) for t in day.overdue],
            "today": [schemas.task_out(tasks[t.pk]) for t in day.today],
            "tomorrow": [schemas.task_out(tasks[t.pk]) for t in day.tomorrow],
            "daily_limit": day.limit, "over_limit": day.over_limit}
