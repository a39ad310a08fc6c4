"""Saved views: save the list as it is, pin, share with the team; others' views are read-only or invisible."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kartoteka.core.errors import AccessDenied
from kartoteka.savedviews.services import delete_view, save_view, set_pinned, views_for


def save(user, name="Горячие", query="q=ромашка&status=client&sort=-name&page=3", shared=False):
    return save_view(actor=user, entity="company", list_path="/companies/", name=name, query=query,
                     columns=["name", "inn"], shared=shared)


def test_a_view_keeps_filters_sort_and_columns_but_not_the_page(owner):
    view = save(owner)

    assert view.query == "q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0&status=client&sort=-name"
    assert view.url == f"/companies/?{view.query}&columns=name&columns=inn&save_columns=1"


def test_saving_under_the_same_name_overwrites(owner):
    first = save(owner)
    second = save(owner, query="status=potential")

    assert first.pk == second.pk
    assert [v.query for v in views_for(owner, "company")] == ["status=potential"]


def test_shared_views_are_seen_by_the_team_only(owner, colleague, manager_b):
    save(owner, name="Личный")
    save(owner, name="Командный", shared=True)

    assert [v.name for v in views_for(owner, "company")] == ["Командный", "Личный"]
    assert [v.name for v in views_for(colleague, "company")] == ["Командный"]
    assert views_for(manager_b, "company") == []


def test_pinned_views_come_first_for_who_pinned_them(owner, colleague):
    save(owner, name="А")
    shared = save(owner, name="Б", shared=True)

    set_pinned(shared, actor=colleague, pinned=True)

    assert [(v.name, v.pinned) for v in views_for(colleague, "company")] == [("Б", True)]
    assert [(v.name, v.pinned) for v in views_for(owner, "company")] == [("А", False), ("Б", False)]


def test_only_the_owner_deletes_and_outsiders_cannot_pin(owner, colleague, manager_b):
    view = save(owner, shared=True)

    with pytest.raises(AccessDenied):
        delete_view(view, actor=colleague)
    with pytest.raises(AccessDenied):
        set_pinned(view, actor=manager_b, pinned=True)
    delete_view(view, actor=owner)
    assert views_for(owner, "company") == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_view_needs_a_name(owner, name):
    with pytest.raises(ValidationError) as error:
        save(owner, name=name)

    assert "name" in error.value.message_dict
