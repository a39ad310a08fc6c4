"""Task discipline against a hand-built day: on time, late, overdue, a moved deadline, a lead's reaction time."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kartoteka.activities.services import add_note
from kartoteka.leads import services as lead_services
from kartoteka.leads.models import Lead
from kartoteka.reports.discipline import discipline
from kartoteka.reports.scope import Scope
from kartoteka.tasks import services as task_services
from kartoteka.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_discipline_counts_each_outcome_moves_and_reaction(owner, colleague, head_a):
    now = timezone.now()
    due_past = now - datetime.timedelta(days=2)

    def task(title: str, due: datetime.datetime, user=owner) -> Task:
        return task_services.create_task(actor=user, data={"title": title, "due_at": due.isoformat()})

    on_time, late = task("вовремя", due_past), task("поздно", due_past)
    task("висит", due_past)  # left open: overdue
    task_services.complete_task(on_time, actor=owner, result="ok")
    Task.objects.filter(pk=on_time.pk).update(completed_at=due_past - datetime.timedelta(hours=1))
    task_services.complete_task(late, actor=owner, result="ok")  # completed now: two days late
    moved = task("перенесена", now + datetime.timedelta(days=1))
    task_services.update_task(Task.objects.get(pk=moved.pk), actor=owner,
                              data={"due_at": (now + datetime.timedelta(days=4)).isoformat()})
    lead = lead_services.create_lead(actor=owner, data={"name": "Быстрый", "phone": "+7 916 333-00-01"})
    Lead.objects.filter(pk=lead.pk).update(assigned_at=now - datetime.timedelta(hours=3))
    add_note(Lead.objects.get(pk=lead.pk), actor=owner, body="Позвонил")
    task("чужая", due_past, user=colleague)
    scope = Scope(user=head_a, start=timezone.localdate() - datetime.timedelta(days=7),
                  end=timezone.localdate() + datetime.timedelta(days=7), period="custom")

    rows = {r["label"]: r for r in discipline(scope)}

    mine = rows["owner"]
    assert (mine["total"], mine["on_time"], mine["late"], mine["overdue"]) == (4, 1, 1, 1)
    assert mine["on_time_share"] == 50.0
    assert (mine["moves"], mine["avg_shift_days"]) == (1, 3.0)
    assert mine["leads"] == 1 and 2.9 <= mine["reaction_hours"] <= 3.1
    assert rows["colleague"]["overdue"] == 1 and rows["colleague"]["moves"] == 0
