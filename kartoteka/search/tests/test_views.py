"""The header search page and its HTMX drop-down."""

from __future__ import annotations

import pytest

from kartoteka.conftest import client_for


def test_header_on_every_page_has_the_search_box_and_its_script(owner):
    text = client_for(owner).get("/companies/").content.decode()

    assert 'id="global-search"' in text
    assert "kartoteka/data.js" in text


def test_dropdown_groups_hits_and_names_the_responsible(owner, base):
    response = client_for(owner).get("/search/?q=ромаш", HTTP_HX_REQUEST="true")
    text = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in text
    assert text.index('data-testid="search-group-company"') < text.index('data-testid="search-group-lead"')
    assert "ООО «Ромашка»" in text and "Заявка Ромашкино" in text and "Поставка ромашек" in text
    assert "Ромашка Б" not in text
    assert f'<span class="search-owner" title="Responsible">{owner}</span>' in text


def test_full_page_answers_a_plain_get(owner, base):
    text = client_for(owner).get("/search/?q=7707083").content.decode()

    assert "<html" in text and base["romashka"].get_absolute_url() in text


@pytest.mark.parametrize(("query", "message"), [("ро", "Type at least 3 characters."), ("нетакого", "Nothing found.")])
def test_short_or_unknown_queries_say_so(owner, base, query, message):
    assert message in client_for(owner).get(f"/search/?q={query}", HTTP_HX_REQUEST="true").content.decode()


def test_search_costs_a_fixed_number_of_queries(owner, base, make_company, make_contact, django_assert_max_num_queries):
    for n in range(10):
        make_contact(owner, last_name=f"Ромашкин{n}", company=make_company(owner, name=f"Ромашка {n}").pk)
    client = client_for(owner)

    # session, user, two-factor state, one query per group, session save, savepoints: never one per hit
    with django_assert_max_num_queries(10):
        response = client.get("/search/?q=ромаш", HTTP_HX_REQUEST="true")

    assert response.content.decode().count('data-testid="search-hit"') == 8 + 8 + 1 + 1
