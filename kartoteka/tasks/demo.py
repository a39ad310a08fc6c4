"""Demo calls, e-mails, meetings and messages, call results, and each demo salesperson's working day: overdue,
today's and tomorrow's tasks, a few done, some assigned by their head; then one run of the deadline job so the
bell, the overdue notices and the escalations on the timelines are there at once (idempotent)."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from kartoteka.activities.choices import ActivityKind, CallDirection, MessageChannel
from kartoteka.activities.models import Activity, CallResult
from kartoteka.activities.services import log_activity
from kartoteka.contacts.demo import demo_users
from kartoteka.contacts.models import Company
from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import Deal
from kartoteka.tasks import services
from kartoteka.tasks.deadlines import run_deadlines
from kartoteka.tasks.models import Task, day_start

CALL_RESULTS = [("Дозвонился", False), ("Не дозвонился", False), ("Занято", False), ("Перезвонить", True),
                ("Неверный номер", False)]
TASK_TITLES = {"call": ["Перезвонить по КП", "Уточнить потребность", "Напомнить об оплате", "Договориться о встрече"],
               "email": ["Отправить коммерческое предложение", "Выслать договор", "Отправить счёт"],
               "meeting": ["Встреча с закупщиком", "Презентация продукта", "Подписание договора"],
               "other": ["Подготовить спецификацию", "Согласовать скидку"]}
CALL_NOTES = ["Обсудили сроки поставки", "Просят скидку 5%", "ЛПР в отпуске до понедельника", "Интересуются сервисом",
              "Попросили прислать КП", ""]


def work_present() -> bool:
    users = [u.pk for u in demo_users()]
    return bool(users) and Task.objects.filter(owner_id__in=users).exists()


def _targets(owner: Any) -> list[tuple[str, Any]]:
    """The records the user's tasks are about: their own open deals and companies (a head with none of their
    own works on their team's)."""
    deals = Deal.objects.visible_to(owner).filter(stage__kind=StageKind.OPEN)
    companies = Company.objects.visible_to(owner)
    if Company.objects.alive().filter(owner=owner).exists() or not owner.is_head:
        deals, companies = deals.filter(owner=owner), companies.filter(owner=owner)
    return [("deal", d) for d in deals.order_by("pk")[:40]] + [("company", c) for c in companies.order_by("pk")[:40]]


def _log_history(rng: random.Random, owner: Any, targets: list[tuple[str, Any]], now: datetime.datetime,
                 results: list[CallResult]) -> int:
    """Calls, e-mails, meetings and messages over the last two months, backdated."""
    logged = 0
    for name, record in rng.sample(targets, min(len(targets), 20)):
        kind = rng.choices([ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.MESSAGE],
                           weights=[6, 3, 1, 2])[0]
        data: dict[str, Any] = {name: record.pk, "body": rng.choice(CALL_NOTES)}
        if kind == ActivityKind.CALL:
            data.update(direction=rng.choice(CallDirection.values), duration_seconds=rng.randint(20, 900),
                        result=rng.choice(results).pk)
        elif kind == ActivityKind.EMAIL:
            data.update(subject="Коммерческое предложение", email_from=owner.email or "sales@example.com",
                        email_to="client@example.com")
        elif kind == ActivityKind.MEETING:
            data.update(subject="Встреча", place="Офис клиента", participants="Директор, главный инженер")
        else:
            data.update(channel=rng.choice(MessageChannel.values), body=data["body"] or "Добрый день!")
        activity = log_activity(actor=owner, kind=kind, data=data)
        Activity.objects.filter(pk=activity.pk).update(
            occurred_at=now - datetime.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600)))
        logged += 1
    return logged


def _plan_day(rng: random.Random, owner: Any, head: Any, targets: list[tuple[str, Any]],
              now: datetime.datetime) -> int:
    """Overdue, today's, tomorrow's and later tasks; three done with a result; two given by the head."""
    today = day_start(timezone.localdate(now))
    last_minute = today + datetime.timedelta(hours=23, minutes=50)
    slots = ([now - datetime.timedelta(days=2, hours=1), now - datetime.timedelta(hours=1)]
             + [min(now + datetime.timedelta(minutes=m), last_minute) for m in (40, 120, 240)]
             + [today + datetime.timedelta(days=1, hours=h) for h in (10, 14)]
             + [today + datetime.timedelta(days=d, hours=12) for d in (3, 5, 8)])
    created = 0
    for index, due in enumerate(slots):
        kind = rng.choice(list(TASK_TITLES))
        name, record = rng.choice(targets)
        actor = head if head is not None and index in (2, 6) else owner
        task = services.create_task(actor=actor, data={
            "title": rng.choice(TASK_TITLES[kind]), "kind": kind, "due_at": due, name: record.pk, "owner": owner.pk,
            "priority": rng.choice(["low", "normal", "normal", "high"])})
        created += 1
        if index == 0:
            # Old enough to have been escalated already; the deadline job below does it.
            Task.objects.filter(pk=task.pk).update(created_at=due - datetime.timedelta(days=3))
    for _ in range(3):
        kind = rng.choice(list(TASK_TITLES))
        name, record = rng.choice(targets)
        task = services.create_task(actor=owner, data={"title": rng.choice(TASK_TITLES[kind]), "kind": kind,
                                                       "due_at": now - datetime.timedelta(days=rng.randint(1, 10)),
                                                       name: record.pk})
        services.complete_task(task, actor=owner, result="Сделано", log_activity=True)
        created += 1
    return created


def load_work_demo(*, seed: int = 2026, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Create the demo activities and tasks unless present. Returns (activities logged, tasks created)."""
    results = [CallResult.objects.get_or_create(name=name, defaults={"position": i * 10, "follow_up": follow_up})[0]
               for i, (name, follow_up) in enumerate(CALL_RESULTS, start=1)]
    users = [u for u in demo_users() if not u.is_viewer]
    if not users or work_present():
        return 0, 0
    rng = random.Random(seed)
    now = now or timezone.now()
    heads = {u.team_id: u for u in users if u.is_head}
    logged = created = 0
    with transaction.atomic():
        for user in users:
            targets = _targets(user)
            if not targets:
                continue
            logged += _log_history(rng, user, targets, now, results)
            created += _plan_day(rng, user, None if user.is_head else heads.get(user.team_id), targets, now)
    run_deadlines(now)
    return logged, created
