"""Reads behind the working-day pages and the API: My day, the navigation counts, "no next step"."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kartoteka.contacts.choices import CompanyStatus
from kartoteka.contacts.models import Company
from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import Deal
from kartoteka.tasks.models import Task, day_start, open_task_exists

NO_NEXT_STEP_LIMIT = 100


@dataclass
class MyDay:
    overdue: list[Task]
    today: list[Task]
    tomorrow: list[Task]
    limit: int

    @property
    def over_limit(self) -> bool:
        return len(self.today) + len(self.overdue) > self.limit


def my_day(user: Any, now: datetime.datetime | None = None) -> MyDay:
    """The user's open tasks: overdue, due today, due tomorrow. One query."""
    from kartoteka.tasks.services import daily_limit

    now = now or timezone.now()
    today = timezone.localdate(now)
    end = day_start(today + datetime.timedelta(days=2))
    tasks = list(Task.objects.alive().open().filter(owner=user, due_at__lt=end).with_link_visibility(user)
                 .order_by("due_at", "id")[:500])
    overdue = [t for t in tasks if t.is_overdue(now)]
    tomorrow_start = day_start(today + datetime.timedelta(days=1))
    today_tasks = [t for t in tasks if not t.is_overdue(now) and t.due_at < tomorrow_start]
    tomorrow = [t for t in tasks if t.due_at >= tomorrow_start]
    return MyDay(overdue=overdue, today=today_tasks, tomorrow=tomorrow, limit=daily_limit(user))


def nav_counts(user: Any, now: datetime.datetime | None = None) -> dict[str, int]:
    """Overdue and today's open tasks of the user, and their unread notifications: two queries."""
    from kartoteka.notifications.models import Notification

    now = now or timezone.now()
    today = day_start(timezone.localdate(now))
    tomorrow = today + datetime.timedelta(days=1)
    overdue = Q(all_day=False, due_at__lt=now) | Q(all_day=True, due_at__lt=today)
    counts = Task.objects.alive().open().filter(owner=user, due_at__lt=tomorrow).aggregate(
        overdue=Count("pk", filter=overdue), today=Count("pk", filter=~overdue))
    unread = Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()
    return {"overdue": counts["overdue"], "today": counts["today"], "unread": unread}


def deals_without_next_step(user: Any) -> Any:
    """Open deals the user may see with no open task."""
    return (Deal.objects.visible_to(user).filter(stage__kind=StageKind.OPEN).exclude(open_task_exists("deal"))
            .select_related("owner", "stage", "company").order_by("-amount", "id"))


def clients_without_next_step(user: Any) -> Any:
    """Active clients (companies) the user may see with no open task linked to them or their deals/contacts
    (a task on a deal or a contact carries its company)."""
    return (Company.objects.visible_to(user).filter(status=CompanyStatus.ACTIVE).exclude(open_task_exists("company"))
            .select_related("owner").order_by("name", "id"))


def team_workload(user: Any, now: datetime.datetime | None = None) -> list[tuple[Any, int, int]]:
    """(user, open tasks due today, daily limit) for everyone `user` may assign tasks to. Two queries."""
    from kartoteka.accounts.permissions import assignable_users
    from kartoteka.tasks.services import daily_limit

    now = now or timezone.now()
    today = day_start(timezone.localdate(now))
    people = list(assignable_users(user))
    counts = dict(Task.objects.alive().open().filter(owner__in=[p.pk for p in people], due_at__gte=today,
                                                     due_at__lt=today + datetime.timedelta(days=1))
                  .order_by().values("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n"))
    return [(person, counts.get(person.pk, 0), daily_limit(person)) for person in people]
