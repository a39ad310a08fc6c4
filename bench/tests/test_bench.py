"""The benchmark's own code, cheaply: the generator's rows hang together and the report judges figures right.
(The benchmark itself runs only with `make bench`.)"""

from __future__ import annotations

import json
import math

import pytest

from bench import report
from bench.config import Sizes
from bench.data import COLUMNS, Dataset, inn10
from bench.load import load
from kartoteka.core.search import normalise_text, phone_digits


@pytest.fixture
def tiny() -> Dataset:
    return Dataset(Sizes(contacts=60, companies=20, deals=40, activities=200, import_rows=50, long_timeline=30))


def test_rows_match_their_columns(tiny: Dataset) -> None:
    tiny.pipelines = [{"id": 1, "open": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
                       "won": {"id": 3, "name": "w"}, "lost": {"id": 4, "name": "l"}}] * 3
    for table, rows in (("contacts_company", tiny.companies()), ("contacts_contact", tiny.contacts()),
                        ("deals_deal", tiny.deals()), ("activities_activity", tiny.activities())):
        for row in rows:
            assert len(row) == len(COLUMNS[table]), table


def test_links_are_consistent(tiny: Dataset) -> None:
    """A contact belongs to a company of its own responsible; heads head their own team."""
    for row in tiny.contacts():
        company_id, owner = row[17], row[19]
        if company_id is not None:
            assert 1 <= company_id <= tiny.sizes.companies
            assert owner == tiny.company_owner[company_id]
        assert not tiny.is_head(owner)
    for team in range(1, tiny.sizes.teams + 1):
        assert tiny.team_of(tiny.head_of(team)) == team


def test_search_columns_are_the_apps(tiny: Dataset) -> None:
    row = next(tiny.contacts())
    phone = json.loads(row[10])[0]
    assert phone.startswith("+7") and len(phone) == 12
    assert phone_digits(phone).split()[0] in row[5]
    assert normalise_text(row[6]) in row[5]


def test_inn_check_digit() -> None:
    import random

    from stdnum.ru import inn

    rng = random.Random(1)
    for _ in range(20):
        assert inn.is_valid(inn10(rng))


def test_long_timeline(tiny: Dataset) -> None:
    rows = list(tiny.activities())
    assert len(rows) == 200 + 5 * 30
    assert sum(1 for r in rows if r[6] == 1) >= 30


@pytest.mark.django_db
def test_load_fills_the_tables(tiny: Dataset) -> None:
    from kartoteka.activities.models import Activity
    from kartoteka.contacts.models import Company, Contact
    from kartoteka.deals.models import Deal, StageChange

    counts = load(tiny, log=lambda _: None)
    assert Contact.objects.count() == counts["contacts_contact"] == 60
    assert Company.objects.count() == 20
    assert Deal.objects.count() == 40 and StageChange.objects.count() >= 40
    assert Activity.objects.filter(company_id=1).count() >= 30
    contact = Contact.objects.get(pk=7)
    assert contact.search_text == contact.build_search_text()
    assert Contact.objects.search(contact.phones[0][-7:]).filter(pk=7).exists()  # the trigram index answers
    Contact.objects.create(first_name="После", owner_id=contact.owner_id)  # sequences follow the loaded ids


def test_percentile() -> None:
    assert report.percentile([1, 2, 3, 4], 50) == 2.5
    assert report.percentile([5], 95) == 5
    assert math.isnan(report.percentile([], 50))


@pytest.mark.parametrize(("fig", "passed"), [
    ({"ours": 30, "floor": 10, "sql": 8, "target": {"max_ratio": 3, "max_sql": 10}}, True),
    ({"ours": 31, "floor": 10, "sql": 8, "target": {"max_ratio": 3, "max_sql": 10}}, False),
    ({"ours": 30, "floor": 10, "sql": 11, "target": {"max_ratio": 3, "max_sql": 10}}, False),
    ({"ours": 40, "floor": 10, "target": {"max_ratio": 2, "or_max_value": 50}}, True),
    ({"ours": 60, "floor": 10, "target": {"max_ratio": 2, "or_max_value": 50}}, False),
    ({"ours": 50, "floor": 100, "errors": 0, "target": {"min_ratio": 0.5, "max_errors": 0}}, True),
    ({"ours": 50, "floor": 100, "errors": 1, "target": {"min_ratio": 0.5, "max_errors": 0}}, False),
    ({"ours": 81, "target": {"max_value": 80}}, False),
    ({"ours": 5, "floor": 10, "plan_ok": False, "target": {"max_ratio": 3, "plan_ok": True}}, False),
])
def test_targets(fig: dict, passed: bool) -> None:
    done = report.finish(fig)
    assert done["pass"] is passed
    if fig.get("floor"):
        assert done["ratio"] == pytest.approx(fig["ours"] / fig["floor"])


def test_markdown_table() -> None:
    results = {"meta": {"scale": 0.1, "engine": "postgresql", "sizes": vars(Sizes.at(0.1)), "rows": {}, "cpus": 2,
                        "workers": 2, "load_seconds": 60, "wall_seconds": 500, "date": "2026-12-06"},
               "figures": [report.finish({"label": "List", "unit": "ms p95", "ours": 30.0, "p50": 20.0, "sql": 8,
                                          "floor": 10.0, "floor_kind": "bare Django", "target": {"max_ratio": 3}}),
                           report.finish({"label": "Import", "unit": "rows/s", "ours": 100, "floor": 1000,
                                          "target": {"min_ratio": 0.2}})]}
    text = report.markdown(results)
    assert "| List | 30.0 ms p95 (p50 20.0), 8 SQL | 10.0 (bare Django) | 3.00× | ≤ 3× floor | PASS |" in text
    assert "| Import | 100 rows/s | 1 000 | 0.10× | ≥ 0.2× floor | **MISS** |" in text
    assert "1 of 2 targets met." in text
