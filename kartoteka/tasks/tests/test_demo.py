"""The demo's working day: every salesperson starts on a My day with overdue and coming tasks, calls are on the
cards, the missed deadlines have reached the heads; loading it again adds nothing."""

import io

from django.core.management import call_command

from kartoteka.activities.models import Activity, CallResult
from kartoteka.contacts.demo import demo_users
from kartoteka.contacts.models import Company
from kartoteka.notifications.models import Notification
from kartoteka.tasks.models import Task
from kartoteka.tasks.queries import my_day


def test_demo_day_is_there_and_loading_again_adds_nothing(db):
    call_command("demo", companies=20, contacts=50, stdout=io.StringIO())
    counts = (Task.objects.count(), Activity.objects.count(), Notification.objects.count())

    call_command("demo", companies=20, contacts=50, stdout=io.StringIO())

    assert (Task.objects.count(), Activity.objects.count(), Notification.objects.count()) == counts
    sellers = [u for u in demo_users() if not u.is_viewer]
    for user in sellers:
        if user.is_head or Company.objects.filter(owner=user).exists():
            day = my_day(user)
            assert len(day.overdue) >= 2 and (day.today or day.tomorrow), user
    heads = [u for u in sellers if u.is_head]
    assert all(Notification.objects.filter(recipient=h, kind="task_escalated").exists() for h in heads)
    assert Activity.objects.filter(kind="escalation").exists()
    assert Activity.objects.filter(kind="call", result__isnull=False).exists()
    assert CallResult.objects.filter(follow_up=True).count() == 1
