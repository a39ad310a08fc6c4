"""The manager's day in a real browser: log a call with the result "call back" and its follow-up task on the
company card, find the task on My day (with the navigation count), complete it there.

Debian chromium via pytest-playwright (see kartoteka/conftest.py), against pytest-django's live server.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kartoteka.activities.models import Activity
from kartoteka.conftest import PASSWORD
from kartoteka.tasks.choices import TaskStatus
from kartoteka.tasks.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server: Any, user: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url("**/my-day/")  # a manager's start screen


def test_a_call_back_call_creates_its_follow_up_task_which_is_done_from_my_day(
        page: Page, live_server: Any, owner: Any, make_company: Any, call_back: Any) -> None:
    company = make_company(owner, name="ООО Ромашка", phones=["+79161234567"])
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}{company.get_absolute_url()}")

    page.get_by_test_id("log-call").click()
    form = page.get_by_test_id("activity-form")
    expect(form).to_be_visible()
    expect(page.get_by_test_id("follow-up")).to_have_count(0)
    form.locator("select[name=result]").select_option(label="Call back")
    expect(page.get_by_test_id("follow-up")).to_be_visible()
    form = page.get_by_test_id("activity-form")
    form.locator("textarea[name=body]").fill("Просили перезвонить после обеда")
    due = timezone.localtime().replace(hour=23, minute=59, second=0, microsecond=0)  # later today
    form.locator("input[name=follow_up_due_at]").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("save-activity").click()

    expect(page.get_by_test_id("follow-up-created")).to_be_visible()
    expect(page.locator("#tl-list .tl-call").first).to_contain_text("Call back")
    expect(page.get_by_test_id("record-tasks")).to_contain_text("Call back: ООО Ромашка")
    call = Activity.objects.get(company=company, kind="call")
    assert (call.result_id, call.body, call.phone) == (call_back.pk, "Просили перезвонить после обеда", "+79161234567")
    task = Task.objects.get(company=company)
    assert (task.title, task.kind, task.owner_id, timezone.localtime(task.due_at)) == (
        "Call back: ООО Ромашка", "call", owner.pk, due)

    page.get_by_test_id("nav-my-day").click()
    expect(page.get_by_test_id("day-today")).to_contain_text("Call back: ООО Ромашка")
    page.get_by_test_id(f"task-{task.pk}").locator("input[name=result]").fill("Договорились о встрече")
    page.get_by_test_id(f"complete-{task.pk}").click()

    expect(page.get_by_test_id(f"task-{task.pk}")).to_have_count(0)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert Activity.objects.filter(company=company, kind="call").count() == 2  # the call, and the call back
    assert problems == []


def test_my_day_shows_overdue_and_today_with_counts_and_completes_a_task(
        page: Page, live_server: Any, owner: Any, make_company: Any, make_task: Any) -> None:
    company = make_company(owner, name="ООО Лютик")
    now = timezone.now()
    late = make_task(owner, title="Отправить КП", company=company.pk, kind="email",
                     due_at=now - datetime.timedelta(hours=3))
    make_task(owner, title="Перезвонить Ивану", company=company.pk,
              due_at=timezone.localtime(now).replace(hour=23, minute=59, second=0))  # later today
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    log_in(page, live_server, owner)

    expect(page.get_by_test_id("nav-overdue")).to_have_text("1")
    expect(page.get_by_test_id("day-overdue").locator("[data-count]")).to_have_text("1")
    expect(page.get_by_test_id("day-today")).to_contain_text("Перезвонить Ивану")
    row = page.get_by_test_id(f"task-{late.pk}")
    row.locator("input[name=result]").fill("Отправили")
    page.get_by_test_id(f"complete-{late.pk}").click()

    expect(page.get_by_test_id(f"task-{late.pk}")).to_have_count(0)
    expect(page.get_by_test_id("day-overdue").locator("[data-count]")).to_have_text("0")
    done = Task.objects.get(pk=late.pk)
    assert (done.status, done.result) == (TaskStatus.DONE, "Отправили")
    assert Activity.objects.get(company=company).kind == "email"
    assert problems == []


def test_dragging_a_task_to_another_day_in_the_calendar_moves_its_deadline(
        page: Page, live_server: Any, owner: Any, make_task: Any) -> None:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=today.weekday())
    task = make_task(owner, title="Встреча с клиентом", kind="meeting",
                     due_at=timezone.make_aware(datetime.datetime.combine(start, datetime.time(11, 0))))
    target = start + datetime.timedelta(days=3)
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/calendar/?view=week&date={today.isoformat()}")

    page.get_by_test_id(f"cal-task-{task.pk}").drag_to(page.get_by_test_id(f"day-{target.isoformat()}"))

    expect(page.get_by_test_id(f"day-{target.isoformat()}").get_by_test_id(f"cal-task-{task.pk}")).to_have_count(1)
    expect(page.get_by_test_id(f"cal-task-{task.pk}")).to_have_attribute("data-version", "2")  # saved
    moved = timezone.localtime(Task.objects.get(pk=task.pk).due_at)
    assert (moved.date(), moved.hour) == (target, 11)
