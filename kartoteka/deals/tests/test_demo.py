"""The demo deals: every stage used, histories over months, idempotent."""

from __future__ import annotations

import pytest

from kartoteka.deals.demo import load_deals_demo
from kartoteka.deals.models import Deal, Pipeline, StageChange

pytestmark = pytest.mark.django_db


def test_demo_creates_pipelines_and_deals_once(owner, make_company):
    for _ in range(5):
        make_company(owner)

    created = load_deals_demo(deals=40, seed=1)

    assert created == 40 and Deal.objects.count() == 40
    assert list(Pipeline.objects.values_list("name", flat=True)) == ["Новые продажи", "Повторные продажи", "Тендеры"]
    assert {d.stage.kind for d in Deal.objects.select_related("stage")} == {"open", "won", "lost"}
    assert StageChange.objects.filter(seconds_in_previous__gt=86400).exists()
    assert load_deals_demo(deals=40, seed=1) == 0
