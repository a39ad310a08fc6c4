"""ABC×XYZ against a hand-built book of monthly purchases with known classes, and a segment opened as the
companies list: filtered in the database, within the viewer's visibility, saved as a view with its filter, acted
on in bulk."""

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
from kartoteka.contacts.models import Company
from kartoteka.deals import services as deal_services
from kartoteka.deals.models import Deal
from kartoteka.reports import clients
from kartoteka.reports.scope import Scope, day_start
from kartoteka.reports.segments import segment_company_ids, xyz_window

pytestmark = pytest.mark.django_db


def months_back(n: int) -> datetime.date:
    """The 1st of the month `n` months before this one (noon of the 1st is never in the future)."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def six_months(user: Any) -> Scope:
    return Scope(user=user, start=months_back(5), end=timezone.localdate(), period="custom")


@pytest.fixture
def purchases(settings, owner, manager_b, make_company, make_deal, pipeline, too_expensive) -> dict[str, Any]:
    """Six months (the XYZ window too). Monthly revenue, oldest month first:
    Ровно 2000 ×6 = 12000 (CV 0 → X), Волна 160/240 alternating = 1200 (mean 200, σ 40, CV 20% → Y),
    Чуть 95/105 = 600 (CV 5% → X), Разово 500 once (five zero months: CV 223.6% → Z).
    Total 14300: A closes at 11440, B at 13585 → Ровно A; Волна (12000 before) B; Чуть (13200) B; Разово C.
    Not counted: a USD deal, a deleted deal, a lost deal, an open deal; manager_b's company is invisible to owner."""
    settings.REPORTS_XYZ_MONTHS = 6
    plan = {"Ровно": [2000] * 6, "Волна": [160, 240] * 3, "Чуть": [95, 105] * 3, "Разово": [0, 0, 500, 0, 0, 0]}
    companies = {}

    def won(user: Any, company: Any, amount: Any, month: int, **data: Any) -> Deal:
        deal = make_deal(user, company=company.pk, amount=amount, **data)
        deal_services.win_deal(deal, actor=user)
        Deal.objects.filter(pk=deal.pk).update(closed_at=day_start(months_back(month)) + datetime.timedelta(hours=12))
        return deal

    for name, amounts in plan.items():
        companies[name] = company = make_company(owner, name=name)
        for i, amount in enumerate(amounts):
            if amount:
                won(owner, company, amount, 5 - i)
    won(owner, companies["Разово"], 9000, 1, currency="USD")
    deal_services.delete_deal(won(owner, companies["Чуть"], 9000, 2), actor=owner)
    deal_services.lose_deal(make_deal(owner, company=companies["Волна"].pk, amount=9000), actor=owner,
                              reason=too_expensive)
    make_deal(owner, company=companies["Ровно"].pk, amount=9000)
    companies["Чужая"] = other = make_company(manager_b, name="Чужая")
    won(manager_b, other, 50000, 1)
    return companies


def test_xyz_classes_by_the_variation_of_monthly_revenue_beside_abc(purchases, owner):
    result = clients.abc(six_months(owner))

    rows = {t["name"]: (t["revenue"], t["class"], t["xyz"], t["cv"]) for t in result["top"]}
    assert rows == {"Ровно": (Decimal("12000"), "A", "X", 0.0), "Волна": (Decimal("1200"), "B", "Y", 20.0),
                    "Чуть": (Decimal("600"), "B", "X", 5.0), "Разово": (Decimal("500"), "C", "Z", 223.6)}
    cells = {c["segment"]: (c["companies"], c["revenue"]) for row in result["matrix"] for c in row["cells"]}
    assert {k: v for k, v in cells.items() if v[0]} == {
        "AX": (1, Decimal("12000")), "BY": (1, Decimal("1200")), "BX": (1, Decimal("600")), "CZ": (1, Decimal("500"))}
    assert [(c["class"], c["companies"], c["revenue"]) for c in result["classes"]] == [
        ("A", 1, Decimal("12000")), ("B", 2, Decimal("1800")), ("C", 1, Decimal("500"))]
    assert result["xyz_window"][2] == 6


def test_thresholds_come_from_the_settings(purchases, owner, settings):
    settings.REPORTS_XYZ_X, settings.REPORTS_XYZ_Y = 25, 300  # Волна (20%) becomes X, Разово (223.6%) Y
    settings.REPORTS_ABC_A, settings.REPORTS_ABC_B = 90, 5  # A closes at 12870: Волна (12000 before) is A

    rows = {t["name"]: t["class"] + t["xyz"] for t in clients.abc(six_months(owner))["top"]}

    assert rows == {"Ровно": "AX", "Волна": "AX", "Чуть": "BX", "Разово": "CY"}


def test_a_short_period_looks_at_the_configured_number_of_months(owner, settings):
    settings.REPORTS_XYZ_MONTHS = 12
    today = timezone.localdate()
    first, last, months = xyz_window(Scope(user=owner, start=today.replace(day=1), end=today))

    assert months == 12 and last.month == today.month and first.day == 1
    assert (last.year * 12 + last.month) - (first.year * 12 + first.month) == 11


def test_the_head_of_the_other_team_sees_only_their_client(purchases, head_b):
    result = clients.abc(six_months(head_b))

    assert [(t["name"], t["class"], t["xyz"]) for t in result["top"]] == [("Чужая", "A", "Z")]


def test_segment_subqueries_select_the_cell_companies(purchases, owner):
    scope = six_months(owner)

    def names(segment: str) -> set[str]:
        return set(Company.objects.filter(pk__in=segment_company_ids(scope, segment)).values_list("name", flat=True))

    assert names("abc:B") == {"Волна", "Чуть"}
    assert names("xyz:X") == {"Ровно", "Чуть"}
    assert names("abcxyz:CZ") == {"Разово"}
    assert names("rfm:champions") <= {"Ровно", "Волна", "Чуть", "Разово"}
    assert segment_company_ids(scope, "abc:Q") is None


def names_in(response: Any) -> list[str]:
    return sorted(row.record.name for row in response.context["table"].page.object_list)


def segment_query(segment: str) -> dict[str, str]:
    return {"segment": segment, "segment_period": "custom", "segment_start": months_back(5).isoformat(),
            "segment_end": timezone.localdate().isoformat()}


def test_a_segment_opens_as_the_companies_list_within_visibility(purchases, owner, manager_b):
    url = reverse("contacts:company_list")

    mine = client_for(owner).get(url, segment_query("abc:B"))
    theirs = client_for(manager_b).get(url, segment_query("abc:B"))
    a_for_b = client_for(manager_b).get(url, segment_query("abc:A"))

    assert names_in(mine) == ["Волна", "Чуть"]
    assert names_in(theirs) == []
    assert names_in(a_for_b) == ["Чужая"]


def test_the_report_links_each_cell_to_its_list(purchases, owner):
    response = client_for(owner).get(reverse("reports:report", args=["abc"]),
                                     {"period": "custom", "start": months_back(5).isoformat(),
                                      "end": timezone.localdate().isoformat()})
    page = response.content.decode()

    assert 'data-testid="abc-xyz-matrix"' in page
    cell = next(c for row in response.context["abc"]["matrix"] for c in row["cells"] if c["segment"] == "BY")
    assert "segment=abcxyz%3ABY" in cell["list_url"] and "segment_period=custom" in cell["list_url"]
    listed = client_for(owner).get(cell["list_url"])
    assert names_in(listed) == ["Волна"]


def test_a_segment_list_saved_as_a_view_keeps_its_filter_and_takes_bulk_actions(purchases, owner):
    from kartoteka.savedviews.models import SavedView

    client = client_for(owner)
    query = "&".join(f"{k}={v}" for k, v in segment_query("xyz:X").items())
    client.post(reverse("savedviews:save"), {"list": reverse("contacts:company_list"), "name": "Регулярные",
                                             "query": query})
    view = SavedView.objects.get(owner=owner, name="Регулярные")
    assert "segment=xyz%3AX" in view.query

    listed = client.get(view.url)
    ids = [row.record.pk for row in listed.context["table"].page.object_list]
    assert set(names_in(listed)) == {"Ровно", "Чуть"}
    client.post(reverse("contacts:company_bulk"), {"pk": ids, "action": "tag", "tag": "регулярные",
                                                   "next": view.url})
    assert set(Company.objects.filter(tags__name="регулярные").values_list("name", flat=True)) == {"Ровно", "Чуть"}


def test_the_abc_report_runs_a_fixed_number_of_queries(purchases, owner, make_company, make_deal):
    client = client_for(owner)
    params = {"period": "custom", "start": months_back(5).isoformat(),
              "end": timezone.localdate().isoformat()}

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:report", args=["abc"]), params).status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    for i in range(4):
        company = make_company(owner, name=f"Ещё {i}")
        deal_services.win_deal(make_deal(owner, company=company.pk, amount=10 + i), actor=owner)
    assert count() == before <= 12


def test_a_scope_that_sees_no_deals_gives_empty_segments(purchases, owner):
    nobody = Scope(user=None, start=months_back(5), end=timezone.localdate(), period="custom")

    assert clients.abc(nobody)["top"] == [] and clients.rfm(nobody)["top"] == []
    assert not Company.objects.filter(pk__in=segment_company_ids(nobody, "abc:A")).exists()
