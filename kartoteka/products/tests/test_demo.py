"""The demo catalog and the demo deals' lines: realistic, partly out of stock, idempotent."""

from __future__ import annotations

import pytest

from kartoteka.deals.demo import load_deals_demo
from kartoteka.deals.lines import lines_total
from kartoteka.deals.models import Deal, DealLine
from kartoteka.products.demo import CATALOG, load_catalog_demo, load_lines_demo
from kartoteka.products.models import Product

pytestmark = pytest.mark.django_db


def test_demo_catalog_is_created_once_with_products_out_of_stock(head_a):
    assert load_catalog_demo() == len(CATALOG) >= 20
    assert load_catalog_demo() == 0

    assert Product.objects.count() == len(CATALOG)
    assert Product.objects.filter(stock=0, lead_time_days__isnull=False).count() >= 3
    assert Product.objects.filter(active=False).count() == 1
    assert all(any("а" <= ch <= "я" for ch in p.name.lower()) for p in Product.objects.all())


def test_demo_catalog_needs_someone_who_may_edit_it(owner, settings):
    settings.PRODUCTS_EDITABLE_BY_HEADS = False  # and there is no administrator

    assert load_catalog_demo() == 0


def test_demo_lines_go_on_open_deals_whose_amounts_then_follow_them(head_a, owner, make_company):
    for _ in range(5):
        make_company(owner)
    load_catalog_demo()
    load_deals_demo(deals=30, seed=1)

    lined = load_lines_demo(seed=1, deals=10)

    assert lined == 10 and load_lines_demo(seed=1, deals=10) == 0
    deals = Deal.objects.filter(lines__isnull=False).distinct()
    assert deals.count() == 10
    following = [d for d in deals if d.amount_from_lines]
    assert following and all(d.amount == lines_total(d) for d in following)
    assert not DealLine.objects.filter(product__active=False).exists()
