"""Task pages: declarative subclasses of the generic views, small action views, My day and the start screen."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import resolve
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kartoteka.accounts import permissions
from kartoteka.accounts.models import User
from kartoteka.audit.choices import DenialReason
from kartoteka.audit.services import record_denial
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.core.views import generic
from kartoteka.core.views.htmx import is_partial
from kartoteka.tasks import calendar as task_calendar
from kartoteka.tasks import queries, services
from kartoteka.tasks.filters import TaskFilterSet
from kartoteka.tasks.forms import CompleteForm, DailyLimitForm, TaskForm
from kartoteka.tasks.models import Task
from kartoteka.tasks.tables import TaskTable


class TaskMixin:
    model = Task
    service = services
    entity = "task"


class TaskListView(TaskMixin, generic.ObjectListView):
    filterset_class = TaskFilterSet
    table_class = TaskTable

    def get_queryset(self, request: HttpRequest) -> Any:
        return (super().get_queryset(request).select_related("owner").prefetch_related("tags")
                .with_link_visibility(request.user))


class TaskDetailView(TaskMixin, generic.ObjectDetailView):
    template_name = "tasks/task_detail.html"

    def related_context(self, request: HttpRequest, obj: Task) -> dict[str, Any]:
        task = Task.objects.filter(pk=obj.pk).with_link_visibility(request.user).get()
        return {"linked": task, "complete_form": CompleteForm(initial={"version": obj.version})}


class TaskEditView(TaskMixin, generic.ObjectEditView):
    form_class = TaskForm

    def get_object(self, request: HttpRequest, pk: int | None) -> Any:
        obj = super().get_object(request, pk)
        if pk is None:
            for name in ("company", "contact", "deal"):
                if str(request.GET.get(name, "")).isdigit():
                    setattr(obj, f"{name}_id", int(request.GET[name]))
        return obj

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        response = super().post(request, pk)
        if response.status_code == 302:
            task = Task.objects.select_related("owner").get(pk=resolve(response.url).kwargs["pk"])
            warning = services.over_limit_warning(task)
            if warning:
                messages.warning(request, warning)
        return response


class TaskDeleteView(TaskMixin, generic.ObjectDeleteView):
    pass


class TaskRestoreView(TaskMixin, generic.ObjectRestoreView):
    pass


class TaskBulkView(TaskMixin, generic.BulkActionView):
    pass


class TaskTimelineView(TaskMixin, generic.TimelineView):
    pass


def _visible_task(request: HttpRequest, pk: int) -> Task:
    return generic.visible_object(request, Task, pk)


def _refused(request: HttpRequest, pk: int | None) -> Http404:
    """A refused action answers 404, audited as a denial (as the generic views do)."""
    record_denial(request, Task, pk, reason=DenialReason.NOT_ALLOWED)
    return Http404()


def _after_action(request: HttpRequest, task: Task) -> HttpResponse:
    if is_partial(request) and request.POST.get("from") == "my_day":
        return _render_my_day(request)
    return redirect(request.POST.get("from") == "my_day" and "tasks:my_day" or task.get_absolute_url())


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Done, with the result; optionally log the activity it produced on the linked records."""
    task = _visible_task(request, pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
        return _after_action(request, task)
    try:
        services.complete_task(task, actor=request.user, result=form.cleaned_data["result"],
                               log_activity=form.cleaned_data["log_activity"],
                               expected_version=form.cleaned_data["version"])
    except AccessDenied:
        raise _refused(request, pk) from None
    except (ValidationError, ConflictError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("Done: %(task)s") % {"task": task})
    return _after_action(request, task)


def _close_action(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    task = _visible_task(request, pk)
    try:
        action(task)
    except AccessDenied:
        raise _refused(request, pk) from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _after_action(request, task)


@login_required
@require_POST
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _close_action(request, pk, lambda task: services.cancel_task(task, actor=request.user,
                                                                         result=request.POST.get("result", "")))


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _close_action(request, pk, lambda task: services.reopen_task(task, actor=request.user))


@login_required
@require_GET
def my_day(request: HttpRequest) -> HttpResponse:
    """The manager's start screen: overdue, today's and tomorrow's open tasks."""
    return _render_my_day(request)


def _render_my_day(request: HttpRequest) -> HttpResponse:
    day = queries.my_day(request.user)
    context = {"day": day, "complete_form": CompleteForm()}
    template = "tasks/partials/_my_day.html" if is_partial(request) else "tasks/my_day.html"
    return render(request, template, context)


@login_required
@require_GET
def nav_counts(request: HttpRequest) -> HttpResponse:
    """The navigation's badges (loaded after the page, so no page pays for them)."""
    return render(request, "tasks/partials/_nav_counts.html", {"counts": queries.nav_counts(request.user)})


def start(request: HttpRequest) -> HttpResponse:
    """Where "home" leads: My day for those who carry tasks, the companies for the others (and, through the
    login page, for visitors)."""
    if not request.user.is_authenticated or request.user.is_viewer or request.user.is_admin:
        return redirect("contacts:company_list")
    return redirect("tasks:my_day")


@login_required
@require_GET
def no_next_step(request: HttpRequest) -> HttpResponse:
    """Open deals and active clients without any open task."""
    deals = queries.deals_without_next_step(request.user)[: queries.NO_NEXT_STEP_LIMIT]
    clients = queries.clients_without_next_step(request.user)[: queries.NO_NEXT_STEP_LIMIT]
    return render(request, "tasks/no_next_step.html", {"deals": deals, "clients": clients,
                                                       "limit": queries.NO_NEXT_STEP_LIMIT})


@login_required
def workload(request: HttpRequest) -> HttpResponse:
    """Heads and administrators: each manager's open tasks today and their daily limit, which they may set."""
    if not permissions.can_reassign(request.user):
        raise Http404
    if request.method == "POST":
        form = DailyLimitForm(request.POST)
        user = User.objects.filter(pk=request.POST.get("user") or 0).first()
        try:
            if not form.is_valid() or user is None:
                raise ValidationError(_("Enter a number from 1 to %(max)d.") % {"max": services.MAX_DAILY_LIMIT})
            services.set_daily_limit(user, actor=request.user, limit=form.cleaned_data["limit"])
        except AccessDenied:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("tasks:workload")
    rows = queries.team_workload(request.user)
    return render(request, "tasks/workload.html", {"rows": rows})


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """Tasks and meetings by day (?view=month|week|day&date=YYYY-MM-DD&who=me|team|<user id>)."""
    try:
        anchor = parse_date(request.GET.get("date") or "")
    except ValueError:  # a well-formed but impossible date, 2026-02-30
        anchor = None
    if anchor is not None and not 1900 <= anchor.year <= 2999:
        anchor = None
    cal = task_calendar.build(request.user, view=request.GET.get("view", "month"), anchor=anchor,
                              who=request.GET.get("who", "me"))
    return render(request, "tasks/calendar.html", {
        "cal": cal, "people": permissions.visible_owners(request.user).only("id", "username", "first_name",
                                                                            "last_name"),
        "today": timezone.localdate()})


@login_required
@require_POST
def task_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """POST date=YYYY-MM-DD[&version=n]: the calendar's drop. JSON answer: the new version, or the reason."""
    task = _visible_task(request, pk)
    try:
        day = parse_date(request.POST.get("date") or "")
    except ValueError:
        day = None
    version = request.POST.get("version", "")
    if day is None:
        return JsonResponse({"detail": _("Enter a valid date.")}, status=422)
    try:
        task = services.reschedule_task(task, actor=request.user, day=day,
                                        expected_version=int(version) if version.isdigit() else None)
    except AccessDenied:
        raise _refused(request, pk) from None
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=422)
    except ConflictError as exc:
        return JsonResponse({"detail": str(exc)}, status=409)
    return JsonResponse({"version": task.version, "warning": services.over_limit_warning(task)})
