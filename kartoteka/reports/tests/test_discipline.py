"""Task discipline against a hand-built day: on time, late, overdue, a moved deadline, a lead's reaction time."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kartoteka.activities.services import add_note
from kartoteka.audit.models import SecurityEvent
from kartoteka.conftest import client_for
from kartoteka.leads import services as lead_services
from kartoteka.leads.models import Lead
from kartoteka.reports.discipline import discipline, with_total
from kartoteka.reports.scope import Scope
from kartoteka.tasks import services as task_services
from kartoteka.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(owner, colleague, head_a) -> None:
    """owner: tasks done on time, done late, left overdue, one moved by three days; a lead answered in 3 hours.
    colleague: one overdue task."""
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


def fortnight(user, **narrow) -> Scope:
    return Scope(user=user, start=timezone.localdate() - datetime.timedelta(days=7),
                 end=timezone.localdate() + datetime.timedelta(days=7), period="custom", **narrow)


def test_discipline_counts_each_outcome_moves_and_reaction(dataset, head_a):
    rows = {r["label"]: r for r in discipline(fortnight(head_a))}

    mine = rows["owner"]
    assert (mine["total"], mine["on_time"], mine["late"], mine["overdue"]) == (4, 1, 1, 1)
    assert mine["on_time_share"] == 50.0
    assert (mine["moves"], mine["avg_shift_days"]) == (1, 3.0)
    assert mine["leads"] == 1 and 2.9 <= mine["reaction_hours"] <= 3.1
    assert rows["colleague"]["overdue"] == 1 and rows["colleague"]["moves"] == 0


def test_the_team_line_adds_up_and_weights_the_averages(dataset, head_a, owner):
    rows, total = with_total(fortnight(head_a, team=owner.team))

    assert [r["label"] for r in rows] == ["colleague", "owner"]
    assert total["label"] == "Team Team A, total"
    assert (total["total"], total["on_time"], total["late"], total["overdue"]) == (5, 1, 1, 2)
    assert (total["on_time_share"], total["moves"], total["avg_shift_days"], total["leads"]) == (50.0, 1, 3.0, 1)
    assert 2.9 <= total["reaction_hours"] <= 3.1
    assert with_total(fortnight(owner, owner=owner))[1] is None  # one manager: no total line


def test_a_manager_reads_their_own_figures_in_their_profile(dataset, owner, colleague):
    page = client_for(owner).get("/accounts/profile/").content.decode()

    table = page[page.index('data-testid="discipline-table"'):]
    table = table[:table.index("</table>")]
    assert "<td>owner</td>" in table and "colleague" not in table
    assert 'data-testid="discipline-export"' not in page  # no export permission


def test_the_heads_dashboard_shows_the_team_and_exports_under_the_export_rules(dataset, head_a, admin):
    head_page = client_for(head_a).get("/reports/?period=month").content.decode()
    assert 'data-testid="discipline-table"' in head_page and 'data-testid="discipline-total"' in head_page
    assert client_for(head_a).get("/reports/discipline/?period=month&export=csv").status_code == 404

    response = client_for(admin).get("/reports/discipline/?period=month&export=csv")

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Manager;Tasks due;Done on time") and lines[-1].startswith("Total;")
    assert SecurityEvent.objects.filter(kind="export", detail__report="discipline").exists()
