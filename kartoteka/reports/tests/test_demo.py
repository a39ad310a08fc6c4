"""The demo gives the segment and demand reports something to show: regular clients spread over X, Y and Z, and
unmet demand from the out-of-stock catalog and free text. Idempotent."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kartoteka.deals.demo import load_deals_demo
from kartoteka.products.demo import load_catalog_demo
from kartoteka.reports import clients
from kartoteka.reports.demand import unmet_demand
from kartoteka.reports.demo import load_reports_demo
from kartoteka.reports.models import SalesPlan
from kartoteka.reports.scope import Scope

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_abc_xyz_matrix_and_the_unmet_demand_report(admin, head_a, owner, colleague,
                                                                       make_company):
    for i in range(14):
        make_company(owner if i % 2 else colleague)
    load_catalog_demo()
    load_deals_demo(deals=20, seed=1)

    regular, asked, planned = load_reports_demo(seed=1)

    assert regular >= 100 and asked == 40 and load_reports_demo(seed=1) == (0, 0, 0)
    # this and last month's plan for each manager (owner, colleague), set by the administrator
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    assert planned == 4
    assert set(SalesPlan.objects.values_list("user__username", "month")) == {
        (name, month) for name in ("owner", "colleague") for month in (this_month, last_month)}
    assert not SalesPlan.objects.exclude(created_by=admin).exists()
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - 11  # the twelve months ending with this one
    year = Scope(user=admin, start=datetime.date(index // 12, index % 12 + 1, 1), end=today, period="custom")
    xyz = {t["xyz"] for t in clients.abc(year)["top"]}
    assert {"X", "Y", "Z"} <= xyz
    rows = unmet_demand(Scope(user=head_a, start=today - datetime.timedelta(days=121), end=today, period="custom"))
    assert rows and any(r["product_id"] is None for r in rows) and any(r["product_id"] for r in rows)
