"""The clock's side of tasks, run every minute by the worker: reminders, overdue notices and escalations.

While a head has set a cover for an absent responsible (handover.Cover), their reminders and overdue notices go to
the substitute, saying whose task it is; escalations still go to the responsible's heads.

Each notice goes out once per deadline: a stamp on the task (reminded_at, overdue_notified_at, escalated_at)
is set in the same transaction, and a new deadline clears the stamps (tasks.services.update_task).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kartoteka.accounts.models import User
from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.services import record_system_activity
from kartoteka.notifications.choices import NotificationKind
from kartoteka.notifications.services import format_due, notify, reminder_minutes
from kartoteka.tasks.models import Task, day_start

__all__ = ["escalate_overdue", "notify_overdue", "run_deadlines", "send_daily_digests", "send_due_reminders"]

BATCH = 500


def _stamp(task: Task, field: str, now: datetime.datetime) -> bool:
    """Set the stamp if nobody has (a second worker loses the race and sends nothing)."""
    return bool(Task.objects.filter(pk=task.pk, **{f"{field}__isnull": True}).update(**{field: now}))


def substitutes(now: datetime.datetime) -> dict[int, User]:
    """Who stands in for whom today (active covers with an active substitute): one query per run."""
    from kartoteka.handover.models import Cover

    covers = (Cover.objects.active(timezone.localdate(now)).filter(substitute__is_active=True)
              .select_related("substitute").order_by("starts_on", "id"))
    return {cover.user_id: cover.substitute for cover in covers}


def _tell_responsible(task: Task, stamp: str, kind: str, now: datetime.datetime,
                      standing_in: dict[int, User] | None = None) -> bool:
    """Stamp the task and notify its responsible (their substitute while a cover is active), in one transaction;
    False if someone stamped it first."""
    substitute = (standing_in or {}).get(task.owner_id)
    params = {"task": task.title, "due": format_due(task)}
    if substitute is not None:
        params["for_user"] = task.owner
    with transaction.atomic():
        if not _stamp(task, stamp, now):
            return False
        notify(substitute or task.owner, kind, url=task.get_absolute_url(), params=params,
               key=f"{task.pk}:{task.due_at.isoformat()}")
    return True


def send_due_reminders(now: datetime.datetime | None = None) -> int:
    """Remind each responsible of a timed task due within their reminder lead time."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(minutes=max(settings.TASK_REMINDER_MINUTES, 24 * 60))
    due = (Task.objects.alive().open().filter(all_day=False, reminded_at__isnull=True, due_at__gte=now,
                                              due_at__lte=horizon).select_related("owner")[:BATCH])
    standing_in = substitutes(now)
    return sum(_tell_responsible(task, "reminded_at", NotificationKind.TASK_DUE, now, standing_in) for task in due
               if task.due_at <= now + datetime.timedelta(minutes=reminder_minutes(task.owner)))


def notify_overdue(now: datetime.datetime | None = None) -> int:
    """Tell each responsible, once, that their task's deadline has passed."""
    now = now or timezone.now()
    late = Task.objects.alive().overdue(now).filter(overdue_notified_at__isnull=True).select_related("owner")[:BATCH]
    standing_in = substitutes(now)
    return sum(_tell_responsible(task, "overdue_notified_at", NotificationKind.TASK_OVERDUE, now, standing_in)
               for task in late)


def heads_of(user: Any) -> list[User]:
    """The heads of the user's team (not the user themself)."""
    if not user.team_id:
        return []
    return list(User.objects.filter(headed_teams=user.team_id, is_active=True).exclude(pk=user.pk))


def escalate_overdue(now: datetime.datetime | None = None) -> int:
    """Tasks overdue by more than TASK_ESCALATION_MINUTES: notify the responsible's heads once and record the
    escalation on the linked record's timeline (on the task's own history when it has no record)."""
    now = now or timezone.now()
    late = now - datetime.timedelta(minutes=settings.TASK_ESCALATION_MINUTES)
    tasks = (Task.objects.alive().overdue(late).filter(escalated_at__isnull=True)
             .select_related("owner", "company", "contact", "deal")[:BATCH])
    escalated = 0
    for task in tasks:
        with transaction.atomic():
            if not _stamp(task, "escalated_at", now):
                continue
            heads = heads_of(task.owner)
            for head in heads:
                notify(head, NotificationKind.TASK_ESCALATED, url=task.get_absolute_url(),
                       params={"task": task.title, "user": task.owner, "due": format_due(task)},
                       key=f"{task.pk}:{task.due_at.isoformat()}")
            record = task.record
            if record is not None:
                with override(settings.LANGUAGE_CODE):
                    body = _("Task “%(task)s” of %(user)s is overdue since %(due)s; reported to %(heads)s.") % {
                        "task": task.title, "user": task.owner, "due": format_due(task),
                        "heads": ", ".join(str(h) for h in heads) or _("nobody (no head in the team)")}
                record_system_activity(record, kind=ActivityKind.ESCALATION, body=body)
            escalated += 1
    return escalated


def send_daily_digests(now: datetime.datetime | None = None) -> int:
    """From DIGEST_HOUR (local time) on, once a day: each person with overdue or today's open tasks gets the
    count of both (by e-mail by default). One query for the counts."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.DIGEST_HOUR:
        return 0
    today = day_start(local.date())
    overdue = Q(all_day=False, due_at__lt=now) | Q(all_day=True, due_at__lt=today)
    rows = (Task.objects.alive().open().filter(due_at__lt=today + datetime.timedelta(days=1), owner__is_active=True)
            .order_by().values("owner_id").annotate(overdue=Count("pk", filter=overdue), today=Count("pk", filter=~overdue)))
    people = {u.pk: u for u in User.objects.filter(pk__in=[r["owner_id"] for r in rows])}
    sent = 0
    for row in rows:
        sent += notify(people[row["owner_id"]], NotificationKind.DAILY_DIGEST, url=reverse("tasks:my_day"),
                       params={"overdue": row["overdue"], "today": row["today"]},
                       key=local.date().isoformat()) is not None
    return sent


def run_deadlines(now: datetime.datetime | None = None) -> dict[str, int]:
    """What the worker's periodic job runs every minute."""
    now = now or timezone.now()
    return {"reminders": send_due_reminders(now), "overdue": notify_overdue(now), "escalations": escalate_overdue(now),
            "digests": send_daily_digests(now)}
