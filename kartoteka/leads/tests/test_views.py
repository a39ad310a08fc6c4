"""Lead pages: the inbox, the card's actions (take, convert), the settings pages; query budgets."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kartoteka.conftest import client_for
from kartoteka.leads import services
from kartoteka.leads.choices import AssignmentRule, LeadStatus
from kartoteka.leads.models import Lead, TeamDistribution, WebForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool_team_a(owner: Any) -> None:
    TeamDistribution.objects.create(team=owner.team, rule=AssignmentRule.POOL)


def arrive(team: Any, name: str, phone: str) -> Lead:
    return services.intake_lead(values={"name": name, "phone": phone, "message": f"Вопрос от {name}"}, team=team)


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_inbox_lists_the_teams_waiting_leads_oldest_first_and_not_other_teams(owner, colleague, manager_b,
                                                                                  pool_team_a):
    first = arrive(owner.team, "Первая", "+7 916 900-00-01")
    second = arrive(owner.team, "Вторая", "+7 916 900-00-02")
    arrive(manager_b.team, "Чужая", "+7 916 900-00-03")
    services.take_lead(second, actor=colleague)

    html = client_for(owner).get(reverse("leads:inbox")).content.decode()

    assert "Первая" in html and "Чужая" not in html and "Вторая" not in html
    assert f"take-{first.pk}" in html


def test_taking_from_the_inbox_and_converting_on_the_card_leads_to_the_new_deal(owner, pool_team_a, pipeline):
    lead = arrive(owner.team, "Ирина", "+7 916 900-00-04")
    client = client_for(owner)

    response = client.post(reverse("leads:lead_take", args=[lead.pk]), {"then": "inbox"})
    assert response.status_code == 302 and response.url == reverse("leads:inbox")
    response = client.post(reverse("leads:lead_convert", args=[lead.pk]), {"create_deal": "on", "title": "Станки",
                                                                           "amount": "5000"})

    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED and lead.owner == owner
    assert response.status_code == 302 and response.url == lead.deal.get_absolute_url()
    card = client.get(response.url).content.decode()
    assert "Станки" in card and "Вопрос от Ирина" in card  # the request moved onto the deal's timeline


def test_a_refused_conversion_shows_why_on_the_card(owner, colleague, make_lead, make_contact, pipeline):
    make_contact(colleague, first_name="Чужой", phones=["+7 916 900-00-05"])
    lead = make_lead(owner, phone="+7 916 900-00-05")
    client = client_for(owner)

    response = client.post(reverse("leads:lead_convert", args=[lead.pk]), {"create_deal": "on"}, follow=True)

    assert str(colleague) in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_lead_list_card_and_inbox_queries_do_not_grow_with_the_number_of_leads(owner, head_a, make_lead, pool_team_a):
    client = client_for(head_a)

    def add(n: int) -> Lead:
        last = None
        for i in range(n):
            last = make_lead(owner, tags=["VIP"])
            arrive(owner.team, f"Пул {i}", f"+7 916 901-{Lead.objects.count():02d}-{i:02d}")
        return last

    lead = add(2)
    urls = [reverse("leads:lead_list"), reverse("leads:inbox"), lead.get_absolute_url()]
    for url in urls:
        queries(client, url)  # warm caches
    before = [queries(client, url) for url in urls]
    lead = add(8)
    after = [queries(client, url) for url in urls[:2]] + [queries(client, lead.get_absolute_url())]

    assert after == before
    assert max(before) <= 20


def test_an_admin_creates_a_web_form_and_gets_its_snippet(admin, owner):
    client = client_for(admin)

    response = client.post(reverse("leads:webform_create"), {
        "name": "Лендинг", "team": owner.team_id, "active": "on", "success_message": "Ура",
        "f-TOTAL_FORMS": "2", "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "20",
        "f-0-name": "tel", "f-0-label": "Телефон", "f-0-target": "phone", "f-0-required": "on",
        "f-1-name": "", "f-1-target": ""})

    form = WebForm.objects.get()
    assert response.status_code == 302
    assert form.fields == [{"name": "tel", "label": "Телефон", "target": "phone", "required": True}]
    page = client.get(reverse("leads:webform_edit", args=[form.pk])).content.decode()
    assert f"/f/{form.key}" in page and "website_url" in page and 'name="tel"' in page.replace("&quot;", '"')


def test_a_form_without_phone_or_email_is_refused_with_the_reason(admin):
    response = client_for(admin).post(reverse("leads:webform_create"), {
        "name": "Без связи", "active": "on", "success_message": "Ура",
        "f-TOTAL_FORMS": "1", "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "20",
        "f-0-name": "who", "f-0-target": "name"})

    assert response.status_code == 422 and WebForm.objects.count() == 0
    assert "phone or an e-mail" in response.content.decode()


def test_a_head_sees_and_sets_only_their_teams_distribution(head_a, head_b, owner, manager_b):
    page = client_for(head_a).get(reverse("leads:distribution")).content.decode()
    response = client_for(head_b).post(reverse("leads:distribution_save", args=[owner.team_id]),
                                       {f"t{owner.team_id}-rule": "pool"})

    assert "Team A" in page and "Team B" not in page
    assert response.status_code == 404 and not TeamDistribution.objects.filter(team=owner.team).exists()
