"""Global search and caller ID: by each kind of fragment, grouped, ranked, only what the user may see."""

from __future__ import annotations

import pytest

from kartoteka.contacts.services import update_company
from kartoteka.deals.services import win_deal
from kartoteka.search.queries import global_search, lookup_phone, searchable


def found(user, query):
    return {g.kind: [h.title for h in g.hits] for g in global_search(user, query)}


@pytest.mark.parametrize("query", ["ромаш", "РОМАШ", "Ромаш"])
def test_name_fragment_finds_every_kind_in_any_case(owner, base, query):
    assert found(owner, query) == {
        "company": ["ООО «Ромашка»"], "lead": ["Заявка Ромашкино"], "deal": ["Поставка ромашек"]}


@pytest.mark.parametrize(("query", "expected"), [
    ("СЕМЕНОВ", {"contact": ["Семёнов Пётр"]}),
    ("семён пёт", {"contact": ["Семёнов Пётр"]}),
    ("7707083", {"company": ["ООО «Ромашка»"]}),
    ("916 123-45", {"company": ["ООО «Ромашка»"]}),
    ("8 (916) 555", {"contact": ["Семёнов Пётр"]}),
    ("+7903111", {"lead": ["Заявка Ромашкино"]}),
    ("4567", {"company": ["ООО «Ромашка»"]}),
    ("sales@rom", {"company": ["ООО «Ромашка»"]}),
    ("ZAKAZ@", {"lead": ["Заявка Ромашкино"]}),
])
def test_each_kind_of_fragment_is_found(owner, base, query, expected):
    assert found(owner, query) == expected


def test_another_teams_records_are_not_found(owner, manager_b, admin, base):
    assert "Ромашка Б" not in found(owner, "ромашка")["company"]
    assert found(manager_b, "ромашка") == {"company": ["Ромашка Б"]}
    assert found(admin, "ромашка")["company"] == ["Ромашка Б", "ООО «Ромашка»"]


def test_records_starting_with_the_query_rank_first(owner, make_company, base):
    make_company(owner, name="Агро-Ромашка")
    make_company(owner, name="Ромашка-2")

    assert found(owner, "ромашка")["company"] == ["Ромашка-2", "Агро-Ромашка", "ООО «Ромашка»"]


def test_hits_show_the_responsible_and_a_detail_line(owner, base):
    groups = {g.kind: g for g in global_search(owner, "ромаш")}

    assert groups["company"].hits[0].owner == owner
    assert groups["company"].hits[0].detail == "INN 7707083893 · 8 (916) 123-45-67"
    assert groups["deal"].hits[0].detail == "Qualification · ООО «Ромашка»"


def test_a_group_says_when_there_are_more_than_it_shows(owner, make_company, db):
    for n in range(3):
        make_company(owner, name=f"Лютик {n}")

    (group,) = global_search(owner, "лютик", per_group=2)

    assert [h.title for h in group.hits] == ["Лютик 0", "Лютик 1"]
    assert group.more is True


@pytest.mark.parametrize(("query", "answerable"), [
    ("", False), ("ро", False), ("12", False), ("ооо 1", True), ("ром", True), ("123", True), ("а б в", False)])
def test_only_queries_the_index_can_answer_are_run(query, answerable):
    assert searchable(query) is answerable


def test_a_short_query_finds_nothing_rather_than_scanning(owner, base):
    assert global_search(owner, "ро") == []


def test_deleted_and_renamed_records_follow_the_index(owner, base):
    update_company(base["romashka"], actor=owner, data={"name": "Василёк"})

    assert "company" not in found(owner, "ромашка")
    assert found(owner, "ВАСИЛЕК") == {"company": ["Василёк"]}


@pytest.mark.parametrize("number", ["+7 916 123-45-67", "8 (916) 1234567", "9161234567"])
def test_caller_id_finds_the_company_in_any_notation(owner, base, number):
    match = lookup_phone(owner, number)

    assert match.number == "+79161234567"
    assert [c.name for c in match.companies] == ["ООО «Ромашка»"]
    assert [d.title for d in match.open_deals] == ["Поставка ромашек"]
    assert match.contacts == [] and match.leads == []


def test_caller_id_finds_a_contact_with_its_company_deals_and_a_lead(owner, base, make_deal):
    make_deal(owner, title="Сервис", contacts=[base["semenov"].pk])

    contact_match = lookup_phone(owner, "89165554433")
    lead_match = lookup_phone(owner, "+7 (903) 111-22-33")

    assert [c.full_name for c in contact_match.contacts] == ["Семёнов Пётр"]
    assert [d.title for d in contact_match.open_deals] == ["Сервис"]
    assert [lead.name for lead in lead_match.leads] == ["Заявка Ромашкино"]


def test_caller_id_leaves_out_closed_deals_and_invisible_records(owner, manager_b, base):
    win_deal(base["deal"], actor=owner)

    assert lookup_phone(owner, "+79161234567").open_deals == []
    assert [c.name for c in lookup_phone(manager_b, "+79161234567").companies] == ["Ромашка Б"]


@pytest.mark.parametrize("number", ["+7 999 000-00-00", "abc", "", "1234567"])
def test_caller_id_of_an_unknown_or_malformed_number_is_empty(owner, base, number):
    match = lookup_phone(owner, number)

    assert (match.contacts, match.companies, match.leads, match.open_deals) == ([], [], [], [])


def test_caller_id_matches_a_number_stored_with_an_extension(owner, make_company, db):
    company = make_company(owner, name="Офис", phones=["+7 495 765-43-21 доб. 12"])

    assert lookup_phone(owner, "84957654321").companies == [company]
