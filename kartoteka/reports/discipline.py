"""Task discipline per manager (issue 9): tasks completed on time and late, still overdue, deadlines moved (how
often, by how much on average), and the reaction time to a new lead (assignment to the first activity)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kartoteka.activities.choices import LOGGABLE_KINDS
from kartoteka.activities.models import Activity
from kartoteka.audit.models import ObjectChange
from kartoteka.reports.sales import OWNER_KEYS, _days, owner_name
from kartoteka.reports.scope import Scope, day_start
from kartoteka.tasks.choices import TaskStatus
from kartoteka.tasks.models import Task

COLUMNS = [
    ("label", gettext_lazy("Manager")), ("total", gettext_lazy("Tasks due")), ("on_time", gettext_lazy("Done on time")),
    ("late", gettext_lazy("Done late")), ("overdue", gettext_lazy("Still overdue")),
    ("on_time_share", gettext_lazy("On time, %")), ("moves", gettext_lazy("Deadlines moved")),
    ("avg_shift_days", gettext_lazy("Average shift, days")), ("leads", gettext_lazy("Leads assigned")),
    ("reaction_hours", gettext_lazy("Reaction to a lead, hours"))]


def with_total(scope: Scope) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Per manager, and (with two or more) the line of the team chosen, or of everyone in the scope."""
    rows = discipline(scope)
    label = _("Team %(team)s, total") % {"team": scope.team} if scope.team else _("Total")
    return rows, totals(rows, label) if len(rows) > 1 else None


def discipline(scope: Scope) -> list[dict[str, Any]]:
    """Per manager, for tasks due in the period: done on time, done late, still overdue; deadline moves made in
    the period (count and average shift in days); average hours from a lead's assignment to its first activity."""
    now = timezone.now()
    tasks = (scope.narrow(Task.objects.visible_to(scope.user)).filter(due_at__gte=scope.since, due_at__lt=scope.until)
             .annotate(next_day=ExpressionWrapper(F("due_at") + datetime.timedelta(days=1),
                                                  output_field=DateTimeField())))
    done = Q(status=TaskStatus.DONE)
    overdue = Q(status=TaskStatus.OPEN) & (Q(all_day=False, due_at__lt=now)
                                           | Q(all_day=True, due_at__lt=day_start(timezone.localdate(now))))
    rows: dict[Any, dict[str, Any]] = defaultdict(dict)
    for r in (tasks.order_by().values(*OWNER_KEYS)
              .annotate(total=Count("id"), on_time=Count("id", filter=done & _on_time()),
                        late=Count("id", filter=done & ~_on_time()), overdue=Count("id", filter=overdue))):
        rows[r["owner"]].update(r)
    for owner_id, moves in _deadline_moves(scope).items():
        rows[owner_id].update(moves)
    for r in _reaction(scope):
        rows[r["owner"]].update(r)
    result = []
    for r in rows.values():
        if not r.get("owner"):
            continue
        done_n = r.get("on_time", 0) + r.get("late", 0)
        result.append({
            "label": owner_name(r), "total": r.get("total", 0), "on_time": r.get("on_time", 0),
            "late": r.get("late", 0), "overdue": r.get("overdue", 0),
            "on_time_share": round(100 * r.get("on_time", 0) / done_n, 1) if done_n else None,
            "moves": r.get("moves", 0), "avg_shift_days": r.get("avg_shift_days"),
            "leads": r.get("leads", 0), "reaction_hours": r.get("reaction_hours"),
        })
    return sorted(result, key=lambda r: r["label"])


def totals(rows: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The team's (or everyone's in the scope) line: counts added up; the averages weighted by what they average
    (deadline moves, leads), so they equal the averages over all the team's tasks and leads."""
    def weighted(value: str, weight: str) -> float | None:
        pairs = [(r[value], r[weight]) for r in rows if r[value] is not None and r[weight]]
        total = sum(w for _v, w in pairs)
        return round(sum(v * w for v, w in pairs) / total, 1) if total else None

    result: dict[str, Any] = {"label": label, **{key: sum(r[key] for r in rows)
                                                 for key in ("total", "on_time", "late", "overdue", "moves", "leads")}}
    done_n = result["on_time"] + result["late"]
    result["on_time_share"] = round(100 * result["on_time"] / done_n, 1) if done_n else None
    result["avg_shift_days"] = weighted("avg_shift_days", "moves")
    result["reaction_hours"] = weighted("reaction_hours", "leads")
    return result


def _on_time() -> Q:
    """Done by its time (a timed task) or by the end of its day (an all-day one; needs the `next_day` annotation)."""
    return Q(all_day=False, completed_at__lte=F("due_at")) | Q(all_day=True, completed_at__lt=F("next_day"))


def _deadline_moves(scope: Scope) -> dict[int, dict[str, Any]]:
    """Changes of `due_at` recorded in the audit trail in the period, per the task's responsible. The count is a
    grouped query; the average shift reads only the period's moves (dates are JSON text in the audit row)."""
    task_type = ContentType.objects.get_for_model(Task)
    visible = scope.narrow(Task.objects.visible_to(scope.user, include_deleted=True))
    moves = (ObjectChange.objects.filter(content_type=task_type, action="update", changed_at__gte=scope.since,
                                         changed_at__lt=scope.until, postchange__has_key="due_at",
                                         object_id__in=visible.values("pk"))
             .annotate(task_owner=Subquery(Task.objects.filter(pk=OuterRef("object_id")).values("owner")[:1])))
    shifts: dict[int, list[float]] = defaultdict(list)
    for owner_id, before, after in moves.values_list("task_owner", "prechange__due_at", "postchange__due_at"):
        start, end = parse_datetime(str(before or "")), parse_datetime(str(after or ""))
        if start and end:
            shifts[owner_id].append((end - start).total_seconds() / 86400)
    return {owner_id: {"moves": len(values), "avg_shift_days": round(sum(values) / len(values), 1)}
            for owner_id, values in shifts.items()}


def _reaction(scope: Scope) -> list[dict[str, Any]]:
    """Leads assigned in the period: the average time from assignment to the responsible's first activity."""
    first = (Activity.objects.filter(lead=OuterRef("pk"), author=OuterRef("owner"), kind__in=LOGGABLE_KINDS)
             .order_by().values("lead").annotate(first=Min("occurred_at")).values("first")[:1])
    leads = (scope.leads().filter(assigned_at__gte=scope.since, assigned_at__lt=scope.until, owner__isnull=False)
             .annotate(first=Subquery(first)).filter(first__isnull=False)
             .annotate(wait=ExpressionWrapper(F("first") - F("assigned_at"), output_field=DurationField())))
    rows = leads.order_by().values("owner").annotate(leads=Count("id"), reaction=Avg("wait"))
    return [{"owner": r["owner"], "leads": r["leads"],
             "reaction_hours": round(_days(r["reaction"]) * 24, 1) if r["reaction"] is not None else None}
            for r in rows]
