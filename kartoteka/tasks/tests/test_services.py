"""Task services: links, assignment, completion with an activity, workload, visibility."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kartoteka.activities.models import Activity
from kartoteka.audit.models import ObjectChange
from kartoteka.core.errors import AccessDenied
from kartoteka.notifications.models import Notification
from kartoteka.tasks import services
from kartoteka.tasks.choices import TaskStatus
from kartoteka.tasks.models import Task, day_start


def test_task_on_a_contact_carries_its_company_and_is_audited(owner, make_company, make_contact, make_task):
    company = make_company(owner, name="ООО Ромашка")
    contact = make_contact(owner, company=company.pk)

    task = make_task(owner, title="Позвонить Ивану", contact=contact.pk)

    assert (task.contact_id, task.company_id, task.owner_id) == (contact.pk, company.pk, owner.pk)
    assert ObjectChange.objects.filter(object_id=task.pk, content_type__model="task", action="create").count() == 1


def test_linking_a_record_the_actor_cannot_see_is_a_field_error(owner, manager_b, make_company, make_task):
    secret = make_company(manager_b, name="ООО Чужая")

    with pytest.raises(ValidationError) as exc:
        make_task(owner, company=secret.pk)

    assert exc.value.message_dict == {"company": ["There is no such record."]}
    assert not Task.objects.exists()


def test_due_is_required_and_all_day_is_due_at_the_start_of_its_day(owner):
    with pytest.raises(ValidationError) as exc:
        services.create_task(actor=owner, data={"title": "Без срока"})
    assert exc.value.message_dict == {"due_at": ["This field is required."]}

    task = services.create_task(actor=owner, data={"title": "Весь день", "due_at": "2026-12-01", "all_day": True})

    assert task.due_at == day_start(datetime.date(2026, 12, 1))


def test_a_head_assigning_a_task_notifies_the_responsible(head_a, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = services.create_task(actor=head_a, data={"title": "Подготовить КП", "owner": owner.pk,
                                                        "due_at": timezone.now() + datetime.timedelta(days=1)})

    notice = Notification.objects.get(recipient=owner)
    assert (notice.kind, notice.url) == ("task_assigned", task.get_absolute_url())
    assert "Подготовить КП" in notice.text and "head_a" in notice.text


def test_a_manager_cannot_give_a_task_to_someone_else(owner, colleague):
    with pytest.raises(ValidationError) as exc:
        services.create_task(actor=owner, data={"title": "Чужая", "owner": colleague.pk, "due_at": timezone.now()})

    assert list(exc.value.message_dict) == ["owner"]


def test_completing_logs_the_call_on_the_linked_records_timeline(owner, make_company, make_task):
    company = make_company(owner)
    task = make_task(owner, company=company.pk, kind="call")

    done = services.complete_task(task, actor=owner, result="Договорились о встрече", log_activity=True)

    activity = Activity.objects.get(company=company)
    assert (done.status, done.result, done.activity_id) == (TaskStatus.DONE, "Договорились о встрече", activity.pk)
    assert (activity.kind, activity.body, activity.author_id) == ("call", "Договорились о встрече", owner.pk)
    assert done.completed_at is not None


def test_a_closed_task_cannot_be_completed_again_but_can_be_reopened(owner, make_task):
    task = services.cancel_task(make_task(owner), actor=owner, result="Не актуально")

    with pytest.raises(ValidationError):
        services.complete_task(task, actor=owner)
    reopened = services.reopen_task(task, actor=owner)

    assert (reopened.status, reopened.completed_at) == (TaskStatus.OPEN, None)


def test_only_who_may_change_the_task_completes_it(owner, colleague, viewer, make_task):
    task = make_task(owner)

    for user in (colleague, viewer):
        with pytest.raises(AccessDenied):
            services.complete_task(task, actor=user)

    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_task_is_visible_to_whoever_sees_its_record(owner, colleague, head_a, head_b, viewer, admin, make_company,
                                                       make_task):
    from kartoteka.core.records import set_share

    company = make_company(owner)
    task = make_task(owner, company=company.pk)
    set_share(company, actor=owner, user=colleague, shared=True)

    seen = {u.username for u in (owner, colleague, head_a, head_b, viewer, admin)
            if Task.objects.visible_to(u).filter(pk=task.pk).exists()}

    assert seen == {"owner", "colleague", "head_a", "viewer", "admin"}


def test_a_new_deadline_rearms_the_notices(owner, make_task):
    task = make_task(owner)
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now(), overdue_notified_at=timezone.now(),
                                           escalated_at=timezone.now())

    services.update_task(Task.objects.get(pk=task.pk), actor=owner,
                         data={"due_at": timezone.now() + datetime.timedelta(days=3)})

    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.reminded_at, fresh.overdue_notified_at, fresh.escalated_at) == (None, None, None)


def test_workload_warns_beyond_the_daily_limit(head_a, owner, make_task, settings):
    settings.TASKS_DAILY_LIMIT = 2
    due = day_start(timezone.localdate() + datetime.timedelta(days=1)) + datetime.timedelta(hours=12)
    tasks = [make_task(owner, due_at=due) for _ in range(2)]
    assert services.over_limit_warning(tasks[-1]) == ""

    third = make_task(owner, due_at=due)

    assert "over the daily limit of 2" in services.over_limit_warning(third)
    services.set_daily_limit(owner, actor=head_a, limit=5)
    assert services.over_limit_warning(Task.objects.get(pk=third.pk)) == ""


def test_only_a_head_of_the_team_or_an_admin_sets_a_daily_limit(head_b, owner, colleague):
    for actor in (head_b, colleague):
        with pytest.raises(AccessDenied):
            services.set_daily_limit(owner, actor=actor, limit=3)


def test_bulk_reassignment_notifies_the_new_responsible(head_a, owner, colleague, make_task,
                                                        django_capture_on_commit_callbacks):
    tasks = [make_task(owner), make_task(owner)]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.bulk_assign(tasks, actor=head_a, owner=colleague.pk) == 2

    assert set(Task.objects.values_list("owner_id", flat=True)) == {colleague.pk}
    assert Notification.objects.filter(recipient=colleague, kind="task_assigned").count() == 2
