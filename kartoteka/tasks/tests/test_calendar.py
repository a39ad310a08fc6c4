"""The calendar: tasks and meetings on their days, per user or team, and rescheduling by drop."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kartoteka.activities.services import log_activity
from kartoteka.conftest import client_for
from kartoteka.tasks.calendar import build, period
from kartoteka.tasks.models import Task

DEC = datetime.date(2026, 12, 9)  # a Wednesday


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.mark.parametrize(("view", "expected"), [
    ("day", (DEC, DEC + datetime.timedelta(days=1))),
    ("week", (datetime.date(2026, 12, 7), datetime.date(2026, 12, 14))),
    ("month", (datetime.date(2026, 11, 30), datetime.date(2027, 1, 4))),
])
def test_periods_cover_whole_weeks(view, expected):
    assert period(view, DEC)[:2] == expected


def test_tasks_and_meetings_are_on_their_days_for_me_or_my_team(owner, colleague, head_a, make_company, make_task):
    mine = make_task(owner, title="Моя", due_at=at(DEC))
    theirs = make_task(colleague, title="Коллеги", due_at=at(DEC))
    company = make_company(owner)
    meeting = log_activity(actor=owner, kind="meeting", data={"company": company.pk, "subject": "Демо",
                                                              "occurred_at": at(DEC, 15)})

    def on_dec(cal):
        day = next(d for week in cal.weeks for d in week if d.date == DEC)
        return sorted(t.title for t in day.tasks), [m.pk for m in day.meetings]

    assert on_dec(build(owner, anchor=DEC)) == (["Моя"], [meeting.pk])
    assert on_dec(build(head_a, anchor=DEC, who="team")) == (["Коллеги", "Моя"], [meeting.pk])
    assert on_dec(build(owner, anchor=DEC, who=str(colleague.pk))) == ([], [])  # not theirs to see
    assert mine.pk != theirs.pk


def test_dropping_a_task_on_a_day_moves_its_deadline_keeping_the_time(owner, make_task):
    task = make_task(owner, due_at=at(DEC, 14))

    response = client_for(owner).post(reverse("tasks:task_reschedule", args=[task.pk]),
                                      {"date": "2026-12-11", "version": task.version})

    assert response.status_code == 200
    moved = Task.objects.get(pk=task.pk)
    assert timezone.localtime(moved.due_at) == timezone.localtime(at(datetime.date(2026, 12, 11), 14))
    assert response.json()["version"] == moved.version


def test_a_stale_drop_is_refused(owner, make_task):
    task = make_task(owner, due_at=at(DEC))

    response = client_for(owner).post(reverse("tasks:task_reschedule", args=[task.pk]),
                                      {"date": "2026-12-11", "version": task.version + 5})

    assert response.status_code == 409
    assert Task.objects.get(pk=task.pk).due_at == at(DEC)


def test_the_page_renders_the_month(owner, make_task):
    task = make_task(owner, title="Позвонить", due_at=at(DEC))

    response = client_for(owner).get(reverse("tasks:calendar"), {"date": "2026-12-09", "view": "month"})

    text = response.content.decode()
    assert f'data-testid="cal-task-{task.pk}"' in text and 'data-date="2026-12-09"' in text
