"""/api/v1/tasks, /my-day, /activities, /notifications: contract, access and query budgets."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kartoteka.activities.models import Activity
from kartoteka.conftest import api_client_for
from kartoteka.notifications.choices import NotificationKind
from kartoteka.notifications.services import notify
from kartoteka.tasks.models import Task

JSON = "application/json"


def test_create_read_complete_with_activity(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")
    client = api_client_for(owner)

    created = client.post("/api/v1/tasks", {"title": "Позвонить", "company": company.pk, "priority": "high",
                                            "due_at": "2026-12-01T10:00:00+03:00"}, content_type=JSON)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["company"], body["status"], body["priority"], body["owner"]["username"]) == (
        {"id": company.pk, "name": "ООО Ромашка"}, "open", "high", "owner")

    done = client.post(f"/api/v1/tasks/{body['id']}/complete", {"result": "Дозвонились", "log_activity": True},
                       content_type=JSON, HTTP_IF_MATCH=created["ETag"])

    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["result"]) == ("done", "Дозвонились")
    assert done.json()["activity"] == Activity.objects.get(company=company).pk


def test_status_and_stamps_cannot_be_set_directly(owner):
    response = api_client_for(owner).post("/api/v1/tasks", {"title": "X", "due_at": "2026-12-01T10:00:00Z",
                                                            "status": "done"}, content_type=JSON)

    assert response.status_code == 422
    assert not Task.objects.exists()


def test_a_task_visible_through_its_responsible_does_not_name_a_hidden_record(head_a, owner, colleague,
                                                                              make_company):
    hidden = make_company(colleague, name="ООО Чужая")
    task = api_client_for(head_a).post("/api/v1/tasks", {"title": "X", "owner": owner.pk, "company": hidden.pk,
                                                         "due_at": "2026-12-01T10:00:00Z"}, content_type=JSON).json()

    seen = api_client_for(owner).get(f"/api/v1/tasks/{task['id']}").json()

    assert seen["company"] == {"id": hidden.pk, "name": None}


def test_list_queries_do_not_grow(owner, make_company, make_task):
    client = api_client_for(owner)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/tasks").status_code == 200
        return len(ctx.captured_queries)

    make_task(owner, company=make_company(owner).pk, tags=["VIP"])
    count()  # warms the content-type cache
    few = count()
    for _ in range(15):
        make_task(owner, company=make_company(owner).pk, tags=["VIP"])

    assert count() == few


def test_my_day(owner, make_task):
    make_task(owner, title="Просрочена", due_at=timezone.now() - datetime.timedelta(hours=2))

    body = api_client_for(owner).get("/api/v1/my-day").json()

    assert [t["title"] for t in body["overdue"]] == ["Просрочена"]
    assert body["overdue"][0]["overdue"] is True
    assert (body["today"], body["daily_limit"]) == ([], 8)


def test_log_a_call_with_its_follow_up(owner, make_company, call_back):
    company = make_company(owner)

    response = api_client_for(owner).post("/api/v1/activities", {
        "kind": "call", "company": company.pk, "direction": "out", "result": call_back.pk, "duration_seconds": 60,
        "follow_up": {"title": "Перезвонить", "due_at": "2026-12-01T10:00:00+03:00"}}, content_type=JSON)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["result"], body["company"]) == ("call", "Call back", company.pk)
    assert body["follow_up_task"] == Task.objects.get(company=company).pk
    listed = api_client_for(owner).get("/api/v1/activities", {"company": company.pk, "kind": "call"}).json()
    assert [a["id"] for a in listed["items"]] == [body["id"]]


def test_activity_errors_are_per_field(owner, make_company):
    response = api_client_for(owner).post("/api/v1/activities", {"kind": "message", "company": make_company(owner).pk},
                                          content_type=JSON)

    assert response.status_code == 422
    assert sorted(response.json()["errors"]) == ["body", "channel"]


def test_notifications_list_and_mark_read(owner, colleague):
    mine = notify(owner, NotificationKind.TASK_DUE, params={"task": "Позвонить", "due": "10:00"})
    notify(colleague, NotificationKind.TASK_DUE, params={})
    client = api_client_for(owner)

    listed = client.get("/api/v1/notifications", {"unread": True}).json()
    read = client.post(f"/api/v1/notifications/{mine.pk}/read")

    assert [(n["id"], n["text"]) for n in listed["items"]] == [(mine.pk, "The task “Позвонить” is due at 10:00")]
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.get("/api/v1/notifications", {"unread": True}).json()["items"] == []


def test_a_deadline_with_any_offset_is_stored_in_utc_or_refused(owner):
    client = api_client_for(owner)

    odd = client.post("/api/v1/tasks", {"title": "X", "due_at": "2026-09-15T22:30:07+17:49"}, content_type=JSON)
    ancient = client.post("/api/v1/tasks", {"title": "X", "due_at": "0210-09-15T22:30:07+17:49"}, content_type=JSON)

    assert odd.status_code == 201
    assert Task.objects.get().due_at == datetime.datetime(2026, 9, 15, 4, 41, 7, tzinfo=datetime.UTC)
    assert ancient.status_code == 422 and list(ancient.json()["errors"]) == ["due_at"]


def test_calendar_ignores_impossible_dates(owner):
    from kartoteka.conftest import client_for

    for date in ("0001-01-01", "2026-02-30", "garbage"):
        assert client_for(owner).get("/calendar/", {"date": date}).status_code == 200
