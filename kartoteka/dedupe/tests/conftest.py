"""Dedupe fixtures: the deals' pipeline (merges move deals) and make_deal / make_lead through the services."""

from __future__ import annotations

from kartoteka.deals.tests import conftest as deal_fixtures
from kartoteka.leads.tests import conftest as lead_fixtures

pipeline = deal_fixtures.pipeline
stages = deal_fixtures.stages
make_deal = deal_fixtures.make_deal
make_lead = lead_fixtures.make_lead
