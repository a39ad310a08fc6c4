"""GET /api/v1/lookup/phone: caller ID for telephony integrations."""

from __future__ import annotations

import pytest

from kartoteka.conftest import api_client_for


@pytest.mark.parametrize("number", ["+7 (916) 123-45-67", "89161234567", "916-123-45-67"])
def test_lookup_answers_the_company_its_responsible_and_open_deals(owner, base, number):
    response = api_client_for(owner).get("/api/v1/lookup/phone", {"number": number})

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "+79161234567"
    assert body["display"] == "8 (916) 123-45-67"
    assert body["companies"] == [{"id": base["romashka"].pk, "name": "ООО «Ромашка»", "inn": "7707083893",
                                  "owner": {"id": owner.pk, "username": "owner", "name": "owner"},
                                  "url": base["romashka"].get_absolute_url()}]
    assert [d["title"] for d in body["open_deals"]] == ["Поставка ромашек"]
    assert body["open_deals"][0]["owner"]["username"] == "owner"
    assert body["contacts"] == [] and body["leads"] == []


def test_lookup_of_a_contact_names_its_visible_company(owner, base):
    body = api_client_for(owner).get("/api/v1/lookup/phone?number=%2B79165554433").json()

    assert [(c["name"], c["company"]) for c in body["contacts"]] == [
        ("Семёнов Пётр", {"id": base["romashka"].pk, "name": "ООО «Ромашка»"})]


@pytest.mark.parametrize("number", ["+7 999 000-00-00", "not a number"])
def test_unknown_number_is_an_empty_result_not_an_error(owner, base, number):
    response = api_client_for(owner).get("/api/v1/lookup/phone", {"number": number})

    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if isinstance(v, list)} == {
        "contacts": [], "companies": [], "leads": [], "open_deals": []}


def test_lookup_shows_only_what_the_caller_may_see(manager_b, base):
    body = api_client_for(manager_b).get("/api/v1/lookup/phone", {"number": "89161234567"}).json()

    assert [c["name"] for c in body["companies"]] == ["Ромашка Б"]
    assert body["open_deals"] == []


def test_lookup_needs_a_number_and_a_login(owner):
    assert api_client_for(owner).get("/api/v1/lookup/phone").status_code == 422
    assert api_client_for(None).get("/api/v1/lookup/phone?number=1").status_code == 401


def test_lookup_costs_a_fixed_number_of_queries(owner, base, make_contact, django_assert_max_num_queries):
    for n in range(5):
        make_contact(owner, first_name=f"Дубль{n}", phones=["+7 916 555-44-33"])
    client = api_client_for(owner)

    with django_assert_max_num_queries(8):  # token + user + contacts + companies + leads + deals
        body = client.get("/api/v1/lookup/phone", {"number": "89165554433"}).json()

    assert len(body["contacts"]) == 6
