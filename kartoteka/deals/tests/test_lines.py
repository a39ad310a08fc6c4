"""The deal's lines (deals/lines.py): catalog prices, totals, the amount following the lines, per-field errors
that leave nothing behind, access through the deal, versions and the audit trail on the deal's timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kartoteka.activities.timeline import timeline_for
from kartoteka.audit.models import ObjectChange
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.deals import lines, services
from kartoteka.deals.models import Deal, DealLine
from kartoteka.products.services import set_product_active

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner: Any, make_deal: Any) -> Deal:
    return make_deal(owner, amount=500)


def state(deal: Deal) -> tuple[Any, ...]:
    """What a refused write must leave as it was."""
    fresh = Deal.objects.get(pk=deal.pk)
    return (fresh.version, fresh.amount, list(DealLine.objects.filter(deal=deal).values_list("quantity", "price")),
            ObjectChange.objects.count())


def test_a_line_takes_the_catalog_price_and_computes_its_total(owner, deal, lathe):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk, "quantity": "3", "discount": "5"})

    assert (line.position, line.quantity, line.price, line.discount, line.total) == (
        1, Decimal("3.000"), Decimal("150000.00"), Decimal("5.00"), Decimal("427500.00"))
    assert (line.in_stock, lathe.lead_time_days) == (False, 45)  # 3 wanted, 2 on hand


def test_the_total_is_rounded_half_up_to_the_kopeck(owner, deal, make_product):
    product = make_product(price="33.33")

    line = lines.add_line(deal, actor=owner, data={"product": product.pk, "quantity": "1,5", "discount": "12.5"})

    assert line.total == Decimal("43.75")  # 1.5 × 33.33 × 0.875 = 43.745625


def test_a_typed_price_overrides_the_catalogs_and_an_empty_one_restores_it(owner, deal, lathe):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk, "price": "140000"})
    assert line.price == Decimal(140000)

    line = lines.update_line(line, actor=owner, data={"price": ""})

    assert line.price == Decimal(150000)


def test_the_amount_follows_the_lines_only_when_asked_to(owner, deal, lathe, make_product):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    assert Deal.objects.get(pk=deal.pk).amount == Decimal(500)  # typed by hand

    services.update_deal(Deal.objects.get(pk=deal.pk), actor=owner, data={"amount_from_lines": True})
    assert Deal.objects.get(pk=deal.pk).amount == Decimal(150000)
    lines.add_line(deal, actor=owner, data={"product": make_product(price="99.90").pk, "quantity": 2})
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("150199.80")
    lines.update_line(line, actor=owner, data={"quantity": 2})
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("300199.80")
    for each in DealLine.objects.filter(deal=deal):
        lines.delete_line(each, actor=owner)

    assert Deal.objects.get(pk=deal.pk).amount is None  # no lines: no amount, so "amount required" still applies


def test_an_amount_sent_while_it_follows_the_lines_is_refused(owner, deal, lathe):
    lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    deal = services.update_deal(Deal.objects.get(pk=deal.pk), actor=owner, data={"amount_from_lines": True})
    before = state(deal)

    with pytest.raises(ValidationError) as caught:
        services.update_deal(deal, actor=owner, data={"amount": "1"})

    assert caught.value.error_dict["amount"][0].code == "amount_from_lines"
    assert state(deal) == before
    assert services.update_deal(deal, actor=owner, data={"amount": "150000"}).amount == Decimal(150000)


def test_a_new_deal_following_lines_starts_without_an_amount(owner, pipeline):
    deal = services.create_deal(actor=owner, data={"title": "Новая", "pipeline": pipeline.pk,
                                                   "amount_from_lines": True})

    assert (deal.amount_from_lines, deal.amount) == (True, None)
    with pytest.raises(ValidationError):
        services.create_deal(actor=owner, data={"title": "Новая", "amount_from_lines": True, "amount": 10})


@pytest.mark.parametrize(("data", "errors"), [
    ({"quantity": "-1"}, {"quantity": ["The quantity must be greater than zero."]}),
    ({"quantity": "0"}, {"quantity": ["The quantity must be greater than zero."]}),
    ({"quantity": ""}, {"quantity": ["The quantity must be greater than zero."]}),
    ({"quantity": "много"}, {"quantity": ["Enter a number."]}),
    ({"quantity": "1.0005"}, {"quantity": ["At most 3 digits after the decimal point."]}),
    ({"quantity": "1000000000"}, {"quantity": ["The quantity is too large."]}),
    ({"discount": "101"}, {"discount": ["A discount is a percentage from 0 to 100."]}),
    ({"discount": "-5"}, {"discount": ["A discount is a percentage from 0 to 100."]}),
    ({"price": "-10"}, {"price": ["The price cannot be negative."]}),
    ({"product": None}, {"product": ["Choose a product."]}),
    ({"product": 999999}, {"product": ["There is no such product."]}),
    ({"product": "abc"}, {"product": ["There is no such product."]}),
    ({"product": "99999999999999999999"}, {"product": ["There is no such product."]}),
    ({"total": "1", "quantity": "0"}, {"total": ["Unknown field."], "quantity": ["The quantity must be greater than zero."]}),
])
def test_bad_input_names_each_field_and_leaves_nothing_behind(data, errors, owner, deal, lathe):
    before = state(deal)

    with pytest.raises(ValidationError) as caught:
        lines.add_line(deal, actor=owner, data={"product": lathe.pk, **data})

    assert caught.value.message_dict == errors
    assert state(deal) == before


def test_an_inactive_product_cannot_be_put_on_a_line_but_stays_on_lines_that_have_it(admin, owner, deal, lathe,
                                                                                     make_product):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    set_product_active(lathe, actor=admin, active=False)
    old = make_product(name="Снятый с производства")
    set_product_active(old, actor=admin, active=False)

    with pytest.raises(ValidationError) as caught:
        lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    assert caught.value.message_dict == {"product": ["The product “Станок токарный” is no longer sold: choose an "
                                                     "active one."]}
    assert lines.update_line(line, actor=owner, data={"quantity": 2}).quantity == 2
    with pytest.raises(ValidationError):
        lines.update_line(line, actor=owner, data={"product": old.pk})


def test_a_catalog_price_in_another_currency_must_be_typed(owner, deal, make_product):
    dollars = make_product(price="100", currency="USD")

    with pytest.raises(ValidationError) as caught:
        lines.add_line(deal, actor=owner, data={"product": dollars.pk})

    assert caught.value.message_dict == {"price": ["The catalog price is in USD: enter the price in RUB."]}
    assert lines.add_line(deal, actor=owner, data={"product": dollars.pk, "price": "9500"}).total == Decimal(9500)


@pytest.mark.parametrize("role", ["colleague", "viewer", "head_b", "manager_b"])
def test_who_may_not_change_the_deal_may_not_change_its_lines(role, users, owner, deal, lathe):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    before = state(deal)

    with pytest.raises(AccessDenied):
        lines.add_line(deal, actor=users[role], data={"product": lathe.pk})
    with pytest.raises(AccessDenied):
        lines.update_line(line, actor=users[role], data={"quantity": 9})
    with pytest.raises(AccessDenied):
        lines.delete_line(line, actor=users[role])

    assert state(deal) == before


@pytest.mark.parametrize("role", ["owner", "head_a", "admin"])
def test_the_owner_their_head_and_admins_change_lines(role, users, owner, deal, lathe):
    assert lines.add_line(deal, actor=users[role], data={"product": lathe.pk}).pk


def test_each_write_bumps_the_deal_version_and_a_stale_one_is_a_conflict(owner, deal, lathe):
    version = Deal.objects.get(pk=deal.pk).version
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk}, expected_version=version)
    assert Deal.objects.get(pk=deal.pk).version == version + 1
    before = state(deal)

    with pytest.raises(ConflictError):
        lines.update_line(line, actor=owner, data={"quantity": 5}, expected_version=version)

    assert state(deal) == before
    lines.update_line(line, actor=owner, data={"quantity": 1})  # nothing changes: no new version
    assert Deal.objects.get(pk=deal.pk).version == version + 1


def test_a_deal_in_the_recycle_bin_keeps_its_lines_as_they_are(owner, deal, lathe):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    services.delete_deal(Deal.objects.get(pk=deal.pk), actor=owner)

    with pytest.raises(ValidationError):
        lines.update_line(line, actor=owner, data={"quantity": 3})

    assert DealLine.objects.get(pk=line.pk).quantity == 1


def test_line_changes_are_audited_on_the_deal_and_shown_on_its_timeline(owner, deal, lathe):
    line = lines.add_line(deal, actor=owner, data={"product": lathe.pk, "quantity": 2, "discount": 5})
    lines.update_line(line, actor=owner, data={"quantity": 1})
    lines.delete_line(line, actor=owner)

    changes = [e.change.changed_fields["lines"] for e in timeline_for(Deal.objects.get(pk=deal.pk)).entries
               if e.change and "lines" in e.change.changed_fields]
    one, two = ("ST-16K Станок токарный: 1 pcs × 150 000 RUB − 5% = 142 500 RUB",
                "ST-16K Станок токарный: 2 pcs × 150 000 RUB − 5% = 285 000 RUB")
    assert changes == [([one], []), ([two], [one]), ([], [two])]  # newest first
    assert ObjectChange.objects.filter(object_id=deal.pk, content_type__model="deal").latest("id").actor == owner


def test_a_deal_takes_at_most_max_lines(owner, deal, lathe, monkeypatch):
    monkeypatch.setattr(lines, "MAX_LINES", 2)
    lines.add_line(deal, actor=owner, data={"product": lathe.pk})
    lines.add_line(deal, actor=owner, data={"product": lathe.pk})

    with pytest.raises(ValidationError):
        lines.add_line(deal, actor=owner, data={"product": lathe.pk})

    assert DealLine.objects.filter(deal=deal).count() == 2
