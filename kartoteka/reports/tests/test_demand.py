"""The unmet-demand report against a hand-built log: requests per product and free text, lines of open deals
wanting more than the stock on hand; a head sees the team only; the page, chart and export; fixed queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kartoteka.conftest import client_for
from kartoteka.deals import lines
from kartoteka.deals import services as deal_services
from kartoteka.products.demand import record_demand
from kartoteka.products.models import UnmetDemand
from kartoteka.reports.demand import unmet_demand
from kartoteka.reports.scope import Scope, period_bounds

pytestmark = pytest.mark.django_db


def this_month(user: Any) -> Scope:
    start, end = period_bounds("month", timezone.localdate())
    return Scope(user=user, start=start, end=end)


@pytest.fixture
def log(owner, colleague, manager_b, make_company, make_deal, make_product, pipeline, too_expensive) -> dict[str, Any]:
    """Green vices (stock 0): owner logs 2 + 3 for two clients, colleague 1 for the first; a pink vice is free text
    (owner, twice, different case); manager_b (Team B) logs 7 green. Lines: owner's open deal wants 4 green and
    5 brown (stock 10: enough); colleague's open deal 1 green; a lost deal with 9 green is not counted. An entry
    logged last month is outside the period."""
    green = make_product(sku="TV-G", name="Тиски зелёные", stock="0")
    brown = make_product(sku="TV-B", name="Тиски коричневые", stock="10")
    first, second = make_company(owner, name="Первая"), make_company(owner, name="Вторая")
    theirs = make_company(colleague, name="Третья")
    record_demand(first, actor=owner, data={"product": green.pk, "quantity": "2"})
    record_demand(second, actor=owner, data={"product": green.pk, "quantity": "3"})
    record_demand(theirs, actor=colleague, data={"product": green.pk, "quantity": "1"})
    record_demand(first, actor=owner, data={"product_name": "Тиски розовые"})
    record_demand(second, actor=owner, data={"product_name": "тиски розовые"})
    old = record_demand(first, actor=owner, data={"product": green.pk, "quantity": "100"})
    UnmetDemand.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    record_demand(make_company(manager_b), actor=manager_b, data={"product": green.pk, "quantity": "7"})
    deal = make_deal(owner, company=first.pk)
    lines.add_line(deal, actor=owner, data={"product": green.pk, "quantity": "4"})
    lines.add_line(deal, actor=owner, data={"product": brown.pk, "quantity": "5"})
    lines.add_line(make_deal(colleague), actor=colleague, data={"product": green.pk, "quantity": "1"})
    lost = make_deal(owner)
    lines.add_line(lost, actor=owner, data={"product": green.pk, "quantity": "9"})
    deal_services.lose_deal(lost, actor=owner, reason=too_expensive)
    return {"green": green, "brown": brown}


def test_requests_and_short_lines_add_up_per_product(log, head_a):
    rows = {r["product"]: r for r in unmet_demand(this_month(head_a))}

    assert set(rows) == {"Тиски зелёные", "Тиски розовые"}  # brown lines are covered by the stock
    green = rows["Тиски зелёные"]
    assert (green["requests"], green["quantity"], green["clients"], green["deals"], green["line_quantity"]) == (
        3, Decimal("6"), 3, 2, Decimal("5"))
    assert green["last"] is not None and green["stock"] == Decimal("0")
    pink = rows["Тиски розовые"]
    assert (pink["requests"], pink["quantity"], pink["clients"], pink["product_id"]) == (2, Decimal("2"), 2, None)


def test_a_manager_sees_their_own_and_the_other_head_their_team(log, colleague, head_b):
    mine = {r["product"]: (r["requests"], r["deals"]) for r in unmet_demand(this_month(colleague))}
    theirs = {r["product"]: (r["requests"], r["quantity"]) for r in unmet_demand(this_month(head_b))}

    assert mine == {"Тиски зелёные": (1, 1)}
    assert theirs == {"Тиски зелёные": (1, Decimal("7"))}


def test_the_page_draws_the_chart_and_exports_the_table(log, head_a, admin):
    url = reverse("reports:report", args=["unmet_demand"])
    page = client_for(head_a).get(url)

    assert page.status_code == 200 and page.context["chart"]["labels"][0] == "Тиски зелёные"
    assert "Тиски розовые" in page.content.decode()
    body = client_for(admin).get(url, {"export": "csv"}).content.decode("utf-8-sig")
    assert "Тиски зелёные;TV-G;0;4;13;4;" + timezone.localdate().isoformat() + ";2;5\r\n" in body


def test_the_report_runs_a_fixed_number_of_queries(log, head_a, owner, make_company, make_product):
    client = client_for(head_a)
    url = reverse("reports:report", args=["unmet_demand"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    for i in range(3):
        record_demand(make_company(owner), actor=owner, data={"product": make_product(stock="0").pk})
        record_demand(make_company(owner), actor=owner, data={"product_name": f"Новинка {i}"})
    assert count() == before <= 10
