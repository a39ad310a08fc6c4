"""Task pages: My day, the navigation counts, the list, the form's workload warning, completion, query budgets."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kartoteka.conftest import client_for
from kartoteka.notifications.choices import NotificationKind
from kartoteka.notifications.services import notify
from kartoteka.tasks.choices import TaskStatus
from kartoteka.tasks.models import Task

HX = {"HTTP_HX_REQUEST": "true"}
MY_DAY_BUDGET = 8  # session, user, two-factor check, the tasks with their records' visibility, daily limit, ...
LIST_BUDGET = 12


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def today_at(hour, minute=0):
    return timezone.localtime().replace(hour=hour, minute=minute, second=0, microsecond=0)


def test_home_is_my_day_for_managers_and_heads_and_companies_for_others(owner, head_a, viewer, admin):
    assert client_for(owner).get("/").url == reverse("tasks:my_day")
    assert client_for(head_a).get("/").url == reverse("tasks:my_day")
    assert client_for(viewer).get("/").url == reverse("contacts:company_list")
    assert client_for(admin).get("/").url == reverse("contacts:company_list")


def test_my_day_sorts_overdue_today_and_tomorrow(owner, colleague, make_task):
    now = timezone.now()
    late = make_task(owner, title="Просрочена", due_at=now - datetime.timedelta(hours=1))
    today = make_task(owner, title="Сегодня", due_at=today_at(23, 59))
    tomorrow = make_task(owner, title="Завтра", due_at=today_at(12) + datetime.timedelta(days=1))
    make_task(owner, title="Через неделю", due_at=now + datetime.timedelta(days=7))
    make_task(colleague, title="Чужая", due_at=now)

    day = client_for(owner).get(reverse("tasks:my_day")).context["day"]

    assert ([t.title for t in day.overdue], [t.title for t in day.today], [t.title for t in day.tomorrow]) == (
        [late.title], [today.title], [tomorrow.title])


def test_nav_counts_show_overdue_today_and_unread(owner, make_task):
    make_task(owner, due_at=timezone.now() - datetime.timedelta(hours=1))
    make_task(owner, due_at=today_at(23, 59))
    make_task(owner, due_at=today_at(23, 59))
    notify(owner, NotificationKind.TASK_DUE, params={})

    response = client_for(owner).get(reverse("tasks:nav_counts"), **HX)

    assert response.context["counts"] == {"overdue": 1, "today": 2, "unread": 1}
    assert 'data-testid="bell-count">1<' in response.content.decode()


def test_my_day_and_the_task_list_keep_their_query_budget(owner, make_company, make_contact, make_task):
    client = client_for(owner)
    client.get(reverse("tasks:my_day"))

    def add(n):
        for i in range(n):
            company = make_company(owner)
            make_task(owner, company=company.pk, contact=make_contact(owner, company=company.pk).pk,
                      due_at=timezone.now() - datetime.timedelta(hours=i + 1), tags=["VIP"])

    add(2)
    few = [count_queries(client, reverse("tasks:my_day")), count_queries(client, reverse("tasks:task_list"))]
    add(20)
    many = [count_queries(client, reverse("tasks:my_day")), count_queries(client, reverse("tasks:task_list"))]

    assert few == many
    assert many[0] <= MY_DAY_BUDGET and many[1] <= LIST_BUDGET, many


def test_completing_from_my_day_answers_the_refreshed_day(owner, make_company, make_task):
    task = make_task(owner, company=make_company(owner).pk, due_at=timezone.now() - datetime.timedelta(hours=1))

    response = client_for(owner).post(reverse("tasks:task_complete", args=[task.pk]),
                                      {"from": "my_day", "result": "Готово", "log_activity": "on",
                                       "version": task.version}, **HX)

    assert response.status_code == 200
    assert response.context["day"].overdue == []
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_the_form_links_the_record_from_the_card_and_warns_over_the_limit(owner, make_company, make_task, settings):
    settings.TASKS_DAILY_LIMIT = 1
    company = make_company(owner)
    make_task(owner, due_at=today_at(23, 0) + datetime.timedelta(days=1))
    client = client_for(owner)

    form = client.get(reverse("tasks:task_create"), {"company": company.pk})
    response = client.post(reverse("tasks:task_create"), {
        "title": "Встреча", "kind": "meeting", "due_at": (today_at(15) + datetime.timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"), "priority": "high", "company": company.pk}, follow=True)

    assert form.context["form"].initial.get("company") == company.pk or form.context["form"]["company"].value() == company.pk
    task = Task.objects.get(title="Встреча")
    assert (task.company_id, task.priority, task.kind) == (company.pk, "high", "meeting")
    assert any("over the daily limit of 1" in str(m) for m in response.context["messages"])


def test_field_errors_are_shown_in_the_users_language(owner):
    owner.language = "ru"
    owner.save(update_fields=["language"])

    response = client_for(owner).post(reverse("tasks:task_create"), {"title": "", "kind": "call", "priority": "normal"})

    assert response.status_code == 422
    assert "Обязательное поле." in response.content.decode()


def test_company_card_flags_an_active_client_without_a_next_step(owner, make_company, make_task):
    bare = make_company(owner, status="active")
    planned = make_company(owner, status="active")
    make_task(owner, company=planned.pk)
    client = client_for(owner)

    assert 'data-testid="no-next-step"' in client.get(bare.get_absolute_url()).content.decode()
    assert 'data-testid="no-next-step"' not in client.get(planned.get_absolute_url()).content.decode()
    page = client.get(reverse("tasks:no_next_step"))
    assert [c.pk for c in page.context["clients"]] == [bare.pk]


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("viewer", 200), ("head_a", 200), ("colleague", 404),
                                              ("head_b", 404)])
def test_task_card_is_seen_by_whoever_sees_its_record(role, status, users, make_company, make_task):
    task = make_task(users["owner"], company=make_company(users["owner"]).pk)

    assert client_for(users[role]).get(task.get_absolute_url()).status_code == status


def test_a_refused_completion_is_a_404_audited_as_a_denial(owner, viewer, make_company, make_task):
    from kartoteka.audit.models import SecurityEvent

    task = make_task(owner, company=make_company(owner).pk)

    response = client_for(viewer).post(reverse("tasks:task_complete", args=[task.pk]), {"result": "x"})

    assert response.status_code == 404
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN
    assert SecurityEvent.objects.filter(kind="access_denied", actor=viewer).count() == 1
