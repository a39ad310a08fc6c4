"""Sales plans: who may set them, what a plan may be, the audit trail, the plans page, and the dashboard's
"won X of plan Y (Z %)" per manager and for the team, on a hand-built dataset."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kartoteka.audit.models import ObjectChange
from kartoteka.conftest import client_for
from kartoteka.core.errors import AccessDenied
from kartoteka.deals import services as deal_services
from kartoteka.reports import dashboard
from kartoteka.reports.models import SalesPlan
from kartoteka.reports.plans import set_plan
from kartoteka.reports.scope import Scope, period_bounds

pytestmark = pytest.mark.django_db


def this_month(user: Any) -> Scope:
    start, end = period_bounds("month", timezone.localdate())
    return Scope(user=user, start=start, end=end)


def month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def test_heads_of_the_team_and_admins_set_plans_others_are_refused(owner, colleague, head_a, head_b, admin):
    for refused in (owner, head_b):  # a manager (even for a colleague), the head of another team
        with pytest.raises(AccessDenied):
            set_plan(refused, colleague, month(), "100000")

    set_plan(head_a, owner, month(), "100 000,50")
    set_plan(admin, colleague, "2026-11", 300)

    assert set(SalesPlan.objects.values_list("user__username", "month", "amount", "created_by__username")) == {
        ("owner", month(), Decimal("100000.50"), "head_a"),
        ("colleague", datetime.date(2026, 11, 1), Decimal("300.00"), "admin")}


def test_a_plan_is_a_non_negative_amount_and_errors_name_the_field(owner, head_a):
    with override("ru"), pytest.raises(ValidationError) as negative:
        set_plan(head_a, owner, month(), "-5")
    with pytest.raises(ValidationError) as empty:
        set_plan(head_a, owner, month(), "")
    with pytest.raises(ValidationError) as bad_month:
        set_plan(head_a, owner, "декабрь", "5")

    assert negative.value.message_dict == {"amount": ["План не может быть отрицательным."]}
    assert list(empty.value.message_dict) == ["amount"] and list(bad_month.value.message_dict) == ["month"]
    assert not SalesPlan.objects.exists()


def test_setting_a_plan_again_changes_it_and_both_are_audited(owner, head_a, admin):
    plan = set_plan(head_a, owner, month(), "100000")
    set_plan(admin, owner, month(), "120000")
    set_plan(admin, owner, month(), "120000")  # unchanged: no audit row

    changes = list(ObjectChange.objects.filter(content_type__model="salesplan", object_id=plan.pk)
                   .order_by("pk").values_list("action", "actor__username", "postchange"))
    assert SalesPlan.objects.get().amount == Decimal("120000")
    assert [(a, who) for a, who, _post in changes] == [("create", "head_a"), ("update", "admin")]
    assert changes[1][2] == {"amount": "120000.00"}


@pytest.fixture
def month_book(owner, colleague, head_a, make_deal, stages) -> None:
    """owner won 300 + 200 this month (plan 1000 → 50 %), a 999 won deal closed last month and an open 5000 deal
    do not count; colleague won 700 with no plan."""
    for amount in (300, 200):
        deal_services.win_deal(make_deal(owner, amount=amount), actor=owner)
    old = make_deal(owner, amount=999)
    deal_services.win_deal(old, actor=owner)
    type(old).objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=40))
    make_deal(owner, amount=5000)
    deal_services.win_deal(make_deal(colleague, amount=700), actor=colleague)
    set_plan(head_a, owner, month(), "1000")
    last = (month() - datetime.timedelta(days=1)).replace(day=1)
    set_plan(head_a, colleague, last, "5000")  # last month's plan is not this month's


def test_the_dashboard_figures_compare_the_months_won_deals_with_the_plan(month_book, owner, head_a, head_b):
    rows = {r["label"]: r for r in dashboard.people(this_month(head_a))}
    own = dashboard.people(this_month(owner))

    assert (rows["owner"]["won_sum"], rows["owner"]["plan"], rows["owner"]["percent"]) == (500, 1000, 50)
    assert (rows["colleague"]["won_sum"], rows["colleague"]["plan"], rows["colleague"]["percent"]) == (700, None, None)
    assert [(r["won_sum"], r["plan"], r["percent"]) for r in own] == [(500, 1000, 50)]
    assert dashboard.people(this_month(head_b)) == []  # another team's plans are not shown


def test_the_managers_dashboard_shows_the_month_against_the_plan(month_book, owner, colleague):
    mine = client_for(owner).get(reverse("reports:home")).content.decode()
    theirs = client_for(colleague).get(reverse("reports:home")).content.decode()

    assert "won 500 of plan 1,000 (50%)" in mine.replace("\xa0", " ") and 'data-testid="plan-bar"' in mine
    assert "No sales plan is set" in theirs and 'data-testid="plan-bar"' not in theirs
    assert 'data-testid="plans-link"' not in mine


def test_the_heads_dashboard_shows_each_member_against_plan_and_the_team_total(month_book, head_a):
    page = client_for(head_a).get(reverse("reports:home")).content.decode()
    total = page.split('data-testid="people-total"')[1].split("</tr>")[0]

    assert "50%" in page and 'data-testid="plans-link"' in page
    assert ">1,000<" in total and ">1,200<" in total and ">120%<" in total  # 1200 won of 1000 planned


def test_the_plans_page_lists_the_heads_people_and_saves_their_plans(owner, colleague, head_a, manager_b):
    client = client_for(head_a)
    url = reverse("reports:plans")

    page = client.get(url, {"month": "2026-12"}).content.decode()
    saved = client.post(url, {"month": "2026-12", f"amount_{owner.pk}": "250000", f"amount_{colleague.pk}": "",
                              f"amount_{manager_b.pk}": "1"})

    assert f'name="amount_{owner.pk}"' in page and f'name="amount_{manager_b.pk}"' not in page
    assert saved.status_code == 302 and saved["Location"] == f"{url}?month=2026-12"
    assert list(SalesPlan.objects.values_list("user__username", "month", "amount")) == [
        ("owner", datetime.date(2026, 12, 1), Decimal("250000"))]
    assert "250000" in client.get(url, {"month": "2026-12"}).content.decode()


def test_a_bad_amount_on_the_page_saves_nothing_and_says_why(owner, colleague, head_a):
    response = client_for(head_a).post(reverse("reports:plans"), {
        "month": "2026-12", f"amount_{owner.pk}": "250000", f"amount_{colleague.pk}": "-1"})

    assert response.status_code == 422 and "The plan cannot be negative." in response.content.decode()
    assert not SalesPlan.objects.exists()


def test_managers_do_not_get_the_plans_page(owner):
    assert client_for(owner).get(reverse("reports:plans")).status_code == 404


def test_a_managers_plan_counts_only_their_own_won_deals_not_those_shared_with_them(month_book, owner, colleague):
    from django.contrib.contenttypes.models import ContentType

    from kartoteka.accounts.models import RecordShare
    from kartoteka.deals.models import Deal

    won = Deal.objects.get(owner=colleague)  # colleague's 700, shared with owner: visible, not owner's sale
    RecordShare.objects.create(user=owner, content_type=ContentType.objects.get_for_model(Deal), object_id=won.pk)

    page = client_for(owner).get(reverse("reports:home")).content.decode().replace("\xa0", " ")

    assert "won 500 of plan 1,000 (50%)" in page
