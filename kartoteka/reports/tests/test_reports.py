"""Every report's figures against a small hand-built dataset with known answers: deals moved backwards, lost
with a reason, other currencies, deleted and invisible deals; each viewer sees only their scope."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kartoteka.deals import services as deal_services
from kartoteka.leads import services as lead_services
from kartoteka.reports import clients, dashboard, sales
from kartoteka.reports.scope import Scope, period_bounds

pytestmark = pytest.mark.django_db


def this_month(user: Any) -> Scope:
    start, end = period_bounds("month", timezone.localdate())
    return Scope(user=user, start=start, end=end)


@pytest.fixture
def book(owner, colleague, manager_b, make_deal, stages, too_expensive, make_company) -> dict[str, Any]:
    """owner: won 100 RUB via every stage, lost one from the meeting, one moved back to qualification, won 10 USD
    straight from qualification, and a deleted won deal; colleague: one open deal of 50 expected this month;
    manager_b (Team B): won 1000."""
    move, win = deal_services.move_deal, deal_services.win_deal
    won = make_deal(owner, amount=100)
    for stage in ("meeting", "proposal"):
        move(won, actor=owner, stage=stages[stage])
    win(won, actor=owner)
    lost = make_deal(owner)
    move(lost, actor=owner, stage=stages["meeting"])
    deal_services.lose_deal(lost, actor=owner, reason=too_expensive)
    back = make_deal(owner)
    move(back, actor=owner, stage=stages["meeting"])
    move(back, actor=owner, stage=stages["qualification"])
    win(make_deal(owner, amount=10, currency="USD"), actor=owner)
    deleted = make_deal(owner, amount=5000)
    win(deleted, actor=owner)
    deal_services.delete_deal(deleted, actor=owner)
    make_deal(colleague, amount=50, expected_close_date=timezone.localdate())
    win(make_deal(manager_b, amount=1000), actor=manager_b)
    return {"won": won}


def test_the_funnel_counts_how_far_each_deal_got(book, head_a, pipeline):
    steps = sales.funnel(this_month(head_a), pipeline)

    assert [(str(s.stage) if s.stage else "won", s.reached) for s in steps] == [
        ("Qualification", 5), ("Meeting", 4), ("Proposal", 2), ("won", 2)]
    assert [s.conversion for s in steps] == [None, 80.0, 50.0, 100.0]
    assert steps[1].lost == [("Too expensive", 1)] and steps[0].lost == []
    assert steps[2].amount == Decimal("110")  # 100 RUB + 10 USD reached the proposal: the funnel counts deals


def test_a_manager_and_another_teams_head_see_only_their_own_funnel(book, owner, head_b, pipeline):
    assert [s.reached for s in sales.funnel(this_month(owner), pipeline)] == [4, 4, 2, 2]
    assert [s.reached for s in sales.funnel(this_month(head_b), pipeline)] == [1, 1, 1, 1]


def test_sales_per_manager_keep_currencies_apart_and_leave_out_deleted_and_invisible_deals(book, head_a):
    rows = sales.sales(this_month(head_a), "owner")

    assert [(r["label"], r["currency"], r["won_n"], r["won_sum"], r["lost_n"], r["win_rate"]) for r in rows] == [
        ("owner", "RUB", 1, Decimal("100"), 1, 50.0), ("owner", "USD", 1, Decimal("10"), 0, 100.0)]
    assert rows[0]["avg"] == Decimal("100") and rows[0]["cycle_days"] is not None


def test_sales_by_team_for_an_administrator_add_up_each_team(book, admin):
    rows = {(r["label"], r["currency"]): r["won_sum"] for r in sales.sales(this_month(admin), "team")}

    assert rows == {("Team A", "RUB"): Decimal("100"), ("Team A", "USD"): Decimal("10"),
                    ("Team B", "RUB"): Decimal("1000")}


def test_the_forecast_weights_open_deals_by_the_stage_probability(book, head_a, colleague):
    rows = sales.forecast(this_month(head_a))

    assert [(r["owner"], r["n"], r["amount"], r["weighted"]) for r in rows] == [
        ("colleague", 1, Decimal("50"), Decimal("5"))]  # qualification: 10%


def test_the_dashboard_puts_the_team_side_by_side(book, head_a):
    rows = {r["label"]: r for r in dashboard.people(this_month(head_a))}

    assert set(rows) == {"owner", "colleague"}
    assert (rows["owner"]["won_n"], rows["owner"]["won_sum"], rows["owner"]["created"]) == (2, Decimal("100"), 4)
    assert (rows["colleague"]["pipeline"], rows["colleague"]["weighted"]) == (Decimal("50"), Decimal("5"))


def test_abc_classes_split_revenue_at_80_and_95_percent(owner, make_company, make_deal):
    for name, amount in (("Альфа", 800), ("Бета", 150), ("Гамма", 50)):
        company = make_company(owner, name=name)
        deal_services.win_deal(make_deal(owner, company=company.pk, amount=amount), actor=owner)

    result = clients.abc(this_month(owner))

    assert [(c["class"], c["companies"], c["revenue"]) for c in result["classes"]] == [
        ("A", 1, Decimal("800")), ("B", 1, Decimal("150")), ("C", 1, Decimal("50"))]
    assert [(t["name"], t["class"]) for t in result["top"]] == [("Альфа", "A"), ("Бета", "B"), ("Гамма", "C")]


def test_lead_sources_count_conversion_and_revenue_per_campaign(owner, pipeline):
    converted = lead_services.create_lead(actor=owner, data={"name": "А", "phone": "+7 916 111-00-01",
                                                             "source": "web_form", "utm_campaign": "весна"})
    lead_services.create_lead(actor=owner, data={"name": "Б", "phone": "+7 916 111-00-02", "source": "web_form",
                                                 "utm_campaign": "весна"})
    lead_services.create_lead(actor=owner, data={"name": "В", "phone": "+7 916 111-00-03"})
    converted = lead_services.convert_lead(converted, actor=owner, deal={"amount": 300})
    deal_services.win_deal(converted.deal, actor=owner)

    rows = {(r["source"], r["utm_campaign"]): r for r in clients.lead_sources(this_month(owner))}

    assert (rows[("web_form", "весна")]["n"], rows[("web_form", "весна")]["converted"],
            rows[("web_form", "весна")]["won"], rows[("web_form", "весна")]["revenue"]) == (2, 1, 1, Decimal("300"))
    assert rows[("web_form", "весна")]["conversion"] == 50.0
    assert rows[("manual", "")]["n"] == 1


def test_period_bounds():
    day = datetime.date(2026, 11, 23)  # a Monday
    assert period_bounds("week", day) == (day, datetime.date(2026, 11, 29))
    assert period_bounds("quarter", day) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    assert period_bounds("custom", day, datetime.date(2026, 2, 1), datetime.date(2026, 1, 1)) == (
        datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))


def test_rfm_names_the_recent_frequent_big_buyer_a_champion_and_the_old_small_one_lost(owner, make_company,
                                                                                      make_deal):
    """Five clients, one per quintile: Альфа bought most recently, most often and most; Дельта long ago, once."""
    from kartoteka.deals.models import Deal

    now = timezone.now()
    plan = {"Альфа": (1, 5, 500), "Бета": (5, 4, 400), "Вега": (9, 3, 300), "Гамма": (13, 2, 200),
            "Дельта": (17, 1, 100)}
    for name, (days_ago, orders, amount) in plan.items():
        company = make_company(owner, name=name)
        for _ in range(orders):
            deal = make_deal(owner, company=company.pk, amount=amount)
            deal_services.win_deal(deal, actor=owner)
            Deal.objects.filter(pk=deal.pk).update(closed_at=now - datetime.timedelta(days=days_ago))
    start = timezone.localdate() - datetime.timedelta(days=30)

    result = clients.rfm(Scope(user=owner, start=start, end=timezone.localdate(), period="custom"))

    by_name = {t["name"]: t for t in result["top"]}
    assert (by_name["Альфа"]["r"], by_name["Альфа"]["f"], by_name["Альфа"]["m"]) == (5, 5, 5)
    assert by_name["Альфа"]["segment"] == "Champions" and by_name["Дельта"]["segment"] == "Lost"
    assert {s["segment"]: s["companies"] for s in result["segments"]}["champions"] == 2  # Альфа and Бета (R4, F4)


def test_industries_count_clients_and_share_revenue(owner, make_company, make_deal):
    metal = make_company(owner, name="Сталь", industry="Металлургия", status="active")
    make_company(owner, name="Прокат", industry="Металлургия")
    food = make_company(owner, name="Хлеб", industry="Пищевая")
    deal_services.win_deal(make_deal(owner, company=metal.pk, amount=300), actor=owner)
    deal_services.win_deal(make_deal(owner, company=food.pk, amount=100), actor=owner)

    rows = clients.industries(this_month(owner))

    assert [(r["industry"], r["companies"], r["active"], r["revenue"], r["share"]) for r in rows] == [
        ("Металлургия", 2, 1, Decimal("300"), Decimal("75.0")), ("Пищевая", 1, 0, Decimal("100"), Decimal("25.0"))]


def test_the_dashboard_counts_each_managers_tasks_and_neglected_clients(owner, colleague, head_a, manager_b,
                                                                        make_company, make_task, pipeline):
    """owner: a task overdue (moved 3 hours into the past), one due later today, one in three days, and an active
    company quiet for 60 days; colleague: a new company (not neglected yet); Team B's quiet company is not the
    head's."""
    from kartoteka.contacts.models import Company
    from kartoteka.tasks.models import Task

    now = timezone.now()
    late = make_task(owner)
    Task.objects.filter(pk=late.pk).update(due_at=now - datetime.timedelta(hours=3), all_day=False)
    make_task(owner, due_at=now + datetime.timedelta(minutes=1))
    make_task(owner, due_at=now + datetime.timedelta(days=3))  # not today
    quiet = make_company(owner, status="active")
    other = make_company(manager_b, status="active")
    Company.objects.filter(pk__in=[quiet.pk, other.pk]).update(created_at=now - datetime.timedelta(days=60))
    make_company(colleague, status="active")  # new: not neglected yet

    rows = {r["label"]: r for r in dashboard.people(this_month(head_a))}

    assert (rows["owner"]["overdue"], rows["owner"]["due_today"], rows["owner"]["neglected"]) == (1, 1, 1)
    assert rows.get("colleague", {}).get("neglected", 0) == 0
    assert "manager_b" not in rows
