"""A handover applied from the team page: a background job with progress, one summary notice per receiver (in
their language), a failure that shows and resumes; saved views shared by the user and scheduled reminders."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from kartoteka.conftest import client_for
from kartoteka.contacts.models import Company
from kartoteka.handover import services
from kartoteka.handover.choices import HandoverStatus
from kartoteka.handover.models import Handover, HandoverItem
from kartoteka.notifications.models import Notification
from kartoteka.savedviews.models import SavedView
from kartoteka.savedviews.services import save_view
from kartoteka.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(owner, colleague, make_company, make_contact) -> list[Any]:
    companies = [make_company(owner, name=f"Клиент {i}") for i in range(4)]
    for company in companies:
        make_contact(owner, company=company.pk)
    make_company(colleague, name="Чужой")
    return companies


def apply(client: Any, user: Any, receivers: list[Any], capture: Any) -> Any:
    with capture(execute=True):  # the job is queued when the request's transaction commits (run in-process here)
        return client.post(f"/team/{user.pk}/", {"receivers": [r.pk for r in receivers], "rule": "even",
                                                 "action": "apply"})


def test_apply_queues_the_job_which_moves_everything_and_tells_each_receiver_once(
        base, owner, colleague, third, head_a, django_capture_on_commit_callbacks):
    third.language, third.email = "ru", "third@example.com"
    third.save(update_fields=["language", "email"])
    head = client_for(head_a)

    response = apply(head, owner, [colleague, third], django_capture_on_commit_callbacks)

    handover = Handover.objects.get()
    assert response.status_code == 302 and response["Location"] == handover.get_absolute_url()
    assert handover.status == HandoverStatus.DONE
    assert sorted(Company.objects.filter(name__startswith="Клиент").values_list("owner__username", flat=True)) == [
        "colleague", "colleague", "third", "third"]
    notices = Notification.objects.filter(kind="handover_received")
    assert sorted(n.recipient.username for n in notices) == ["colleague", "third"]  # one each, not one per record
    to_colleague = notices.get(recipient=colleague)
    assert to_colleague.url == handover.get_absolute_url()
    assert to_colleague.text == f"{head_a} handed you records of {owner}: Companies: 2, Contacts: 2"
    with translation.override("ru"):
        assert notices.get(recipient=third).text == f"{head_a} передал(а) вам записи {owner}: Компании: 2, Контакты: 2"
    russian = next(m for m in mail.outbox if m.to == [third.email])
    assert "Компании: 2" in russian.subject

    services.run_handover(handover)  # running it again changes and tells nothing
    assert Notification.objects.filter(kind="handover_received").count() == 2


def test_the_page_polls_while_the_handover_runs_and_stops_when_done(base, owner, colleague, head_a):
    handover = services.create_handover(actor=head_a, from_user=owner, receivers=[colleague])
    head = client_for(head_a)

    running = head.get(handover.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert running.templates[0].name == "handover/partials/_progress.html"
    assert 'hx-trigger="every 2s"' in running.content.decode() and "0 / 8" in running.content.decode()

    services.run_handover(handover)
    done = head.get(handover.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' not in done and "8 / 8" in done and 'data-testid="revert"' in done


def test_a_failed_handover_shows_the_error_and_resumes_where_it_stopped(base, owner, colleague, head_a, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    handover = services.create_handover(actor=head_a, from_user=owner, receivers=[colleague])
    real_move, calls = services._move, []

    def flaky(item, *args, **kwargs):
        calls.append(item.pk)
        if len(calls) == 5:
            raise RuntimeError("database went away")
        return real_move(item, *args, **kwargs)

    monkeypatch.setattr(services, "_move", flaky)
    with pytest.raises(RuntimeError):
        services.run_handover(handover, batch=2)
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.FAILED and "database went away" in handover.error
    assert HandoverItem.objects.filter(moved_at__isnull=False).count() == 4  # two whole batches, not the third
    assert not Notification.objects.filter(kind="handover_received").exists()
    page = client_for(head_a).get(handover.get_absolute_url()).content.decode()
    assert 'data-testid="handover-error"' in page and 'data-testid="resume"' in page
    assert client_for(colleague).post(f"/team/handovers/{handover.pk}/resume/").status_code == 404

    monkeypatch.setattr(services, "_move", real_move)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(head_a).post(f"/team/handovers/{handover.pk}/resume/")

    handover.refresh_from_db()
    assert handover.status == HandoverStatus.DONE and handover.error == ""
    assert not Company.objects.filter(owner=owner).exists()
    assert Notification.objects.filter(kind="handover_received", recipient=colleague).count() == 1


def test_shared_saved_views_change_hands_and_come_back_private_ones_stay(base, owner, colleague, head_a):
    shared = save_view(actor=owner, entity="companies", list_path="/companies/", name="Мои VIP", query="q=vip",
                       columns=[], shared=True)
    private = save_view(actor=owner, entity="companies", list_path="/companies/", name="Черновик", query="",
                        columns=[])
    save_view(actor=colleague, entity="companies", list_path="/companies/", name="Мои VIP", query="", columns=[])

    assert dict(services.portfolio(owner))["Saved views shared with the team"] == 1
    handover = services.create_handover(actor=head_a, from_user=owner, receivers=[colleague])
    services.run_handover(handover)

    moved = SavedView.objects.get(pk=shared.pk)
    assert moved.owner == colleague and moved.name == f"Мои VIP ({owner})" and moved.team_id == owner.team_id
    assert SavedView.objects.get(pk=private.pk).owner == owner

    services.revert_handover(handover, actor=head_a)
    assert SavedView.objects.get(pk=shared.pk).owner == owner


def test_the_portfolio_counts_scheduled_reminders_which_move_with_their_tasks(base, owner, colleague, head_a,
                                                                               make_task):
    soon = make_task(owner, title="Позвонить завтра", due_at=timezone.now() + datetime.timedelta(days=1))
    make_task(owner, title="Весь день", all_day=True, due_at=timezone.now() + datetime.timedelta(days=1))
    make_task(colleague, title="Чужая")

    counts = dict(services.portfolio(owner))
    assert counts["Open tasks"] == 2 and counts["Scheduled reminders (go with their tasks)"] == 1

    services.run_handover(services.create_handover(actor=head_a, from_user=owner, receivers=[colleague]))
    assert Task.objects.get(pk=soon.pk).owner == colleague
    assert dict(services.portfolio(owner))["Scheduled reminders (go with their tasks)"] == 0


def test_deactivation_on_the_team_page_refuses_without_receivers_then_hands_over_in_the_same_step(
        base, owner, colleague, head_a, make_task, django_capture_on_commit_callbacks):
    make_task(owner, title="Открытая задача")
    head = client_for(head_a)
    browser = client_for(owner)

    refused = head.post(f"/team/{owner.pk}/deactivate/", {"d-rule": "even"}, follow=True)
    assert type(owner).objects.get(pk=owner.pk).is_active
    assert "still has open deals, leads or tasks" in refused.content.decode()
    assert browser.get("/companies/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        done = head.post(f"/team/{owner.pk}/deactivate/", {"d-receivers": [colleague.pk], "d-rule": "even"})

    handover = Handover.objects.get(from_user=owner)
    assert done["Location"] == handover.get_absolute_url() and handover.status == HandoverStatus.DONE
    assert not type(owner).objects.get(pk=owner.pk).is_active
    assert not Company.objects.filter(owner=owner).exists() and not Task.objects.filter(owner=owner).exists()
    assert browser.get("/companies/").status_code == 302  # the open session is refused on its next request
