"""Reminders, overdue notices and escalations at given moments (the clock is a parameter: frozen by design)."""

import datetime

import pytest
from django.utils import timezone

from kartoteka.activities.models import Activity
from kartoteka.notifications.models import Notification
from kartoteka.tasks import deadlines, services
from kartoteka.tasks.models import Task

NOON = timezone.make_aware(datetime.datetime(2026, 12, 1, 12, 0))


def at(minutes: int) -> datetime.datetime:
    return NOON + datetime.timedelta(minutes=minutes)


@pytest.fixture
def task(owner, make_company, make_task):
    company = make_company(owner, name="ООО Ромашка")
    return make_task(owner, title="Перезвонить", company=company.pk, due_at=NOON)


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_reminder_goes_out_within_the_lead_time_once(task, owner, settings):
    settings.TASK_REMINDER_MINUTES = 15

    assert deadlines.send_due_reminders(at(-16)) == 0
    assert deadlines.send_due_reminders(at(-15)) == 1
    assert deadlines.send_due_reminders(at(-10)) == 0

    assert kinds(owner) == ["task_due"]


def test_a_users_own_lead_time_counts(task, owner, settings):
    from kartoteka.notifications.services import set_preferences

    settings.TASK_REMINDER_MINUTES = 15
    set_preferences(owner, actor=owner, channels={}, remind_minutes=60)

    assert deadlines.send_due_reminders(at(-59)) == 1


def test_overdue_notice_goes_out_once_after_the_deadline(task, owner):
    assert deadlines.notify_overdue(at(0)) == 0
    assert deadlines.notify_overdue(at(1)) == 1
    assert deadlines.notify_overdue(at(90)) == 0

    assert kinds(owner) == ["task_overdue"]


def test_escalation_tells_the_team_head_once_and_is_on_the_timeline(task, owner, head_a, head_b, settings):
    settings.TASK_ESCALATION_MINUTES = 120

    assert deadlines.escalate_overdue(at(119)) == 0
    assert deadlines.escalate_overdue(at(121)) == 1
    assert deadlines.escalate_overdue(at(600)) == 0

    assert kinds(head_a) == ["task_escalated"] and kinds(head_b) == [] and kinds(owner) == []
    entry = Activity.objects.get(company=task.company, kind="escalation")
    assert entry.author is None
    assert "Перезвонить" in entry.body and "head_a" in entry.body
    assert Task.objects.get(pk=task.pk).escalated_at == at(121)


def test_done_tasks_are_neither_reminded_nor_escalated(task, owner, head_a):
    services.complete_task(task, actor=owner)

    assert deadlines.run_deadlines(at(24 * 60)) == {"reminders": 0, "overdue": 0, "escalations": 0, "digests": 0}


def test_all_day_task_is_overdue_only_when_its_day_is_over(owner, make_task):
    make_task(owner, due_at=NOON.date(), all_day=True)

    assert deadlines.notify_overdue(at(11 * 60)) == 0  # 23:00 the same day
    assert deadlines.notify_overdue(at(12 * 60 + 1)) == 1  # 00:01 the next day


def test_moving_the_deadline_allows_a_new_escalation(task, owner, head_a, settings):
    settings.TASK_ESCALATION_MINUTES = 60
    deadlines.escalate_overdue(at(61))

    services.update_task(Task.objects.get(pk=task.pk), actor=owner, data={"due_at": at(120)})

    assert deadlines.escalate_overdue(at(181)) == 1
    assert kinds(head_a) == ["task_escalated", "task_escalated"]


def test_the_morning_digest_goes_out_once_a_day_from_its_hour(task, owner, make_task, settings):
    settings.DIGEST_HOUR = 8
    morning = timezone.make_aware(datetime.datetime(2026, 12, 1, 7, 59))
    make_task(owner, title="Ещё одна", due_at=morning - datetime.timedelta(hours=1))  # already overdue at 8:00

    assert deadlines.send_daily_digests(morning) == 0
    assert deadlines.send_daily_digests(morning + datetime.timedelta(minutes=1)) == 1
    assert deadlines.send_daily_digests(morning + datetime.timedelta(hours=3)) == 0

    notice = Notification.objects.get(recipient=owner, kind="daily_digest")
    assert notice.text == "Your day: 1 overdue, 1 due today"


def test_while_a_cover_is_active_the_substitute_gets_the_reminder_and_the_overdue_notice(task, owner, colleague,
                                                                                       head_a, settings):
    from kartoteka.handover.services import set_cover

    settings.TASK_REMINDER_MINUTES = 15
    set_cover(actor=head_a, user=owner, substitute=colleague, starts_on=datetime.date(2026, 11, 30),
              ends_on=datetime.date(2026, 12, 1))

    assert deadlines.send_due_reminders(at(-10)) == 1
    assert deadlines.notify_overdue(at(5)) == 1

    assert kinds(owner) == [] and kinds(colleague) == ["task_due", "task_overdue"]
    notice = Notification.objects.get(recipient=colleague, kind="task_due")
    assert "Перезвонить" in notice.text and f"you stand in for {owner}" in notice.text


def test_after_the_cover_ends_the_responsible_is_reminded_again(task, owner, colleague, head_a):
    from kartoteka.handover.services import set_cover

    set_cover(actor=head_a, user=owner, substitute=colleague, starts_on=datetime.date(2026, 11, 20),
              ends_on=datetime.date(2026, 11, 30))  # over the day before NOON

    assert deadlines.notify_overdue(at(5)) == 1
    assert kinds(owner) == ["task_overdue"] and kinds(colleague) == []
