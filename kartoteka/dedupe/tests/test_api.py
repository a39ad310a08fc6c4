"""POST /api/v1/duplicates/check: what the UI warns about, for API clients creating records."""

from __future__ import annotations

from kartoteka.conftest import api_client_for


def check(user, **body):
    return api_client_for(user).post("/api/v1/duplicates/check", body, content_type="application/json")


def test_exact_and_similar_matches_with_their_responsible(owner, manager_b, make_company):
    mine = make_company(owner, name="ООО «Ромашка»", inn="7707083893")
    theirs = make_company(manager_b, name="Лютик", phones=["+79161234567"])

    response = check(owner, entity="company", name="Ромашка ООО", phones=["8 916 123-45-67"])

    assert response.status_code == 200
    assert response.json() == [
        {"id": None, "name": None, "reasons": ["phone"], "exact": True,
         "owner": {"id": manager_b.pk, "username": "manager_b", "name": "manager_b"}},
        {"id": mine.pk, "name": "ООО «Ромашка»", "reasons": ["name"], "exact": False,
         "owner": {"id": owner.pk, "username": "owner", "name": "owner"}},
    ]
    assert theirs.name not in response.content.decode()


def test_nothing_matching_is_an_empty_list_and_a_bad_entity_is_422(owner):
    assert check(owner, entity="contact", first_name="Никто").json() == []
    assert check(owner, entity="deal").status_code == 422


def test_block_policy_makes_the_api_create_answer_422_per_field(owner, admin, make_company):
    from kartoteka.dedupe.services import set_policy

    make_company(owner, name="Ромашка", inn="7707083893")
    set_policy("company", "block", actor=admin, source="api")

    response = api_client_for(owner).post("/api/v1/companies", {"name": "Другая", "inn": "7707083893"},
                                          content_type="application/json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["inn"]


def test_the_api_follows_its_own_policy_not_the_forms_one(owner, admin, make_company):
    from kartoteka.dedupe.services import set_policy

    make_company(owner, name="Ромашка", inn="7707083893")
    set_policy("company", "block", actor=admin, source="ui")

    response = api_client_for(owner).post("/api/v1/companies", {"name": "Другая", "inn": "7707083893"},
                                          content_type="application/json")

    assert response.status_code == 201
