"""Search fixtures: one client base of companies, contacts, leads and deals, owned in Team A and Team B."""

from __future__ import annotations

from typing import Any

import pytest

from kartoteka.deals.tests import conftest as deal_fixtures
from kartoteka.leads.tests import conftest as lead_fixtures

pipeline = deal_fixtures.pipeline
stages = deal_fixtures.stages
make_deal = deal_fixtures.make_deal
make_lead = lead_fixtures.make_lead


@pytest.fixture
def base(owner: Any, manager_b: Any, make_company: Any, make_contact: Any, make_lead: Any, make_deal: Any) -> dict:
    """Records keyed by label: Team A's (owner's) and one of Team B's with the same phone."""
    romashka = make_company(owner, name="ООО «Ромашка»", inn="7707083893", phones=["8 (916) 123-45-67"],
                            emails=["Sales@Romashka.ru"])
    semenov = make_contact(owner, last_name="Семёнов", first_name="Пётр", position="Директор", company=romashka.pk,
                           phones=["+7 916 555-44-33"], emails=["p.semenov@romashka.ru"])
    lead = make_lead(owner, name="Заявка Ромашкино", phone="+7 903 111-22-33", email="zakaz@romashkino.ru")
    deal = make_deal(owner, title="Поставка ромашек", company=romashka.pk, amount=1000)
    foreign = make_company(manager_b, name="Ромашка Б", phones=["+7 916 123-45-67"])
    return {"romashka": romashka, "semenov": semenov, "lead": lead, "deal": deal, "foreign": foreign}
