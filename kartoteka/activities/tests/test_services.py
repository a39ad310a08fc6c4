"""Logging calls, e-mails, meetings, messages and notes: validation per kind, links, the follow-up task."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kartoteka.activities.models import Activity
from kartoteka.activities.services import log_activity
from kartoteka.activities.timeline import timeline_for
from kartoteka.core.errors import AccessDenied
from kartoteka.tasks.models import Task


def test_a_call_is_stored_with_its_fields_and_normalised_phone(owner, make_company, call_back):
    company = make_company(owner)

    call = log_activity(actor=owner, kind="call", data={
        "company": company.pk, "direction": "in", "phone": "8 (916) 123-45-67", "duration_seconds": 125,
        "result": call_back.pk, "recording_url": "https://pbx.example.com/r/1.mp3", "body": "Просил КП"})

    assert (call.kind, call.direction, call.phone, call.duration_seconds, call.result, call.duration_display) == (
        "call", "in", "+79161234567", 125, call_back, "2:05")
    assert call.author == owner


def test_each_invalid_field_is_reported_at_once(owner, make_company):
    company = make_company(owner)

    with pytest.raises(ValidationError) as exc:
        log_activity(actor=owner, kind="call", data={
            "company": company.pk, "direction": "sideways", "duration_seconds": -1, "result": 999,
            "recording_url": "javascript:alert(1)", "place": "Офис"})

    assert sorted(exc.value.message_dict) == ["direction", "duration_seconds", "place", "recording_url", "result"]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(("kind", "data", "errors"), [
    ("message", {"body": "Привет"}, ["channel"]),
    ("message", {"channel": "telegram"}, ["body"]),
    ("note", {}, ["body"]),
    ("email", {"email_to": "not-an-address"}, ["email_to"]),
    ("stage_change", {"body": "x"}, ["kind"]),
])
def test_kind_rules(kind, data, errors, owner, make_company):
    company = make_company(owner)

    with pytest.raises(ValidationError) as exc:
        log_activity(actor=owner, kind=kind, data={"company": company.pk, **data})

    assert sorted(exc.value.message_dict) == errors


def test_an_activity_links_to_several_records_and_shows_on_each_timeline(owner, make_company, make_contact,
                                                                          make_deal):
    company = make_company(owner)
    contact = make_contact(owner, company=company.pk)
    deal = make_deal(owner, company=company.pk)

    meeting = log_activity(actor=owner, kind="meeting", data={
        "contact": contact.pk, "deal": deal.pk, "subject": "Демо", "place": "Офис клиента",
        "participants": "Иван, Мария", "occurred_at": timezone.now() + datetime.timedelta(days=1)})

    assert (meeting.company_id, meeting.contact_id, meeting.deal_id) == (company.pk, contact.pk, deal.pk)
    for record in (company, contact, deal):
        assert [e.activity for e in timeline_for(record, kinds={"meeting"}).entries] == [meeting]


def test_linking_nothing_or_an_invisible_record_is_refused(owner, manager_b, make_company):
    secret = make_company(manager_b)

    with pytest.raises(ValidationError) as nothing:
        log_activity(actor=owner, kind="note", data={"body": "x"})
    with pytest.raises(ValidationError) as invisible:
        log_activity(actor=owner, kind="note", data={"company": secret.pk, "body": "x"})

    assert list(nothing.value.message_dict) == ["__all__"]
    assert invisible.value.message_dict == {"company": ["There is no such record."]}


def test_who_only_sees_the_record_cannot_log_on_it(owner, viewer, make_company):
    company = make_company(owner)

    with pytest.raises(AccessDenied):
        log_activity(actor=viewer, kind="note", data={"company": company.pk, "body": "x"})


def test_a_call_brings_its_follow_up_task_in_the_same_transaction(owner, make_company, call_back):
    company = make_company(owner, name="ООО Ромашка")
    due = timezone.now() + datetime.timedelta(days=1)

    call = log_activity(actor=owner, kind="call", data={"company": company.pk, "result": call_back.pk},
                        follow_up={"title": "Перезвонить", "due_at": due})

    task = Task.objects.get()
    assert call.follow_up_task == task
    assert (task.title, task.kind, task.company_id, task.owner_id, task.due_at) == (
        "Перезвонить", "call", company.pk, owner.pk, due)


def test_an_invalid_follow_up_logs_nothing(owner, make_company, call_back):
    company = make_company(owner)

    with pytest.raises(ValidationError) as exc:
        log_activity(actor=owner, kind="call", data={"company": company.pk, "result": call_back.pk},
                     follow_up={"title": "", "due_at": None})

    assert sorted(exc.value.message_dict) == ["follow_up_due_at"]
    assert not Activity.objects.exists() and not Task.objects.exists()
