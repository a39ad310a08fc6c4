"""Logging from the card over HTMX: the form of a kind, the follow-up offered by the result, the refreshed
timeline; the kind filter; neglected clients and call results settings."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kartoteka.activities.models import Activity, CallResult
from kartoteka.activities.services import log_activity
from kartoteka.conftest import client_for
from kartoteka.tasks.models import Task

HX = {"HTTP_HX_REQUEST": "true"}


def log_url(entity, pk):
    return reverse("activities:log", args=[entity, pk])


def test_the_form_offers_the_follow_up_only_for_a_result_that_asks_for_it(owner, make_company, call_back):
    company = make_company(owner, phones=["+79161234567"])
    client = client_for(owner)
    reached = CallResult.objects.get(name="Reached")

    plain = client.get(log_url("company", company.pk), {"kind": "call"}, **HX)
    other = client.get(log_url("company", company.pk), {"kind": "call", "result": reached.pk}, **HX)
    offered = client.get(log_url("company", company.pk), {"kind": "call", "result": call_back.pk}, **HX)

    assert plain.status_code == other.status_code == offered.status_code == 200
    assert 'data-testid="follow-up"' not in plain.content.decode() + other.content.decode()
    assert 'data-testid="follow-up"' in offered.content.decode()
    assert 'value="+79161234567"' in plain.content.decode()


def test_posting_a_call_with_call_back_creates_the_task_and_returns_the_timeline(owner, make_company, call_back):
    company = make_company(owner)

    response = client_for(owner).post(log_url("company", company.pk), {
        "kind": "call", "direction": "out", "result": call_back.pk, "duration_minutes": 3, "body": "Занят",
        "follow_up": "on", "follow_up_title": "Перезвонить", "follow_up_due_at": "2026-12-01T10:00"}, **HX)

    assert response.status_code == 200
    assert 'id="timeline"' in response.content.decode() and 'data-testid="follow-up-created"' in response.content.decode()
    call = Activity.objects.get(company=company)
    assert (call.duration_seconds, call.body) == (180, "Занят")
    assert Task.objects.get(company=company).title == "Перезвонить"


def test_field_errors_come_back_in_the_form_in_the_users_language(owner, make_company):
    company = make_company(owner)
    owner.language = "ru"
    owner.save(update_fields=["language"])

    response = client_for(owner).post(log_url("company", company.pk), {"kind": "message", "body": "Привет"}, **HX)

    assert response.status_code == 422
    assert "Выберите канал." in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("head_a", 200), ("viewer", 404), ("colleague", 404)])
def test_only_who_may_change_the_record_opens_the_form(role, status, users, make_company):
    company = make_company(users["owner"])

    assert client_for(users[role]).get(log_url("company", company.pk), **HX).status_code == status


def test_unknown_entity_is_404(owner):
    assert client_for(owner).get(log_url("lead", 1)).status_code == 404


def test_timeline_filters_by_kind(owner, make_company):
    company = make_company(owner)
    log_activity(actor=owner, kind="call", data={"company": company.pk, "body": "Звонок-1"})
    log_activity(actor=owner, kind="email", data={"company": company.pk, "subject": "КП", "body": "Письмо-1"})

    response = client_for(owner).get(reverse("contacts:company_timeline", args=[company.pk]), {"kind": "email"}, **HX)

    text = response.content.decode()
    assert "Письмо-1" in text and "Звонок-1" not in text


def test_card_queries_stay_flat_with_a_long_timeline_of_calls(owner, make_company, call_back):
    small, large = make_company(owner), make_company(owner)
    for company, n in ((small, 2), (large, 40)):
        for i in range(n):
            log_activity(actor=owner, kind="call", data={"company": company.pk, "result": call_back.pk,
                                                         "body": f"Звонок {i}"})
    client = client_for(owner)
    client.get(small.get_absolute_url())

    counts = []
    for company in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(company.get_absolute_url()).status_code == 200
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


def test_neglected_lists_quiet_companies_by_status_most_valuable_first(owner, make_company, make_deal, settings):
    settings.NEGLECTED_DAYS = {"active": 30, "potential": 60, "former": 180}
    old = timezone.now() - datetime.timedelta(days=45)
    quiet = make_company(owner, name="ООО Тихая", status="active")
    busy = make_company(owner, name="ООО Живая", status="active")
    young = make_company(owner, name="ООО Потенциал", status="potential")
    rich = make_company(owner, name="ООО Богатая", status="active")
    from kartoteka.contacts.models import Company

    Company.objects.filter(pk__in=[quiet.pk, busy.pk, young.pk, rich.pk]).update(created_at=old)
    log_activity(actor=owner, kind="call", data={"company": busy.pk})
    make_deal(owner, company=rich.pk, amount=500000)

    response = client_for(owner).get(reverse("activities:neglected"))

    assert [c.name for c in response.context["records"]] == ["ООО Богатая", "ООО Тихая"]


def test_admin_adds_a_call_result(admin):
    response = client_for(admin).post(reverse("activities:call_results"), {
        "new-name": "Перезвонить", "new-position": 10, "new-active": "on", "new-follow_up": "on"})

    assert response.status_code == 302
    assert CallResult.objects.get().follow_up is True


def test_neglected_contacts_go_by_their_companys_status_and_heads_reassign_them(
        head_a, owner, colleague, make_company, make_contact, settings):
    from kartoteka.contacts.models import Contact

    settings.NEGLECTED_DAYS = {"active": 30, "potential": 60, "former": 180}
    active = make_company(owner, status="active")
    quiet = make_contact(owner, last_name="Тихонов", company=active.pk)
    fresh = make_contact(owner, last_name="Новиков")  # no company: potential, 60 days
    Contact.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    Contact.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    client = client_for(head_a)
    url = reverse("activities:neglected") + "?kind=contact"

    page = client.get(url)
    moved = client.post(reverse("contacts:contact_bulk"), {"pk": [quiet.pk], "action": "assign",
                                                            "owner": colleague.pk, "next": url})

    assert [c.pk for c in page.context["records"]] == [quiet.pk]
    assert moved.status_code == 302 and moved.url == url
    assert Contact.objects.get(pk=quiet.pk).owner == colleague


def test_a_call_from_the_company_card_may_also_link_a_contact_and_a_deal(admin, owner, manager_b, make_company,
                                                                          make_contact, make_deal):
    from kartoteka.contacts.services import create_contact

    company = make_company(owner)
    contact = make_contact(owner, company=company.pk)
    deal = make_deal(owner, company=company.pk)
    create_contact(actor=admin, data={"first_name": "Пётр", "last_name": "Чужой", "company": company.pk,
                                      "owner": manager_b.pk})
    client = client_for(owner)

    form = client.get(log_url("company", company.pk), {"kind": "call"}, **HX).context["form"]
    response = client.post(log_url("company", company.pk), {"kind": "call", "direction": "out",
                                                             "contact": contact.pk, "deal": deal.pk}, **HX)

    assert list(form.fields["contact"].queryset) == [contact]
    assert list(form.fields["deal"].queryset) == [deal]
    assert response.status_code == 200
    call = Activity.objects.get(kind="call")
    assert (call.company_id, call.contact_id, call.deal_id) == (company.pk, contact.pk, deal.pk)
