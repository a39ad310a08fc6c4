"""Deal pages: the permission matrix of every route, the stage actions, the kanban, the settings page and query
budgets. A deal a user may not see answers 404 on every route; a viewer sees the team's deals but every change
answers 404; a denial changes nothing.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kartoteka.conftest import client_for
from kartoteka.deals import services
from kartoteka.deals.models import Deal, Stage

pytestmark = pytest.mark.django_db

SEE = {"anonymous": 302, "admin": 200, "head_a": 200, "head_b": 404, "owner": 200, "colleague": 404,
       "manager_b": 404, "viewer": 200}
CHANGE_FORM = {**SEE, "viewer": 404}
CHANGE_POST = {"anonymous": 302, "admin": 302, "head_a": 302, "head_b": 404, "owner": 302, "colleague": 404,
               "manager_b": 404, "viewer": 404}
ROLES = list(SEE)


@pytest.fixture
def deal(owner: Any, make_deal: Any, make_company: Any) -> Deal:
    return make_deal(owner, company=make_company(owner, name="ООО Ромашка").pk, amount=1000)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ["deal_detail", "deal_timeline"])
def test_reading_a_deal(role, route, users, deal):
    response = client_for(users[role]).get(reverse(f"deals:{route}", args=[deal.pk]))

    assert response.status_code == SEE[role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ["deal_edit", "deal_delete"])
def test_change_forms(role, route, users, deal):
    assert client_for(users[role]).get(reverse(f"deals:{route}", args=[deal.pk])).status_code == CHANGE_FORM[role]


@pytest.mark.parametrize("role", ROLES)
def test_move_by_role_changes_the_stage_only_when_allowed(role, users, deal, stages):
    response = client_for(users[role]).post(reverse("deals:deal_move", args=[deal.pk]),
                                            {"stage": stages["meeting"].pk})

    assert response.status_code == CHANGE_POST[role]
    expected = stages["meeting"] if CHANGE_POST[role] == 302 and role != "anonymous" else stages["qualification"]
    assert Deal.objects.get(pk=deal.pk).stage == expected


@pytest.mark.parametrize("role", ROLES)
def test_win_and_lose_by_role(role, users, deal, stages, too_expensive):
    client = client_for(users[role])

    won = client.post(reverse("deals:deal_win", args=[deal.pk]))
    assert won.status_code == CHANGE_POST[role]
    lost = client.post(reverse("deals:deal_lose", args=[deal.pk]), {"lost_reason": too_expensive.pk})
    assert lost.status_code == CHANGE_POST[role]

    allowed = CHANGE_POST[role] == 302 and role != "anonymous"
    assert Deal.objects.get(pk=deal.pk).stage == (stages["lost"] if allowed else stages["qualification"])


@pytest.mark.parametrize("role", ROLES)
def test_edit_post_by_role(role, users, deal, stages):
    data = {"title": "Новое имя", "stage": deal.stage_id, "currency": "RUB", "amount": "1000", "version": deal.version,
            "owner": deal.owner_id}

    response = client_for(users[role]).post(reverse("deals:deal_edit", args=[deal.pk]), data)

    assert response.status_code == CHANGE_POST[role]
    allowed = CHANGE_POST[role] == 302 and role != "anonymous"
    assert Deal.objects.get(pk=deal.pk).title == ("Новое имя" if allowed else deal.title)


def test_kanban_move_refused_answers_422_with_the_message_and_changes_nothing(owner, make_deal, stages):
    deal = make_deal(owner)

    response = client_for(owner).post(reverse("deals:deal_move", args=[deal.pk]), {"stage": stages["proposal"].pk},
                                      HTTP_ACCEPT="application/json")

    assert response.status_code == 422
    assert json.loads(response.content) == {"detail": "Amount is required to enter the stage “Proposal”."}
    assert Deal.objects.get(pk=deal.pk).stage == stages["qualification"]


def test_kanban_move_answers_json_with_the_new_version(owner, deal, stages):
    response = client_for(owner).post(reverse("deals:deal_move", args=[deal.pk]),
                                      {"stage": stages["proposal"].pk, "version": deal.version},
                                      HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert json.loads(response.content) == {"id": deal.pk, "stage": stages["proposal"].pk, "stage_name": "Proposal",
                                            "version": deal.version + 1}


def test_kanban_move_with_a_stale_version_answers_409(owner, deal, stages):
    response = client_for(owner).post(reverse("deals:deal_move", args=[deal.pk]),
                                      {"stage": stages["meeting"].pk, "version": deal.version + 5},
                                      HTTP_ACCEPT="application/json")

    assert response.status_code == 409
    assert Deal.objects.get(pk=deal.pk).stage == stages["qualification"]


def test_create_form_prefills_the_company_and_creates_the_deal(owner, make_company, stages):
    company = make_company(owner, name="ООО Ромашка")
    client = client_for(owner)

    page = client.get(reverse("deals:deal_create") + f"?company={company.pk}")
    assert page.status_code == 200
    assert f'<option value="{company.pk}" selected>ООО Ромашка</option>' in page.content.decode()

    response = client.post(reverse("deals:deal_create"), {"title": "Поставка", "stage": stages["meeting"].pk,
                                                          "company": company.pk, "currency": "RUB"})
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    assert (deal.company, deal.stage, deal.owner) == (company, stages["meeting"], owner)


def test_create_form_shows_the_stage_rule_on_the_field(owner, stages):
    response = client_for(owner).post(reverse("deals:deal_create"),
                                      {"title": "Без суммы", "stage": stages["proposal"].pk, "currency": "RUB"})

    assert response.status_code == 422
    assert "Amount is required to enter the stage" in response.content.decode()
    assert not Deal.objects.exists()


def test_card_shows_stages_checklist_contacts_and_actions(owner, deal, stages, make_contact):
    contact = make_contact(owner, first_name="Анна")
    services.update_deal(deal, actor=owner, data={"contacts": [{"contact": contact.pk, "role": "decision_maker"}]})
    services.move_deal(Deal.objects.get(pk=deal.pk), actor=owner, stage=stages["meeting"])

    html = client_for(owner).get(deal.get_absolute_url()).content.decode()

    assert 'data-testid="deal-stage">Meeting<' in html
    assert "Send the deck" in html and "Decision maker" in html and "Анна" in html
    assert 'data-testid="win"' in html and 'data-testid="lose"' in html


def test_company_and_contact_cards_list_visible_deals_open_first(owner, manager_b, make_deal, make_company,
                                                                  make_contact, stages):
    company = make_company(owner, name="ООО Ромашка")
    contact = make_contact(owner, company=company.pk)
    closed = make_deal(owner, title="Закрытая", company=company.pk)
    services.win_deal(closed, actor=owner)
    make_deal(owner, title="Открытая", company=company.pk, contacts=[contact.pk])

    page = client_for(owner).get(company.get_absolute_url()).content.decode()
    html = page[page.index('class="deal-section"'):]
    assert html.index("Открытая") < html.index("Закрытая")
    assert f"{reverse('deals:deal_create')}?company={company.pk}" in html
    contact_page = client_for(owner).get(contact.get_absolute_url()).content.decode()
    contact_html = contact_page[contact_page.index('class="deal-section"'):]
    assert "Открытая" in contact_html and "Закрытая" not in contact_html


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_visible_deals(role, users, deal):
    response = client_for(users[role]).get(reverse("deals:deal_list"))

    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert (deal.title in response.content.decode()) == (SEE[role] == 200)


def test_list_filters_by_status_amount_and_close_date(owner, make_deal, stages):
    make_deal(owner, title="Маленькая", amount=100, expected_close_date="2026-03-01")
    big = make_deal(owner, title="Большая", amount=5000, expected_close_date="2026-06-01")
    services.win_deal(big, actor=owner)
    client = client_for(owner)

    def titles(query: str) -> set[str]:
        html = client.get(reverse("deals:deal_list") + "?" + query, HTTP_HX_REQUEST="true").content.decode()
        return {t for t in ("Маленькая", "Большая") if t in html}

    assert titles("status=won") == {"Большая"}
    assert titles("amount_min=1000") == {"Большая"}
    assert titles("close_before=2026-04-01") == {"Маленькая"}
    assert titles(f"stage={stages['qualification'].pk}") == {"Маленькая"}


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_card_and_board_queries_do_not_grow_with_the_number_of_deals(owner, make_deal, make_company,
                                                                           make_contact, pipeline, stages):
    company = make_company(owner)
    client = client_for(owner)

    def add(n: int) -> Deal:
        last = None
        for _ in range(n):
            last = make_deal(owner, company=company.pk, amount=10, tags=["VIP"], contacts=[make_contact(owner).pk])
            services.move_deal(last, actor=owner, stage=stages["meeting"])
        return last

    deal = add(2)
    urls = [reverse("deals:deal_list"), deal.get_absolute_url(), reverse("deals:board", args=[pipeline.pk]),
            company.get_absolute_url()]
    [_count_queries(client, url) for url in urls]  # warm the content-type cache
    before = [_count_queries(client, url) for url in urls]
    deal = add(10)
    urls[1] = deal.get_absolute_url()
    after = [_count_queries(client, url) for url in urls]

    assert after == before
    assert before[2] <= 15, before


def test_board_columns_count_and_sum_visible_deals_and_mark_rotting(owner, manager_b, make_deal, pipeline, stages):
    from datetime import timedelta

    from django.utils import timezone

    make_deal(owner, amount=100)
    old = make_deal(owner, amount=250)
    make_deal(manager_b, amount=999)  # invisible to owner
    Deal.objects.filter(pk=old.pk).update(stage_entered_at=timezone.now() - timedelta(days=30))

    response = client_for(owner).get(reverse("deals:board", args=[pipeline.pk]))

    first = response.context["columns"][0]
    assert (first["stage"], first["count"], first["total"]) == (stages["qualification"], 2, 350)
    assert [d.rotting for d in first["deals"]] == [False, True]
    assert 'class="deal-card rotting"' in response.content.decode()


def test_board_filters_by_tag_without_counting_twice(owner, make_deal, pipeline):
    make_deal(owner, amount=100, tags=["VIP", "Опт"])
    make_deal(owner, amount=50)

    response = client_for(owner).get(reverse("deals:board", args=[pipeline.pk]) + "?tag=VIP&tag=Опт")

    assert (response.context["columns"][0]["count"], response.context["columns"][0]["total"]) == (1, 100)


@pytest.mark.parametrize("role", ["anonymous", "owner", "head_a", "viewer", "admin"])
def test_settings_page_is_for_admins(role, users, pipeline):
    response = client_for(users[role]).get(reverse("deals:pipeline_settings"))

    assert response.status_code == {"anonymous": 302, "admin": 200}.get(role, 404)


def test_settings_page_renames_adds_and_deletes_a_stage_moving_its_deals(admin, owner, make_deal, pipeline, stages):
    deal = make_deal(owner)
    client = client_for(admin)
    url = reverse("deals:pipeline_settings_one", args=[pipeline.pk])
    stage = stages["qualification"]

    client.post(url, {"action": "update_stage", "stage": stage.pk, f"s{stage.pk}-name": "Квалификация",
                      f"s{stage.pk}-position": 10, f"s{stage.pk}-probability": 15, f"s{stage.pk}-kind": "open",
                      f"s{stage.pk}-required_fields": "", f"s{stage.pk}-checklist": ""})
    client.post(url, {"action": "create_stage", "ns-name": "Тест-драйв", "ns-probability": 60, "ns-kind": "open"})
    delete_url = reverse("deals:stage_delete", args=[pipeline.pk, stage.pk])
    assert "Choose where to move it" in client.get(delete_url).content.decode()
    client.post(delete_url, {"move_to": stages["meeting"].pk})

    names = list(pipeline.stages.values_list("name", flat=True))
    assert names == ["Meeting", "Proposal", "Тест-драйв", "Won", "Lost"]
    assert Deal.objects.get(pk=deal.pk).stage == stages["meeting"]
    assert not Stage.objects.filter(pk=stage.pk).exists()


def test_the_board_filters_by_team_and_creation_period(admin, owner, manager_b, make_deal, pipeline):
    ours = make_deal(owner, title="Сделка команды A")
    make_deal(manager_b, title="Сделка команды B")
    Deal.objects.filter(pk=ours.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    client = client_for(admin)
    board = reverse("deals:board", args=[pipeline.pk])

    by_team = client.get(board, {"team": owner.team_id}).content.decode()
    recent = client.get(board, {"created_after": (timezone.localdate() - datetime.timedelta(days=7)).isoformat()})

    assert "Сделка команды A" in by_team and "Сделка команды B" not in by_team
    assert "Сделка команды B" in recent.content.decode() and "Сделка команды A" not in recent.content.decode()


def test_people_are_added_to_a_deal_with_a_role_and_removed_from_its_card(owner, colleague, make_company, make_contact,
                                                                         make_deal):
    company = make_company(owner)
    buyer = make_contact(owner, first_name="Покупатель", company=company.pk)
    stranger = make_contact(colleague, first_name="Чужой")
    deal = make_deal(owner, company=company.pk)
    client = client_for(owner)
    url = reverse("deals:deal_participant", args=[deal.pk])

    card = client.get(deal.get_absolute_url()).content.decode()
    client.post(url, {"contact": buyer.pk, "role": "buyer"})
    refused = client.post(url, {"contact": stranger.pk, "role": "buyer"}, follow=True)

    assert 'data-testid="participant-form"' in card and "Покупатель" in card
    assert list(deal.deal_contacts.values_list("contact", "role")) == [(buyer.pk, "buyer")]
    assert "There is no such contact." in refused.content.decode()
    client.post(url, {"contact": buyer.pk, "remove": "1"})
    assert not deal.deal_contacts.exists()
    assert Deal.objects.get(pk=deal.pk).version == deal.version + 2


def test_a_head_hands_a_deal_to_a_colleague_and_the_timeline_says_why(owner, colleague, head_a, make_deal):
    from kartoteka.activities.models import Activity

    deal = make_deal(owner)

    client_for(head_a).post(reverse("deals:deal_assign", args=[deal.pk]), {"owner": colleague.pk, "reason": "отпуск"})
    refused = client_for(owner).post(reverse("deals:deal_assign", args=[deal.pk]), {"owner": colleague.pk})

    assert Deal.objects.get(pk=deal.pk).owner == colleague
    entry = Activity.objects.get(deal=deal, kind="assignment")
    assert entry.author == head_a and "owner → colleague (отпуск)" in entry.body
    assert refused.status_code == 404
