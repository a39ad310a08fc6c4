"""Report pages: every report renders for every role, the CSV export is permissioned and audited, and the
dashboard's queries do not grow with the number of deals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kartoteka.audit.models import SecurityEvent
from kartoteka.conftest import client_for
from kartoteka.deals import services as deal_services
from kartoteka.reports.views import REPORTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_renders_its_table(name, owner, make_deal, pipeline):
    deal_services.win_deal(make_deal(owner, title="Выигранная", amount=700), actor=owner)

    response = client_for(owner).get(reverse("reports:report", args=[name]), {"period": "year"})

    assert response.status_code == 200
    assert 'data-testid="report-table"' in response.content.decode()


def test_the_heads_dashboard_shows_each_manager_and_a_managers_only_their_own(owner, colleague, head_a, make_deal,
                                                                              pipeline):
    deal_services.win_deal(make_deal(owner, amount=700), actor=owner)
    make_deal(colleague, amount=300)

    head_page = client_for(head_a).get(reverse("reports:home")).content.decode()
    own_page = client_for(owner).get(reverse("reports:home")).content.decode()

    assert 'data-testid="people-table"' in head_page and ">owner<" in head_page and ">colleague<" in head_page
    assert 'data-testid="people-table"' not in own_page and 'data-testid="kpi-won">1<' in own_page


def test_the_csv_export_needs_the_permission_and_is_audited(owner, admin, make_company, make_deal, pipeline):
    company = make_company(owner, name="=HYPERLINK(\"http://evil\")")
    deal_services.win_deal(make_deal(owner, company=company.pk, amount=700), actor=owner)
    url = reverse("reports:report", args=["abc"])

    refused = client_for(owner).get(url, {"export": "csv"})
    allowed = client_for(admin).get(url, {"export": "csv"})

    assert refused.status_code == 404
    body = allowed.content.decode("utf-8-sig")
    assert allowed.status_code == 200 and "'=HYPERLINK" in body and "\n=" not in body
    event = SecurityEvent.objects.get(kind="export")
    assert event.actor == admin and event.detail["report"] == "abc" and event.detail["rows"] == 1


def test_dashboard_queries_do_not_grow_with_deals(head_a, owner, colleague, make_deal, pipeline):
    client = client_for(head_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:home")).status_code == 200
        return len(ctx.captured_queries)

    make_deal(owner, amount=1)
    count()
    before = count()
    for _ in range(5):
        deal_services.win_deal(make_deal(colleague, amount=5), actor=colleague)
        make_deal(owner, amount=3)
    assert count() == before <= 15


def test_the_company_card_shows_its_lifetime_value(owner, make_company, make_deal, pipeline):
    company = make_company(owner, name="ООО Постоянный")
    for amount in (100, 300):
        deal_services.win_deal(make_deal(owner, company=company.pk, amount=amount), actor=owner)
    make_deal(owner, company=company.pk, amount=5000)  # still open: not revenue

    response = client_for(owner).get(company.get_absolute_url())

    lifetime = response.context["lifetime"]
    assert (lifetime["revenue"], lifetime["orders"], lifetime["average"]) == (400, 2, 200)
    assert 'data-testid="lifetime"' in response.content.decode()
