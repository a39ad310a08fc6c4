"""Saved views on the list page: save the current list, open it, pin it."""

from __future__ import annotations

from kartoteka.conftest import client_for
from kartoteka.savedviews.models import SavedView


def test_list_page_offers_to_save_the_current_view(owner):
    text = client_for(owner).get("/companies/?status=client").content.decode()

    assert 'data-testid="save-view"' in text
    assert 'name="query" value="status=client"' in text


def test_saving_applies_the_view_and_it_is_listed(owner, make_company):
    client = client_for(owner)
    client.get("/companies/?columns=name&columns=inn&save_columns=1")

    response = client.post("/views/save/", {"list": "/companies/", "name": "Клиенты", "query": "status=client",
                                            "shared": "on"})

    view = SavedView.objects.get()
    assert (view.entity, view.columns, view.team_id) == ("company", ["name", "inn"], owner.team_id)
    assert response.url == view.url
    assert "Клиенты" in client.get("/companies/").content.decode()


def test_saving_a_page_that_is_not_a_list_is_404(owner):
    assert client_for(owner).post("/views/save/", {"list": "/accounts/profile/", "name": "x"}).status_code == 404


def test_pin_and_delete_go_back_to_the_list(owner):
    client = client_for(owner)
    client.post("/views/save/", {"list": "/contacts/", "name": "Мои"})
    view = SavedView.objects.get()

    assert client.post(f"/views/{view.pk}/pin/", {"pinned": "1"}).url == "/contacts/"
    assert view.pinned_by.get() == owner
    assert client.post(f"/views/{view.pk}/delete/").url == "/contacts/"
    assert not SavedView.objects.exists()
